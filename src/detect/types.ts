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
}
