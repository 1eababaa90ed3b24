// NAB scoring on hand-made label windows whose scores follow from the published definition.
import { describe, expect, it } from 'vitest';
import { optimiseThreshold, PROFILES, probationLength, scaledSigmoid, scoreCorpus, scoreFile, sweep, type ScoredFile } from '../../bench/nab/score.ts';

const sig = (x: number) => 2 / (1 + Math.exp(5 * x)) - 1;

/** 200 rows (probation: the first 30), one window at rows 100…119 (width 20). */
function file(detections: number[], name = 'a.csv', rows = 200, windows: Array<[number, number]> = [[100, 119]]): ScoredFile {
  const scores = new Array<number>(rows).fill(0);
  for (const i of detections) scores[i] = 1;
  return { name, scores, windows };
}

describe('NAB scoring', () => {
  it('uses the scaled sigmoid and probation of NAB', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.84828, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(scaledSigmoid(3)).toBe(-1);
    expect(probationLength(200)).toBe(30);
    expect(probationLength(4032)).toBe(604);
    expect(probationLength(22695)).toBe(750);
  });

  it('scores null 0 and perfect 100 in every profile', () => {
    for (const name of Object.keys(PROFILES) as Array<keyof typeof PROFILES>) {
      expect(scoreCorpus([file([])], name).normalised).toBe(0);
      expect(scoreCorpus([file([100])], name).normalised).toBeCloseTo(100, 10);
    }
  });

  it('rewards only the earliest detection in a window, by its position', () => {
    const st = PROFILES.standard;
    expect(scoreFile(file([100]), st, 0.5).score).toBeCloseTo(1, 12);
    // Row 110: position −(119 − 110 + 1)/20 = −0.5.
    expect(scoreFile(file([110]), st, 0.5).score).toBeCloseTo(sig(-0.5) / sig(-1), 12);
    expect(scoreFile(file([110, 105, 118]), st, 0.5).score).toBeCloseTo(sig(-0.75) / sig(-1), 12);
    // The last row of the window: position −1/20.
    expect(scoreFile(file([119]), st, 0.5).score).toBeCloseTo(sig(-0.05) / sig(-1), 12);
    const r = scoreFile(file([110, 105]), st, 0.5);
    expect([r.detected, r.windows, r.tp, r.fp]).toEqual([1, 1, 2, 0]);
  });

  it('charges false positives by profile and distance from the previous window', () => {
    // Before any window: −fpWeight; a missed window: −fnWeight.
    expect(scoreFile(file([50]), PROFILES.standard, 0.5).score).toBeCloseTo(-0.11 - 1, 12);
    expect(scoreFile(file([50]), PROFILES.reward_low_FP_rate, 0.5).score).toBeCloseTo(-0.22 - 1, 12);
    expect(scoreFile(file([50]), PROFILES.reward_low_FN_rate, 0.5).score).toBeCloseTo(-0.11 - 2, 12);
    // After the window: position (129 − 119)/(20 − 1).
    expect(scoreFile(file([100, 129]), PROFILES.standard, 0.5).score).toBeCloseTo(1 + 0.11 * sig(10 / 19), 12);
    // Far behind it (position ≥ 3): the full −fpWeight.
    expect(scoreFile(file([100, 190]), PROFILES.standard, 0.5).score).toBeCloseTo(1 - 0.11, 12);
    // Normalised: (0.89 − (−1)) / (1 − (−1)).
    expect(scoreCorpus([file([100, 190])], 'standard', 0.5).normalised).toBeCloseTo(94.5, 10);
  });

  it('ignores the probationary period, including windows inside it', () => {
    expect(scoreFile(file([10]), PROFILES.standard, 0.5).score).toBeCloseTo(-1, 12);
    const early = file([], 'b.csv', 200, [[5, 10], [100, 119]]);
    expect(scoreFile(early, PROFILES.standard, 0.5).windows).toBe(1);
    expect(scoreCorpus([early], 'standard').null).toBe(-1);
  });

  it('optimises one threshold over the corpus', () => {
    const a: ScoredFile = { name: 'a', scores: new Array<number>(200).fill(0.1), windows: [[100, 119]] };
    const b: ScoredFile = { name: 'b', scores: new Array<number>(200).fill(0.1), windows: [[150, 159]] };
    (a.scores as number[])[100] = 0.9; // a true hit at the window's start
    (a.scores as number[])[60] = 0.7; // a false positive
    (b.scores as number[])[155] = 0.6; // a late hit in b's window
    const curve = sweep([a, b], PROFILES.standard);
    expect(curve.map((t) => t.threshold)).toEqual([Infinity, 0.9, 0.7, 0.6, 0.1]);
    const hitB = sig(-(159 - 155 + 1) / 10) / sig(-1);
    expect(curve[3]!.score).toBeCloseTo(1 - 0.11 + hitB, 12);
    const best = optimiseThreshold([a, b], PROFILES.standard);
    expect(best.threshold).toBe(0.6);
    expect(scoreCorpus([a, b], 'standard').raw).toBeCloseTo(best.score, 12);
    // With fpWeight 0.22, taking b's late hit is still worth the false positive.
    expect(optimiseThreshold([a, b], PROFILES.reward_low_FP_rate).threshold).toBe(0.6);
  });
});
