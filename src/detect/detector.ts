import { listSensors, NetworkTwin } from '../network/index.ts';
import type { Queryable } from '../store/index.ts';
import { AnomalyDetector, anomalyOptionsFor, type AnomalyOptions, type AnomalyState } from './anomaly/index.ts';
import { INDICATOR_BY_ID } from './catalogue.ts';
import { clauseHolds, resolveAnchors, triggerHolds, windowAggregates, type CompositeAnchor, type SensorPlacement, type WindowRequest } from './composite.ts';
import { advance, DEFAULT_REOPEN_WITHIN_S, isEmptyState, ruleKind, signal, type RuleState, type Step } from './engine.ts';
import { ruleProblem } from './evaluate.ts';
import {
  activeAlarmsFor, loadDetectState, loadRules, openEpisode, saveDetectState, touchAlarms, writeEpisodeChanges, type ActiveAlarmRef, type EpisodeWrite,
} from './repository.ts';
import type { AlarmCategory, Rule, RuleKind, ThresholdRule, WarningLevel } from './types.ts';

export interface SensorReading {
  sensorId: string;
  indicator: string;
  ts: Date;
  value: number;
}

export interface AlarmChange {
  kind: 'open' | 'escalate' | 'clear' | 'deescalate' | 'reopen';
  alarmId: string;
  sensorId: string;
  ruleId: string;
  level: WarningLevel;
  /** maintenance: a sensor fault (stuck, out of range, offline, battery); never an emergency incident. */
  category?: AlarmCategory;
  ruleKind?: RuleKind | 'offline';
  /** The asset of a composite (per-asset) episode. */
  assetId?: string | null;
}

/** A baseline detector's state is saved at most this often per sensor (reading time); see docs/rules.md. */
export const ANOMALY_CHECKPOINT_S = 600;
const ANOMALY_SUFFIX = '#anomaly';
/** Weekdays and weekends of a weekly baseline are local days of the default deployment zone (Asia/Shanghai, UTC+8, no DST). */
const WEEK_UTC_OFFSET_MS = 8 * 3_600_000;

/** The detector a baseline reading goes to: the rule's, or its weekday or weekend one. */
function detectorId(rule: Rule, t: number): string {
  if (!rule.weekly) return rule.id;
  const day = new Date(t + WEEK_UTC_OFFSET_MS).getUTCDay();
  return `${rule.id}#${day === 0 || day === 6 ? 'weekend' : 'weekday'}`;
}

export interface BookContext {
  placements?: SensorPlacement[];
  anchors?: CompositeAnchor[];
}

const pairKey = (sensorId: string, ruleId: string) => `${sensorId}\u0000${ruleId}`;
const assetSubject = (assetId: string) => `asset:${assetId}`;
const family = (rule: Rule) => rule.baseId ?? rule.id;

/**
 * The rules in force, indexed for the per-reading lookup, with what they need beyond a reading:
 * where each sensor sits (for asset and asset-class overrides) and the composite anchors.
 * Replaced in place when an operator changes a rule, so every holder sees the new book.
 */
export class RuleBook {
  private rules: Rule[] = [];
  private byId = new Map<string, Rule>();
  private placements = new Map<string, SensorPlacement>();
  private anchorsBySensor = new Map<string, CompositeAnchor[]>();
  private resolved = new Map<string, Rule[]>();
  /** False until placements and anchors are known: detect() then loads them once (loadRuleBook). */
  prepared = false;
  /** Baseline detectors of this process, by (sensor, rule); checkpointed to detect_state. */
  readonly anomalies = new Map<string, { detector: AnomalyDetector; savedAt: number }>();

  /** Without a context the book learns where sensors sit from the database on its first batch. */
  constructor(rules: Rule[], context?: BookContext) {
    this.replace(rules, context);
  }

  replace(rules: Rule[], context?: BookContext): void {
    this.prepared = context !== undefined;
    for (const rule of rules) {
      const problem = ruleProblem(rule);
      if (problem) throw new Error(problem);
    }
    this.rules = rules;
    this.byId = new Map(rules.map((r) => [r.id, r]));
    this.placements = new Map((context?.placements ?? []).map((p) => [p.sensorId, p]));
    this.anchorsBySensor = new Map();
    for (const anchor of context?.anchors ?? []) {
      for (const s of anchor.triggerSensors) this.anchorsBySensor.set(s, [...(this.anchorsBySensor.get(s) ?? []), anchor]);
    }
    this.resolved = new Map();
    // A changed baseline rule starts its detectors afresh from their checkpoints.
    this.anomalies.clear();
  }

  rule(id: string): Rule | undefined {
    return this.byId.get(id);
  }

