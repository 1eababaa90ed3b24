/**
 * Contextual transitions: the share of what the recent context foresaw that did not come true at
 * this reading. The idea is the one behind CAD OSE (Contextual Anomaly Detector, open source
 * edition, on NAB's scoreboard): quantise the readings, describe the present as a set of facts,
 * learn which facts follow which, and report when what happens was not foreseen. Written for
 * Lifeline from that description (no code taken); strictly causal and with no knowledge of the file.
 *
 * - **Quantisation**: each reading becomes a bin. `scale: 'learned'` (default): bins of a fixed
 *   width, a `bins`-th of the range of the first `learning` readings, counted from that range's
 *   minimum; a reading outside it falls in a bin outside 0 … bins − 1 (down to −bins, up to
 *   2·bins), so a level never seen makes a bin never seen, and bins never move once learned.
 *   `scale: 'running'`: `bins` bins over the range of the readings before this one (what was
 *   learned under a narrower range is read in the wider one's bins).
 * - **Facts** of a reading: its bin, and the contexts active at the previous reading.
 * - **Contexts**: a context is a transition "fact g at the previous reading, then bin b now". Its
 *   id is itself a fact of the next reading, so a context of a context is a longer sequence (the
 *   first level a bin pair, the next a bin triple, …: a variable-order Markov chain of bins, up to
 *   `order` readings before the present one). A transition seen for the first time is learned; it
 *   becomes active (a fact) from its second occurrence on, so pure noise does not grow ever longer
 *   chains of one-off sequences.
 * - **Score**: among the previous reading's facts followed at least `minSupport` times before
 *   (facts that had a chance to learn what follows them), the share whose transition to the
 *   present bin is new: 1 = nothing foresaw what happened. If the bin pair itself is new, every
 *   longer context is too, so 1 means a transition between bins never seen. No score for the first
 *   `learning` readings; after a score of at least `restAt`, `rest` readings score 0 (a new regime
 *   stays new for a while; its first reading is the report).
 * - **Memory**: at most `maxContexts` contexts are kept (least recently seen dropped), so a live
 *   state stays bounded.
 */
export interface ContextOptions {
  /** Quantisation levels over the range (see `scale`). */
  bins: number;
  /** `learned`: fixed-width bins from the first `learning` readings; `running`: over the range so far. */
  scale: 'learned' | 'running';
  /** Readings before any score (in `learned` scale also the readings that set the bin width). */
  learning: number;
  /** Longest context, in readings before the present one (1: bin pairs only). */
  order: number;
  /** A fact counts in the score once it has been followed this many times. */
  minSupport: number;
  /** After a score ≥ `restAt`, this many readings score 0 (0: no rest). */
  rest: number;
  restAt: number;
  /** Contexts kept (least recently seen dropped). */
  maxContexts: number;
}

/** Chosen on the NAB tuning half and folds (docs/detection.md, round 5a). */
export const DEFAULT_CONTEXT_OPTIONS: Readonly<ContextOptions> = Object.freeze({
  bins: 6,
  scale: 'learned',
  learning: 300,
  order: 1,
  minSupport: 2,
  rest: 200,
  restAt: 0.5,
  maxContexts: 4000,
});

/**
 * A learned context, as a tuple so the state stays compact: left fact, right bin fact, id, times
 * seen, reading at which it was last seen, depth (1 = a bin pair).
 */
export type ContextEntry = [left: number, right: number, id: number, count: number, last: number, depth: number];

export interface ContextState {
  version: 1;
  /** Readings seen. */
  n: number;
  /** Range of the readings so far (`running`) or of the learning readings (`learned`). */
  min: number | null;
  max: number | null;
  /** Bin width (`learned`; null until the learning readings are in). */
  width: number | null;
  /** Learning readings kept until the width is known (`learned`), then learned and dropped. */
  buffer: number[];
  /** Facts of the previous reading. */
  facts: number[];
  contexts: ContextEntry[];
  /** Times each fact was followed by a reading: [fact, count]. */
  support: Array<[number, number]>;
  nextId: number;
  /** Readings up to this count score 0 (rest after a high score). */
  restUntil: number;
}

interface Context {
  left: number;
  right: number;
  id: number;
  count: number;
  last: number;
  depth: number;
}

/** Facts are numbers: bin k is 2k (k may be negative), context id c is 2c + 1. */
const binFact = (bin: number) => 2 * bin;
const contextFact = (id: number) => 2 * id + 1;
const keyOf = (left: number, right: number) => `${left}:${right}`;

export class ContextScorer {
  readonly options: ContextOptions;
  private n = 0;
  private min: number | null = null;
  private max: number | null = null;
  private width: number | null = null;
  private buffer: number[] = [];
  private facts: number[] = [];
  private readonly contexts = new Map<string, Context>();
  /** Contexts by their fact (the depth of a context built on a context). */
  private readonly byFact = new Map<number, Context>();
  private readonly support = new Map<number, number>();
  private nextId = 0;
  private restUntil = 0;

