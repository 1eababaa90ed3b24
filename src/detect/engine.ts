// The per-reading evaluation of one (sensor, rule) pair, pure: a rule kind turns the reading into
// the quantity its levels are compared with (the signal), and one level machine shared by every
// kind decides what the episode does (pending, open, escalate, de-escalate, keep firing, clear).
// State that must outlive a batch is plain JSON (RuleState) so detect() can persist it.
import type { AnomalyDetector } from './anomaly/index.ts';
import { levelFor } from './evaluate.ts';
import type { Rule, RuleKind, WarningLevel } from './types.ts';

export interface RuleState {
  /** Condition holding, no episode yet: since when, and the most severe level seen meanwhile. */
  pendingSince?: number;
  pendingLevel?: WarningLevel;
  /** Episode active, value recovered: since when (keep-firing). */
  okSince?: number;
  /** Episode active, value at a less severe level: since when, and the most severe level seen meanwhile. */
  lowerSince?: number;
  lowerLevel?: WarningLevel;
  /** rate: (epoch ms, value) of the readings inside the window. */
  window?: [number, number][];
  /** stuck: the value the line has been flat at, and since when. */
  flat?: { v: number; since: number };
}

export type Step =
  | { kind: 'none' }
  | { kind: 'pending' }
  | { kind: 'open'; level: WarningLevel }
  | { kind: 'escalate'; level: WarningLevel }
  | { kind: 'deescalate'; level: WarningLevel }
  | { kind: 'hold' }
  | { kind: 'clear' };

const NONE: Step = Object.freeze({ kind: 'none' });

/** Defaults of the timers when a rule sets none (docs/rules.md). */
export const DEFAULT_DEESCALATE_S = 300;
export const DEFAULT_REOPEN_WITHIN_S = 1800;
/** A rate rule keeps at most this many points of its window (older ones beyond it are dropped). */
const MAX_WINDOW_POINTS = 240;

export const ruleKind = (rule: Rule): RuleKind => rule.kind ?? 'threshold';

/**
 * The quantity the rule's levels are compared with, or null when the reading says nothing yet
 * (a rate rule's first reading). Updates `state` (rate window, flat line) in place.
 */
export function signal(rule: Rule, state: RuleState, t: number, value: number, anomaly?: AnomalyDetector): number | null {
  switch (ruleKind(rule)) {
    case 'threshold':
    case 'composite':
      return value;
    case 'range':
      return value < (rule.min ?? -Infinity) || value > (rule.max ?? Infinity) ? 1 : 0;
    case 'rate': {
      // The change within the window: a fall is measured from the window's highest value, a rise
      // from its lowest, so the change is caught however the window's readings are spaced.
      const windowMs = (rule.windowS ?? 600) * 1000;
      const seenBefore = (state.window ?? []).some(([ts]) => ts < t);
      const points = (state.window ?? []).filter(([ts]) => ts >= t - windowMs && ts < t);
      // Readings before, none within the window: nothing changed within it.
      let change: number | null = seenBefore ? 0 : null;
      if (points.length > 0) {
        const values = points.map(([, v]) => v);
        change = rule.direction === 'below' ? value - Math.max(...values) : value - Math.min(...values);
      }
      points.push([t, value]);
      state.window = points.slice(-MAX_WINDOW_POINTS);
      return change;
    }
    case 'stuck': {
      const flat = state.flat;
      if (!flat || Math.abs(value - flat.v) > (rule.tolerance ?? 0)) {
        state.flat = { v: value, since: t };
        return 0;
      }
      return (t - flat.since) / 1000;
    }
    case 'baseline':
      if (!anomaly) throw new Error(`rule ${rule.id}: a baseline rule needs its sensor's detector`);
      return anomaly.update(t, value).score;
  }
}

function recovered(rule: Rule, x: number): boolean {
  return rule.direction === 'above' ? x < rule.recovery : x > rule.recovery;
}

function leastSevereLevel(rule: Rule): WarningLevel {
  for (const level of [4, 3, 2, 1] as const) if (rule.thresholds[level] !== undefined) return level;
  return 4;
}

const mostSevere = (a: WarningLevel | undefined, b: WarningLevel): WarningLevel => (a === undefined || b < a ? b : a);

/**
 * What signal `x` (null: unknown) at time `t` does to the pair, given its active episode's level
 * (null: none). Timers live in `state`, measured in reading time so a replayed series decides the same.
 * - no episode: the level must hold `pendingS` (0: at once), then the episode opens at the most
 *   severe level seen while pending;
 * - a more severe level escalates at once;
 * - a less severe level (or the band between the lowest threshold and recovery, which counts as
 *   the least severe level) must hold `deescalateS` before the episode de-escalates to the most
 *   severe level seen meanwhile;
 * - past recovery the episode clears, after `keepFiringS` if set (a breach meanwhile continues it).
 */
export function advance(rule: Rule, state: RuleState, active: WarningLevel | null, t: number, x: number | null): Step {
  if (x === null) return active === null ? { kind: 'none' } : { kind: 'hold' };
  const level = levelFor(rule, x);
  // The common case, kept free of property deletes: nothing going on, nothing reached.
  if (active === null && level === null && state.pendingSince === undefined) return NONE;
  if (active === null) {
    delete state.okSince;
    delete state.lowerSince;
    delete state.lowerLevel;
    if (level === null) {
      delete state.pendingSince;
      delete state.pendingLevel;
      return { kind: 'none' };
    }
    const pendingMs = (rule.pendingS ?? 0) * 1000;
    state.pendingSince ??= t;
    state.pendingLevel = mostSevere(state.pendingLevel, level);
    if (t - state.pendingSince < pendingMs) return { kind: 'pending' };
    const opened = state.pendingLevel;
    delete state.pendingSince;
    delete state.pendingLevel;
    return { kind: 'open', level: opened };
  }
  delete state.pendingSince;
  delete state.pendingLevel;
  if (level !== null && level < active) {
    delete state.okSince;
    delete state.lowerSince;
    delete state.lowerLevel;
    return { kind: 'escalate', level };
  }
  if (level === null && recovered(rule, x)) {
    delete state.lowerSince;
    delete state.lowerLevel;
    const keepMs = (rule.keepFiringS ?? 0) * 1000;
    state.okSince ??= t;
    if (t - state.okSince < keepMs) return { kind: 'hold' };
    delete state.okSince;
    return { kind: 'clear' };
  }
  delete state.okSince;
  const current = level ?? leastSevereLevel(rule);
  if (current <= active) {
    delete state.lowerSince;
    delete state.lowerLevel;
    return { kind: 'hold' };
  }
  state.lowerSince ??= t;
  state.lowerLevel = mostSevere(state.lowerLevel, current);
  if (t - state.lowerSince < (rule.deescalateS ?? DEFAULT_DEESCALATE_S) * 1000) return { kind: 'hold' };
  const target = state.lowerLevel;
  delete state.lowerSince;
  delete state.lowerLevel;
  return target > active ? { kind: 'deescalate', level: target } : { kind: 'hold' };
}

/** True when the state holds nothing worth persisting. */
export function isEmptyState(state: RuleState): boolean {
  for (const key in state) if ((state as Record<string, unknown>)[key] !== undefined) return false;
  return true;
}