  all(): readonly Rule[] {
    return this.rules;
  }

  placement(sensorId: string): SensorPlacement | undefined {
    return this.placements.get(sensorId);
  }

  /**
   * Every per-sensor rule evaluated for a sensor: the indicator's catalogue rules, each replaced
   * by its most specific override (sensor, then asset, then asset class). A sensor rule that
   * overrides nothing (the older form) replaces the indicator's threshold rules.
   */
  evaluatedRules(sensorId: string, indicator: string): Rule[] {
    const cached = this.resolved.get(sensorId);
    if (cached) return cached;
    const place = this.placements.get(sensorId);
    const assetId = place?.assetId ?? null;
    const assetClass = place?.assetClass ?? null;
    const rank = (r: Rule): number => (r.sensorId ? 3 : r.assetId ? 2 : r.assetClass ? 1 : 0);
    const applies = (r: Rule): boolean => {
      if (ruleKind(r) === 'composite') return false;
      if (r.sensorId) return r.sensorId === sensorId;
      if (r.indicator !== indicator) return false;
      if (r.assetId) return r.assetId === assetId;
      if (r.assetClass) return r.assetClass === assetClass;
      return true;
    };
    const own = this.rules.filter((r) => applies(r));
    const legacy = own.filter((r) => r.sensorId && !r.baseId);
    const best = new Map<string, Rule>();
    for (const r of own) {
      if (r.sensorId && !r.baseId) continue;
      if (legacy.length > 0 && ruleKind(r) === 'threshold' && !r.baseId && !r.sensorId) continue;
      const f = family(r);
      const held = best.get(f);
      if (!held || rank(r) > rank(held)) best.set(f, r);
    }
    const rules = [...legacy, ...best.values()];
    this.resolved.set(sensorId, rules);
    return rules;
  }

  /** The threshold rules in force for a sensor (what the sensor chart draws). */
  rulesFor(sensorId: string, indicator: string): ThresholdRule[] {
    return this.evaluatedRules(sensorId, indicator).filter((r) => ruleKind(r) === 'threshold');
  }

  /** Whether any of a sensor's rules keeps state without an active episode (after evaluatedRules resolved them). */
  keepsState(sensorId: string): boolean {
    const rules = this.resolved.get(sensorId) ?? [];
    return rules.some((r) => {
      const kind = ruleKind(r);
      return kind === 'rate' || kind === 'stuck' || kind === 'baseline' || (r.pendingS ?? 0) > 0;
    });
  }

  compositesFor(sensorId: string): CompositeAnchor[] {
    return this.anchorsBySensor.get(sensorId) ?? [];
  }
}

/**
 * The rule book of a deployment: its rules (from the database, or `rules`), where its sensors sit,
 * and the composite anchors resolved on the network twin. With `into`, that book is replaced in place.
 */
export async function loadRuleBook(db: Queryable, into?: RuleBook, rules?: Rule[]): Promise<RuleBook> {
  rules ??= await loadRules(db);
  const sensors = await listSensors(db);
  const twin = await NetworkTwin.load(db);
  const placements: SensorPlacement[] = sensors.map((s) => ({
    sensorId: s.id, indicator: s.indicator, assetId: s.assetId, assetClass: twin.byId.get(s.assetId)?.assetType ?? null, location: s.location,
  }));
  const anchors = resolveAnchors(rules.filter((r) => ruleKind(r) === 'composite'), twin, placements);
  if (into) {
    into.replace(rules, { placements, anchors });
    return into;
  }
  return new RuleBook(rules, { placements, anchors });
}

function plausible(indicator: string, value: number): boolean {
  const spec = INDICATOR_BY_ID.get(indicator);
  return !spec || (value >= spec.range[0] && value <= spec.range[1]);
}

function anomalyOptions(rule: Rule, indicator: string): AnomalyOptions {
  return { ...anomalyOptionsFor(indicator), ...(rule.anomaly as Partial<AnomalyOptions> | undefined) };
}

/**
 * Runs the rules over new readings (in time order per sensor, none older than what the sensor
 * already reported) and writes the alarm changes in the caller's transaction. Per batch: one
 * query for the active episodes, one for the detection state, one for composite windows (when a
 * composite trigger fires), then writes only for what changed.
 */
