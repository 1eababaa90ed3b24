// Context novelty: a never-seen shape scores, the same shape again scores less, and it is causal
// and resumable from its JSON state (alone and inside the detector).
import { describe, expect, it } from 'vitest';
import { AnomalyDetector } from './detector.ts';
import { haar, NoveltyScorer, type NoveltyState } from './novelty.ts';
import { seededRandom as random } from '../../sim/random.ts';


const EPISODES = [2400, 3600];
const EPISODE_LENGTH = 96;

/**
 * A triangle wave (period 48 readings, between 10 and 34) with a little noise; during the two
 * episodes a fast oscillation within the same range replaces it: a new shape, not a new level.
 */
function series(n = 5000, seed = 1): number[] {
  const rnd = random(seed);
  return Array.from({ length: n }, (_, i) => {
    const phase = i % 48;
    const inEpisode = EPISODES.some((start) => i >= start && i < start + EPISODE_LENGTH);
    const value = inEpisode ? 20 + (i % 6 < 3 ? 6 : -6) : 10 + (phase < 24 ? phase : 48 - phase);
    return value + rnd() * 0.5;
  });
}

const scoresOf = (values: number[], scorer = new NoveltyScorer()) => values.map((v) => scorer.update(v));
const maxIn = (scores: number[], from: number, to: number) => Math.max(...scores.slice(from, to));

describe('NoveltyScorer', () => {
  it('scores a never-seen shape high, the same shape again lower, and the repeated pattern about 0', () => {
    const scores = scoresOf(series());
    for (const s of scores) expect(s >= 0 && s <= 1).toBe(true);
    const first = maxIn(scores, EPISODES[0]!, EPISODES[0]! + EPISODE_LENGTH + 24);
    const second = maxIn(scores, EPISODES[1]!, EPISODES[1]! + EPISODE_LENGTH + 24);
    expect(first).toBeGreaterThan(0.3);
    expect(second).toBeLessThan(first / 2);
    const outside = scores.filter((_, i) => !EPISODES.some((start) => i >= start && i < start + EPISODE_LENGTH + 24));
    expect(Math.max(...outside)).toBeLessThan(0.02);
  });

  it('gives no score before its memory is full (the learning period)', () => {
    const scores = scoresOf(series(1000));
    // 200 contexts of 3 readings each, after the first window of 8 points.
    expect(scores.slice(0, 3 * (200 + 8) - 1).every((s) => s === 0)).toBe(true);
  });

  it('is causal: scores of a prefix do not change when rows are appended', () => {
    const values = series();
    const prefix = scoresOf(values.slice(0, 2450));
    const whole = scoresOf(values);
    expect(whole.slice(0, 2450)).toEqual(prefix);
    // Rows after the prefix that differ (a level far outside the range) leave the prefix unchanged too.
    const other = scoresOf([...values.slice(0, 2450), ...Array.from({ length: 500 }, () => 500)]);
    expect(other.slice(0, 2450)).toEqual(prefix);
  });

  it('restores from its JSON state and continues exactly as without the break', () => {
    const values = series();
    const whole = scoresOf(values);
    const first = new NoveltyScorer();
    scoresOf(values.slice(0, 2000), first);
    const saved = JSON.parse(JSON.stringify(first.state())) as NoveltyState;
    expect(scoresOf(values.slice(2000), NoveltyScorer.restore(saved))).toEqual(whole.slice(2000));
    expect(() => NoveltyScorer.restore({ ...saved, version: 2 } as unknown as NoveltyState)).toThrow(/version/);
  });

  it('scores 0 on a constant series and on one that only alternates between two values', () => {
    expect(scoresOf(Array.from({ length: 3000 }, () => 7)).every((s) => s === 0)).toBe(true);
    const alternating = scoresOf(Array.from({ length: 3000 }, (_, i) => (i % 2 === 0 ? 0 : 1)));
    expect(alternating.every((s) => Number.isFinite(s) && s === 0)).toBe(true);
  });

  it('keeps at most maxCategories categories', () => {
    const scorer = new NoveltyScorer({ maxCategories: 5 });
    scoresOf(series(), scorer);
    expect(scorer.state().categories.length).toBe(5);
  });

  it('computes the orthonormal Haar transform', () => {
    const c = haar([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(c[0]).toBeCloseTo(Math.sqrt(8));
    expect(c.slice(1).every((x) => Math.abs(x) < 1e-12)).toBe(true);
    // A step between the halves is all in the coarsest detail; the energy (sum of squares) is kept.
    const step = haar([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(step[0]).toBeCloseTo(Math.SQRT2);
    expect(step[1]).toBeCloseTo(-Math.SQRT2);
    expect(step.slice(2).every((x) => Math.abs(x) < 1e-12)).toBe(true);
  });
});

describe('AnomalyDetector with novelty', () => {
  const T0 = Date.UTC(2024, 0, 1);
  const at = (i: number) => T0 + i * 5 * 60_000;

  it('joins the novelty score (the detector alone misses the new shape within the range)', () => {
    const values = series();
    const plain = new AnomalyDetector();
    const withNovelty = new AnomalyDetector({ novelty: {} });
    const plainScores = values.map((v, i) => plain.update(at(i), v).score);
    const scores = values.map((v, i) => withNovelty.update(at(i), v).score);
    const from = EPISODES[0]!;
    const to = from + EPISODE_LENGTH + 24;
    expect(maxIn(scores, from, to)).toBeGreaterThan(0.3);
    expect(maxIn(scores, from, to)).toBeGreaterThan(maxIn(plainScores, from, to));
  });

  it('restores with the novelty state from JSON and continues exactly', () => {
    const values = series();
    const whole = new AnomalyDetector({ novelty: {} });
    const wholeScores = values.map((v, i) => whole.update(at(i), v).score);
    const first = new AnomalyDetector({ novelty: {} });
    values.slice(0, 2000).forEach((v, i) => first.update(at(i), v));
    const saved = JSON.parse(JSON.stringify(first.state()));
    expect(saved.novelty.categories.length).toBeGreaterThan(0);
    const resumed = AnomalyDetector.restore(saved, { novelty: {} });
    const rest = values.slice(2000).map((v, i) => resumed.update(at(2000 + i), v).score);
    expect(rest).toEqual(wholeScores.slice(2000));
  });
});
