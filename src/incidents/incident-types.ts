// Incident types: what kind of matter an incident is, beside where it came from (`kind`: alarm,
// patrol, citizen). Deadlines (src/incidents/sla.ts) and the assessment are kept per type. The type
// is derived once, when the incident opens: from the alarm's indicator and rule, else the Open311
// service code, else the asset's network; a patrol may name it. Migration 011 applied the same
// derivation to the incidents that existed before.
import type { Queryable } from '../store/index.ts';

export const INCIDENT_TYPES = [
  'gas_leak', 'gas_pressure', 'water_burst', 'water_supply', 'drainage_overflow', 'water_quality', 'manhole_cover',
  'bridge_structural', 'road_collapse', 'sensor_fault', 'citizen_report', 'other',
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

export const INCIDENT_TYPE_NAMES: Record<IncidentType, { zh: string; en: string }> = {
  gas_leak: { zh: '燃气泄漏', en: 'Gas leak' },
  gas_pressure: { zh: '燃气压力异常', en: 'Gas pressure fault' },
  water_burst: { zh: '供水爆管漏损', en: 'Water main burst or leak' },
  water_supply: { zh: '停水或水压不足', en: 'No water or low pressure' },
  drainage_overflow: { zh: '排水满溢内涝', en: 'Drainage overflow or waterlogging' },
  water_quality: { zh: '水质超标', en: 'Water quality exceedance' },
  manhole_cover: { zh: '井盖异常', en: 'Manhole cover' },
  bridge_structural: { zh: '桥梁结构异常', en: 'Bridge structural' },
  road_collapse: { zh: '路面塌陷', en: 'Road collapse' },
  sensor_fault: { zh: '设备故障', en: 'Sensor fault' },
  citizen_report: { zh: '市民其他反映', en: 'Other citizen report' },
  other: { zh: '其他', en: 'Other' },
};

export function isIncidentType(value: string): value is IncidentType {
  return (INCIDENT_TYPES as readonly string[]).includes(value);
}

const BY_INDICATOR: Record<string, IncidentType> = {
  methane_lel: 'gas_leak', gas_pressure: 'gas_pressure',
  water_pressure: 'water_burst', water_flow: 'water_burst',
  drain_level: 'drainage_overflow', drain_flow: 'drainage_overflow', river_level: 'drainage_overflow', gate_opening: 'drainage_overflow',
  cod: 'water_quality', nh3n: 'water_quality', ph: 'water_quality', tp: 'water_quality', do: 'water_quality', bod5: 'water_quality',
  strain: 'bridge_structural', deflection: 'bridge_structural', vibration: 'bridge_structural',
  battery: 'sensor_fault', signal: 'sensor_fault',
};
/** Rules about the device rather than the network: silence and a flat battery are maintenance. */
const FAULT_RULES = new Set(['offline', 'battery-low']);

const BY_SERVICE: Record<string, IncidentType> = {
  gas_smell: 'gas_leak', water_leak: 'water_burst', no_water: 'water_supply', manhole_cover: 'manhole_cover',
  waterlogging: 'drainage_overflow', sewage_overflow: 'drainage_overflow', road_collapse: 'road_collapse',
};

const BY_NETWORK: Record<string, IncidentType> = { gas: 'gas_leak', water: 'water_burst', drainage: 'drainage_overflow', bridge: 'bridge_structural' };

export interface TypeEvidence {
  kind: 'alarm' | 'patrol' | 'citizen';
  /** The alarm's rule and its sensor's indicator. */
  ruleId?: string | null;
  indicator?: string | null;
  serviceCode?: string | null;
  /** The asset's network. */
  network?: string | null;
}

/** The type an incident gets from what is known when it opens (pure: see `deriveIncidentType` for the lookups). */
export function incidentTypeOf(e: TypeEvidence): IncidentType {
  if (e.kind === 'citizen') return (e.serviceCode && BY_SERVICE[e.serviceCode]) || 'citizen_report';
  if (e.ruleId && FAULT_RULES.has(e.ruleId)) return 'sensor_fault';
  const byIndicator = e.indicator ? BY_INDICATOR[e.indicator] : undefined;
  if (byIndicator) return byIndicator;
  return (e.network && BY_NETWORK[e.network]) || 'other';
}

/** Looks up the alarm's rule and indicator and the asset's network, then derives the type. */
export async function deriveIncidentType(
  db: Queryable, input: { kind: TypeEvidence['kind']; alarmId?: string | null; assetId?: string | null; serviceCode?: string | null },
): Promise<IncidentType> {
  const [alarm] = input.alarmId
    ? await db.query<{ rule_id: string; indicator: string }>(
      'SELECT a.rule_id, s.indicator FROM alarms a JOIN sensors s ON s.id = a.sensor_id WHERE a.id = $1', [input.alarmId],
    )
    : [];
  const [asset] = input.assetId ? await db.query<{ network: string }>('SELECT network FROM assets WHERE id = $1', [input.assetId]) : [];
  return incidentTypeOf({
    kind: input.kind, ruleId: alarm?.rule_id, indicator: alarm?.indicator, serviceCode: input.serviceCode, network: asset?.network,
  });
}
