// Bridge checks, each tied to a span: overload events from strain and deflection, drift of the
// first natural frequency from acceleration (FFT peak against a baseline), and tilt and crack
// trends projected to their limits.
import { evidence, message, round, slopePerHour, type AnalysisResult, type Point } from './explain.ts';

/** In-place iterative radix-2 FFT; `re.length` must be a power of two. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (n === 0 || (n & (n - 1)) !== 0) throw new RangeError(`FFT length ${n} is not a power of two`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = (-2 * Math.PI) / len;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b]! * cr - im[b]! * ci;
        const ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
        [cr, ci] = [cr * wr - ci * wi, cr * wi + ci * wr];
      }
    }
  }
}

/**
 * The frequency of the largest spectral peak between `minHz` and `maxHz`: mean removed, Hann
 * window, zero-padded to 4× the next power of two, refined by a parabola through the peak bin
 * and its neighbours (log magnitudes).
 */
export function dominantFrequency(samples: readonly number[], sampleRateHz: number, minHz = 0.2, maxHz = sampleRateHz / 2): { hz: number; magnitude: number } {
  const n = samples.length;
  if (n < 8) throw new RangeError('at least 8 samples are needed');
  const size = 4 * 2 ** Math.ceil(Math.log2(n));
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const mean = samples.reduce((a, b) => a + b, 0) / n;
  for (let i = 0; i < n; i++) re[i] = (samples[i]! - mean) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
  fft(re, im);
  const mag = (k: number) => Math.hypot(re[k]!, im[k]!);
  const binHz = sampleRateHz / size;
  let best = -1;
  for (let k = Math.max(1, Math.ceil(minHz / binHz)); k <= Math.min(size / 2 - 1, Math.floor(maxHz / binHz)); k++) if (best < 0 || mag(k) > mag(best)) best = k;
  if (best < 0) throw new RangeError(`no spectrum between ${minHz} and ${maxHz} Hz`);
  const [a, b, c] = [Math.log(mag(best - 1) + 1e-12), Math.log(mag(best) + 1e-12), Math.log(mag(best + 1) + 1e-12)];
  const offset = a - 2 * b + c === 0 ? 0 : (0.5 * (a - c)) / (a - 2 * b + c);
  return { hz: (best + offset) * binHz, magnitude: mag(best) };
}

export interface BridgeInput {
  spanId: string;
  /** Span length (m): the deflection limit is L/600 (JTG D62 for vehicle load) unless given. */
  spanM?: number;
  strain?: { sensorId: string; points: Point[]; limitMicro?: number };
  deflection?: { sensorId: string; points: Point[]; limitMm?: number };
  acceleration?: { sensorId: string; samples: number[]; sampleRateHz: number; baselineHz: number };
  tilt?: { sensorId: string; points: Point[]; limitDeg?: number };
  crack?: { sensorId: string; points: Point[]; limitMm?: number };
}

export interface OverloadEvent {
  start: string;
  end: string;
  peak: number;
  readings: number;
}

/** Service strain under design load when no limit is given (με). */
export const DEFAULT_STRAIN_LIMIT = 300;
/** A first-mode frequency shift beyond this fraction of the baseline is reported (a few % is the usual damage-detection threshold; temperature alone moves it 1–2 %). */
export const FREQUENCY_DRIFT = 0.05;
const TILT_LIMIT_DEG = 0.5;
const CRACK_LIMIT_MM = 0.2;
/** A trend that reaches its limit within this many days is reported. */
const HORIZON_DAYS = 30;

function events(points: readonly Point[], limit: number): OverloadEvent[] {
  const out: OverloadEvent[] = [];
  let open: OverloadEvent | null = null;
  for (const p of points) {
    if (p.value > limit) {
      const at = new Date(p.ts).toISOString();
      if (!open) out.push((open = { start: at, end: at, peak: p.value, readings: 1 }));
      else {
        open.end = at;
        open.peak = Math.max(open.peak, p.value);
        open.readings++;
      }
    } else open = null;
  }
  return out;
}

function base(spanId: string, model: AnalysisResult['model']): Pick<AnalysisResult, 'kind' | 'assetIds' | 'segmentIds' | 'zoneIds' | 'model'> {
  return { kind: 'bridge', assetIds: [spanId], segmentIds: [], zoneIds: [], model };
}

