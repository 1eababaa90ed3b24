// Surface-water quality classes of GB 3838-2002 《地表水环境质量标准》 (Environmental quality
// standards for surface water), table 1 "basic items" (地表水环境质量标准基本项目标准限值), in mg/L
// unless noted. Classes I–V by use: I source water and national nature reserves; II class-1
// drinking-water protection zones, rare aquatic habitats; III class-2 drinking-water zones,
// fisheries, swimming; IV industrial water and non-contact recreation; V agriculture and
// general landscape. Water worse than V is 劣V.
//
// Evaluation as GB 3838 prescribes it and the national method (地表水环境质量评价办法（试行）,
// 环办〔2011〕22号) details it: single-factor evaluation, each item classed by the limits it
// meets, the worst item decides the class; a value equal to a limit meets it ("≤" and "≥" in
// table 1). Water temperature's limits are changes against a reference, not levels, and are
// not classed here.

export const WATER_CLASSES = ['I', 'II', 'III', 'IV', 'V'] as const;
export type WaterClass = (typeof WATER_CLASSES)[number] | '劣V';
/** Rivers and streams, or lakes and reservoirs (湖、库): TP limits differ, TN counts only for lakes. */
export type Waterbody = 'river' | 'lake';

export interface ItemLimits {
  name: string;
  unit: string;
  /** `max`: the value must be at most the limit; `min`: at least (DO); `range`: within [min, max] in every class (pH). */
  kind: 'max' | 'min' | 'range';
  /** Limits of classes I–V in order. */
  limits: readonly [number, number, number, number, number] | readonly [number, number];
  /** Lake/reservoir limits where they differ. */
  lake?: readonly [number, number, number, number, number];
  /** Assessed for lakes and reservoirs only (TN). */
  lakeOnly?: true;
}

/** GB 3838-2002 table 1, keyed by Lifeline indicator name. */
export const GB3838_LIMITS: Readonly<Record<string, ItemLimits>> = {
  ph: { name: 'pH 值 (dimensionless)', unit: 'pH', kind: 'range', limits: [6, 9] },
  // I: saturation ≥ 90 % or 7.5 mg/L; the concentration is what stations report.
  do: { name: '溶解氧 DO', unit: 'mg/L', kind: 'min', limits: [7.5, 6, 5, 3, 2] },
  codmn: { name: '高锰酸盐指数 CODMn', unit: 'mg/L', kind: 'max', limits: [2, 4, 6, 10, 15] },
  cod: { name: '化学需氧量 COD', unit: 'mg/L', kind: 'max', limits: [15, 15, 20, 30, 40] },
  bod5: { name: '五日生化需氧量 BOD5', unit: 'mg/L', kind: 'max', limits: [3, 3, 4, 6, 10] },
  nh3n: { name: '氨氮 NH3-N', unit: 'mg/L', kind: 'max', limits: [0.15, 0.5, 1.0, 1.5, 2.0] },
  tp: { name: '总磷 TP (as P)', unit: 'mg/L', kind: 'max', limits: [0.02, 0.1, 0.2, 0.3, 0.4], lake: [0.01, 0.025, 0.05, 0.1, 0.2] },
  tn: { name: '总氮 TN (lakes and reservoirs, as N)', unit: 'mg/L', kind: 'max', limits: [0.2, 0.5, 1.0, 1.5, 2.0], lakeOnly: true },
  cu: { name: '铜 Cu', unit: 'mg/L', kind: 'max', limits: [0.01, 1.0, 1.0, 1.0, 1.0] },
  zn: { name: '锌 Zn', unit: 'mg/L', kind: 'max', limits: [0.05, 1.0, 1.0, 2.0, 2.0] },
  fluoride: { name: '氟化物 (as F⁻)', unit: 'mg/L', kind: 'max', limits: [1.0, 1.0, 1.0, 1.5, 1.5] },
  se: { name: '硒 Se', unit: 'mg/L', kind: 'max', limits: [0.01, 0.01, 0.01, 0.02, 0.02] },
  as: { name: '砷 As', unit: 'mg/L', kind: 'max', limits: [0.05, 0.05, 0.05, 0.1, 0.1] },
  hg: { name: '汞 Hg', unit: 'mg/L', kind: 'max', limits: [0.00005, 0.00005, 0.0001, 0.001, 0.001] },
  cd: { name: '镉 Cd', unit: 'mg/L', kind: 'max', limits: [0.001, 0.005, 0.005, 0.005, 0.01] },
  cr6: { name: '铬（六价）Cr⁶⁺', unit: 'mg/L', kind: 'max', limits: [0.01, 0.05, 0.05, 0.05, 0.1] },
  pb: { name: '铅 Pb', unit: 'mg/L', kind: 'max', limits: [0.01, 0.01, 0.05, 0.05, 0.1] },
  cyanide: { name: '氰化物', unit: 'mg/L', kind: 'max', limits: [0.005, 0.05, 0.2, 0.2, 0.2] },
  phenol: { name: '挥发酚', unit: 'mg/L', kind: 'max', limits: [0.002, 0.002, 0.005, 0.01, 0.1] },
  petroleum: { name: '石油类', unit: 'mg/L', kind: 'max', limits: [0.05, 0.05, 0.05, 0.5, 1.0] },
  las: { name: '阴离子表面活性剂', unit: 'mg/L', kind: 'max', limits: [0.2, 0.2, 0.2, 0.3, 0.3] },
  sulfide: { name: '硫化物', unit: 'mg/L', kind: 'max', limits: [0.05, 0.1, 0.2, 0.5, 1.0] },
  fecal_coliform: { name: '粪大肠菌群', unit: '个/L', kind: 'max', limits: [200, 2000, 10000, 20000, 40000] },
};

