/** Chinese warning levels: 1 = red (most severe), 2 = orange, 3 = yellow, 4 = blue (least severe). */
export type WarningLevel = 1 | 2 | 3 | 4;
export const WARNING_LEVELS: readonly WarningLevel[] = [1, 2, 3, 4];

export interface ThresholdRule {
  id: string;
  name: string;
  /** Applies to every sensor of this indicator, unless a sensor has rules of its own. */
  indicator: string | null;
  /** Applies to this sensor only, replacing the indicator's rules for it. */
  sensorId: string | null;
  direction: 'above' | 'below';
  /** Trigger value per level; a level may be left out. */
  thresholds: Partial<Record<WarningLevel, number>>;
  /** An active alarm clears only once the value is back past this value (hysteresis). */
  recovery: number;
  version: number;
  /** What the levels are compared with (default `threshold`: the reading itself); see docs/rules.md. */
  kind?: RuleKind;
  /** Sensor faults (stuck, out of range) go to maintenance and never open an emergency incident. */
  category?: AlarmCategory;
  /** Applies to the sensors on assets of this type (asset_type), replacing the indicator's rule `baseId`. */
  assetClass?: string | null;
  /** Applies to the sensors on this asset, replacing the indicator's (or asset class's) rule `baseId`. */
  assetId?: string | null;
  /** The catalogue rule this one overrides for its scope; null for a catalogue rule. */
  baseId?: string | null;
  /** The condition must hold this long (reading time) before an episode opens. */
  pendingS?: number;
  /** An episode stays active this long after the value recovered, and continues if it comes back. */
  keepFiringS?: number;
  /** A lower level must hold this long before an active episode de-escalates to it. */
  deescalateS?: number;
  /** A cleared episode of the same rule version re-opens when the condition returns within this time. */
  reopenWithinS?: number;
  /** rate: the window the change is measured over; stuck: ignored. */
  windowS?: number;
  /** stuck: a change of at most this much counts as no change. */
  tolerance?: number;
  /** range: the physical range of the indicator; readings outside it are a sensor fault. */
  min?: number;
  max?: number;
  /** baseline: one detector for weekdays and one for weekends (local days in UTC+8), each learning its own daily pattern. */
  weekly?: boolean;
  /** baseline: overrides of the anomaly detector's options. */
  anomaly?: Record<string, unknown>;
  /** composite: the clauses across sensors and assets (src/detect/composite.ts). */
  composite?: CompositeSpec;
  /** Where the default numbers come from (standard, clause, or "ours" with the reasoning). */
  source?: string;
}

export type RuleKind = 'threshold' | 'rate' | 'stuck' | 'range' | 'baseline' | 'composite';
export type AlarmCategory = 'emergency' | 'maintenance';
/** A rule is the only name the rest of the code needs; ThresholdRule stays for existing callers. */
export type Rule = ThresholdRule;

/**
 * A composite rule fires on an asset when every clause holds. Each clause looks at a set of
 * sensors related to the anchor asset (its own, those on the nearest pipe of a network, the
 * nearest rain gauge) over a window that ends at the anchor's newest reading.
 */
export interface CompositeSpec {
  /** Asset types the rule anchors on; the anchor's own sensor of `trigger.indicator` drives evaluation. */
  anchorTypes: string[];
  /** Anchors must belong to this drainage system (attribute `system`), e.g. storm. */
  anchorSystem?: string;
  trigger: { indicator: string; op: 'above' | 'below'; value: number };
  clauses: CompositeClause[];
}

export interface CompositeClause {
  /** self: the anchor's own sensors; nearest_pipe: sensors on the nearest pipe of `network` and, within `hops` vertices of it, the nearest that carry the indicator; nearest_sensor: the nearest sensor of the indicator within `radiusM`. */
  relation: 'self' | 'nearest_pipe' | 'nearest_sensor';
  network?: 'gas' | 'water' | 'drainage';
  indicator: string;
  hops?: number;
  radiusM?: number;
  windowS: number;
  /** rise: latest − window minimum ≥ value; drop: window maximum − latest ≥ value; above/below: latest; max_below: the window maximum ≤ value (needs at least one reading: no data is not "no rain"). */
  op: 'rise' | 'drop' | 'above' | 'below' | 'max_below';
  value: number;
}

export type AlarmState = 'active' | 'cleared';

export interface Alarm {
  id: string;
  sensorId: string;
  ruleId: string;
  ruleVersion: number;
  level: WarningLevel;
  peakLevel: WarningLevel;
  state: AlarmState;
  openedAt: string;
  updatedAt: string;
  clearedAt: string | null;
  triggerValue: number;
  lastValue: number;
  incidentId: string | null;
  category: AlarmCategory;
  /** The asset of a composite (per-asset) episode; null for a sensor's own episode. */
  assetId: string | null;
  /** How many times the condition started in this episode (1 + re-openings). */
  occurrences: number;
}
