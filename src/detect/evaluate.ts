import type { ThresholdRule, WarningLevel } from './types.ts';

export type Decision =
  | { kind: 'none' }
  | { kind: 'open'; level: WarningLevel }
  | { kind: 'escalate'; level: WarningLevel }
  | { kind: 'hold' }
  | { kind: 'clear' };

function breaches(rule: ThresholdRule, value: number, limit: number): boolean {
  return rule.direction === 'above' ? value >= limit : value <= limit;
}

/** The most severe level whose threshold the value reaches, or null. */
export function levelFor(rule: ThresholdRule, value: number): WarningLevel | null {
  for (const level of [1, 2, 3, 4] as const) {
    const limit = rule.thresholds[level];
    if (limit !== undefined && breaches(rule, value, limit)) return level;
  }
  return null;
}

function recovered(rule: ThresholdRule, value: number): boolean {
  return rule.direction === 'above' ? value < rule.recovery : value > rule.recovery;
}

/**
 * What one new value does to the (sensor, rule) pair, given the level of its active alarm
 * (null when none). An active alarm only escalates here; it clears at the recovery value,
 * so a value between recovery and the lowest threshold keeps it open (hysteresis).
 */
export function evaluate(rule: ThresholdRule, activeLevel: WarningLevel | null, value: number): Decision {
  const level = levelFor(rule, value);
  if (activeLevel === null) return level === null ? { kind: 'none' } : { kind: 'open', level };
  if (level !== null && level < activeLevel) return { kind: 'escalate', level };
  if (level === null && recovered(rule, value)) return { kind: 'clear' };
  return { kind: 'hold' };
}

/** Returns what is wrong with a rule, or null when it is usable. */
export function ruleProblem(rule: ThresholdRule): string | null {
  const defined = ([1, 2, 3, 4] as const).filter((l) => rule.thresholds[l] !== undefined);
  if (defined.length === 0) return `rule ${rule.id}: no threshold for any level`;
  const values = defined.map((l) => rule.thresholds[l] as number);
  if (values.some((v) => !Number.isFinite(v)) || !Number.isFinite(rule.recovery)) {
    return `rule ${rule.id}: thresholds and recovery must be finite numbers`;
  }
  // Level 1 is the most severe, so for "above" its limit is the highest.
  for (let i = 1; i < values.length; i++) {
    const ordered = rule.direction === 'above' ? values[i - 1]! > values[i]! : values[i - 1]! < values[i]!;
    if (!ordered) return `rule ${rule.id}: level ${defined[i - 1]} must be more severe than level ${defined[i]}`;
  }
  const leastSevere = values[values.length - 1]!;
  const safeSide = rule.direction === 'above' ? rule.recovery < leastSevere : rule.recovery > leastSevere;
  if (!safeSide) return `rule ${rule.id}: recovery ${rule.recovery} must lie on the safe side of ${leastSevere}`;
  // A sensor fault is for the maintenance crew: it must never reach the levels that open emergency incidents.
  if (rule.category === 'maintenance' && (rule.thresholds[1] !== undefined || rule.thresholds[2] !== undefined)) {
    return `rule ${rule.id}: a maintenance rule uses levels 3 and 4 only`;
  }
  for (const key of ['pendingS', 'keepFiringS', 'deescalateS', 'reopenWithinS', 'tolerance'] as const) {
    const v = rule[key];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) return `rule ${rule.id}: ${key} must be a number ≥ 0`;
  }
  const kind = rule.kind ?? 'threshold';
  if (kind === 'rate' && !(rule.windowS !== undefined && rule.windowS > 0)) return `rule ${rule.id}: a rate rule needs windowS > 0`;
  if (kind === 'range' && !(rule.min !== undefined && rule.max !== undefined && rule.min < rule.max)) return `rule ${rule.id}: a range rule needs min < max`;
  if (kind === 'composite' && !(rule.composite && rule.composite.clauses.length > 0)) return `rule ${rule.id}: a composite rule needs its clauses`;
  if (kind !== 'composite' && rule.indicator === null && rule.sensorId === null) return `rule ${rule.id}: names neither an indicator nor a sensor`;
  return null;
}
