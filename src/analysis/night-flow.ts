// Minimum night flow (最小夜间流量) per metered area: in the small hours legitimate use is at its
// lowest, so the night minimum of an area's inflow minus the legitimate night use estimates its
// leakage; a night well above the previous nights' median is a new burst. The same nightly minimum
// at a sewage lift station, against the population it serves, estimates infiltration
// (drainage-diagnosis.ts).
import { evidence, message, round, type AnalysisResult, type Point } from './explain.ts';

export interface NightMinimum {
  /** Local date (YYYY-MM-DD) of the night's morning. */
  night: string;
  /** Lowest hourly mean of the flow inside the night window. */
  minimum: number;
  at: string;
}

const HOUR = 3_600_000;

/**
 * The lowest hourly mean of each night between `fromHour` and `toHour` local time (default
 * 02:00–04:00), for a zone `utcOffsetHours` east of UTC (Asia/Shanghai: 8).
 */
export function nightMinima(flow: readonly Point[], utcOffsetHours = 8, fromHour = 2, toHour = 4): NightMinimum[] {
  const hourly = new Map<number, { sum: number; n: number }>();
  for (const p of flow) {
    const h = Math.floor((p.ts + utcOffsetHours * HOUR) / HOUR);
    const cell = hourly.get(h) ?? hourly.set(h, { sum: 0, n: 0 }).get(h)!;
    cell.sum += p.value;
    cell.n++;
  }
  const nights = new Map<string, NightMinimum>();
  for (const [h, { sum, n }] of hourly) {
    const hourOfDay = ((h % 24) + 24) % 24;
    if (hourOfDay < fromHour || hourOfDay >= toHour) continue;
    const night = new Date(h * HOUR).toISOString().slice(0, 10);
    const mean = sum / n;
    const seen = nights.get(night);
    if (!seen || mean < seen.minimum) nights.set(night, { night, minimum: mean, at: new Date(h * HOUR - utcOffsetHours * HOUR).toISOString() });
  }
  return [...nights.values()].sort((a, b) => a.night.localeCompare(b.night));
}

export interface NightFlowInput {
  areaId: string;
  /** The sensor metering the area's inflow (m³/h). */
  sensorId: string;
  flow: Point[];
  /** Properties (customers) in the area. */
  properties: number;
  /** Legitimate night use per property (L/h). 1.7 L/property/h is the UK water industry's customary household figure. */
  legitimateLph?: number;
  utcOffsetHours?: number;
}

export interface NightFlowDetail {
  nights: NightMinimum[];
  legitimateM3h: number;
  leakageM3h: number;
  /** Median of the nights before the last. */
  baselineM3h: number | null;
  riseM3h: number | null;
}

/** A night this much above the median of the earlier nights (and by at least 1 m³/h) is a new leak. */
const RISE_FRACTION = 0.2;
const RISE_MIN_M3H = 1;

export function analyseNightFlow(input: NightFlowInput): AnalysisResult<NightFlowDetail> {
  const lph = input.legitimateLph ?? 1.7;
  const nights = nightMinima(input.flow, input.utcOffsetHours ?? 8);
  const last = nights[nights.length - 1];
  const legitimate = (input.properties * lph) / 1000;
  const earlier = nights.slice(0, -1).map((n) => n.minimum).sort((a, b) => a - b);
  const baseline = earlier.length > 0 ? earlier[Math.floor(earlier.length / 2)]! : null;
  const leakage = last ? Math.max(0, last.minimum - legitimate) : 0;
  const rise = last && baseline !== null ? last.minimum - baseline : null;
  const burst = rise !== null && baseline !== null && rise > Math.max(RISE_MIN_M3H, RISE_FRACTION * baseline);
  return {
    kind: 'night_flow', verdict: !last ? 'no_data' : burst ? 'leakage' : 'normal',
    conclusion: !last
      ? `No night-time flow of ${input.sensorId} in the window.`
      : `Minimum night flow of ${input.areaId} on ${last.night}: ${round(last.minimum, 2)} m³/h; legitimate night use ${round(legitimate, 2)} m³/h, so leakage ≈ ${round(leakage, 2)} m³/h`
        + (rise === null ? '.' : burst ? `; ${round(rise, 2)} m³/h above the earlier nights' median (${round(baseline!, 2)}): a new leak or burst.` : `; within ${RISE_FRACTION * 100}% of the earlier nights' median (${round(baseline!, 2)}).`),
    message: !last
      ? message('nightFlow.noData', { sensor: input.sensorId })
      : message(rise === null ? 'nightFlow.firstNight' : burst ? 'nightFlow.leak' : 'nightFlow.normal', {
        area: input.areaId, night: last.night, minimum: round(last.minimum, 2), legitimate: round(legitimate, 2), leakage: round(leakage, 2),
        rise: rise === null ? null : round(rise, 2), baseline: baseline === null ? null : round(baseline, 2), riseFraction: RISE_FRACTION * 100,
      }),
    confidence: !last ? 0 : burst ? 0.8 : 0.6,
    evidence: [
      evidence('nightMinimum', `lowest hourly mean 02:00–04:00 of ${input.sensorId}`, last?.minimum ?? null, 'm³/h', input.sensorId),
      evidence('legitimateNightUse', `${input.properties} properties × ${lph} L/h`, legitimate, 'm³/h', 'model default (UK customary household night use)'),
      evidence('leakageEstimate', 'night minimum − legitimate use', leakage, 'm³/h', 'computation'),
      evidence('baselineNights', `median night minimum of ${earlier.length} earlier nights`, baseline, 'm³/h', input.sensorId),
    ],
    model: {
      name: 'night-flow/minimum-night-flow', version: 1,
      method: 'Night minimum of hourly means 02:00–04:00 local; leakage = minimum − properties × legitimate use; a night > 20% (and 1 m³/h) above the earlier nights\' median is a new leak.',
      parameters: { legitimateLph: lph, riseFraction: RISE_FRACTION, riseMinM3h: RISE_MIN_M3H, windowLocal: '02:00–04:00' },
    },
    assetIds: [], segmentIds: [], zoneIds: [input.areaId],
    detail: { nights: nights.map((n) => ({ ...n, minimum: round(n.minimum, 3) })), legitimateM3h: round(legitimate, 3), leakageM3h: round(leakage, 3), baselineM3h: baseline === null ? null : round(baseline, 3), riseM3h: rise === null ? null : round(rise, 3) },
  };
}
