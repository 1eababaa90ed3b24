import { DEFAULT_ANOMALY_OPTIONS, type AnomalyOptions } from './detector.ts';

/**
 * Detector settings per indicator, where they differ from the defaults (which were tuned on the
 * NAB tuning split, see docs/detection.md). Indicators without an entry use the defaults.
 */
export const INDICATOR_ANOMALY_OPTIONS: Readonly<Record<string, Partial<AnomalyOptions>>> = Object.freeze({
  // Battery level only drains: a slow fall is not news; only a jump is.
  battery: { windows: [12, 288], suppress: 2000 },
  // One value a night: the quiet period after an alarm is a week of nights, not 200 readings.
  water_night_flow: { alarmQuiet: 7 },
});

export function anomalyOptionsFor(indicator: string | null): AnomalyOptions {
  return { ...DEFAULT_ANOMALY_OPTIONS, ...(indicator ? INDICATOR_ANOMALY_OPTIONS[indicator] : undefined) };
}
