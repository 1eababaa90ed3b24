// The published detectors' figures on parts of the corpus: NAB's normalisation of raw standard
// scores (null 0, perfect 100), files without a figure left out and named.
import { describe, expect, it } from 'vitest';
import { publishedScores } from '../../bench/nab/published.ts';

describe('published NAB results on a part of the corpus', () => {
  it('normalises raw standard scores with null = −W and perfect = +W', () => {
    // ARTime 0.8589, HTM 0.7489 and CAD OSE 0.8607 on art_daily_jumpsup (one window): 100 · (raw + 1) / 2.
    const one = publishedScores([{ name: 'artificialWithAnomaly/art_daily_jumpsup.csv', windows: [[2880, 3282]] }]);
    expect(one.standard.ARTime).toBeCloseTo(92.95, 2);
    expect(one.standard['Numenta HTM']).toBeCloseTo(87.45, 2);
    expect(one.standard['CAD OSE']).toBeCloseTo(93.03, 1);
    // A file without windows adds its false positives to the raw sum and no windows: c6585a (−0.11 for ARTime).
    const two = publishedScores([
      { name: 'artificialWithAnomaly/art_daily_jumpsup.csv', windows: [[2880, 3282]] },
      { name: 'realAWSCloudwatch/ec2_cpu_utilization_c6585a.csv', windows: [] },
    ]);
    expect(two.standard.ARTime).toBeCloseTo((100 * (0.8589 - 0.11 + 1)) / 2, 1);
    expect(two.files).toBe(2);
  });

  it('leaves out and names files it has no figure for', () => {
    const r = publishedScores([{ name: 'realTweets/Twitter_volume_AAPL.csv', windows: [[1, 2]] }]);
    expect(r).toEqual({ standard: { ARTime: null, 'Numenta HTM': null, 'CAD OSE': null }, files: 0, missing: ['realTweets/Twitter_volume_AAPL.csv'] });
  });
});
