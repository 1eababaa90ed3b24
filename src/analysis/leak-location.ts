// Leak location from pressure residuals at a few monitored junctions (see docs/analysis.md):
// 1. residual = observed − leak-free model at each monitored junction and time;
// 2. onset: causal one-sided CUSUM per sensor (and pooled over sensors) on standardised residuals,
//    standardised with a robust fit on a warm-up window assumed leak-free;
// 3. calibration: per sensor, residual ≈ a + b·(model pressure − its mean) fitted on [0, onset);
// 4. sensitivity matrix: for every candidate junction, the pressure change at each monitored
//    junction and time after onset for a reference leak (an emitter) switched on at the onset;
// 5. ranking: non-negative least squares fit of each candidate's signature to the calibrated
//    residuals; score = fraction of the residual energy explained.
import type { HydraulicNetwork, PressureSeries } from './hydraulics.ts';
import { ObservationError, UnknownNodeError } from './errors.ts';

export interface Observation { node: string; timeS: number; pressure: number }

/** reporting times at the start of a record assumed leak-free by onset detection */
export const DEFAULT_WARMUP = 6;

export interface OnsetOptions {
  /** samples at the start assumed leak-free, used to standardise (default 6; fixed, so that a decision never depends on later data) */
  warmup?: number;
  /** CUSUM allowance in standard deviations (default 1) */
  k?: number;
  /** CUSUM threshold per sensor (default 8 + 2·ln(number of sensors)) */
  h?: number;
  /** CUSUM threshold on the pooled statistic (default 6) */
  hPooled?: number;
  /**
   * smallest standard deviation, model pressure units (locateLeak's default: 0.05 m in model units, a
   * floor for model error: a calibrated model is never exact, and a noise-free record would otherwise
   * make every centimetre of model drift a change)
   */
  sigmaFloor?: number;
}

export interface OnsetResult {
  /** index of the first sample after the change (estimated change point) */
  changeIndex: number;
  /** index of the sample at which the alarm fired */
  alarmIndex: number;
  /** which statistic fired first: a sensor id or 'pooled' */
  firedBy: string;
}

