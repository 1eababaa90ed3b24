// The tuning procedure chooses on one part and reports on the other, both ways.
import { describe, expect, it } from 'vitest';
import type { NabFile } from '../../bench/nab/corpus.ts';
import { crossValidate, foldsOf, tuneBothWays } from '../../bench/nab/tune.ts';

const T0 = Date.UTC(2024, 0, 1);

/** 1,000 five-minute readings of a flat noisy level with a jump at `at`, labelled by a window around it. */
function file(name: string, at: number, seed: number): NabFile {
  let a = seed;
  const rnd = () => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return a / 2147483648;
  };
  const points = Array.from({ length: 1000 }, (_, i) => ({ line: i + 2, raw: String(i), ts: T0 + i * 300_000, value: 10 + rnd() + (i >= at ? 50 : 0) }));
  return { name: `synthetic/${name}`, category: 'synthetic', points, windows: [[at - 20, at + 20]] };
}

describe('NAB tuning procedure', () => {
  it('chooses the candidate that detects on each part and reports it on the other', () => {
    const tune = [file('a.csv', 700, 1)];
    const holdout = [file('b.csv', 800, 2)];
    // The second candidate is still learning when the jump comes: it detects nothing.
    const candidates = [{ learning: 2000 }, { learning: 300 }];
    const { onTune, onHoldout } = tuneBothWays(tune, holdout, candidates);
    expect(onTune.options).toEqual({ learning: 300 });
    expect(onHoldout.options).toEqual({ learning: 300 });
    expect(onTune.candidates[0]).toBe(0);
    expect(onTune.candidates[1]).toBeGreaterThan(50);
    // Reported on the other part: the jump is found there too, at the part's own threshold and at the fitted one.
    expect(onTune.evaluated.standard.windowsDetected).toBe(1);
    expect(onTune.evaluatedAtFitThresholds.standard.windowsDetected).toBe(1);
    expect(onHoldout.evaluated.standard.score).toBeGreaterThan(50);
  });

  it('cross-validates over folds fixed by name order (i-th file to fold i mod k)', () => {
    const files = ['e', 'c', 'a', 'd', 'b'].map((n, i) => file(`${n}.csv`, 600 + 50 * i, i + 1));
    expect(foldsOf(files, 2).map((f) => f.map((x) => x.name))).toEqual([
      ['synthetic/a.csv', 'synthetic/c.csv', 'synthetic/e.csv'],
      ['synthetic/b.csv', 'synthetic/d.csv'],
    ]);
    const cv = crossValidate(files.slice(0, 2), [{ learning: 2000 }, { learning: 300 }], 2);
    // Each fold chooses, on the other, the candidate that detects, and finds its own jump with it.
    expect(cv.folds.map((f) => f.chosen)).toEqual([1, 1]);
    expect(cv.folds.map((f) => f.evaluated.standard.windowsDetected)).toEqual([1, 1]);
    expect(cv.mean.standard).toBeGreaterThan(50);
  });
});
