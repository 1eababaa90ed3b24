// The synthetic corpus: same seed, same files; windows as NAB labels them (10 % of the length
// shared by the anomalies, around each onset, in order, inside the file); loadable by the bench.
import { afterAll, describe, expect, it } from 'vitest';
import { loadNab } from '../../bench/nab/corpus.ts';
import { parseRowRange, syntheticFile, writeSyntheticCorpus } from '../../bench/nab/synthetic.ts';
import { tempDir } from '../support/tmp.ts';

describe('synthetic NAB corpus', () => {
  const out = tempDir('nab-synthetic');
  afterAll(() => out.remove());

  it('is deterministic for a seed and differs between seeds', () => {
    expect(syntheticFile(3, 7)).toEqual(syntheticFile(3, 7));
    expect(syntheticFile(4, 7).rows).not.toEqual(syntheticFile(3, 7).rows);
  });

  it('labels one window per anomaly, centred on its onset, 10 % of the file in all', () => {
    for (let i = 0; i < 20; i++) {
      const f = syntheticFile(1, i);
      expect(f.windows).toHaveLength(f.anomalies.length);
      const n = f.rows.length;
      f.windows.forEach(([a, b], k) => {
        expect(a).toBeLessThanOrEqual(f.anomalies[k]!.at);
        expect(b).toBeGreaterThanOrEqual(f.anomalies[k]!.at);
        expect(b).toBeLessThan(n);
        expect(b - a + 1).toBeLessThanOrEqual(Math.ceil((0.1 * n) / f.windows.length) + 1);
        if (k > 0) expect(a).toBeGreaterThan(f.windows[k - 1]![1]);
      });
      for (const [, value] of f.rows) expect(Number.isFinite(value)).toBe(true);
    }
  });

  it('takes a row range MIN-MAX and refuses anything else with the reason', () => {
    expect(parseRowRange('1000-2500')).toEqual([1000, 2500]);
    expect(syntheticFile(1, 0, [150, 150]).rows).toHaveLength(150);
    for (const bad of ['2500-1000', '50-80', '1000', '1e3-2000', 'a-b']) expect(() => parseRowRange(bad)).toThrow(`--rows ${bad}: give MIN-MAX`);
  });

  it('writes NAB\'s layout, which the bench loads with the same windows', () => {
    const made = writeSyntheticCorpus(out.dir, 10, 2);
    const loaded = loadNab(out.dir);
    expect(loaded).toHaveLength(10);
    for (const f of made) {
      const back = loaded.find((l) => l.name === `${f.category}/${f.name}.csv`)!;
      expect(back.points).toHaveLength(f.rows.length);
      expect(back.windows).toEqual(f.windows);
    }
  });
});