export async function detect(tx: Queryable, book: RuleBook, readings: SensorReading[]): Promise<AlarmChange[]> {
  if (readings.length === 0) return [];
  if (!book.prepared) await loadRuleBook(tx, book, [...book.all()]);
  const ruled = readings.filter((r) => book.evaluatedRules(r.sensorId, r.indicator).length > 0 || book.compositesFor(r.sensorId).length > 0);
  if (ruled.length === 0) return [];
  const sensorIds = [...new Set(ruled.map((r) => r.sensorId))];
  const anchorAssets = [...new Set(sensorIds.flatMap((s) => book.compositesFor(s).map((a) => a.assetId)))];

  const active = new Map<string, ActiveAlarmRef>();
  for (const alarm of await activeAlarmsFor(tx, sensorIds, anchorAssets)) {
    active.set(alarm.assetId === null ? pairKey(alarm.sensorId, alarm.ruleId) : pairKey(assetSubject(alarm.assetId), alarm.ruleId), alarm);
  }
  // State outlives a batch only for windows and flat lines, pending timers, and timers of an
  // active episode (de-escalation, keep-firing): only those sensors' rows are read.
  const withEpisode = new Set([...active.values()].map((a) => a.sensorId));
  const stateful = sensorIds.filter((s) => withEpisode.has(s) || book.keepsState(s));
  const states = await loadDetectState(tx, [...stateful, ...anchorAssets.map(assetSubject)]);
  const dirty = new Map<string, RuleState | null>();
  await loadMissingDetectors(tx, book, ruled);
  const checkpoints = new Map<string, AnomalyState>();

  const changes: AlarmChange[] = [];
  const touches = new Map<string, { value: number; ts: Date }>();

  // Level changes and clears are written together at the end of the batch (before an open, so a
  // re-opening finds the episode it re-opens cleared).
  let writes: EpisodeWrite[] = [];
  const flushWrites = async () => {
    await writeEpisodeChanges(tx, writes);
    writes = [];
  };
  const apply = async (step: Step, key: string, rule: Rule, sensorId: string, assetId: string | null, value: number, ts: Date) => {
    const current = active.get(key);
    const base = { sensorId, ruleId: rule.id, category: rule.category ?? 'emergency', ruleKind: ruleKind(rule), assetId } as const;
    if (step.kind === 'open' && !current) {
      await flushWrites();
      const opened = await openEpisode(tx, { sensorId, assetId, rule }, step.level, value, ts, rule.reopenWithinS ?? DEFAULT_REOPEN_WITHIN_S);
      if (!opened) return; // another writer holds the pair's episode; its own change reports it
      active.set(key, { id: opened.id, sensorId, ruleId: rule.id, level: step.level, peakLevel: step.level, assetId });
      changes.push({ kind: opened.reopened ? 'reopen' : 'open', alarmId: opened.id, ...base, level: step.level });
    } else if ((step.kind === 'escalate' || step.kind === 'deescalate') && current) {
      writes.push({ id: current.id, kind: step.kind, level: step.level, value, ts });
      current.level = step.level;
      touches.delete(current.id);
      changes.push({ kind: step.kind, alarmId: current.id, ...base, level: step.level });
    } else if (step.kind === 'clear' && current) {
      writes.push({ id: current.id, kind: 'clear', level: current.level, value, ts });
      active.delete(key);
      touches.delete(current.id);
      changes.push({ kind: 'clear', alarmId: current.id, ...base, level: current.level });
    } else if (step.kind === 'hold' && current) {
      touches.set(current.id, { value, ts });
    }
  };

  const stateOf = (key: string): RuleState => {
    let state = dirty.get(key) ?? states.get(key);
    if (!state) state = {};
    return state;
  };
  const keep = (key: string, state: RuleState, wasEmpty: boolean) => {
    const empty = isEmptyState(state);
    if (empty && wasEmpty) return;
    dirty.set(key, empty ? null : state);
    states.set(key, state);
  };

  const newestTrigger = new Map<string, { anchor: CompositeAnchor; reading: SensorReading }>();
  for (const reading of ruled) {
    const t = reading.ts.getTime();
    for (const rule of book.evaluatedRules(reading.sensorId, reading.indicator)) {
      const kind = ruleKind(rule);
      // An impossible value is the instrument's fault: the range rule reports it, the others ignore it.
      if (kind !== 'range' && !plausible(reading.indicator, reading.value)) continue;
      const key = pairKey(reading.sensorId, rule.id);
      const state = stateOf(key);
      const wasEmpty = isEmptyState(state);
      let detector: AnomalyDetector | undefined;
      let cached: { detector: AnomalyDetector; savedAt: number } | undefined;
      const detectorKey = pairKey(reading.sensorId, detectorId(rule, t));
      if (kind === 'baseline') {
        cached = book.anomalies.get(detectorKey) ?? { detector: new AnomalyDetector(anomalyOptions(rule, reading.indicator)), savedAt: -Infinity };
        book.anomalies.set(detectorKey, cached);
        detector = cached.detector;
      }
      const x = signal(rule, state, t, reading.value, detector);
      const step = advance(rule, state, active.get(key)?.level ?? null, t, x);
      if (cached && t - cached.savedAt >= ANOMALY_CHECKPOINT_S * 1000) {
        cached.savedAt = t;
        checkpoints.set(detectorKey + ANOMALY_SUFFIX, cached.detector.state());
      }
      keep(key, state, wasEmpty);
      await apply(step, key, rule, reading.sensorId, null, reading.value, reading.ts);
    }
    for (const anchor of book.compositesFor(reading.sensorId)) newestTrigger.set(pairKey(assetSubject(anchor.assetId), anchor.ruleId), { anchor, reading });
  }

  // Composite rules: at each anchor's newest trigger reading, when the trigger holds or something
  // is already under way (an episode, a pending or keep-firing timer).
  const candidates = [...newestTrigger.entries()].filter(([key, { anchor, reading }]) => {
    const rule = book.rule(anchor.ruleId);
    return rule && (triggerHolds(rule, reading.value) || active.has(key) || !isEmptyState(stateOf(key)));
  });
  if (candidates.length > 0) {
    const requests: WindowRequest[] = [];
    const spans: { from: number; to: number }[] = [];
    for (const [, { anchor, reading }] of candidates) {
      const rule = book.rule(anchor.ruleId)!;
      const from = requests.length;
      rule.composite!.clauses.forEach((clause, i) => {
        for (const sensorId of anchor.members[i]!) requests.push({ sensorId, from: new Date(reading.ts.getTime() - clause.windowS * 1000), to: reading.ts });
      });
      spans.push({ from, to: requests.length });
    }
    const aggregates = await windowAggregates(tx, requests);
    for (const [n, [key, { anchor, reading }]] of candidates.entries()) {
      const rule = book.rule(anchor.ruleId)!;
      let at = spans[n]!.from;
      let holds = triggerHolds(rule, reading.value);
      for (const [i, clause] of rule.composite!.clauses.entries()) {
        let any = false;
        for (let k = 0; k < anchor.members[i]!.length; k++, at++) if (clauseHolds(clause, aggregates[at]!)) any = true;
        holds &&= any;
      }
      const state = stateOf(key);
      const wasEmpty = isEmptyState(state);
      const step = advance(rule, state, active.get(key)?.level ?? null, reading.ts.getTime(), holds ? 1 : 0);
      keep(key, state, wasEmpty);
      const sensorId = active.get(key)?.sensorId ?? reading.sensorId;
      await apply(step, key, rule, sensorId, anchor.assetId, reading.value, reading.ts);
    }
  }

  await flushWrites();
  await touchAlarms(tx, touches);
  for (const [key, state] of checkpoints) dirty.set(key, state as unknown as RuleState);
  await saveDetectState(tx, dirty);
  return changes;
}