  constructor(options: Partial<ContextOptions> = {}, state?: ContextState) {
    this.options = { ...DEFAULT_CONTEXT_OPTIONS, ...options };
    if (!state) return;
    if (state.version !== 1) throw new Error(`context state version ${String(state.version)} is not supported`);
    this.n = state.n;
    this.min = state.min;
    this.max = state.max;
    this.width = state.width;
    this.buffer = [...state.buffer];
    this.facts = [...state.facts];
    for (const [left, right, id, count, last, depth] of state.contexts) this.add({ left, right, id, count, last, depth });
    for (const [fact, count] of state.support) this.support.set(fact, count);
    this.nextId = state.nextId;
    this.restUntil = state.restUntil;
  }

  static restore(state: ContextState, options: Partial<ContextOptions> = {}): ContextScorer {
    return new ContextScorer(options, state);
  }

  /** A copy of the state (plain JSON). */
  state(): ContextState {
    return {
      version: 1, n: this.n, min: this.min, max: this.max, width: this.width, buffer: [...this.buffer], facts: [...this.facts],
      contexts: [...this.contexts.values()].map((c) => [c.left, c.right, c.id, c.count, c.last, c.depth]),
      support: [...this.support.entries()], nextId: this.nextId, restUntil: this.restUntil,
    };
  }

  /** Number of contexts learned and kept. */
  get size(): number {
    return this.contexts.size;
  }

  private add(c: Context): void {
    this.contexts.set(keyOf(c.left, c.right), c);
    this.byFact.set(contextFact(c.id), c);
  }

  /** Score of the reading in [0, 1]; then the reading is learned. */
  update(value: number): number {
    if (!Number.isFinite(value)) throw new Error('context scorer: value must be finite');
    const o = this.options;
    this.n++;
    if (o.scale === 'running') {
      const bin = this.binOf(value);
      this.min = Math.min(this.min ?? value, value);
      this.max = Math.max(this.max ?? value, value);
      return this.step(bin, this.n > o.learning);
    }
    if (this.width !== null) return this.step(this.binOf(value), this.n > o.learning);
    this.buffer.push(value);
    this.min = Math.min(this.min ?? value, value);
    this.max = Math.max(this.max ?? value, value);
    if (this.buffer.length < o.learning) return 0;
    // The bin width is known: learn the buffered readings with it (unscored, as during learning).
    this.width = Math.max((this.max - this.min) / o.bins, 1e-9 + 1e-6 * Math.max(Math.abs(this.min), Math.abs(this.max)));
    const buffered = this.buffer;
    this.buffer = [];
    for (const v of buffered) this.step(this.binOf(v), false);
    return 0;
  }

  private binOf(value: number): number {
    const o = this.options;
    if (this.min === null || this.max === null) return 0;
    if (o.scale === 'learned') return Math.min(Math.max(Math.floor((value - this.min) / this.width!), -o.bins), 2 * o.bins);
    const range = this.max - this.min;
    if (range <= 0) return value === this.min ? 0 : value > this.min ? o.bins : -1;
    // Inside the range: 0 … bins − 1 (the maximum itself in the top bin); beyond it, bins outside.
    const bin = Math.floor((o.bins * (value - this.min)) / range);
    return value <= this.max ? Math.min(bin, o.bins - 1) : Math.max(bin, o.bins);
  }

  /** Scores (when `scored`) and learns the transitions from the previous facts to this bin. */
  private step(bin: number, scored: boolean): number {
    const o = this.options;
    const right = binFact(bin);
    let reliable = 0;
    let novel = 0;
    const active: number[] = [];
    for (const left of this.facts) {
      const known = this.contexts.get(keyOf(left, right));
      const support = this.support.get(left) ?? 0;
      if (support >= o.minSupport) {
        reliable++;
        if (!known) novel++;
      }
      this.support.set(left, support + 1);
      if (known) {
        known.count++;
        known.last = this.n;
        // One context per depth at most (each extends the one below it), so the chain is the facts.
        if (known.depth < o.order) active.push(contextFact(known.id));
      } else {
        this.add({ left, right, id: this.nextId++, count: 1, last: this.n, depth: (this.byFact.get(left)?.depth ?? 0) + 1 });
      }
    }
    this.facts = [right, ...active];
    if (this.contexts.size > o.maxContexts) this.forget();

    let score = scored && reliable > 0 ? novel / reliable : 0;
    if (this.n <= this.restUntil) score = 0;
    if (o.rest > 0 && score >= o.restAt) this.restUntil = this.n + o.rest;
    return score;
  }

  /** Drops the least recently seen tenth of the contexts (and what refers to them as a fact). */
  private forget(): void {
    const all = [...this.contexts.values()].sort((a, b) => a.last - b.last);
    for (const c of all.slice(0, this.contexts.size - Math.floor(0.9 * this.options.maxContexts))) {
      this.contexts.delete(keyOf(c.left, c.right));
      this.byFact.delete(contextFact(c.id));
      this.support.delete(contextFact(c.id));
    }
    this.facts = this.facts.filter((f) => f % 2 === 0 || this.byFact.has(f));
  }
}
