// The streaming detector: causal, serialisable, and it flags hand-made anomalies whose place is known.
import { describe, expect, it } from 'vitest';
import { AnomalyDetector, type AnomalyOptions, type AnomalyState } from './detector.ts';
import { parseSeriesCsv, parseTimestamp, scoreSeries, type SeriesPoint } from './series.ts';
import { insertSorted, removeSorted, tailProbability } from './stats.ts';
import { seededRandom as random } from '../../sim/random.ts';

const T0 = Date.UTC(2024, 0, 1);
const STEP = 5 * 60_000;


/** Daily sine with noise, 5-minute readings. */
function daily(n: number, seed = 1, change?: (i: number, v: number) => number): SeriesPoint[] {
  const rnd = random(seed);
  return Array.from({ length: n }, (_, i) => {
    const base = 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + (rnd() - 0.5) * 4;
    return { line: i + 2, raw: String(i), ts: T0 + i * STEP, value: change ? change(i, base) : base };
  });
}

const argmax = (xs: number[]) => xs.reduce((best, x, i) => (x > xs[best]! ? i : best), 0);

describe('AnomalyDetector', () => {
  it('gives scores in [0, 1] and 0 while learning', () => {
    const scores = scoreSeries(daily(2000)).map((p) => p.score);
    for (const s of scores) expect(s >= 0 && s <= 1).toBe(true);
    expect(scores.slice(0, 300).every((s) => s === 0)).toBe(true);
  });

  it('is causal: the score at t does not change with data after t', () => {
    const a = daily(1500, 7);
    const b = daily(1500, 7, (i, v) => (i > 1000 ? v * 3 + 100 : v));
    const sa = scoreSeries(a).map((p) => p.score);
    const sb = scoreSeries(b).map((p) => p.score);
    expect(sb.slice(0, 1001)).toEqual(sa.slice(0, 1001));
    expect(sb.slice(1001)).not.toEqual(sa.slice(1001));
  });

  it('restores from its JSON state and continues exactly as without the break', () => {
    const points = daily(2500, 3, (i, v) => (i === 2100 ? v + 60 : v));
    const whole = scoreSeries(points).map((p) => p.score);
    const first = new AnomalyDetector();
    for (const p of points.slice(0, 1200)) first.update(p.ts, p.value);
    const saved = JSON.parse(JSON.stringify(first.state()));
    const resumed = AnomalyDetector.restore(saved);
    const rest = points.slice(1200).map((p) => resumed.update(p.ts, p.value).score);
    expect(rest).toEqual(whole.slice(1200));
    expect(() => AnomalyDetector.restore({ ...saved, version: 2 })).toThrow(/version/);
    // A state saved before the weekly model and the calibrations existed continues, those starting empty.
    const { weekSlots: _s, weekResiduals: _r, weekDev: _d, calibrations: _c, ...older } = saved as AnomalyState;
    const fromOlder = AnomalyDetector.restore(older as AnomalyState);
    for (const p of points.slice(1200, 1300)) expect(Number.isFinite(fromOlder.update(p.ts, p.value).score)).toBe(true);
  });

  it('puts its highest score on a spike and flags it', () => {
    const points = daily(3000, 11, (i, v) => (i === 2400 ? v + 40 : v));
    const scored = scoreSeries(points);
    const best = argmax(scored.map((p) => p.score));
    expect(best).toBeGreaterThanOrEqual(2400);
    expect(best).toBeLessThanOrEqual(2402);
    // Flagged right at it (the reading and the next, whose short-term mean is higher still),
    // and nowhere else after the first days.
    const flagged = scored.flatMap((p, i) => (p.isAnomaly && i > 1500 ? [i] : []));
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged.every((i) => i >= 2400 && i <= 2402)).toBe(true);
  });

  it('flags a level shift within a few readings of its start', () => {
    const points = daily(3000, 5, (i, v) => (i >= 2300 ? v + 30 : v));
    const scored = scoreSeries(points);
    const first = scored.findIndex((p, i) => i >= 1500 && p.isAnomaly);
    expect(first).toBeGreaterThanOrEqual(2300);
    expect(first).toBeLessThan(2310);
  });

  it('learns the daily pattern, so a reading normal elsewhere in the day but not at this hour is flagged', () => {
    // On day 8 the value at the daily trough is held at the daily peak's level for an hour.
    const start = 7 * 288 + 216; // the sine's trough
    const points = daily(8 * 288 + 288, 2, (i, v) => (i >= start && i < start + 12 ? 68 : v));
    const scored = scoreSeries(points);
    const best = argmax(scored.map((p) => p.score).slice(2 * 288)) + 2 * 288;
    expect(best).toBeGreaterThanOrEqual(start);
    expect(best).toBeLessThan(start + 12);
  });

  it('scores only the residual once the daily pattern counts, so a flattened day stands out above the daily swings', () => {
    // A daily square wave (−20 at night, +75 for five hours) with noise; on day 9 it stays at 20.
    const rnd = random(6);
    const day = 288;
    const points = Array.from({ length: 11 * day }, (_, i) => {
      const inDay = i % day;
      const base = inDay >= 60 && inDay < 120 ? 75 : -20;
      const value = i >= 9 * day && i < 10 * day ? 20 : base;
      return { line: i + 2, raw: String(i), ts: T0 + i * STEP, value: value + (rnd() - 0.5) * 2 };
    });
    const flat = (scores: number[]) => argmax(scores.slice(3 * day)) + 3 * day;
    const residualOnly = flat(scoreSeries(points, { rangeTolerance: 0 }).map((p) => p.score));
    expect(residualOnly).toBeGreaterThanOrEqual(9 * day);
    expect(residualOnly).toBeLessThan(10 * day);
    // Scoring the plain statistics too, a daily switch of the square wave scores higher (without the
    // drift score, which also finds the flattened day: its block medians leave the daily square wave's).
    const withPlain = flat(scoreSeries(points, { rangeTolerance: 0, seasonOnly: false, drift: null }).map((p) => p.score));
    expect(withPlain < 9 * day || withPlain >= 10 * day).toBe(true);
  });

  it('learns a weekly rhythm, so weekends are normal and a weekday at the weekend level is the alarm', () => {
    // Half-hourly readings from a Monday for six weeks: weekdays 60 ± 20 over the day, weekends
    // 20 ± 5; day 37 (a Wednesday) looks like a weekend.
    const rnd = random(12);
    const perDay = 48;
    const odd = 37;
    const points = Array.from({ length: 42 * perDay }, (_, i) => {
      const d = Math.floor(i / perDay);
      const low = d % 7 >= 5 || d === odd;
      const value = (low ? 20 : 60) + (low ? 5 : 20) * Math.sin((2 * Math.PI * (i % perDay)) / perDay) + (rnd() - 0.5) * 4;
      return { line: i + 2, raw: String(i), ts: T0 + i * 30 * 60_000, value };
    });
    const alarmDays = (weekly: boolean) =>
      [...new Set(scoreSeries(points, { weekly }).flatMap((p, i) => (p.isAnomaly && i >= 22 * perDay ? [Math.floor(i / perDay)] : [])))];
    expect(alarmDays(true)).toEqual([odd]);
    // With the daily model only, the switches between weekday and weekend raise alarms.
    expect(alarmDays(false).some((d) => d !== odd)).toBe(true);
  });

  it('scores 1 for a reading beyond the range of all earlier ones by more than the tolerance', () => {
    // Noise in [10, 20); tolerance 0.1 of the range so far. After 20.5 the range is about
    // [10, 20.5], so out of range means above about 21.55.
    const rnd = random(4);
    const points = Array.from({ length: 800 }, (_, i) => ({ line: i + 2, raw: String(i), ts: T0 + i * STEP, value: 10 + rnd() * 10 }));
    points[600]!.value = 20.5; // above the maximum so far, but within the tolerance
    points[700]!.value = 22; // beyond it
    const options = { rangeTolerance: 0.1, suppress: 50, alarmQuiet: 0 };
    const scores = scoreSeries(points, options).map((p) => p.score);
    expect(scores[700]).toBe(1);
    expect(scores[600]).toBeLessThan(1);
    // Off (0), the same reading is scored by the statistics only.
    expect(scoreSeries(points, { ...options, rangeTolerance: 0 })[700]!.score).toBeLessThan(1);
  });

  it('reports a rising run once: scores are 0 for alarmQuiet readings after an alarm', () => {
    // A ramp away from a flat noisy level: every reading is a new peak, each above the threshold.
    const rnd = random(9);
    const points = Array.from({ length: 1000 }, (_, i) => ({
      line: i + 2, raw: String(i), ts: T0 + i * STEP, value: 50 + (rnd() - 0.5) * 2 + (i >= 900 ? (i - 899) * 3 : 0),
    }));
    const loud = scoreSeries(points, { alarmQuiet: 0, rangeTolerance: 0 }).slice(900, 960).filter((p) => p.isAnomaly).length;
    const quiet = scoreSeries(points, { alarmQuiet: 200, rangeTolerance: 0 }).slice(900).filter((p) => p.isAnomaly).length;
    expect(loud).toBeGreaterThan(1);
    expect(quiet).toBe(1);
  });

  it('keeps the quiet period and peak window to a tenth of the readings seen, so a short series is not silenced', () => {
    // Two equal spikes 100 readings apart, 700 readings in: quiet for 70 after the first, the second is reported.
    const rnd = random(21);
    const points = Array.from({ length: 1000 }, (_, i) => ({
      line: i + 2, raw: String(i), ts: T0 + i * STEP, value: 50 + (rnd() - 0.5) * 2 + (i === 700 || i === 800 ? 30 : 0),
    }));
    const alarmsAt = (options: Partial<AnomalyOptions>) => scoreSeries(points, options).flatMap((p, i) => (p.isAnomaly ? [i] : []));
    // (The anomaly likelihood averages the last 6 raw scores, so a report may come a few readings after its spike.)
    const shared = alarmsAt({});
    expect(shared).toHaveLength(2);
    expect(shared[0]).toBeGreaterThanOrEqual(700);
    expect(shared[0]).toBeLessThan(706);
    expect(shared[1]).toBeGreaterThanOrEqual(800);
    expect(shared[1]).toBeLessThan(806);
    // With the fixed counts (200 quiet, a 300-reading peak window) the second spike is silenced.
    expect(alarmsAt({ quietShare: 0 })).toEqual([shared[0]]);
  });

  it('with the level component on, flags a lasting small shift that the z-scores leave alone', () => {
    // Noise: the sum of four uniforms (sd 0.58); from reading 2000 the level is 1.0 higher (1.7 sd).
    const rnd = random(7);
    const points = Array.from({ length: 3000 }, (_, i) => ({
      line: i + 2, raw: String(i), ts: T0 + i * STEP,
      value: 20 + (rnd() + rnd() + rnd() + rnd() - 2) + (i >= 2000 ? 1 : 0),
    }));
    // Without the drift score (on by default), which flags this shift too (drift.test.ts).
    const alarms = (options: Partial<AnomalyOptions>) => scoreSeries(points, { drift: null, ...options }).flatMap((p, i) => (p.isAnomaly && i >= 1000 ? [i] : []));
    expect(alarms({}).filter((i) => i >= 2000 && i < 2400)).toEqual([]);
    const withLevel = alarms({ levelSpan: 48 });
    expect(withLevel.filter((i) => i < 2000)).toEqual(alarms({}).filter((i) => i < 2000));
    const first = withLevel.find((i) => i >= 2000)!;
    expect(first).toBeLessThan(2048);
    // Without the delay its own rising values join the reference at once and the tail chases them.
    expect(alarms({ levelSpan: 48, componentDelay: 0 }).filter((i) => i >= 2000 && i < 2048)).toEqual([]);
  });

  it('in mode tail, a score level means the same rarity whatever the noise looks like', () => {
    // Four series without anomalies: Gaussian, heavy-tailed (ratio of Gaussians), uniform, rare spikes.
    const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    const noise: Record<string, (r: () => number) => number> = {
      gaussian: (r) => 10 + gauss(r),
      heavy: (r) => 10 + gauss(r) / Math.max(0.05, Math.abs(gauss(r))),
      uniform: (r) => r() * 10,
      spikes: (r) => (r() < 0.02 ? 50 * r() : 0) + r(),
    };
    // Score of a tail probability of 1 % (the score is 1 − p^(1/ln 1e5)); no suppression, no range rule.
    const cut = 1 - Math.exp(Math.log(0.01) / Math.log(1e5));
    const shareAbove = (scoreMode: AnomalyOptions['scoreMode']) => Object.entries(noise).map(([, draw], k) => {
      const rnd = random(20 + k);
      const points = Array.from({ length: 6000 }, (_, i) => ({ line: i + 2, raw: String(i), ts: T0 + i * STEP, value: draw(rnd) }));
      const scores = scoreSeries(points, { scoreMode, suppress: 0, alarmQuiet: 0, rangeTolerance: 0 }).slice(2000).map((p) => p.score);
      return scores.filter((x) => x >= cut).length / scores.length;
    });
    for (const share of shareAbove('tail')) {
      expect(share).toBeGreaterThan(0.005);
      expect(share).toBeLessThan(0.02);
    }
    // The normal fit of the likelihood does not mean the same: here it is far rarer than 1 % on every series.
    for (const share of shareAbove('likelihood')) expect(share).toBeLessThan(0.004);
  });

  it('stays causal and restores exactly with the tail calibration and both components on', () => {
    const options: Partial<AnomalyOptions> = { scoreMode: 'tail', levelSpan: 48, spreadSpan: 48 };
    const a = daily(2600, 13);
    const b = daily(2600, 13, (i, v) => (i > 2000 ? v * 2 - 30 : v));
    const sa = scoreSeries(a, options).map((p) => p.score);
    const sb = scoreSeries(b, options).map((p) => p.score);
    expect(sb.slice(0, 2001)).toEqual(sa.slice(0, 2001));
    expect(sb.slice(2001)).not.toEqual(sa.slice(2001));
    const first = new AnomalyDetector(options);
    for (const p of b.slice(0, 1700)) first.update(p.ts, p.value);
    const resumed = AnomalyDetector.restore(JSON.parse(JSON.stringify(first.state())) as AnomalyState, options);
    expect(b.slice(1700).map((p) => resumed.update(p.ts, p.value).score)).toEqual(sb.slice(1700));
  });

  it('restores a state saved with the retired change detector, dropping its fields', () => {
    const detector = new AnomalyDetector();
    for (const p of daily(500, 4)) detector.update(p.ts, p.value);
    const older = { ...detector.state(), means: [0.1], cusumUp: 3, cusumDown: 0, cusumSpread: 1, changeAt: 12 } as AnomalyState;
    const resumed = AnomalyDetector.restore(older);
    expect(Object.keys(resumed.state())).not.toContain('cusumUp');
    expect(Object.keys(resumed.state())).not.toContain('means');
    expect(Number.isFinite(resumed.update(T0 + 500 * STEP, 50).score)).toBe(true);
  });

  it('refuses non-finite input', () => {
    expect(() => new AnomalyDetector().update(T0, NaN)).toThrow(/finite/);
  });
});