/** Restores the baseline detectors this process has not seen yet from their checkpoints, one query. */
async function loadMissingDetectors(tx: Queryable, book: RuleBook, readings: SensorReading[]): Promise<void> {
  if (!book.all().some((r) => ruleKind(r) === 'baseline')) return;
  const wanted = new Map<string, { rule: Rule; indicator: string }>();
  for (const r of readings) {
    for (const rule of book.evaluatedRules(r.sensorId, r.indicator)) {
      if (ruleKind(rule) !== 'baseline') continue;
      const key = pairKey(r.sensorId, detectorId(rule, r.ts.getTime()));
      if (!book.anomalies.has(key)) wanted.set(key, { rule, indicator: r.indicator });
    }
  }
  if (wanted.size === 0) return;
  const keys = [...wanted.keys()].map((k) => k.split('\u0000') as [string, string]);
  const rows = await tx.query<{ sensor_id: string; rule_id: string; state: AnomalyState }>(
    `SELECT d.sensor_id, d.rule_id, d.state FROM detect_state d
       JOIN unnest($1::text[], $2::text[]) AS w(sensor_id, rule_id) ON d.sensor_id = w.sensor_id AND d.rule_id = w.rule_id`,
    [keys.map((k) => k[0]), keys.map((k) => k[1] + ANOMALY_SUFFIX)],
  );
  for (const row of rows) {
    const key = pairKey(row.sensor_id, row.rule_id.slice(0, -ANOMALY_SUFFIX.length));
    const { rule, indicator } = wanted.get(key)!;
    try {
      book.anomalies.set(key, { detector: AnomalyDetector.restore(row.state, anomalyOptions(rule, indicator)), savedAt: -Infinity });
    } catch {
      // A checkpoint of another state version: the detector learns afresh.
    }
  }
}