/** Indicator → measured value (mg/L unless the table says otherwise); indicators not given are not assessed. */
export type WaterSample = Partial<Record<string, number>>;

export interface Classification {
  /** null when no given item could be assessed. */
  class: WaterClass | null;
  /** The assessed indicators that set the class (those that miss the next better class); empty for class I. */
  limiting: string[];
  /** Each assessed indicator's own class. */
  items: Record<string, WaterClass>;
  /** Indicators given but not assessed, with why (TN of a river, an indicator GB 3838 has no class limits for). */
  notes: string[];
}

const rank = (c: WaterClass): number => (c === '劣V' ? 5 : WATER_CLASSES.indexOf(c));
const byRank = (r: number): WaterClass => (r >= 5 ? '劣V' : WATER_CLASSES[r]!);

/**
 * A value with the binary noise of arithmetic removed (a mean of 0.1 and 0.2 is
 * 0.15000000000000002): 10 significant digits, far finer than any analyser reports, so a mean
 * that is the limit meets the limit. No other rounding is applied.
 */
export const denoise = (value: number): number => Number(value.toPrecision(10));

/** The class of one item's value: the best class whose limit it meets. */
export function classifyItem(indicator: string, raw: number, waterbody: Waterbody = 'river'): WaterClass | null {
  const item = GB3838_LIMITS[indicator];
  if (!item || !Number.isFinite(raw)) return null;
  const value = denoise(raw);
  if (item.kind === 'range') return value >= item.limits[0] && value <= item.limits[1] ? 'I' : '劣V';
  const limits = (waterbody === 'lake' && item.lake) || item.limits;
  const met = limits.findIndex((limit) => (item.kind === 'max' ? value <= limit : value >= limit));
  return met < 0 ? '劣V' : byRank(met);
}

/**
 * Classes a sample by GB 3838-2002: every given item is classed, the worst decides (a value
 * equal to a limit meets it). Only the given items are assessed; with none, the class is null.
 */
export function classify(sample: WaterSample, options: { waterbody?: Waterbody } = {}): Classification {
  const waterbody = options.waterbody ?? 'river';
  const items: Record<string, WaterClass> = {};
  const notes: string[] = [];
  for (const [indicator, value] of Object.entries(sample)) {
    if (value === undefined) continue;
    const item = GB3838_LIMITS[indicator];
    if (!item) {
      notes.push(`${indicator}: GB 3838-2002 gives no class limits; not assessed`);
      continue;
    }
    if (item.lakeOnly && waterbody !== 'lake') {
      notes.push(`${indicator}: counts for lakes and reservoirs only (GB 3838-2002 table 1); not assessed for a river`);
      continue;
    }
    const itemClass = classifyItem(indicator, value, waterbody);
    if (itemClass === null) {
      notes.push(`${indicator}: ${value} is not a number; not assessed`);
      continue;
    }
    items[indicator] = itemClass;
  }
  if (Object.keys(items).length === 0) return { class: null, limiting: [], items, notes };
  const worst = Math.max(...Object.values(items).map(rank));
  const limiting = worst === 0 ? [] : Object.keys(items).filter((k) => rank(items[k]!) === worst);
  return { class: byRank(worst), limiting, items, notes };
}

export interface DailyMean {
  /** The local date (YYYY-MM-DD in the deployment's zone). */
  date: string;
  /** Start of the day (UTC ISO). */
  start: string;
  indicator: string;
  mean: number;
}

export interface DailyClass extends Classification {
  date: string;
  start: string;
  /** The daily means the class was taken from. */
  means: Record<string, number>;
}

/** Classes each day from its daily means (GB 3838 evaluates the mean of a period, not single readings). */
export function classifyDays(means: DailyMean[], options: { waterbody?: Waterbody } = {}): DailyClass[] {
  const days = new Map<string, { start: string; means: Record<string, number> }>();
  for (const m of means) {
    let day = days.get(m.date);
    if (!day) days.set(m.date, (day = { start: m.start, means: {} }));
    day.means[m.indicator] = denoise(m.mean);
  }
  return [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([date, day]) => ({
    date, start: day.start, means: day.means, ...classify(day.means, options),
  }));
}