describe('tailProbability', () => {
  const sorted = Array.from({ length: 99 }, (_, i) => i + 1); // 1 … 99

  it('is the empirical share at or above x within the bulk of the history', () => {
    expect(tailProbability(sorted, 50, 0.1, 0.01)).toBeCloseTo(51 / 100, 12);
    expect(tailProbability(sorted, 0, 0.1, 0.01)).toBe(1);
  });

  it('beyond the largest values is an exponential tail fitted to them, falling by e per tail scale', () => {
    // Share 0.1: the 10 largest (90 … 99) exceed the threshold 89 by 1 … 10, mean 5.5.
    expect(tailProbability(sorted, 89, 0.1, 0.01)).toBeCloseTo(12 / 100, 12); // still empirical: 89 … 99, plus one
    expect(tailProbability(sorted, 89 + 1e-9, 0.1, 0.01)).toBeCloseTo(11 / 100, 8);
    expect(tailProbability(sorted, 89 + 5.5, 0.1, 0.01)).toBeCloseTo((11 / 100) * Math.exp(-1), 12);
    expect(tailProbability(sorted, 89 + 55, 0.1, 0.01)).toBeCloseTo((11 / 100) * Math.exp(-10), 12);
  });

  it('floors the tail scale, so a constant history does not make a tiny excess infinitely rare', () => {
    const constant = new Array<number>(100).fill(3);
    expect(tailProbability(constant, 3, 0.05, 0.5)).toBe(1);
    expect(tailProbability(constant, 3.5, 0.05, 0.5)).toBeCloseTo((6 / 101) * Math.exp(-1), 12);
  });

  it('keeps a history sorted as entries come and go', () => {
    const h: number[] = [];
    for (const x of [5, 1, 4, 1, 3]) insertSorted(h, x);
    expect(h).toEqual([1, 1, 3, 4, 5]);
    removeSorted(h, 1);
    removeSorted(h, 4);
    removeSorted(h, 7);
    expect(h).toEqual([1, 3, 5]);
  });
});

