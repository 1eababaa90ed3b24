import { NoveltyScorer, type NoveltyOptions, type NoveltyState } from './novelty.ts';
import { medianMad, normalTail } from './stats.ts';

/**
 * A causal streaming anomaly detector for one series (one sensor). `update(ts, value)` returns a
 * score in [0, 1] computed from that value and the ones before it only; the state is plain JSON
 * (`state()` / `AnomalyDetector.restore`) so live detection can persist it between readings.
 *
 * How a score is made (see docs/detection.md):
 * 1. surprise: robust z-scores (median / MAD) of the value and of its first difference against
 *    several trailing windows, and, once the series shows a daily pattern, of the residual from the
 *    median of the same time of day on earlier days (then only that residual counts); the largest z
 *    is mapped to a raw score in [0, 1);
 * 2. anomaly likelihood (after Numenta's): the tail probability of the short-term mean of raw scores
 *    under a normal fitted to the longer history of raw scores, reported on a log scale;
 * 3. range: a reading beyond the range of every earlier reading by more than `rangeTolerance` of
 *    that range scores 1 (Numenta's "spatial anomaly");
 * 4. one report per episode: a score counts only if it exceeds every score of the last `suppress`
 *    readings, and after an alarm (score ≥ `threshold`) scores are 0 for `alarmQuiet` readings.
 */
export interface AnomalyOptions {
  /** Trailing window lengths (readings) for the robust statistics. */
  windows: number[];
  /** Readings seen before any score is given (the detector learns; scores are 0). */
  learning: number;
  /**
   * Raw score from z: `exp`: 1 − e^(−z/zScale) (saturates for large z); `log`: ln(1+z) / (ln(1+z) + zScale),
   * which keeps ranking very large z.
   */
  rawMode: 'exp' | 'log';
  zScale: number;
  /** Short-term average of raw scores (readings) and the history it is compared with. */
  short: number;
  long: number;
  /**
   * `likelihood`: tail probability of the short-term mean raw score under a normal fitted to the
   * history; `rank`: the share of the history's short-term means below the current one (an
   * empirical tail, no distribution assumed), above every one of them by how far.
   */
  scoreMode: 'likelihood' | 'rank';
  /** Floor of the raw-score standard deviation in the likelihood. */
  minSd: number;
  /** Seasonality: slot width in minutes, values kept per slot, days seen before it is used. */
  slotMinutes: number;
  slotDepth: number;
  seasonMinDays: number;
  /** Residual spread must be below this fraction of the plain spread for the daily model to count. */
  seasonGain: number;
  /** Once the daily model counts, only the residual from it is scored (not the plain statistics). */
  seasonOnly: boolean;
  /**
   * Also keep a weekly model (slots per weekday); after three weeks it replaces the daily one where
   * its residual is smaller.
   */
  weekly: boolean;
  /** A reading scoring at or above this is an anomaly (`is_anomaly`, live alarms). */
  threshold: number;
  /** Readings after an anomaly during which scores are multiplied by `damp`. */
  suppress: number;
  damp: number;
  /**
   * `fire`: damping starts when a score reaches `threshold`; `peak`: a score is damped unless it
   * exceeds every score of the last `suppress` readings (independent of any threshold).
   */
  suppressMode: 'fire' | 'peak';
  /** Mode `peak`: readings after an alarm (a score ≥ `threshold`) during which scores are damped too. */
  alarmQuiet: number;
  /**
   * A reading beyond the range of every earlier reading by more than this fraction of that range
   * scores 1 (0: off). After Numenta's NAB detector ("spatial anomaly"); the range is causal.
   */
  rangeTolerance: number;
  /**
   * Change detector (0: off): two-sided CUSUM of the reading's robust z against the median of the
   * readings since the last alarm (a level shift or slow drift), and a one-sided CUSUM of the size
   * of the changes against their usual size (more spread). A sum reaching `cusum` scores 0.3 and
   * grows from there; it joins the score by max and restarts at every alarm.
   */
  cusum: number;
  /** Allowance per reading, in robust standard deviations, subtracted before summing. */
  cusumDrift: number;
  /**
   * Context novelty (src/detect/anomaly/novelty.ts; null: off): how new the recent shape of the
   * series is; its score joins by max before the one-report-per-episode rule.
   */
  novelty: Partial<NoveltyOptions> | null;
}

/**
 * Chosen on the NAB tuning split only, by the procedure in bench/nab/tune.ts (docs/detection.md);
 * `threshold` starts the quiet period after an alarm, so it is part of the detector, not only a cut-off.
 */
