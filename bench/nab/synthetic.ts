// A synthetic corpus in NAB's layout (data/<category>/<file>.csv, labels/combined_windows.json),
// for checking that a detector setting carries over to series nobody tuned on: the 30 NAB files
// here are few, and every look at the held-out half spends some of its independence. Series are
// drawn from five families like NAB's (noisy machine metrics, daily rhythms, counts, heavy-tailed
// latencies, artificial periodic shapes), with 0–3 anomalies of eight kinds at random sizes, some
// subtle. Windows follow NAB's labelling rule: 10 % of the file's length shared by its anomalies,
// centred on each onset. Deterministic for a seed.
//   npx tsx bench/nab/synthetic.ts --out /tmp/nab-synthetic [--files 60] [--seed 1] [--rows 2000-8000]
//   npx tsx bench/nab/run.ts --data /tmp/nab-synthetic --no-cross-check   (read `all`)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom } from '../../src/sim/random.ts';

type Rng = () => number;
const gauss = (rng: Rng) => Math.sqrt(-2 * Math.log(rng() + 1e-12)) * Math.cos(2 * Math.PI * rng());
const between = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng();
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

function poisson(rng: Rng, lambda: number): number {
  if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gauss(rng)));
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k++;
    p *= rng();
  }
  return k;
}

export const FAMILIES = ['machine', 'daily', 'counts', 'latency', 'periodic'] as const;
export type Family = (typeof FAMILIES)[number];
export const ANOMALY_KINDS = ['spike', 'dip', 'shift', 'drift', 'variance', 'stuck', 'pattern_loss', 'frequency'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** What the series would be without anomalies, as a function of the row: level, seasonal part, noise scale. */
interface Base {
  level: (i: number) => number;
  season: (i: number, periodScale: number) => number;
  noise: (i: number) => number;
  /** Typical spread of the noise, to size anomalies. */
  spread: number;
  /** Values are whole non-negative counts (Poisson around the mean). */
  counts: boolean;
  floor: number | null;
}

function baseOf(family: Family, rng: Rng, rowsPerDay: number): Base {
  const day = (i: number, scale: number) => (2 * Math.PI * i) / (rowsPerDay * scale);
  switch (family) {
    case 'machine': {
      // AR(1) around a level with rare natural bumps, like CPU utilisation or a machine temperature.
      const level = between(rng, 5, 80);
      const spread = level * between(rng, 0.02, 0.12);
      let ar = 0;
      const phi = between(rng, 0.5, 0.95);
      return {
        level: () => level, season: () => 0, spread, counts: false, floor: 0,
        noise: () => (ar = phi * ar + Math.sqrt(1 - phi * phi) * gauss(rng) * spread + (rng() < 0.002 ? between(rng, 1, 3) * spread : 0)),
      };
    }
    case 'daily': {
      const level = between(rng, 20, 500);
      const amplitude = level * between(rng, 0.2, 0.6);
      const spread = amplitude * between(rng, 0.05, 0.2);
      const second = between(rng, 0, 0.4);
      const weekend = rng() < 0.5 ? between(rng, 0.6, 0.9) : 1;
      return {
        level: () => level, spread, counts: false, floor: null,
        season: (i, s) => {
          const weekday = Math.floor(i / rowsPerDay) % 7;
          return amplitude * (weekday >= 5 ? weekend : 1) * (Math.sin(day(i, s)) + second * Math.sin(2 * day(i, s) + 1));
        },
        noise: () => gauss(rng) * spread,
      };
    }
    case 'counts': {
      // Event counts with a daily rate, like tweet volumes: Poisson noise and natural small bursts.
      const rate = between(rng, 3, 120);
      const amplitude = between(rng, 0.2, 0.7);
      return {
        level: () => rate, spread: Math.sqrt(rate), counts: true, floor: 0,
        season: (i, s) => rate * amplitude * Math.sin(day(i, s)),
        noise: () => (rng() < 0.004 ? rate * between(rng, 0.5, 1.5) : 0),
      };
    }
    case 'latency': {
      // Heavy-tailed positive values around a floor, like request latency.
      const level = between(rng, 20, 300);
      const sigma = between(rng, 0.15, 0.5);
      return {
        level: () => level, season: () => 0, spread: level * sigma, counts: false, floor: 0,
        noise: () => level * (Math.exp(sigma * gauss(rng)) - 1),
      };
    }
    case 'periodic': {
      // Artificial shapes: square or saw-tooth waves with little noise.
      const level = between(rng, 10, 100);
      const amplitude = level * between(rng, 0.3, 0.8);
      const square = rng() < 0.5;
      const spread = amplitude * 0.02;
      return {
        level: () => level, spread, counts: false, floor: null,
        season: (i, s) => {
          const phase = (i / (rowsPerDay * s)) % 1;
          return amplitude * (square ? (phase < 0.5 ? 1 : -1) : 2 * phase - 1);
        },
        noise: () => gauss(rng) * spread,
      };
    }
  }
}

export interface SyntheticFile {
  category: string;
  name: string;
  rows: Array<[string, number]>;
  /** Inclusive row-index ranges. */
  windows: Array<[number, number]>;
  anomalies: Array<{ kind: AnomalyKind; at: number }>;
}

const stamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** One series: base, anomalies at random rows after the first 20 %, NAB windows around them. */
/** Rows per file, drawn uniformly between the two (NAB's files run from about 1,000 to 22,000). */
export type RowRange = readonly [number, number];
const DEFAULT_ROWS: RowRange = [2000, 8000];

export function syntheticFile(seed: number, index: number, rowRange: RowRange = DEFAULT_ROWS): SyntheticFile {
  const rng = seededRandom(seed * 100_003 + index * 7919);
  const family = FAMILIES[index % FAMILIES.length]!;
  const intervalMin = pick(rng, [5, 5, 5, 1, 10, 30] as const);
  const rowsPerDay = (24 * 60) / intervalMin;
  const length = Math.round(between(rng, rowRange[0], rowRange[1]));
  const base = baseOf(family, rng, rowsPerDay);
  const count = pick(rng, [0, 1, 1, 2, 2, 3] as const);
  const kinds = family === 'daily' || family === 'periodic' || family === 'counts' ? ANOMALY_KINDS : ANOMALY_KINDS.filter((k) => k !== 'pattern_loss' && k !== 'frequency');
  // Onsets spread over the last 80 %, at least a window apart.
  const onsets: number[] = [];
  for (let k = 0; k < count; k++) {
    const slot = (0.8 * length) / count;
    onsets.push(Math.round(0.2 * length + slot * k + between(rng, 0.15, 0.85) * slot));
  }
  const anomalies = onsets.map((at) => ({ kind: pick(rng, kinds), at, size: between(rng, 0, 1), sign: rng() < 0.5 ? -1 : 1, duration: Math.round(length * between(rng, 0.01, 0.05)) }));
  const start = Date.UTC(2015, 0, 5) + Math.floor(rng() * 200) * 86_400_000;
  const rows: Array<[string, number]> = [];
  let stuckValue: number | null = null;
  for (let i = 0; i < length; i++) {
    let level = base.level(i);
    let periodScale = 1;
    let seasonFactor = 1;
    let noiseFactor = 1;
    let add = 0;
    let stuck = false;
    for (const a of anomalies) {
      const since = i - a.at;
      if (since < 0) continue;
      const within = since < a.duration;
      const s = base.spread;
      switch (a.kind) {
        case 'spike': if (since < 1 + Math.floor(a.size * 3)) add += (5 + 10 * a.size) * s; break;
        case 'dip': if (since < 1 + Math.floor(a.size * 3)) add -= (5 + 10 * a.size) * s; break;
        case 'shift': add += a.sign * (3 + 6 * a.size) * s; break;
        case 'drift': add += a.sign * (3 + 8 * a.size) * s * Math.min(1, since / Math.max(1, a.duration)); break;
        case 'variance': if (within) noiseFactor *= 2.5 + 3 * a.size; break;
        case 'stuck': if (within) stuck = true; break;
        case 'pattern_loss': if (within) seasonFactor = 0.1 * a.size; break;
        case 'frequency': if (within) periodScale = 0.5; break;
      }
    }
    level += base.season(i, periodScale) * seasonFactor + add;
    let value: number;
    if (base.counts) {
      const mean = Math.max(0, level + base.noise(i));
      value = Math.max(0, Math.round(mean + (poisson(rng, mean) - mean) * noiseFactor));
    }
    else value = level + base.noise(i) * noiseFactor;
    if (base.floor !== null) value = Math.max(base.floor, value);
    if (stuck) value = stuckValue ??= value;
    else stuckValue = null;
    rows.push([stamp(start + i * intervalMin * 60_000), base.counts ? value : Math.round(value * 1000) / 1000]);
  }
  const width = count > 0 ? Math.floor((0.1 * length) / count) : 0;
  const windows = onsets.map((at) => [Math.max(0, at - Math.floor(width / 2)), Math.min(length - 1, at + Math.floor(width / 2))] as [number, number]);
  return {
    category: `synthetic_${family}`,
    name: `${family}_${String(index).padStart(3, '0')}_${anomalies.map((a) => a.kind).join('_') || 'none'}`,
    rows, windows, anomalies: anomalies.map(({ kind, at }) => ({ kind, at })),
  };
}

/** `--rows MIN-MAX`: whole numbers, at least 100, MIN ≤ MAX. */
export function parseRowRange(text: string): RowRange {
  const match = /^(\d+)-(\d+)$/.exec(text);
  const [min, max] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(min >= 100 && max >= min)) throw new Error(`--rows ${text}: give MIN-MAX, whole numbers, at least 100, MIN not above MAX`);
  return [min, max];
}

