// The rules API (docs/rules.md): the indicator catalogue, every rule with its scope, source and
// version history, and the episode timeline of an alarm.
import type { WarningLevel } from './dto.ts';

export interface IndicatorDto {
  indicator: string;
  lifeline: 'gas' | 'water' | 'drainage' | 'bridge' | 'tunnel' | 'river' | 'device';
  name: { zh: string; en: string };
  unit: string;
  range: [number, number];
  intervalS: number;
  source: string;
}

export interface RuleVersionDto {
  version: number;
  definition: Record<string, unknown>;
  changedAt: string;
  changedBy: string;
  note: string | null;
}

export interface RuleDto {
  id: string;
  name: string;
  kind: 'threshold' | 'rate' | 'stuck' | 'range' | 'baseline' | 'composite';
  category: 'emergency' | 'maintenance';
  indicator: string | null;
  /** indicator: the catalogue rule; otherwise an override of `baseId` for one asset class, asset or sensor. */
  scope: 'indicator' | 'asset_class' | 'asset' | 'sensor';
  target: string | null;
  baseId: string | null;
  direction: 'above' | 'below';
  /** Trigger value per level, most severe first (for rate rules the change within the window, for stuck the seconds unchanged, for baseline the anomaly score). */
  thresholds: { level: WarningLevel; value: number }[];
  recovery: number;
  /** pendingS, keepFiringS, deescalateS, reopenWithinS, windowS, tolerance, min, max, anomaly, composite. */
  params: Record<string, unknown>;
  source: string | null;
  version: number;
  enabled: boolean;
  history: RuleVersionDto[];
}

/** GET /api/rules */
export interface RuleCatalogueDto {
  indicators: IndicatorDto[];
  rules: RuleDto[];
}

/** GET /api/alarms/:id/timeline */
export interface AlarmTimelineDto {
  alarmId: string;
  ruleId: string;
  ruleVersion: number;
  category: 'emergency' | 'maintenance';
  occurrences: number;
  events: { kind: 'open' | 'escalate' | 'deescalate' | 'clear' | 'reopen'; level: WarningLevel; value: number; at: string }[];
}
