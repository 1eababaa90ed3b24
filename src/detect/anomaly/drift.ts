/**
 * Multi-scale change score: slow drifts to a new level and changes of spread, which the
 * detector's reading-by-reading surprise misses (docs/detection.md, round 5b).
 *
 * At each time scale s (readings), every `step` readings, the recent block of the last s readings
 * is compared with the reference block of the `reference` × s readings just before it, by two
 * statistics, with a block's spread = the mean absolute deviation from its median of all but the
 * largest `trim` of the readings (floored at `floorShare` of the range seen so far):
 * - level: |median(recent) − median(reference)| / (1.25 · spread(reference));
 * - spread: |ln(spread(recent) / spread(reference))|.
 * A median moves only when half a block has changed, so a level change must persist to count; the
 * trimmed spread ignores a lone spike but sees bursts that grow denser or larger, and unlike a MAD
 * it does not jump between a few values on whole-number counts.
 *
 * What makes the score comparable across series is the series' own history of each statistic at
 * that scale: a statistic scores only when it exceeds the largest value it took over the last
 * `memory` readings (and never below `minLevel` / `minSpread`), by the ratio r = value / that
 * largest value: the score is 1 − 0.7^(ln r / ln margin), 0.3 (the detector's default alarm
 * threshold) at r = `margin`, 0 for r ≤ 1. Round 3a calibrated running means against the
 * exponential tail of their recent history, where the largest entries are near-copies of one
 * excursion (a running mean is autocorrelated), so the fitted tail was thin and every new record
 * scored: records are about equally common in every series. A ratio to the maximum is not fooled
 * by autocorrelation, and needs the change to be a multiple of anything the series did before.
 *
 * Values join the history `delay` × s readings late, so a change in progress is compared with the
 * time before it; after that the change is its own reference. After a score ≥ 0.3 each scale is
 * silent while the reported change is inside its two blocks ((1 + reference) × s readings), so a
 * change is reported once, not again by each larger scale. A scale scores only once its history
 * spans `minHistory` × s readings.
 *
 * Strictly causal, state plain JSON (`state()` / `DriftScorer.restore`).
 */
import { medianInPlace, select } from './stats.ts';

export interface DriftOptions {
  /** Block lengths (readings) of the recent block, one per time scale. */
  scales: number[];
  /** The reference block is this many recent blocks long, just before the recent block. */
  reference: number;
  /** Ratio to the history's largest value at which the score reaches 0.3. */
  margin: number;
  /** Readings over which the history's largest value is taken. */
  memory: number;
  /** Statistics join the history this many × s readings late. */
  delay: number;
  /** A scale scores only once its history spans this many × s readings. */
  minHistory: number;
  /** Statistics are computed this many times per s readings (at least every reading). */
  evaluations: number;
  /** Smallest historic level statistic (in reference spreads) and spread statistic (ln of the spread ratio) a ratio is taken to. */
  minLevel: number;
  minSpread: number;
  /** Block spreads are floored at this share of the range seen so far (constant stretches). */
  floorShare: number;
  /** Share of the largest deviations left out of a block's spread. */
  trim: number;
}

export const DEFAULT_DRIFT_OPTIONS: Readonly<DriftOptions> = Object.freeze({
  scales: [12, 48, 192],
  reference: 4,
  margin: 1.7,
  memory: 4000,
  delay: 1,
  minHistory: 8,
  evaluations: 12,
  minLevel: 0.5,
  minSpread: 0.3,
  floorShare: 0.01,
  trim: 0.1,
});

/** A sliding maximum (monotone deque): reading indices and values, values decreasing. */
interface SlidingMax {
  at: number[];
  values: number[];
}

interface ScaleState {
  /** Statistics not yet in the history: reading index, level, spread. */
  pending: Array<[number, number, number]>;
  level: SlidingMax;
  spread: SlidingMax;
  /** Reading index of the first statistic that joined the history (null: none yet). */
  since: number | null;
}

export interface DriftState {
  version: 1;
  /** Readings seen. */
  n: number;
  min: number | null;
  max: number | null;
  /** The last (1 + reference) × (largest scale) readings. */
  buffer: number[];
  scales: Record<string, ScaleState>;
  /** Reading index of the last score ≥ 0.3 (null: none yet). */
  reported: number | null;
}

const ALARM_SHARE = 0.7;