export const DEFAULT_ANOMALY_OPTIONS: Readonly<AnomalyOptions> = Object.freeze({
  windows: [12, 288, 2000],
  learning: 300,
  rawMode: 'exp',
  zScale: 4,
  short: 6,
  long: 1500,
  scoreMode: 'likelihood',
  minSd: 0.02,
  slotMinutes: 60,
  slotDepth: 42,
  seasonMinDays: 3,
  seasonGain: 0.8,
  seasonOnly: true,
  weekly: true,
  threshold: 0.3,
  suppress: 300,
  damp: 0,
  suppressMode: 'peak',
  alarmQuiet: 200,
  rangeTolerance: 0.1,
  cusum: 0,
  cusumDrift: 1,
  novelty: null,
})

export interface AnomalyState {
  version: 1;
  n: number;
  firstTs: number | null;
  lastValue: number | null;
  values: number[];
  diffs: number[];
  residuals: number[];
  slots: Record<string, number[]>;
  /** Exponentially weighted mean absolute deviation: plain (from the long median) and residual. */
  plainDev: number;
  residualDev: number;
  raws: number[];
  quietUntil: number;
  /** Short-term means of raw scores (mode `rank`). */
  means: number[];
  /** Scores before damping, of the last `suppress` readings (mode `peak`). */
  recent: number[];
  /** Weekly model (option `weekly`): slots per weekday and slot, residuals, their mean absolute deviation. */
  weekSlots: Record<string, number[]>;
  weekResiduals: number[];
  weekDev: number;
  /** Smallest and largest reading so far. */
  min: number | null;
  max: number | null;
  /** Change detector (option `cusum`): the sums, and the reading count at the last alarm. */
  cusumUp: number;
  cusumDown: number;
  cusumSpread: number;
  changeAt: number;
  /** Context novelty's state (option `novelty`). */
  novelty: NoveltyState | null;
}

export interface AnomalyResult {
  score: number;
  isAnomaly: boolean;
  /** Largest robust z of the reading (0 while learning), for explanations. */
  z: number;
}

const LOG_TAIL_SCALE = -Math.log(1e-5);
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

function logTail(x: number, mean: number, sd: number): number {
  const u = (x - mean) / sd;
  if (u < 8) return Math.log(Math.max(normalTail(x, mean, sd), Number.MIN_VALUE));
  // Asymptotic form where the tail underflows: log Q(u) ≈ -u²/2 - log(u √(2π)).
  return -0.5 * u * u - Math.log(u * Math.sqrt(2 * Math.PI));
}

export class AnomalyDetector {
  readonly options: AnomalyOptions;
  private s: AnomalyState;
  private scratch: number[] = [];
  /** Option `novelty`: works on its own state, copied into ours by `state()`. */
  private readonly novelty: NoveltyScorer | null;

  constructor(options: Partial<AnomalyOptions> = {}, state?: AnomalyState) {
    this.options = { ...DEFAULT_ANOMALY_OPTIONS, ...options };
    // A state saved before a field existed starts that field empty.
    this.s = {
      version: 1, n: 0, firstTs: null, lastValue: null, values: [], diffs: [], residuals: [], slots: {},
      plainDev: 0, residualDev: 0, raws: [], quietUntil: 0, means: [], recent: [], min: null, max: null,
      weekSlots: {}, weekResiduals: [], weekDev: 0, cusumUp: 0, cusumDown: 0, cusumSpread: 0, changeAt: 0, novelty: null,
      ...(state ? structuredClone(state) : {}),
    };
    this.novelty = this.options.novelty ? new NoveltyScorer(this.options.novelty, this.s.novelty ?? undefined) : null;
  }

  static restore(state: AnomalyState, options: Partial<AnomalyOptions> = {}): AnomalyDetector {
    if (state.version !== 1) throw new Error(`anomaly state version ${String(state.version)} is not supported`);
    return new AnomalyDetector(options, state);
  }

  /** A deep copy of the state (JSON-serialisable). */
  state(): AnomalyState {
    return structuredClone({ ...this.s, novelty: this.novelty?.state() ?? this.s.novelty });
  }

  get count(): number {
    return this.s.n;
  }

  private maxWindow(): number {
    return Math.max(...this.options.windows);
  }