describe('series CSV', () => {
  it('reads timestamps in the forms it documents', () => {
    expect(parseTimestamp('2014-04-10 16:15:00')).toBe(Date.UTC(2014, 3, 10, 16, 15));
    expect(parseTimestamp('2014-04-10 16:15:00.000000')).toBe(Date.UTC(2014, 3, 10, 16, 15));
    expect(parseTimestamp('2014-04-10T16:15:00+08:00')).toBe(Date.UTC(2014, 3, 10, 8, 15));
    expect(parseTimestamp('1397146500')).toBe(Date.UTC(2014, 3, 10, 16, 15));
    expect(parseTimestamp('1397146500000')).toBe(Date.UTC(2014, 3, 10, 16, 15));
    expect(parseTimestamp('yesterday')).toBeNaN();
  });

  it('reports unusable rows with their line numbers and keeps the rest', () => {
    const text = 'timestamp,value\n2024-01-01 00:00:00,1\nnot a time,2\n2024-01-01 00:05:00,\n2024-01-01 00:10:00,3,4\n\n2024-01-01 00:00:00,5\n2024-01-01 00:15:00,6\n';
    const { points, bad } = parseSeriesCsv(text);
    expect(points.map((p) => [p.line, p.value])).toEqual([[2, 1], [8, 6]]);
    expect(bad.map((b) => b.line)).toEqual([3, 4, 5, 7]);
    expect(bad[0]!.reason).toMatch(/timestamp/);
    expect(bad[1]!.reason).toMatch(/finite/);
    expect(bad[2]!.reason).toMatch(/2 fields/);
    expect(bad[3]!.reason).toMatch(/not after/);
    expect(parseSeriesCsv('2024-01-01 00:00:00,1\n2024-01-01 00:00:00,2\n', { increasing: false }).points).toHaveLength(2);
  });
});
