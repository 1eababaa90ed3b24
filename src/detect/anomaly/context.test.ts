// Contextual transitions: hand-made series whose right answer is known (a repeating pattern, then a
// transition between levels never seen, or a known pair in a sequence never seen), causal and
// resumable from its JSON state (alone and inside the detector).
import { describe, expect, it } from 'vitest';
import { ContextScorer, type ContextState } from './context.ts';
import { AnomalyDetector } from './detector.ts';

/** A staircase 0, 10, … 50, … 10 (period 10), with the reading at `jump` set from 40 to 50: 10 → 50 is a transition never seen. */
const PATTERN = [0, 10, 20, 30, 40, 50, 40, 30, 20, 10];
function staircase(n: number, jumps: number[] = []): number[] {
  return Array.from({ length: n }, (_, i) => (jumps.includes(i) ? 50 : PATTERN[i % 10]!));
}
const JUMP = 701; // i % 10 = 1: the reading after 0 is normally 10; 0 → 50 was never seen.

const scoresOf = (values: number[], scorer = new ContextScorer()) => values.map((v) => scorer.update(v));

describe('ContextScorer', () => {
  it('scores a transition never seen 1 and the learned pattern 0', () => {
    const scores = scoresOf(staircase(1500, [JUMP]));
    expect(scores[JUMP]).toBe(1);
    expect(scores.filter((_, i) => i !== JUMP).every((s) => s === 0)).toBe(true);
  });

  it('scores the same new transition again 0 once learned, after the rest period', () => {
    const scorer = new ContextScorer({ rest: 0 });
    const scores = scoresOf(staircase(1500, [JUMP, JUMP + 100, JUMP + 200]), scorer);
    expect(scores[JUMP]).toBe(1);
    // The second time 0 → 50 is known but the chain after it (50 → 20) is new; the third time both are known.
    expect(Math.max(...scores.slice(JUMP + 200))).toBe(0);
  });

  it('with longer contexts, finds a sequence never seen whose bin pairs are all known', () => {
    // 0 1 2 1 0 1 2 1 …: the pairs 0→1, 1→2, 2→1, 1→0. At `odd`, 0 1 0 replaces 0 1 2: the pair 1 → 0 is
    // known, the triple 0 1 0 is not.
    const odd = 802;
    const values = Array.from({ length: 1200 }, (_, i) => (i === odd ? 0 : [0, 10, 20, 10][i % 4]!));
    expect(values.slice(odd - 2, odd + 1)).toEqual([0, 10, 0]);
    const pairs = scoresOf(values, new ContextScorer({ order: 1 }));
    const chains = scoresOf(values, new ContextScorer({ order: 4 }));
    expect(pairs[odd]).toBe(0);
    expect(chains[odd]).toBeGreaterThan(0.3);
    expect(chains.slice(0, odd).every((s) => s === 0)).toBe(true);
  });

  it('gives no score while learning, and none on a constant series', () => {
    expect(scoresOf(staircase(300, [150])).every((s) => s === 0)).toBe(true);
    expect(scoresOf(Array.from({ length: 2000 }, () => 7)).every((s) => s === 0)).toBe(true);
  });

  it('is causal: scores of a prefix do not change when rows are appended', () => {
    for (const options of [{}, { order: 8 }, { scale: 'running' as const }]) {
      const values = staircase(2000, [JUMP, 1300]);
      const prefix = scoresOf(values.slice(0, 1000), new ContextScorer(options));
      expect(scoresOf(values, new ContextScorer(options)).slice(0, 1000)).toEqual(prefix);
      const wild = [...values.slice(0, 1000), ...Array.from({ length: 500 }, (_, i) => 1e6 * (i % 7))];
      expect(scoresOf(wild, new ContextScorer(options)).slice(0, 1000)).toEqual(prefix);
    }
  });

  it('restores from its JSON state and continues exactly as without the break', () => {
    for (const options of [{}, { order: 8 }]) {
      const values = staircase(2000, [JUMP, 1300, 1301]);
      const whole = scoresOf(values, new ContextScorer(options));
      for (const cut of [150, 1000, 1300]) {
        const first = new ContextScorer(options);
        scoresOf(values.slice(0, cut), first);
        const saved = JSON.parse(JSON.stringify(first.state())) as ContextState;
        expect(scoresOf(values.slice(cut), ContextScorer.restore(saved, options))).toEqual(whole.slice(cut));
      }
    }
    expect(() => ContextScorer.restore({ ...new ContextScorer().state(), version: 2 } as unknown as ContextState)).toThrow(/version/);
  });

  it('keeps at most maxContexts contexts', () => {
    let x = 1;
    const noise = Array.from({ length: 3000 }, () => ((x = (x * 48271) % 2147483647) % 1000) / 10);
    const scorer = new ContextScorer({ order: 16, maxContexts: 50 });
    scoresOf(noise, scorer);
    expect(scorer.size).toBeLessThanOrEqual(50);
  });
});

describe('AnomalyDetector with contextual transitions', () => {
  const T0 = Date.UTC(2024, 0, 1);
  const at = (i: number) => T0 + i * 5 * 60_000;

  it('joins the context score by max before the one-report-per-episode rule', () => {
    const values = staircase(1500, [JUMP]);
    const detector = new AnomalyDetector({ context: {} });
    const scores = values.map((v, i) => detector.update(at(i), v).score);
    expect(scores[JUMP]).toBe(1);
    // The rest of the pattern stays quiet (the default detector's own scores stay below the threshold).
    expect(scores.filter((s, i) => i !== JUMP && s >= detector.options.threshold)).toEqual([]);
  });

  it('restores with the context state from JSON and continues exactly', () => {
    const values = staircase(2000, [JUMP, 1300]);
    const whole = new AnomalyDetector({ context: {} });
    const wholeScores = values.map((v, i) => whole.update(at(i), v).score);
    const first = new AnomalyDetector({ context: {} });
    values.slice(0, 1000).forEach((v, i) => first.update(at(i), v));
    const saved = JSON.parse(JSON.stringify(first.state()));
    expect(saved.context.contexts.length).toBeGreaterThan(0);
    const resumed = AnomalyDetector.restore(saved, { context: {} });
    expect(values.slice(1000).map((v, i) => resumed.update(at(1000 + i), v).score)).toEqual(wholeScores.slice(1000));
  });
});
