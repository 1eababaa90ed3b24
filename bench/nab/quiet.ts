// Alarms on hand-made series without anomalies (NAB's unseen part has such files, where every
// alarm is a false positive): `npx tsx bench/nab/quiet.ts '[{}, {"scoreMode":"tail"}]' [threshold]`.
// Prints, per setting, how many readings after the first 605 (NAB's probation for 4,032 rows)
// score at or above the threshold (default: each setting's own `threshold`) on each series.
import { AnomalyDetector, scoreSeries, type AnomalyOptions, type SeriesPoint } from '../../src/detect/anomaly/index.ts';
import { seededRandom as random } from '../../src/sim/random.ts';


const T0 = Date.UTC(2014, 3, 1);
const ROWS = 4032;
const PROBATION = 605;
const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
const poisson = (lambda: number, r: () => number) => {
  let k = 0;
  let p = Math.exp(-lambda);
  let cumulative = p;
  const u = r();
  while (u > cumulative) {
    k++;
    p *= lambda / k;
    cumulative += p;
  }
  return k;
};

/** Five-minute series of `ROWS` readings, value i from `f(i, random)`. */
function series(f: (i: number, r: () => number) => number, seed: number): SeriesPoint[] {
  const r = random(seed);
  return Array.from({ length: ROWS }, (_, i) => ({ line: i + 2, raw: String(i), ts: T0 + i * 300_000, value: f(i, r) }));
}

function randomWalk(seed: number): SeriesPoint[] {
  let level = 0;
  return series((_, r) => (level += gauss(r)), seed);
}

export const QUIET_SERIES: Record<string, SeriesPoint[]> = {
  constant: series(() => 7, 1),
  sine: series((i) => 50 + 20 * Math.sin((2 * Math.PI * i) / 288), 2),
  square: series((i) => (i % 288 < 144 ? 80 : 20), 3),
  noisySine: series((i, r) => 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 2 * gauss(r), 4),
  gaussian: series((_, r) => 50 + 5 * gauss(r), 5),
  uniform: series((_, r) => 100 * r(), 6),
  heavyTailed: series((_, r) => 50 + gauss(r) / Math.max(0.05, Math.abs(gauss(r))), 7),
  randomWalk: randomWalk(8),
  dailyCounts: series((i, r) => poisson(20 + 15 * Math.sin((2 * Math.PI * i) / 288), r), 9),
  sparseSpikes: series((_, r) => (r() < 0.03 ? 1 + 9 * r() : 0), 10),
  logNormal: series((_, r) => Math.exp(2 + gauss(r)), 11),
};

export function quietAlarms(options: Partial<AnomalyOptions>, threshold = new AnomalyDetector(options).options.threshold): Record<string, number> {
  return Object.fromEntries(Object.entries(QUIET_SERIES).map(([name, points]) =>
    [name, scoreSeries(points, options).slice(PROBATION).filter((p) => p.score >= threshold).length]));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const threshold = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  for (const options of JSON.parse(process.argv[2] ?? '[{}]') as Array<Partial<AnomalyOptions>>) {
    const alarms = quietAlarms(options, threshold);
    const total = Object.values(alarms).reduce((a, b) => a + b, 0);
    console.log(JSON.stringify(options), `threshold ${threshold ?? 'own'}`, `total ${total}`, JSON.stringify(alarms));
  }
}
