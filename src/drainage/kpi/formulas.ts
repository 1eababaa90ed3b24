// KPI formulas of the drainage campaign (docs/kpi.md), pure so that each can be checked by hand.
//
// Sewage collection rate (城市生活污水集中收集率) by the pollutant-load method of the national
// guidance: the domestic BOD5 load that reaches the treatment plants, against the BOD5 load the
// served population produces.
//
//   collected (kg/d) = Σ plants [ Q (m³/d) × BOD5 (mg/L) ÷ 1000 − documented industrial BOD5 (kg/d) ]
//   produced  (kg/d) = served population × per-capita BOD5 (g/人·d) ÷ 1000
//   rate             = collected ÷ produced
//
// Over a period each plant contributes the mean of its recorded days (a missing day is not a
// day without sewage), so a gap in one plant's records does not lower the rate.

/** Per-capita domestic BOD5 production used by the national guidance, g per person per day. */
export const PER_CAPITA_BOD5_G = 45;

export interface InfluentDay {
  plantId: string;
  /** Local date YYYY-MM-DD. */
  day: string;
  /** Influent volume of the day, m³. */
  flowM3: number;
  /** Influent BOD5 (daily composite or flow-weighted daily mean), mg/L. */
  bod5MgL: number;
  /** BOD5 of documented industrial discharges reaching this plant that day, kg. */
  industrialBod5Kg: number;
}

/** Q × C: m³ × mg/L = g; ÷ 1000 = kg. */
export const influentLoadKg = (d: Pick<InfluentDay, 'flowM3' | 'bod5MgL'>): number => (d.flowM3 * d.bod5MgL) / 1000;

/** The domestic part of a day's influent load: less the documented industrial load, never below zero. */
export const domesticLoadKg = (d: InfluentDay): number => Math.max(0, influentLoadKg(d) - d.industrialBod5Kg);

/** Flow-weighted influent BOD5, mg/L: Σ(Q × C) ÷ ΣQ (null without flow). */
export function flowWeightedBod5(days: readonly InfluentDay[]): number | null {
  const flow = days.reduce((s, d) => s + d.flowM3, 0);
  if (flow <= 0) return null;
  return days.reduce((s, d) => s + d.flowM3 * d.bod5MgL, 0) / flow;
}

/** Mean daily domestic load per plant over its recorded days, summed over plants, kg/d. */
export function collectedLoadKgPerDay(days: readonly InfluentDay[]): number {
  const byPlant = new Map<string, { sum: number; n: number }>();
  for (const d of days) {
    const p = byPlant.get(d.plantId) ?? { sum: 0, n: 0 };
    p.sum += domesticLoadKg(d);
    p.n += 1;
    byPlant.set(d.plantId, p);
  }
  return [...byPlant.values()].reduce((s, p) => s + p.sum / p.n, 0);
}

/** BOD5 the served population produces, kg/d. */
export const producedLoadKgPerDay = (servedPopulation: number, perCapitaG = PER_CAPITA_BOD5_G): number =>
  (servedPopulation * perCapitaG) / 1000;

export interface CollectionRate {
  /** 0–1 (can exceed 1 when undocumented non-domestic load reaches the plants); null without population. */
  rate: number | null;
  collectedKgPerDay: number;
  producedKgPerDay: number;
  servedPopulation: number;
  perCapitaG: number;
  plants: number;
  days: number;
}

export function collectionRate(days: readonly InfluentDay[], servedPopulation: number, perCapitaG = PER_CAPITA_BOD5_G): CollectionRate {
  const collected = collectedLoadKgPerDay(days);
  const produced = producedLoadKgPerDay(servedPopulation, perCapitaG);
  return {
    rate: produced > 0 ? collected / produced : null,
    collectedKgPerDay: collected, producedKgPerDay: produced, servedPopulation, perCapitaG,
    plants: new Set(days.map((d) => d.plantId)).size, days: new Set(days.map((d) => d.day)).size,
  };
}

/** YYYY-MM of a local date. */
export const monthOf = (day: string): string => day.slice(0, 7);

export interface PeriodKpi {
  period: string;
  collection: CollectionRate;
  influentBod5MgL: number | null;
  influentM3PerDay: number;
}

/** Both KPIs per month (or per any key the caller derives from the date). */
export function kpisByPeriod(days: readonly InfluentDay[], servedPopulation: number, periodOf: (day: string) => string = monthOf, perCapitaG = PER_CAPITA_BOD5_G): PeriodKpi[] {
  const groups = new Map<string, InfluentDay[]>();
  for (const d of days) {
    const key = periodOf(d.day);
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([period, group]) => {
    const dayCount = new Set(group.map((d) => d.day)).size;
    return {
      period,
      collection: collectionRate(group, servedPopulation, perCapitaG),
      influentBod5MgL: flowWeightedBod5(group),
      influentM3PerDay: group.reduce((s, d) => s + d.flowM3, 0) / dayCount,
    };
  });
}

// Extraneous water (外水: groundwater infiltration, river and lake water, rain water, leaking mains)
// reaching the plants: what the plants take in beyond the sewage the served population produces.
//
//   expected sewage (m³/d) = served population × per-capita water use (L/人·d) ÷ 1000 × sewage return coefficient
//   extraneous water (m³/d) = plant influent (m³/d) − expected sewage
//
// Defaults (docs/kpi.md, "Extraneous water", with their standing): 综合生活用水 180 L per person per
// day, a planning value to check against GB 50013-2018's 综合生活用水定额 or the city's metered
// supply, and a sewage return coefficient of 0.9 (GB 50014: domestic sewage quota taken from the
// local water-use quota); both are parameters.

/** Per-capita domestic (综合生活) water use, litres per person per day. */
export const PER_CAPITA_WATER_L = 180;
/** Share of the water used that returns as sewage (污水排放系数). */
export const SEWAGE_RETURN_COEFFICIENT = 0.9;

/** Mean daily influent per plant over its recorded days, summed over plants, m³/d (gaps as in collectedLoadKgPerDay). */
export function meanDailyFlowM3(days: readonly InfluentDay[]): number {
  const byPlant = new Map<string, { sum: number; n: number }>();
  for (const d of days) {
    const p = byPlant.get(d.plantId) ?? { sum: 0, n: 0 };
    p.sum += d.flowM3;
    p.n += 1;
    byPlant.set(d.plantId, p);
  }
  return [...byPlant.values()].reduce((s, p) => s + p.sum / p.n, 0);
}

export interface ExtraneousWater {
  influentM3PerDay: number;
  expectedSewageM3PerDay: number;
  /** Influent less expected sewage; negative when the plants take in less than the population is expected to discharge. */
  extraneousM3PerDay: number;
  /** Extraneous ÷ influent (null without influent). */
  share: number | null;
  perCapitaWaterL: number;
  returnCoefficient: number;
}

export function extraneousWater(days: readonly InfluentDay[], servedPopulation: number, perCapitaWaterL = PER_CAPITA_WATER_L, returnCoefficient = SEWAGE_RETURN_COEFFICIENT): ExtraneousWater {
  const influent = meanDailyFlowM3(days);
  const expected = (servedPopulation * perCapitaWaterL / 1000) * returnCoefficient;
  return {
    influentM3PerDay: influent, expectedSewageM3PerDay: expected, extraneousM3PerDay: influent - expected,
    share: influent > 0 ? (influent - expected) / influent : null, perCapitaWaterL, returnCoefficient,
  };
}