  /** Robust z of x against the last w entries of `history`, with a floor on the spread. */
  private z(history: number[], w: number, x: number, floor: number): { z: number; median: number; scale: number } {
    if (history.length < 3) return { z: 0, median: x, scale: floor };
    const { median, mad } = medianMad(history, w, this.scratch);
    const scale = Math.max(1.4826 * mad, floor);
    return { z: Math.abs(x - median) / scale, median, scale };
  }

  private slotKey(ts: number): string {
    return String(Math.floor((((ts % DAY_MS) + DAY_MS) % DAY_MS) / (this.options.slotMinutes * 60_000)));
  }

  /**
   * The change detector's score for this reading (option `cusum`). The level sum compares the
   * reading with the median since the last alarm (or, where the seasonal model counts, uses its
   * residual z); each step is clipped to ±4 so one spike, which the z-scores already score, does
   * not make a change on its own.
   */
  private change(value: number, diff: number, scale: number, diffScale: number, residualZ: number | null): number {
    const o = this.options;
    const s = this.s;
    const since = s.n - s.changeAt;
    if (since < 30) return 0;
    let u = residualZ;
    if (u === null) {
      const reference = medianMad(s.values, Math.min(since, this.maxWindow()), this.scratch).median;
      u = (value - reference) / scale;
    }
    u = Math.max(-4, Math.min(4, u));
    s.cusumUp = Math.max(0, s.cusumUp + u - o.cusumDrift);
    s.cusumDown = Math.max(0, s.cusumDown - u - o.cusumDrift);
    // |change| / its usual size is about 0.8 for normal noise; more spread pushes it up.
    const v = Math.min(4, Math.abs(diff) / diffScale);
    s.cusumSpread = Math.max(0, s.cusumSpread + v - 0.8 - o.cusumDrift);
    const sum = Math.max(s.cusumUp, s.cusumDown, s.cusumSpread);
    return 1 - Math.pow(0.7, sum / o.cusum);
  }

  update(ts: number | Date, value: number): AnomalyResult {
    const t = typeof ts === 'number' ? ts : ts.getTime();
    if (!Number.isFinite(value) || !Number.isFinite(t)) throw new Error('anomaly detector: timestamp and value must be finite');
    const o = this.options;
    const s = this.s;
    s.firstTs ??= t;
    const diff = s.lastValue === null ? 0 : value - s.lastValue;
    const longest = this.maxWindow();

    // Floors: a fraction of the long-window spread, and never below a relative epsilon.
    const tiny = 1e-9 + 1e-6 * Math.abs(value);
    const longValue = this.z(s.values, longest, value, tiny);
    const valueFloor = Math.max(tiny, 0.25 * longValue.scale);
    const longDiff = this.z(s.diffs, longest, diff, tiny);
    const diffFloor = Math.max(tiny, 0.25 * longDiff.scale);

    let z = 0;
    for (const w of o.windows) {
      z = Math.max(z, w === longest ? longValue.z : this.z(s.values, w, value, valueFloor).z);
      z = Math.max(z, w === longest ? longDiff.z : this.z(s.diffs, w, diff, diffFloor).z);
    }

    // Daily seasonality: residual from the same slot's median on earlier days.
    const key = this.slotKey(t);
    const slot = s.slots[key] ?? [];
    let residual: number | null = null;
    if (slot.length >= 3) residual = value - medianMad(slot, slot.length, this.scratch).median;
    // Weekly seasonality: the same slot on the same weekday, used instead of the daily model where it fits better.
    const weekKey = `${Math.floor(t / DAY_MS) % 7}-${key}`;
    const weekSlot = o.weekly ? (s.weekSlots[weekKey] ?? []) : [];
    let weekResidual: number | null = null;
    if (weekSlot.length >= 3) weekResidual = value - medianMad(weekSlot, weekSlot.length, this.scratch).median;
    const weekly = o.weekly && t - s.firstTs >= 3 * WEEK_MS && s.weekDev < s.residualDev && s.weekDev < o.seasonGain * s.plainDev;
    const seasonal = weekly || (t - s.firstTs >= o.seasonMinDays * DAY_MS && s.residualDev < o.seasonGain * s.plainDev);
    const useResidual = weekly ? weekResidual : residual;
    let zResidualSigned: number | null = null;
    if (seasonal && useResidual !== null) {
      const resFloor = Math.max(tiny, 0.25 * 1.4826 * (weekly ? s.weekDev : s.residualDev));
      const fit = this.z(weekly ? s.weekResiduals : s.residuals, longest, useResidual, resFloor);
      const zResidual = fit.z;
      zResidualSigned = (useResidual - fit.median) / fit.scale;
      // Where the daily pattern explains the series, its own swings make the plain statistics loud.
      z = o.seasonOnly ? zResidual : Math.max(z, zResidual);
    }

    const learning = s.n < o.learning;
    const raw = learning ? 0 : o.rawMode === 'log' ? Math.log1p(z) / (Math.log1p(z) + o.zScale) : 1 - Math.exp(-z / o.zScale);

    // Anomaly likelihood of the short-term mean of raw scores.
    let score = 0;
    if (!learning && o.scoreMode === 'rank' && s.raws.length >= o.short * 4) {
      let recent = raw;
      for (let i = s.raws.length - (o.short - 1); i < s.raws.length; i++) recent += s.raws[i]!;
      recent /= o.short;
      let below = 0;
      let max = 0;
      for (const m of s.means) {
        if (m < recent) below++;
        if (m > max) max = m;
      }
      const n = s.means.length;
      score = recent > max && recent > 0 ? 1 - (max / recent) / (n + 1) : below / (n + 1);
      score = Math.max(0, Math.min(1, score));
      s.means.push(recent);
      if (s.means.length > o.long) s.means.shift();
    } else if (!learning && s.raws.length >= o.short * 4) {
      const hist = s.raws.length - (o.short - 1);
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < hist; i++) {
        sum += s.raws[i]!;
        sq += s.raws[i]! * s.raws[i]!;
      }
      const mean = sum / hist;
      const sd = Math.max(Math.sqrt(Math.max(sq / hist - mean * mean, 0)), o.minSd);
      let recent = raw;
      for (let i = s.raws.length - (o.short - 1); i < s.raws.length; i++) recent += s.raws[i]!;
      recent /= o.short;
      const lt = logTail(recent, mean, sd);
      // tail 1e-5 → 0.63, 1e-10 → 0.86: monotone in the tail, never saturating at 1.
      score = 1 - Math.exp(lt / LOG_TAIL_SCALE);
    }

