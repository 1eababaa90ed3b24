/**
 * Context novelty: how new the recent shape of a series is, after the two best published NAB
 * detectors (ARTime: fuzzy-ART categories over windows of downsampled values and their Haar
 * wavelet coefficients; CAD OSE: contexts learned online, scored by how many are new). Written
 * for Lifeline from their descriptions; strictly causal and with no knowledge of the file.
 *
 * Every `step` readings make one downsampled point: the block's extreme farthest from a moving
 * average (so a one-reading spike survives downsampling), snapped to one of `levels` levels of the
 * range seen so far and to the running median when within `chomp` of that range (noise around the
 * usual level becomes flat, not a new shape). The last `window` points form a context:
 * - shape: the window min-max normalised, its Haar wavelet coefficients min-max normalised;
 * - level: the window's points normalised by the range seen so far.
 * Levels are stored in the series' own units and normalised when compared, so a range that widens
 * later needs no re-learning: earlier contexts are read against the new range, as if it had been
 * known from the start.
 *
 * Contexts are learned as fuzzy-ART categories (hyper-boxes, fast learning). The similarity of a
 * context to a category is ((D − expanded box size) / (D − box size))³, D the number of features,
 * times the same ratio for the last level alone squared (a jump to an unusual level counts even
 * when the shape is common). A context joins (widens) its most similar category when the
 * similarity reaches the mean similarity so far (at most `rhoHigh`); otherwise it makes a new one.
 *
 * The score: a context is novel when it is less similar to every category than each of the last
 * `memory` contexts was to its best one (a record within that memory, so what counts as new adapts
 * to each series; no score until the memory is full, which is the learning period). Within
 * `window` points after a novel context nothing is reported (a new regime stays novel for a while;
 * its first context is the report). A reported context scores 1 − similarity / record, in (0, 1];
 * every other reading scores 0.
 */
export interface NoveltyOptions {
  /** Readings per downsampled point. */
  step: number;
  /** Downsampled points per context. */
  window: number;
  /** Quantisation levels over the range seen so far. */
  levels: number;
  /** Snap to the running median when within this fraction of the range. */
  chomp: number;
  /**
   * Cap on the join vigilance: a context joins (widens) its best category when the similarity
   * reaches the mean similarity so far or this, whichever is lower.
   */
  rhoHigh: number;
  /** Downsampled points remembered for the record rule. */
  memory: number;
  /** Categories kept (least recently matched dropped), so a live state stays bounded. */
  maxCategories: number;
}

export const DEFAULT_NOVELTY_OPTIONS: Readonly<NoveltyOptions> = Object.freeze({
  step: 3,
  window: 8,
  levels: 80,
  chomp: 0.075,
  rhoHigh: 0.97,
  memory: 200,
  maxCategories: 500,
});

/** A learned context: lower and upper corners of its box; level features in the series' units. */
interface Category {
  shapeLo: number[];
  shapeHi: number[];
  levelLo: number[];
  levelHi: number[];
  /** Downsampled point at which it was last matched or made. */
  used: number;
}

export interface NoveltyState {
  version: 1;
  /** Downsampled points made. */
  points: number;
  min: number | null;
  max: number | null;
  /** Readings of the block being downsampled. */
  block: number[];
  movingAverage: number | null;
  /** Recent downsampled points (series units), last `memory` of them for the median. */
  recentPoints: number[];
  /** The last `window` snapped points. */
  context: number[];
  categories: Category[];
  /** Best similarity of the last `memory` contexts. */
  similarities: number[];
  /** Mean best similarity of all contexts so far (the join vigilance). */
  meanSimilarity: number;
  /** Downsampled point of the last context less familiar than the record (null: none yet). */
  lastNovel: number | null;
}

function minMax(xs: number[]): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of xs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const span = hi - lo;
  return xs.map((x) => (span > 0 ? (x - lo) / span : 0));
}

/**
 * Fuzzy-ART match of a box widened to hold the input: (room left after widening) / (room left
 * before); 1 when the input is inside, and 1 for a box that already spans everything.
 */
function containment(after: number, before: number): number {
  return before > 0 ? Math.max(0, after) / before : 1;
}