export function analyseBridge(input: BridgeInput): AnalysisResult[] {
  const out: AnalysisResult[] = [];
  const { spanId } = input;
  for (const [what, series, limit, unit] of [
    ['strain', input.strain, input.strain?.limitMicro ?? DEFAULT_STRAIN_LIMIT, 'με'],
    ['deflection', input.deflection, input.deflection?.limitMm ?? (input.spanM ? (input.spanM * 1000) / 600 : null), 'mm'],
  ] as const) {
    if (!series || series.points.length === 0 || limit === null) continue;
    const found = events(series.points, limit);
    const peak = Math.max(...series.points.map((p) => p.value));
    out.push({
      ...base(spanId, {
        name: `bridge/overload-${what}`, version: 1, method: `Runs of ${what} readings above the limit are overload events.`,
        parameters: { limit, unit, source: what === 'deflection' && !input.deflection?.limitMm ? 'L/600 (JTG D62)' : 'given or default' },
      }),
      verdict: found.length > 0 ? 'overload' : 'normal',
      conclusion: `${spanId}: ${found.length} ${what} overload event(s) above ${round(limit, 1)} ${unit} (peak ${round(peak, 1)} ${unit}).`,
      message: message(`bridge.${what}Overload`, { span: spanId, events: found.length, limit: round(limit, 1), peak: round(peak, 1) }),
      confidence: found.length > 0 ? 0.9 : 0.7,
      evidence: [
        evidence(`${what}Peak`, `peak ${what}`, peak, unit, series.sensorId),
        evidence(`${what}Limit`, `${what} limit`, limit, unit, what === 'deflection' && !input.deflection?.limitMm ? `span ${input.spanM} m / 600` : 'limit'),
        evidence('overloadEvents', 'overload events', found.length, 'events', series.sensorId),
      ],
      detail: { indicator: what, events: found },
    });
  }
  if (input.acceleration) {
    const a = input.acceleration;
    const { hz } = dominantFrequency(a.samples, a.sampleRateHz, a.baselineHz * 0.5, Math.min(a.baselineHz * 2, a.sampleRateHz / 2));
    const shift = (hz - a.baselineHz) / a.baselineHz;
    const drift = Math.abs(shift) > FREQUENCY_DRIFT;
    out.push({
      ...base(spanId, {
        name: 'bridge/frequency-drift', version: 1,
        method: 'First natural frequency = largest FFT peak (Hann window, 4× zero padding, parabolic refinement) between 0.5× and 2× the baseline; drift = (f − f0)/f0.',
        parameters: { baselineHz: a.baselineHz, driftThreshold: FREQUENCY_DRIFT, sampleRateHz: a.sampleRateHz, samples: a.samples.length },
      }),
      verdict: drift ? 'frequency_drift' : 'normal',
      conclusion: `${spanId}: first natural frequency ${round(hz, 3)} Hz against a baseline of ${a.baselineHz} Hz (${shift >= 0 ? '+' : ''}${round(shift * 100, 1)}%)${drift ? `: beyond ±${FREQUENCY_DRIFT * 100}%, a loss of stiffness (or added mass) to inspect` : ''}.`,
      message: message(drift ? 'bridge.frequencyDrift' : 'bridge.frequency', { span: spanId, hz: round(hz, 3), baseline: a.baselineHz, shift: round(shift * 100, 1), threshold: FREQUENCY_DRIFT * 100 }),
      confidence: drift ? 0.75 : 0.7,
      evidence: [
        evidence('frequency', 'first natural frequency (FFT peak)', hz, 'Hz', a.sensorId),
        evidence('baselineFrequency', 'baseline frequency', a.baselineHz, 'Hz', 'commissioning baseline'),
        evidence('frequencyShift', 'shift from the baseline', shift * 100, '%', 'computation'),
      ],
      detail: { frequencyHz: round(hz, 4), baselineHz: a.baselineHz, shift: round(shift, 4) },
    });
  }
  for (const [what, series, limit, unit] of [
    ['tilt', input.tilt, input.tilt?.limitDeg ?? TILT_LIMIT_DEG, '°'],
    ['crack', input.crack, input.crack?.limitMm ?? CRACK_LIMIT_MM, 'mm'],
  ] as const) {
    if (!series || series.points.length < 3) continue;
    const perDay = slopePerHour(series.points) * 24;
    const latest = series.points[series.points.length - 1]!.value;
    const daysToLimit = perDay > 0 && latest < limit ? (limit - latest) / perDay : latest >= limit ? 0 : null;
    const alarming = daysToLimit !== null && daysToLimit <= HORIZON_DAYS;
    out.push({
      ...base(spanId, {
        name: `bridge/${what}-trend`, version: 1, method: `Least-squares slope of ${what} per day, projected to the limit.`,
        parameters: { limit, unit, horizonDays: HORIZON_DAYS },
      }),
      verdict: alarming ? 'trend' : 'normal',
      conclusion: `${spanId}: ${what} ${round(latest, 3)} ${unit}, changing ${round(perDay, 4)} ${unit}/day${daysToLimit === null ? '' : `; reaches the ${limit} ${unit} limit in ${round(daysToLimit, 1)} days`}.`,
      message: message(`bridge.${what}${daysToLimit === null ? 'Trend' : 'TrendToLimit'}`, {
        span: spanId, latest: round(latest, 3), perDay: round(perDay, 4), limit, days: daysToLimit === null ? null : round(daysToLimit, 1),
      }),
      confidence: alarming ? 0.7 : 0.6,
      evidence: [
        evidence(`${what}Latest`, `latest ${what}`, latest, unit, series.sensorId),
        evidence(`${what}Rate`, `${what} change per day`, perDay, `${unit}/d`, series.sensorId),
        evidence('daysToLimit', `days until the ${what} limit`, daysToLimit, 'd', 'computation'),
      ],
      detail: { indicator: what, perDay: round(perDay, 5), latest, daysToLimit: daysToLimit === null ? null : round(daysToLimit, 2) },
    });
  }
  return out;
}