function pushMax(m: SlidingMax, at: number, value: number): void {
  while (m.values.length > 0 && m.values[m.values.length - 1]! <= value) {
    m.values.pop();
    m.at.pop();
  }
  m.values.push(value);
  m.at.push(at);
}

function maxSince(m: SlidingMax, from: number): number {
  while (m.at.length > 0 && m.at[0]! < from) {
    m.at.shift();
    m.values.shift();
  }
  return m.values[0] ?? 0;
}

export class DriftScorer {
  readonly options: DriftOptions;
  private s: DriftState;
  private scratch: number[] = [];
  /** Readings kept: the reference and recent blocks of the largest scale. */
  private readonly capacity: number;

  constructor(options: Partial<DriftOptions> = {}, state?: DriftState) {
    this.options = { ...DEFAULT_DRIFT_OPTIONS, ...options };
    this.capacity = (1 + this.options.reference) * Math.max(...this.options.scales);
    this.s = state ? structuredClone(state) : { version: 1, n: 0, min: null, max: null, buffer: [], scales: {}, reported: null };
  }

  static restore(state: DriftState, options: Partial<DriftOptions> = {}): DriftScorer {
    if (state.version !== 1) throw new Error(`drift state version ${String(state.version)} is not supported`);
    return new DriftScorer(options, state);
  }

  state(): DriftState {
    return structuredClone(this.s);
  }

  /** Score in [0, 1] of this reading (the largest over scales and statistics). */
  update(value: number): number {
    const s = this.s;
    const o = this.options;
    s.min = Math.min(s.min ?? value, value);
    s.max = Math.max(s.max ?? value, value);
    s.buffer.push(value);
    if (s.buffer.length > this.capacity) s.buffer.shift();
    const n = s.n++;
    const floor = 1e-9 + 1e-6 * Math.abs(value) + o.floorShare * (s.max - s.min);
    let score = 0;
    for (const scale of o.scales) {
      const step = Math.max(1, Math.round(scale / o.evaluations));
      if ((n + 1) % step !== 0 || s.buffer.length < (1 + o.reference) * scale) continue;
      const st = (s.scales[String(scale)] ??= { pending: [], level: { at: [], values: [] }, spread: { at: [], values: [] }, since: null });
      const end = s.buffer.length;
      const recent = this.stats(end - scale, end, floor);
      const ref = this.stats(end - (1 + o.reference) * scale, end - scale, floor);
      const level = Math.abs(recent.median - ref.median) / (1.25 * ref.spread);
      const spread = Math.abs(Math.log(recent.spread / ref.spread));
      st.pending.push([n, level, spread]);
      while (st.pending.length > 0 && st.pending[0]![0] <= n - o.delay * scale) {
        const [at, l, sp] = st.pending.shift()!;
        pushMax(st.level, at, l);
        pushMax(st.spread, at, sp);
        st.since ??= at;
      }
      if (st.since === null || n - st.since < o.minHistory * scale) continue;
      // A reported change stays in this scale's blocks for (1 + reference) × s readings: it is not news there again.
      if (s.reported !== null && n - s.reported < (1 + o.reference) * scale) continue;
      const from = n - o.memory;
      score = Math.max(score,
        this.ratioScore(level / Math.max(maxSince(st.level, from), o.minLevel)),
        this.ratioScore(spread / Math.max(maxSince(st.spread, from), o.minSpread)));
    }
    if (score >= 1 - ALARM_SHARE) s.reported = n;
    return score;
  }

  /** Median and spread (trimmed mean absolute deviation from the median, floored) of buffer[from, to). */
  private stats(from: number, to: number, floor: number): { median: number; spread: number } {
    const a = this.scratch;
    const count = to - from;
    for (let i = 0; i < count; i++) a[i] = this.s.buffer[from + i]!;
    const median = medianInPlace(a, count);
    for (let i = 0; i < count; i++) a[i] = Math.abs(a[i]! - median);
    // Mean of the smallest (1 − trim) of the deviations (see the top of the file).
    const kept = Math.max(1, Math.ceil((1 - this.options.trim) * count));
    if (kept < count) select(a, kept - 1, count);
    let sum = 0;
    for (let i = 0; i < kept; i++) sum += a[i]!;
    return { median, spread: Math.max(sum / kept, floor) };
  }

  /** 0 up to the history's largest value (r ≤ 1), 0.3 at r = margin, towards 1 beyond. */
  private ratioScore(r: number): number {
    return r > 1 ? 1 - ALARM_SHARE ** (Math.log(r) / Math.log(this.options.margin)) : 0;
  }
}
