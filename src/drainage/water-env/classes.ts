// Water environment: a station's class per day and its deterioration, and rain classes.
import { type DailyClass, type WaterClass, WATER_CLASSES } from '../water-quality.ts';

/** 0 = I … 4 = V, 5 = 劣V. */
export const classRank = (c: WaterClass): number => (c === '劣V' ? 5 : WATER_CLASSES.indexOf(c));

export const isWaterClass = (value: unknown): value is WaterClass =>
  value === '劣V' || (WATER_CLASSES as readonly unknown[]).includes(value);

export interface Deterioration {
  date: string;
  class: WaterClass;
  previousClass: WaterClass | null;
  targetClass: WaterClass | null;
  /** Why it alarms: below the station's target class, and/or worse than the day before. */
  reasons: ('below_target' | 'worse_than_previous_day')[];
  /** Warning level: 2 (orange) for 劣V, else 3 (yellow). */
  level: 2 | 3;
}

/**
 * Whether a station's day alarms: its class is worse than its target class, or at least one
 * class worse than the previous day's (days without a class are skipped: the previous day is
 * the last day with one). The day's class is the classification of its daily means.
 */
export function deterioration(days: readonly DailyClass[], date: string, targetClass: WaterClass | null): Deterioration | null {
  const classed = days.filter((d) => d.class !== null).sort((a, b) => a.date.localeCompare(b.date));
  const index = classed.findIndex((d) => d.date === date);
  if (index < 0) return null;
  const today = classed[index]!.class!;
  const previous = index > 0 ? classed[index - 1]!.class! : null;
  const reasons: Deterioration['reasons'] = [];
  if (targetClass && classRank(today) > classRank(targetClass)) reasons.push('below_target');
  if (previous && classRank(today) > classRank(previous)) reasons.push('worse_than_previous_day');
  if (reasons.length === 0) return null;
  return { date, class: today, previousClass: previous, targetClass, reasons, level: today === '劣V' ? 2 : 3 };
}

/**
 * Rain classes of GB/T 28592-2012 《降水量等级》 (Grade of precipitation, drafted by the National
 * Meteorological Centre for the China Meteorological Administration), table 1: rainfall graded
 * over 24 h and over 12 h, mm (the standard grades no shorter period; hourly intensity is the
 * threshold rule `rainfall`'s business). Each lower bound belongs to its class (a 24 h total of
 * 50.0 mm is 暴雨); totals are taken to 0.1 mm as the standard states them.
 */
export const RAIN_CLASSES = ['小雨', '中雨', '大雨', '暴雨', '大暴雨', '特大暴雨'] as const;
export type RainClass = (typeof RAIN_CLASSES)[number];
export const RAIN_CLASS_EN: Record<RainClass, string> = {
  小雨: 'light rain', 中雨: 'moderate rain', 大雨: 'heavy rain', 暴雨: 'rainstorm', 大暴雨: 'heavy rainstorm', 特大暴雨: 'extreme rainstorm',
};
/** Lower bounds, mm, of 小雨 … 特大暴雨. Below 0.1 mm: no rain class (微量降雨). */
export const RAIN_LOWER_24H = [0.1, 10.0, 25.0, 50.0, 100.0, 250.0] as const;
export const RAIN_LOWER_12H = [0.1, 5.0, 15.0, 30.0, 70.0, 140.0] as const;

function classBy(lower: readonly number[], mm: number): RainClass | null {
  // To 0.1 mm, as the grades are stated; 9.95 mm is reported as 10.0 mm.
  const value = Math.round(mm * 10) / 10;
  let found: RainClass | null = null;
  lower.forEach((bound, i) => {
    if (value >= bound) found = RAIN_CLASSES[i]!;
  });
  return found;
}

export const rainClass24h = (mm: number): RainClass | null => classBy(RAIN_LOWER_24H, mm);
export const rainClass12h = (mm: number): RainClass | null => classBy(RAIN_LOWER_12H, mm);

const rainRank = (c: RainClass | null): number => (c === null ? -1 : RAIN_CLASSES.indexOf(c));

/** The heavier of the 12 h and 24 h classes. */
export function rainClass(twelveHourMm: number, dayMm: number): RainClass | null {
  const a = rainClass12h(twelveHourMm);
  const b = rainClass24h(dayMm);
  return rainRank(a) >= rainRank(b) ? a : b;
}

/**
 * Warning level of a rain class (our mapping): 大雨 4 (blue), 暴雨 3 (yellow), 大暴雨 2 (orange),
 * 特大暴雨 1 (red); lighter rain does not alarm.
 */
export function rainLevel(c: RainClass | null): 1 | 2 | 3 | 4 | null {
  switch (c) {
    case '大雨': return 4;
    case '暴雨': return 3;
    case '大暴雨': return 2;
    case '特大暴雨': return 1;
    default: return null;
  }
}
