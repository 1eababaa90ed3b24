import { DriftScorer, type DriftOptions, type DriftState } from './drift.ts';
import { NoveltyScorer, type NoveltyOptions, type NoveltyState } from './novelty.ts';
import { insertSorted, medianMad, normalTail, removeSorted, tailProbability } from './stats.ts';

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
 * 2. calibration of the short-term mean of raw scores against the series' own history:
 *    `likelihood` (after Numenta's: tail probability under a normal fitted to the raw scores) or
 *    `tail` (empirical tail with an exponential fit beyond its largest values), reported on a log scale;
 * 3. range: a reading beyond the range of every earlier reading by more than `rangeTolerance` of
 *    that range scores 1 (Numenta's "spatial anomaly");
 * 4. optional level and spread components (`levelSpan`, `spreadSpan`): a running mean of the
 *    level's robust z, or of the size of the changes, scores only where it is rarer than anything
 *    its own (earlier) history should hold, by how far beyond in units of that history's tail;
 * 5. multi-scale drift and spread change (`drift`, on by default; drift.ts): block medians and
 *    spreads against the blocks before them, scored beyond the largest such change the series showed;
 * 6. one report per episode: a score counts only if it exceeds every score of the last `suppress`
 *    readings, and after an alarm (score ≥ `threshold`) scores are 0 for `alarmQuiet` readings.
 */
export interface AnomalyOptions {
  /** Trailing window lengths (readings) for the robust statistics. */
  windows: number[];
  /** Readings seen before any score is given (the detector learns; scores are 0). */
  learning: number;
  /** Raw score from the largest z: 1 − e^(−z/zScale). */
  zScale: number;
  /** Short-term average of raw scores (readings) and the history it is compared with. */
  short: number;
  long: number;
  /**
   * `likelihood`: tail probability of the short-term mean raw score under a normal fitted to the
   * raw scores of the last `long` readings; `tail`: its rarity among the short-term means of the
   * last `long` readings (`tailProbability`: empirical, with an exponential tail beyond the
   * largest `tailShare` of them).
   */
  scoreMode: 'likelihood' | 'tail';
  /** Share of a calibration history fitted by the exponential tail (mode `tail`, level and spread components). */
  tailShare: number;
  /** Floor of the raw-score standard deviation in the likelihood, and of the tail scale in the tail calibrations. */
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
  /** A score counts only if it exceeds every score of this many previous readings (else 0). */
  suppress: number;
  /** Readings after an alarm (a score ≥ `threshold`) during which scores are 0. */
  alarmQuiet: number;
  /**
   * `suppress` and `alarmQuiet` are at most this share of the readings seen so far (at least 10;
   * 0: fixed counts). A series seen for 1,000 readings is quiet for 100 after an alarm, not 200:
   * the fixed counts were set on files of 4,000 readings and more, and silenced a fifth of a short
   * series (synthetic files of 800–3,000 readings: 45.8 → 52.1 standard; NAB folds unchanged).
   */
  quietShare: number;
  /**
   * A reading beyond the range of every earlier reading by more than this fraction of that range
   * scores 1 (0: off). After Numenta's NAB detector ("spatial anomaly"); the range is causal.
   */
  rangeTolerance: number;
  /**
   * Level component (0: off): the mean, over this many readings, of the reading's signed robust z
   * against the long window, in absolute value; scores only where its tail probability among its
   * own history is below 1/(n+1) (about beyond the largest value such a history holds), by how far.
   */
  levelSpan: number;
  /** Spread component (0: off): the same for the mean size of the changes (in units of their long-window spread). */
  spreadSpan: number;
  /**
   * The components' values join their history this many spans late, so a shift in progress is
   * compared with the time before it (without it the tail fit follows a slow rise and never flags it).
   */
  componentDelay: number;
  /**
   * Context novelty (src/detect/anomaly/novelty.ts; null: off): how new the recent shape of the
   * series is; its score joins by max before the one-report-per-episode rule.
   */
  novelty: Partial<NoveltyOptions> | null;
  /**
   * Multi-scale drift and spread change (src/detect/anomaly/drift.ts; `{}`: on with its defaults,
   * the default since round 5b; null: off): recent blocks
   * against the blocks before them, scored beyond the largest such change the series showed; joins
   * by max before the one-report-per-episode rule (after the learning period).
   */
  drift: Partial<DriftOptions> | null;
}

/**
 * Chosen on the NAB tuning split only, by the procedure in bench/nab/tune.ts (docs/detection.md);
 * `threshold` starts the quiet period after an alarm, so it is part of the detector, not only a cut-off.
 */
export const DEFAULT_ANOMALY_OPTIONS: Readonly<AnomalyOptions> = Object.freeze({
  windows: [12, 288, 2000],
  learning: 300,
  zScale: 4,
  short: 6,
  long: 1500,
  scoreMode: 'likelihood',
  tailShare: 0.02,
  minSd: 0.02,
  slotMinutes: 60,
  slotDepth: 42,
  seasonMinDays: 3,
  seasonGain: 0.8,
  seasonOnly: true,
  weekly: true,
  threshold: 0.3,
  suppress: 300,
  alarmQuiet: 200,
  quietShare: 0.1,
  rangeTolerance: 0.1,
  levelSpan: 0,
  spreadSpan: 0,
  componentDelay: 1,
  novelty: null,
  // Round 5b (docs/detection.md): ties the tuning half, +4.0 on the fold mean, +5.6 at rest, +2.5 to +6.5 on synthetic corpora.
  drift: {},
});

/**
 * A calibration history: its entries in arrival order (to drop the oldest) and sorted (to rank),
 * and the latest values not yet in it (`pending`, so an episode in progress is not its own reference).
 */
export interface Calibration {
  history: number[];
  sorted: number[];
  pending: number[];
}

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
  /** Scores before suppression, of the last `suppress` readings. */
  recent: number[];
  /** Weekly model (option `weekly`): slots per weekday and slot, residuals, their mean absolute deviation. */
  weekSlots: Record<string, number[]>;
  weekResiduals: number[];
  weekDev: number;
  /** Smallest and largest reading so far. */
  min: number | null;
  max: number | null;
  /**
   * Tail calibrations (mode `tail`: `short`; components: `level`, `spread`) and the inputs of the
   * components' running means (`levelInputs`, `spreadInputs`).
   */
  calibrations: Record<string, Calibration>;
  levelInputs: number[];
  spreadInputs: number[];
  /** Context novelty's state (option `novelty`). */
  novelty: NoveltyState | null;
  /** Drift scorer's state (option `drift`). */
  drift: DriftState | null;
}

export interface AnomalyResult {
  score: number;
  isAnomaly: boolean;
  /** Largest robust z of the reading (0 while learning), for explanations. */
  z: number;
}

/** Fields of states saved by earlier versions (removed options), dropped on restore. */
const RETIRED_STATE_FIELDS = ['means', 'cusumUp', 'cusumDown', 'cusumSpread', 'changeAt'];

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
  /** Option `drift`: likewise. */
  private readonly drift: DriftScorer | null;

  constructor(options: Partial<AnomalyOptions> = {}, state?: AnomalyState) {
    this.options = { ...DEFAULT_ANOMALY_OPTIONS, ...options };
    // A state saved before a field existed starts that field empty.
    const saved: Record<string, unknown> = state ? { ...structuredClone(state) } : {};
    for (const field of RETIRED_STATE_FIELDS) delete saved[field];
    this.s = {
      version: 1, n: 0, firstTs: null, lastValue: null, values: [], diffs: [], residuals: [], slots: {},
      plainDev: 0, residualDev: 0, raws: [], quietUntil: 0, recent: [], min: null, max: null,
      weekSlots: {}, weekResiduals: [], weekDev: 0, calibrations: {}, levelInputs: [], spreadInputs: [], novelty: null, drift: null,
      ...(saved as Partial<AnomalyState>),
    };
    this.novelty = this.options.novelty ? new NoveltyScorer(this.options.novelty, this.s.novelty ?? undefined) : null;
    this.drift = this.options.drift ? new DriftScorer(this.options.drift, this.s.drift ?? undefined) : null;
  }

  static restore(state: AnomalyState, options: Partial<AnomalyOptions> = {}): AnomalyDetector {
    if (state.version !== 1) throw new Error(`anomaly state version ${String(state.version)} is not supported`);
    return new AnomalyDetector(options, state);
  }

  /** A deep copy of the state (JSON-serialisable). */
  state(): AnomalyState {
    return structuredClone({ ...this.s, novelty: this.novelty?.state() ?? this.s.novelty, drift: this.drift?.state() ?? this.s.drift });
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
   * Rarity of x in the calibration `name` (P(X ≥ x) by `tailProbability`, 1 until it holds
   * `minHistory` entries); then x joins it `delay` calls later, the oldest entry leaving beyond `long`.
   */
  private calibrate(name: string, x: number, minHistory: number, delay = 0): { p: number; n: number } {
    const o = this.options;
    const c = (this.s.calibrations[name] ??= { history: [], sorted: [], pending: [] });
    const n = c.history.length;
    const p = n >= minHistory ? tailProbability(c.sorted, x, o.tailShare, o.minSd) : 1;
    c.pending.push(x);
    if (c.pending.length > delay) {
      const entry = c.pending.shift()!;
      c.history.push(entry);
      insertSorted(c.sorted, entry);
      if (c.history.length > o.long) removeSorted(c.sorted, c.history.shift()!);
    }
    return { p, n };
  }

  /**
   * A level or spread component: the absolute running mean of `inputs` (with x added) over `span`
   * readings, calibrated against its history (entries `componentDelay` spans late). It scores
   * only where q = P(X ≥ mean) · (n+1) < 1, i.e. rarer than one reading in the history, as
   * 1 − q^(1/ln 1e5) (q = e^(−d) at d tail scales beyond that point); 0 otherwise.
   */
  private component(name: string, inputs: number[], span: number, x: number): number {
    inputs.push(x);
    if (inputs.length > span) inputs.shift();
    let sum = 0;
    for (const v of inputs) sum += v;
    const { p, n } = this.calibrate(name, Math.abs(sum / inputs.length), span * 4, span * this.options.componentDelay);
    const beyond = p * (n + 1);
    return beyond < 1 ? 1 - Math.exp(Math.log(Math.max(beyond, Number.MIN_VALUE)) / LOG_TAIL_SCALE) : 0;
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
    if (seasonal && useResidual !== null) {
      const resFloor = Math.max(tiny, 0.25 * 1.4826 * (weekly ? s.weekDev : s.residualDev));
      const zResidual = this.z(weekly ? s.weekResiduals : s.residuals, longest, useResidual, resFloor).z;
      // Where the daily pattern explains the series, its own swings make the plain statistics loud.
      z = o.seasonOnly ? zResidual : Math.max(z, zResidual);
    }

    const learning = s.n < o.learning;
    const raw = learning ? 0 : 1 - Math.exp(-z / o.zScale);

    // Calibration of the short-term mean of raw scores against this series' own history.
    let score = 0;
    if (!learning) {
      let recent = raw;
      const from = Math.max(0, s.raws.length - (o.short - 1));
      for (let i = from; i < s.raws.length; i++) recent += s.raws[i]!;
      recent /= s.raws.length - from + 1;
      let logP = 0;
      if (o.scoreMode === 'tail') {
        logP = Math.log(Math.max(this.calibrate('short', recent, o.short * 4).p, Number.MIN_VALUE));
      } else if (s.raws.length >= o.short * 4) {
        const hist = s.raws.length - (o.short - 1);
        let sum = 0;
        let sq = 0;
        for (let i = 0; i < hist; i++) {
          sum += s.raws[i]!;
          sq += s.raws[i]! * s.raws[i]!;
        }
        const mean = sum / hist;
        const sd = Math.max(Math.sqrt(Math.max(sq / hist - mean * mean, 0)), o.minSd);
        logP = logTail(recent, mean, sd);
      }
      // tail 1e-5 → 0.63, 1e-10 → 0.86: monotone in the tail, never saturating at 1.
      score = 1 - Math.exp(logP / LOG_TAIL_SCALE);
    }

    if (!learning && o.rangeTolerance > 0 && s.min !== null && s.max !== null && s.max > s.min) {
      const margin = o.rangeTolerance * (s.max - s.min);
      if (value > s.max + margin || value < s.min - margin) score = 1;
    }
    s.min = Math.min(s.min ?? value, value);
    s.max = Math.max(s.max ?? value, value);

    if (!learning && o.levelSpan > 0) score = Math.max(score, this.component('level', s.levelInputs, o.levelSpan, (value - longValue.median) / longValue.scale));
    if (!learning && o.spreadSpan > 0) score = Math.max(score, this.component('spread', s.spreadInputs, o.spreadSpan, Math.abs(diff) / Math.max(longDiff.scale, diffFloor)));

    if (this.novelty) score = Math.max(score, this.novelty.update(value));
    // The drift scorer learns from every reading; its score counts after the learning period.
    if (this.drift) {
      const drift = this.drift.update(value);
      if (!learning) score = Math.max(score, drift);
    }

    // One report per episode: only a new peak of the last `suppress` readings, none in the quiet period.
    const unsuppressed = score;
    const scaled = (readings: number) => (o.quietShare > 0 ? Math.min(readings, Math.max(10, Math.round(o.quietShare * s.n))) : readings);
    let peak = 0;
    for (let i = Math.max(0, s.recent.length - scaled(o.suppress)); i < s.recent.length; i++) if (s.recent[i]! > peak) peak = s.recent[i]!;
    if (score <= peak || s.n < s.quietUntil) score = 0;
    const isAnomaly = score >= o.threshold;
    if (isAnomaly) s.quietUntil = s.n + 1 + scaled(o.alarmQuiet);

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
    if (o.suppress > 0) push(s.recent, unsuppressed, o.suppress);
    s.lastValue = value;
    s.n++;
    return { score, isAnomaly, z: learning ? 0 : z };
  }
}
