// The multi-scale drift score: a slow ramp to a new level and a doubled spread are flagged, near
// their start and once; stationary noise of several shapes is not; causal and resumable from JSON.
import { describe, expect, it } from 'vitest';
import { AnomalyDetector } from './detector.ts';
import { DriftScorer, type DriftState } from './drift.ts';
import { seededRandom as random } from '../../sim/random.ts';

const N = 6000;
const CHANGE = 3500;
const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

function series(f: (i: number, r: () => number) => number, seed: number, n = N): number[] {
  const r = random(seed);
  return Array.from({ length: n }, (_, i) => f(i, r));
}

/** Level 10 with unit Gaussian noise; from CHANGE a ramp over 400 readings to 14 (4 sd), then a plateau. */
const ramp = (seed = 1) => series((i, r) => 10 + 4 * Math.min(1, Math.max(0, (i - CHANGE) / 400)) + gauss(r), seed);
/** Unit Gaussian noise around 10 whose standard deviation doubles from CHANGE on. */
const moreSpread = (seed = 2) => series((i, r) => 10 + (i >= CHANGE ? 2 : 1) * gauss(r), seed);

/** Series without anomalies, noise of several shapes. */
function stationary(): Record<string, number[]> {
  let ar = 0;
  return {
    gaussian: series((_, r) => 50 + 5 * gauss(r), 11),
    uniform: series((_, r) => 100 * r(), 12),
    heavyTailed: series((_, r) => 50 + gauss(r) / Math.max(0.05, Math.abs(gauss(r))), 13),
    autocorrelated: series((_, r) => (ar = 0.95 * ar + gauss(r)), 14),
    counts: series((_, r) => Math.floor(-Math.log(1 - r()) * 4), 15),
    sparseSpikes: series((_, r) => (r() < 0.03 ? 1 + 9 * r() : 0), 16),
    logNormal: series((_, r) => Math.exp(2 + gauss(r)), 17),
    sine: series((i, r) => 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 2 * gauss(r), 18),
  };
}

const scoresOf = (values: number[], scorer = new DriftScorer()) => values.map((v) => scorer.update(v));
const alarms = (scores: number[], from = 0) => scores.map((s, i) => (i >= from && s >= 0.3 ? i : -1)).filter((i) => i >= 0);

describe('DriftScorer', () => {
  it('flags a slow ramp to a new plateau once, near its start', () => {
    const scores = scoresOf(ramp());
    for (const s of scores) expect(s >= 0 && s <= 1).toBe(true);
    const flagged = alarms(scores, 1000);
    expect(flagged).toHaveLength(1);
    expect(flagged[0]).toBeGreaterThan(CHANGE);
    expect(flagged[0]).toBeLessThan(CHANGE + 200);
  });

  it('flags a doubling of the spread soon after it starts', () => {
    const flagged = alarms(scoresOf(moreSpread()), 1000);
    expect(flagged.length).toBeGreaterThanOrEqual(1);
    expect(flagged[0]).toBeGreaterThan(CHANGE);
    expect(flagged[0]).toBeLessThan(CHANGE + 100);
  });

  it('gives no alarm on stationary noise of several shapes once its history is long enough', () => {
    for (const [name, values] of Object.entries(stationary())) {
      expect({ name, alarms: alarms(scoresOf(values), 1000) }).toEqual({ name, alarms: [] });
    }
  });

  it('scores 0 on a constant series', () => {
    expect(scoresOf(Array.from({ length: 3000 }, () => 7)).every((s) => s === 0)).toBe(true);
  });

  it('is causal: scores of a prefix do not change when rows are appended', () => {
    const values = ramp(3);
    const prefix = scoresOf(values.slice(0, 3600));
    expect(scoresOf(values).slice(0, 3600)).toEqual(prefix);
    const wild = scoresOf([...values.slice(0, 3600), ...Array.from({ length: 500 }, (_, i) => 1000 * (i % 2))]);
    expect(wild.slice(0, 3600)).toEqual(prefix);
  });

  it('restores from its JSON state and continues exactly as without the break', () => {
    const values = moreSpread(4);
    const whole = scoresOf(values);
    const first = new DriftScorer();
    scoresOf(values.slice(0, 3550), first);
    const saved = JSON.parse(JSON.stringify(first.state())) as DriftState;
    expect(scoresOf(values.slice(3550), DriftScorer.restore(saved))).toEqual(whole.slice(3550));
    expect(() => DriftScorer.restore({ ...saved, version: 2 } as unknown as DriftState)).toThrow(/version/);
  });
});

describe('AnomalyDetector with drift', () => {
  const T0 = Date.UTC(2024, 0, 1);
  const at = (i: number) => T0 + i * 5 * 60_000;
  const run = (values: number[], detector: AnomalyDetector) => values.map((v, i) => detector.update(at(i), v).score);

  it('reports the slow ramp, which the detector alone does not', () => {
    const values = ramp(5);
    const plain = alarms(run(values, new AnomalyDetector({ drift: null })), CHANGE - 200);
    const withDrift = alarms(run(values, new AnomalyDetector({ drift: {} })), CHANGE - 200);
    expect(plain.filter((i) => i < CHANGE + 300)).toEqual([]);
    expect(withDrift.filter((i) => i > CHANGE && i < CHANGE + 200)).toHaveLength(1);
  });

  it('restores with the drift state from JSON and continues exactly', () => {
    const values = moreSpread(6);
    const whole = run(values, new AnomalyDetector({ drift: {} }));
    const first = new AnomalyDetector({ drift: {} });
    run(values.slice(0, 3550), first);
    const saved = JSON.parse(JSON.stringify(first.state()));
    expect(saved.drift.buffer.length).toBeGreaterThan(0);
    const resumed = AnomalyDetector.restore(saved, { drift: {} });
    expect(values.slice(3550).map((v, i) => resumed.update(at(3550 + i), v).score)).toEqual(whole.slice(3550));
  });
});