    if (!learning && o.rangeTolerance > 0 && s.min !== null && s.max !== null && s.max > s.min) {
      const margin = o.rangeTolerance * (s.max - s.min);
      if (value > s.max + margin || value < s.min - margin) score = 1;
    }
    s.min = Math.min(s.min ?? value, value);
    s.max = Math.max(s.max ?? value, value);

    if (!learning && o.cusum > 0) score = Math.max(score, this.change(value, diff, longValue.scale, Math.max(longDiff.scale, valueFloor), zResidualSigned));

    if (this.novelty) score = Math.max(score, this.novelty.update(value));

    const undamped = score;
    if (o.suppressMode === 'peak') {
      let peak = 0;
      for (const r of s.recent) if (r > peak) peak = r;
      if (score <= peak || s.n < s.quietUntil) score *= o.damp;
    } else if (s.n < s.quietUntil) score *= o.damp;
    const isAnomaly = score >= o.threshold;
    if (isAnomaly) {
      s.quietUntil = s.n + 1 + (o.suppressMode === 'peak' ? o.alarmQuiet : o.suppress);
      s.cusumUp = s.cusumDown = s.cusumSpread = 0;
      s.changeAt = s.n + 1;
    }

    // Learn from the reading.
    const push = (a: number[], x: number, cap: number) => {
      a.push(x);
      if (a.length > cap) a.shift();
    };
    if (s.values.length > 0) push(s.diffs, diff, longest);
    push(s.values, value, longest);
    if (residual !== null) {
      push(s.residuals, residual, longest);
      s.residualDev = 0.995 * s.residualDev + 0.005 * Math.abs(residual);
      s.plainDev = 0.995 * s.plainDev + 0.005 * Math.abs(value - longValue.median);
    }
    push(slot, value, o.slotDepth);
    s.slots[key] = slot;
    if (o.weekly) {
      if (weekResidual !== null) {
        push(s.weekResiduals, weekResidual, longest);
        s.weekDev = 0.995 * s.weekDev + 0.005 * Math.abs(weekResidual);
      }
      push(weekSlot, value, o.slotDepth);
      s.weekSlots[weekKey] = weekSlot;
    }
    if (!learning) push(s.raws, raw, o.long);
    if (o.suppressMode === 'peak' && o.suppress > 0) push(s.recent, undamped, o.suppress);
    s.lastValue = value;
    s.n++;
    return { score, isAnomaly, z: learning ? 0 : z };
  }
}
