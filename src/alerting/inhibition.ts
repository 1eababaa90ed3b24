import type { IncidentState } from '../incidents/index.ts';
import { TopologyError, type NetworkKind, type NetworkTwin } from '../network/index.ts';
import type { AlarmSubject } from './types.ts';

/**
 * A declarative inhibition: while a source (an active alarm, or a confirmed incident) stands on
 * an asset, alarms matching `target` on the assets in `scope` of it are muted. As in
 * Alertmanager, the muted alarms are kept and shown; unlike Alertmanager, the relation is the
 * pipe network's, not label equality.
 */
export interface InhibitionRule {
  id: string;
  name: string;
  source:
    | { from: 'alarm'; assetTypes: string[]; ruleIds?: string[]; indicators?: string[] }
    | { from: 'incident'; assetTypes: string[]; networks: NetworkKind[]; states: IncidentState[] };
  target: { ruleIds?: string[]; indicators?: string[] };
  /**
   * `same_asset`: the source's asset only; `downstream`: it and what the network carries from it
   * (drainage: the flow below; pressurised: what loses every source without it); `segment`: also
   * the valve-isolation segment around it and what closing that segment cuts off.
   */
  scope: 'same_asset' | 'downstream' | 'segment';
}

/** Incident states in which the centre has confirmed what happened (verified and later, not yet closed). */
const CONFIRMED: IncidentState[] = ['verified', 'dispatched', 'accepted', 'on_site', 'disposed'];

export const DEFAULT_INHIBITIONS: InhibitionRule[] = [
  {
    // A pump station without mains power takes its own instruments and the telemetry it powers
    // down with it: their silence is a consequence, the power loss is the alarm to act on.
    id: 'pump-station-power-loss',
    name: '泵站停电：屏蔽站内及下游传感器的离线告警',
    source: { from: 'alarm', assetTypes: ['pump_station'], ruleIds: ['power-loss'], indicators: ['mains_power'] },
    target: { ruleIds: ['offline'] },
    scope: 'downstream',
  },
  {
    // Once a burst is confirmed, low pressure in its isolation segment and beyond is expected:
    // the burst incident is being handled, each pressure alarm would only open a duplicate.
    id: 'pipe-burst-low-pressure',
    name: '爆管已确认：屏蔽关阀区段及下游的低压告警',
    source: { from: 'incident', assetTypes: ['pipe'], networks: ['water'], states: CONFIRMED },
    target: { ruleIds: ['water-pressure-low'] },
    scope: 'segment',
  },
];

export function isTarget(rule: InhibitionRule, subject: Pick<AlarmSubject, 'ruleId' | 'indicator'>): boolean {
  return (rule.target.ruleIds ?? []).includes(subject.ruleId) || (rule.target.indicators ?? []).includes(subject.indicator);
}

export function isAlarmSource(rule: InhibitionRule, subject: Pick<AlarmSubject, 'ruleId' | 'indicator' | 'assetType'>): boolean {
  const s = rule.source;
  return s.from === 'alarm' && s.assetTypes.includes(subject.assetType)
    && ((s.ruleIds ?? []).includes(subject.ruleId) || (s.indicators ?? []).includes(subject.indicator));
}

/** The assets a source on `assetId` covers under `rule` (always including the asset itself). */
export function scopeOf(twin: NetworkTwin, rule: InhibitionRule, assetId: string): Set<string> {
  const assets = new Set([assetId]);
  if (rule.scope === 'same_asset' || !twin.byId.has(assetId)) return assets;
  try {
    for (const id of twin.trace(assetId, 'downstream')) assets.add(id);
    if (rule.scope === 'segment') {
      const isolation = twin.isolate(assetId);
      for (const id of [...isolation.segment, ...isolation.cutOff]) assets.add(id);
    }
  } catch (error) {
    // An asset outside its network's graph (a stand-alone station) covers itself only.
    if (!(error instanceof TopologyError)) throw error;
  }
  return assets;
}