/** Writes `files` series and their labels under `out` in NAB's layout. */
export function writeSyntheticCorpus(out: string, files: number, seed: number, rows: RowRange = DEFAULT_ROWS): SyntheticFile[] {
  const made = Array.from({ length: files }, (_, i) => syntheticFile(seed, i, rows));
  const labels: Record<string, Array<[string, string]>> = {};
  for (const f of made) {
    mkdirSync(path.join(out, 'data', f.category), { recursive: true });
    writeFileSync(path.join(out, 'data', f.category, `${f.name}.csv`), ['timestamp,value', ...f.rows.map(([t, v]) => `${t},${v}`)].join('\n') + '\n');
    labels[`${f.category}/${f.name}.csv`] = f.windows.map(([a, b]) => [`${f.rows[a]![0]}.000000`, `${f.rows[b]![0]}.000000`]);
  }
  mkdirSync(path.join(out, 'labels'), { recursive: true });
  writeFileSync(path.join(out, 'labels', 'combined_windows.json'), JSON.stringify(labels, null, 1));
  return made;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, files: { type: 'string', default: '60' }, seed: { type: 'string', default: '1' }, rows: { type: 'string', default: DEFAULT_ROWS.join('-') } } });
  if (!values.out) throw new Error('--out DIR is required');
  const made = writeSyntheticCorpus(values.out, Number(values.files), Number(values.seed), parseRowRange(values.rows!));
  const kinds: Record<string, number> = {};
  for (const f of made) for (const a of f.anomalies) kinds[a.kind] = (kinds[a.kind] ?? 0) + 1;
  console.log(JSON.stringify({ out: values.out, files: made.length, rows: made.reduce((a, f) => a + f.rows.length, 0), anomalies: kinds }));
}
