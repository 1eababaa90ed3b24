// The shape every analysis model returns: a conclusion with the data and the model behind it, so
// an operator (and an API client) can check why the platform says what it says.

export type AnalysisKind = 'gas_spread' | 'gas_source' | 'drainage_diagnosis' | 'bridge' | 'night_flow';

/** One number the conclusion rests on, and where it came from. */
export interface Evidence {
  /** What the number is (English); `key` names it for translation. */
  data: string;
  key: string;
  value: number | string | null;
  unit: string;
  /** Where it came from: a sensor id, an asset attribute, a model default, a computation. */
  source: string;
}

export interface ModelInfo {
  /** e.g. `gas-spread/attenuation-graph` */
  name: string;
  version: number;
  /** The parameters in force, with their values. */
  parameters: Record<string, number | string>;
  /** One sentence: what the model does. */
  method: string;
}

/**
 * A sentence for translation: the console renders `analysis.message.<key>` (or
 * `analysis.reason.<key>`) with these parameters; numbers stay numbers so each locale formats them.
 */
export interface Message {
  key: string;
  params: Record<string, number | string>;
}

export function message(key: string, params: Record<string, number | string | null | undefined> = {}): Message {
  const kept: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined) kept[k] = v;
  return { key, params: kept };
}

export interface AnalysisResult<Detail = unknown> {
  kind: AnalysisKind;
  /** A machine-readable verdict, e.g. `pipe_leak`, `biogas`, `misconnection`, `frequency_drift`. */
  verdict: string;
  /** The conclusion in one English sentence with its numbers. */
  conclusion: string;
  /** The same conclusion as a message key and parameters, for the console's languages. */
  message: Message;
  /** 0–1: how sure the model is of the verdict. */
  confidence: number;
  evidence: Evidence[];
  model: ModelInfo;
  /** Assets the result is about (spaces, valves, spans, stations). */
  assetIds: string[];
  /** Pipe segments the result points to (drainage). */
  segmentIds: string[];
  /** Governance zones (治理分区) the result points to. */
  zoneIds: string[];
  detail: Detail;
}

export function evidence(key: string, data: string, value: number | string | null, unit: string, source: string): Evidence {
  return { key, data, value: typeof value === 'number' ? round(value, Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 4) : value, unit, source };
}

/** Rounds to `digits` significant decimals without trailing noise. */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A reading series, oldest first; `ts` in epoch milliseconds. */
export interface Point {
  ts: number;
  value: number;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

export function std(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

/** Least-squares slope of value against time, per hour. */
export function slopePerHour(points: readonly Point[]): number {
  if (points.length < 2) return 0;
  const t0 = points[0]!.ts;
  const xs = points.map((p) => (p.ts - t0) / 3_600_000);
  const mx = mean(xs);
  const my = mean(points.map((p) => p.value));
  let num = 0;
  let den = 0;
  points.forEach((p, i) => {
    num += (xs[i]! - mx) * (p.value - my);
    den += (xs[i]! - mx) ** 2;
  });
  return den === 0 ? 0 : num / den;
}

/** Pearson correlation of two equally long value lists (0 when either is flat). */
export function correlation(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  if (n < 3) return 0;
  const ma = mean(a.slice(0, n));
  const mb = mean(b.slice(0, n));
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

/** Values of `series` at the times of `at` (the latest reading at or before each time; NaN before the first). */
export function alignTo(series: readonly Point[], at: readonly number[]): number[] {
  const out: number[] = [];
  let j = 0;
  for (const t of at) {
    while (j + 1 < series.length && series[j + 1]!.ts <= t) j++;
    out.push(series.length > 0 && series[j]!.ts <= t ? series[j]!.value : NaN);
  }
  return out;
}