/** Full Haar wavelet decomposition of a series whose length is a power of two (orthonormal). */
export function haar(xs: number[]): number[] {
  const out = [...xs];
  for (let len = xs.length; len > 1; len >>= 1) {
    const half = len >> 1;
    const tmp = out.slice(0, len);
    for (let i = 0; i < half; i++) {
      out[i] = (tmp[2 * i]! + tmp[2 * i + 1]!) / Math.SQRT2;
      out[half + i] = (tmp[2 * i]! - tmp[2 * i + 1]!) / Math.SQRT2;
    }
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export class NoveltyScorer {
  readonly options: NoveltyOptions;
  private s: NoveltyState;

  constructor(options: Partial<NoveltyOptions> = {}, state?: NoveltyState) {
    this.options = { ...DEFAULT_NOVELTY_OPTIONS, ...options };
    if ((this.options.window & (this.options.window - 1)) !== 0) throw new Error('novelty: window must be a power of two');
    this.s = state
      ? structuredClone(state)
      : { version: 1, points: 0, min: null, max: null, block: [], movingAverage: null, recentPoints: [], context: [], categories: [], similarities: [], meanSimilarity: 0, lastNovel: null };
  }

  static restore(state: NoveltyState, options: Partial<NoveltyOptions> = {}): NoveltyScorer {
    if (state.version !== 1) throw new Error(`novelty state version ${String(state.version)} is not supported`);
    return new NoveltyScorer(options, state);
  }

  state(): NoveltyState {
    return structuredClone(this.s);
  }

  /** Score in [0, 1] of this reading: non-zero only at the last reading of a block whose context is reported. */
  update(value: number): number {
    const s = this.s;
    const o = this.options;
    s.min = Math.min(s.min ?? value, value);
    s.max = Math.max(s.max ?? value, value);
    s.block.push(value);
    if (s.block.length < o.step) return 0;
    this.downsample();
    s.block = [];
    if (s.context.length < o.window) return 0;
    return this.learn();
  }

  /** Closes the block: one snapped point, pushed into the context. */
  private downsample(): void {
    const s = this.s;
    const o = this.options;
    const range = s.max! - s.min!;
    let sum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of s.block) {
      sum += x;
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    const mean = sum / s.block.length;
    s.movingAverage = s.movingAverage === null ? mean : (s.movingAverage + mean) / 2;
    let point = Math.abs(hi - s.movingAverage) >= Math.abs(lo - s.movingAverage) ? hi : lo;
    if (Math.abs(point - mean) < o.chomp * range) point = mean;
    if (range > 0) point = s.min! + (Math.round(((point - s.min!) / range) * o.levels) / o.levels) * range;
    s.recentPoints.push(point);
    if (s.recentPoints.length > o.memory) s.recentPoints.shift();
    const usual = median(s.recentPoints);
    if (Math.abs(point - usual) < o.chomp * range) point = usual;
    s.context.push(point);
    if (s.context.length > o.window) s.context.shift();
    s.points++;
  }

  /** Matches the current context against the categories, learns it, and scores it. */
  private learn(): number {
    const s = this.s;
    const o = this.options;
    const range = s.max! - s.min! || 1;
    const shape = minMax(haar(minMax(s.context)));
    const level = s.context.map((x) => (x - s.min!) / range);
    const dims = shape.length + level.length;
    let best = 0;
    let bestCategory: Category | null = null;
    for (const c of s.categories) {
      let size = 0;
      let expanded = 0;
      for (let i = 0; i < shape.length; i++) {
        size += c.shapeHi[i]! - c.shapeLo[i]!;
        expanded += Math.max(c.shapeHi[i]!, shape[i]!) - Math.min(c.shapeLo[i]!, shape[i]!);
      }
      let lastSize = 0;
      let lastExpanded = 0;
      for (let i = 0; i < level.length; i++) {
        const lo = (c.levelLo[i]! - s.min!) / range;
        const hi = (c.levelHi[i]! - s.min!) / range;
        const w = hi - lo;
        const e = Math.max(hi, level[i]!) - Math.min(lo, level[i]!);
        size += w;
        expanded += e;
        if (i === level.length - 1) {
          lastSize = w;
          lastExpanded = e;
        }
      }
      const similarity = containment(dims - expanded, dims - size) ** 3 * containment(1 - lastExpanded, 1 - lastSize) ** 2;
      if (similarity > best) {
        best = similarity;
        bestCategory = c;
      }
    }
    // The record is only judged against a full memory, which is also the learning period.
    const full = s.similarities.length >= o.memory;
    const record = full ? Math.min(...s.similarities) : 1;
    s.meanSimilarity += (best - s.meanSimilarity) / (s.points - o.window + 1);
    const isNew = bestCategory === null || best < Math.min(o.rhoHigh, s.meanSimilarity);
    if (isNew) {
      s.categories.push({ shapeLo: shape, shapeHi: [...shape], levelLo: [...s.context], levelHi: [...s.context], used: s.points });
      if (s.categories.length > o.maxCategories) {
        let oldest = 0;
        for (let i = 1; i < s.categories.length; i++) if (s.categories[i]!.used < s.categories[oldest]!.used) oldest = i;
        s.categories.splice(oldest, 1);
      }
    } else {
      const c = bestCategory!;
      for (let i = 0; i < shape.length; i++) {
        c.shapeLo[i] = Math.min(c.shapeLo[i]!, shape[i]!);
        c.shapeHi[i] = Math.max(c.shapeHi[i]!, shape[i]!);
      }
      for (let i = 0; i < level.length; i++) {
        c.levelLo[i] = Math.min(c.levelLo[i]!, s.context[i]!);
        c.levelHi[i] = Math.max(c.levelHi[i]!, s.context[i]!);
      }
      c.used = s.points;
    }
    const novel = full && best < record;
    const quiet = s.lastNovel !== null && s.points - s.lastNovel <= o.window;
    if (novel) s.lastNovel = s.points;
    s.similarities.push(best);
    if (s.similarities.length > o.memory) s.similarities.shift();
    if (!novel || quiet) return 0;
    return 1 - best / record;
  }
}