export interface LocateOptions {
  /** candidate junctions (default every junction) */
  candidates?: readonly string[];
  /** known onset time in seconds; skips detection (0 = leak present from the start) */
  onsetS?: number;
  onset?: OnsetOptions;
  /** flow of the reference leak used for the sensitivity matrix (model flow units; default 5% of the positive base demand) */
  referenceLeakFlow?: number;
  /** how many of the best screened candidates get their leak size fitted by simulation (default max(10, 1% of the candidates)) */
  refine?: number;
  /** the screening stage simulates this long after the onset (default: the whole record up to 200 candidates, 6 h above) */
  screenHorizonS?: number;
  /** how many candidates to return (default all) */
  top?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface Candidate {
  node: string;
  /** fraction of the calibrated residual energy explained by a non-negative leak here (0…1) */
  score: number;
  /** estimated leak flow (model flow units), linearised from the reference leak */
  leakFlow: number;
}

export interface LocateResult {
  candidates: Candidate[];
  /** estimated (or given) onset; undefined when no change was detected (leak assumed present from the start) */
  onsetS?: number;
  /** time the onset alarm fired (detection), when detected */
  alarmS?: number;
  onsetDetected: boolean;
  sensors: string[];
  timesS: number[];
  /** samples used for calibration (before onset) and for localisation (from onset on) */
  calibrationSamples: number;
  locationSamples: number;
  referenceLeakFlow: number;
  /** robust standard deviation of the calibrated residual per sensor (model pressure units) */
  sigma: Record<string, number>;
  elapsedMs: { baseline: number; sensitivity: number; total: number };
}

export { ObservationError };

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return 0;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

function mad(values: number[]): number {
  const m = median(values);
  return 1.4826 * median(values.map((v) => Math.abs(v - m)));
}

/** Per-sensor linear calibration residual ≈ a + b·(x − x̄), least squares; b = 0 unless significant (n ≥ 4, |t| > 3). */
export function fitCalibration(residual: number[], model: number[]): { a: number; b: number; xMean: number } {
  const n = residual.length;
  if (n === 0) return { a: 0, b: 0, xMean: 0 };
  const xMean = model.reduce((s, v) => s + v, 0) / n;
  const yMean = residual.reduce((s, v) => s + v, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let t = 0; t < n; t++) {
    const dx = model[t]! - xMean;
    sxx += dx * dx;
    sxy += dx * (residual[t]! - yMean);
  }
  if (n < 4 || sxx <= 1e-9 * n) return { a: yMean, b: 0, xMean };
  // keep the slope only when it is significant (|t| > 3): a slope fitted to noise would be
  // extrapolated beyond the calibration window and pass for a change
  const b = sxy / sxx;
  let sse = 0;
  for (let t = 0; t < n; t++) sse += (residual[t]! - yMean - b * (model[t]! - xMean)) ** 2;
  const se = Math.sqrt(sse / (n - 2) / sxx);
  return { a: yMean, b: Math.abs(b) > 3 * se ? b : 0, xMean };
}

/**
 * Causal onset detection on residual series (residuals[t][i]: time t, sensor i; negative = pressure
 * below the model, as a leak makes it). Each sensor is standardised by a robust linear fit on the
 * warm-up window (against the model pressure `model[t][i]`, which absorbs demand-scale errors), then
 * a one-sided downward CUSUM runs per sensor and on the pooled mean z·√m. The decision at sample t
 * uses samples ≤ t only. Returns undefined when nothing fires.
 */
export function detectOnset(
  residuals: number[][], model: number[][], sensors: readonly string[], options: OnsetOptions = {},
): OnsetResult | undefined {
  const T = residuals.length;
  const m = sensors.length;
  const warmup = options.warmup ?? DEFAULT_WARMUP;
  const k = options.k ?? 1;
  // per-sensor threshold grows with the number of sensors (each is a separate test)
  const h = options.h ?? 8 + 2 * Math.log(Math.max(1, m));
  const hPooled = options.hPooled ?? 6;
  const floor = options.sigmaFloor ?? 0.01;
  if (T <= warmup) return undefined;
  const fits = sensors.map((_, i) => {
    const r = residuals.slice(0, warmup).map((row) => row[i]!);
    const x = model.slice(0, warmup).map((row) => row[i]!);
    const fit = fitCalibration(r, x);
    const res = r.map((v, t) => v - fit.a - fit.b * (x[t]! - fit.xMean));
    // the larger of the robust (MAD) and the plain standard deviation, inflated for the uncertainty
    // of the warm-up offset: a warm-up mean that is off by chance must not pass for a change
    const sd = Math.sqrt(res.reduce((s, v) => s + v * v, 0) / Math.max(1, res.length - (fit.b ? 2 : 1)));
    return { ...fit, sigma: Math.max(floor, mad(res), sd) * Math.sqrt(1 + 1 / res.length) };
  });
  // a σ estimated from a few warm-up samples is sometimes far too small by chance, and with tens of
  // sensors one of them always is: no sensor's σ is taken below the median σ of all sensors
  const sigmaMedian = median(fits.map((f) => f.sigma));
  for (const f of fits) f.sigma = Math.max(f.sigma, sigmaMedian);
  const S = new Array<number>(m).fill(0);
  const lastZero = new Array<number>(m).fill(warmup);
  let pooled = 0;
  let pooledZero = warmup;
  for (let t = warmup; t < T; t++) {
    let sumZ = 0;
    for (let i = 0; i < m; i++) {
      const f = fits[i]!;
      const z = (residuals[t]![i]! - f.a - f.b * (model[t]![i]! - f.xMean)) / f.sigma;
      sumZ += Math.max(-50, Math.min(50, z));
      S[i] = Math.max(0, S[i]! - z - k);
      if (S[i] === 0) lastZero[i] = t + 1;
      if (S[i]! > h) return { changeIndex: lastZero[i]!, alarmIndex: t, firedBy: sensors[i]! };
    }
    const zPooled = sumZ / Math.sqrt(m);
    pooled = Math.max(0, pooled - zPooled - k);
    if (pooled === 0) pooledZero = t + 1;
    if (pooled > hPooled) return { changeIndex: pooledZero, alarmIndex: t, firedBy: 'pooled' };
  }
  return undefined;
}

/** Align observations with the model's solution times: the model value at the last solution time ≤ t. */
function sampleAt(series: PressureSeries, timesS: number[]): number[][] {
  const out: number[][] = [];
  let j = 0;
  for (const t of timesS) {
    while (j + 1 < series.timesS.length && series.timesS[j + 1]! <= t) j++;
    out.push(series.pressure[j]!);
  }
  return out;
}

/** Build the observed matrix (time × sensor) from observation rows; every sensor must have every time. */
export function observationMatrix(net: HydraulicNetwork, observations: readonly Observation[]): { sensors: string[]; timesS: number[]; observed: number[][] } {
  if (observations.length === 0) throw new ObservationError('no observations');
  const sensors: string[] = [];
  const times = new Set<number>();
  const byKey = new Map<string, number>();
  for (const o of observations) {
    if (!net.isJunction(o.node)) {
      throw new UnknownNodeError(net.nodeIds.includes(o.node)
        ? `observed node "${o.node}" is a tank or reservoir, not a junction`
        : `observed node "${o.node}" is not in the network ${net.name}`);
    }
    if (!Number.isFinite(o.timeS) || o.timeS < 0 || o.timeS > net.durationS) {
      throw new ObservationError(`observation at ${o.node}: time ${o.timeS} s is outside the model's duration 0…${net.durationS} s`);
    }
    if (!Number.isFinite(o.pressure)) throw new ObservationError(`observation at ${o.node}, ${o.timeS} s: pressure is not a number`);
    if (!sensors.includes(o.node)) sensors.push(o.node);
    times.add(o.timeS);
    byKey.set(`${o.node}\u0000${o.timeS}`, o.pressure);
  }
  const timesS = [...times].sort((a, b) => a - b);
  const observed = timesS.map((t) => sensors.map((s) => {
    const v = byKey.get(`${s}\u0000${t}`);
    if (v === undefined) throw new ObservationError(`no observation at ${s} for time ${t} s (every monitored junction needs every reporting time)`);
    return v;
  }));
  return { sensors, timesS, observed };
}

/** Locate a leak: rank candidate junctions by how well a leak there explains the pressure residuals. */
export function locateLeak(net: HydraulicNetwork, observations: readonly Observation[], options: LocateOptions = {}): LocateResult {
  const t0 = performance.now();
  const { sensors, timesS, observed } = observationMatrix(net, observations);
  const candidates = options.candidates ? [...options.candidates] : net.junctionIds;
  for (const c of candidates) if (!net.isJunction(c)) throw new UnknownNodeError(`candidate "${c}" is not a junction of ${net.name}`);
  const nodes = [...new Set([...sensors, ...candidates])];
  const sensorCol = sensors.map((s) => nodes.indexOf(s));
  const base = net.simulate({ nodes, allSteps: true });
  const baseAt = sampleAt(base, timesS);
  const model = baseAt.map((row) => sensorCol.map((c) => row[c]!));
  const residuals = observed.map((row, t) => row.map((v, i) => v - model[t]![i]!));
  const tBase = performance.now();

  // onset
  const floor = 0.01 / net.metresPerPressureUnit;
  let onsetIndex = 0;
  let onsetDetected = false;
  let alarmS: number | undefined;
  if (options.onsetS !== undefined) {
    onsetIndex = timesS.findIndex((t) => t >= options.onsetS!);
    if (onsetIndex < 0) throw new ObservationError(`onset ${options.onsetS} s is after the last observation`);
  } else {
    const found = detectOnset(residuals, model, sensors, { sigmaFloor: 0.05 / net.metresPerPressureUnit, ...options.onset });
    if (found) {
      onsetIndex = found.changeIndex;
      onsetDetected = true;
      alarmS = timesS[found.alarmIndex];
    }
  }
  const onsetS = onsetDetected || options.onsetS !== undefined ? timesS[onsetIndex]! : undefined;
  const onsetTime = onsetS ?? 0;

  // calibration on [0, onset)
  const sigma: Record<string, number> = {};
  const calibrated: number[][] = []; // [t - onsetIndex][i]
  const weights: number[] = [];
  sensors.forEach((s, i) => {
    const r = residuals.slice(0, onsetIndex).map((row) => row[i]!);
    const x = model.slice(0, onsetIndex).map((row) => row[i]!);
    const fit = fitCalibration(r, x);
    const res = r.map((v, t) => v - fit.a - fit.b * (x[t]! - fit.xMean));
    const sd = Math.max(floor, mad(res));
    sigma[s] = sd;
    weights.push(1 / sd);
    for (let t = onsetIndex; t < timesS.length; t++) {
      (calibrated[t - onsetIndex] ??= [])[i] = residuals[t]![i]! - fit.a - fit.b * (model[t]![i]! - fit.xMean);
    }
  });
  if (calibrated.length === 0) throw new ObservationError('no observations after the onset to locate the leak from');

  // reference leak size: a flow, converted to an emitter coefficient per candidate from its baseline pressure
  let positiveDemand = 0;
  const totalBase = net.totalBaseDemand();
  positiveDemand = totalBase > 0 ? totalBase : Math.abs(totalBase);
  const qRef = options.referenceLeakFlow ?? 0.05 * positiveDemand;
  const expon = 0.5;
  const r = calibrated.flatMap((row) => row.map((v, i) => v * weights[i]!));
  const rr = r.reduce((s, v) => s + v * v, 0);
  const afterTimes = timesS.slice(onsetIndex);
  const m = sensors.length;
  /** weighted pressure change at the sensors after onset for an emitter of this coefficient at c */
  const screenUntil = onsetTime + (options.screenHorizonS ?? (candidates.length > 200 ? 6 * 3600 : Infinity));
  const screenSamples = afterTimes.filter((t) => t <= screenUntil).length;
  const signature = (c: string, coefficient: number, screening = false): { s: Float64Array; meanLeak: number } => {
    const leak = net.simulate({
      nodes: sensors, allSteps: true, leaks: [{ node: c, coefficient, startS: onsetTime }],
      ...(screening ? { untilS: screenUntil } : {}),
    });
    const at = sampleAt(leak, screening ? afterTimes.slice(0, screenSamples) : afterTimes);
    const sig = new Float64Array(at.length * m);
    for (let t = 0; t < at.length; t++) {
      for (let i = 0; i < m; i++) sig[t * m + i] = (at[t]![i]! - model[t + onsetIndex]![i]!) * weights[i]!;
    }
    const on = leak.leakFlow.filter((v) => v > 0);
    return { s: sig, meanLeak: on.length ? on.reduce((a, v) => a + v, 0) / on.length : 0 };
  };
  const sseOf = (sig: Float64Array): number => {
    let sse = 0;
    for (let k = 0; k < sig.length; k++) sse += (r[k]! - sig[k]!) ** 2;
    return sse;
  };
  // stage 1: linear screening with the reference leak at every candidate, over the first
  // screenHorizonS after the onset (the spatial signature; the whole record is used in stage 2)
  let rrScreen = 0;
  for (let k = 0; k < screenSamples * m; k++) rrScreen += r[k]! * r[k]!;
  interface Screened extends Candidate { coefficient: number; alpha: number }
  const screened: Screened[] = [];
  const refineCount = Math.min(candidates.length, options.refine ?? Math.max(10, Math.ceil(0.01 * candidates.length)));
  const total = candidates.length + refineCount;
  candidates.forEach((c, n) => {
    const col = nodes.indexOf(c);
    let pSum = 0;
    let pN = 0;
    for (let t = onsetIndex; t < timesS.length; t++) { pSum += baseAt[t]![col]!; pN++; }
    const pMean = Math.max(pSum / Math.max(1, pN), 1);
    const coefficient = qRef / pMean ** expon;
    const { s: sig, meanLeak } = signature(c, coefficient, true);
    let rs = 0;
    let ss = 0;
    for (let k = 0; k < sig.length; k++) { rs += r[k]! * sig[k]!; ss += sig[k]! * sig[k]!; }
    const alpha = ss > 0 ? Math.max(0, rs / ss) : 0;
    const sse = rrScreen - 2 * alpha * rs + alpha * alpha * ss;
    screened.push({ node: c, score: rrScreen > 0 ? Math.max(0, 1 - sse / rrScreen) : 0, leakFlow: alpha * meanLeak, coefficient, alpha });
    options.onProgress?.(n + 1, total);
  });
  screened.sort((a, b) => b.score - a.score || a.node.localeCompare(b.node));
  // stage 2: the best candidates get their leak size fitted by simulation (the response is not
  // linear in the leak size: tanks drain and level controls switch pumps at other times)
  const refined: Candidate[] = [];
  screened.slice(0, refineCount).forEach((cand, n) => {
    const evaluate = (logMult: number) => {
      const { s: sig, meanLeak } = signature(cand.node, cand.coefficient * Math.exp(logMult));
      return { sse: sseOf(sig), meanLeak };
    };
    const start = Math.log(Math.max(cand.alpha, 0.05));
    const cache = new Map<number, { sse: number; meanLeak: number }>();
    const at = (x: number) => {
      let v = cache.get(x);
      if (!v) { v = evaluate(x); cache.set(x, v); }
      return v;
    };
    let best = start;
    for (let g = -2; g <= 2; g++) {
      const x = start + g * 0.5;
      if (at(x).sse < at(best).sse) best = x;
    }
    let lo = best - 0.5;
    let hi = best + 0.5;
    const phi = (Math.sqrt(5) - 1) / 2;
    for (let it = 0; it < 5; it++) {
      const x1 = hi - phi * (hi - lo);
      const x2 = lo + phi * (hi - lo);
      if (at(x1).sse < at(x2).sse) hi = x2; else lo = x1;
      for (const x of [x1, x2]) if (at(x).sse < at(best).sse) best = x;
    }
    const fit = at(best);
    refined.push({ node: cand.node, score: rr > 0 ? Math.max(0, 1 - fit.sse / rr) : 0, leakFlow: fit.meanLeak });
    options.onProgress?.(candidates.length + n + 1, total);
  });
  refined.sort((a, b) => b.score - a.score || a.node.localeCompare(b.node));
  const scored: Candidate[] = [
    ...refined,
    ...screened.slice(refineCount).map(({ node, score, leakFlow }) => ({ node, score, leakFlow })),
  ];
  const tEnd = performance.now();
  return {
    candidates: options.top ? scored.slice(0, options.top) : scored,
    ...(onsetS !== undefined ? { onsetS } : {}),
    ...(alarmS !== undefined ? { alarmS } : {}),
    onsetDetected,
    sensors,
    timesS,
    calibrationSamples: onsetIndex,
    locationSamples: calibrated.length,
    referenceLeakFlow: qRef,
    sigma,
    elapsedMs: { baseline: tBase - t0, sensitivity: tEnd - tBase, total: tEnd - t0 },
  };
}
