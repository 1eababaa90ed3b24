// NAB evaluation of the streaming anomaly detector: `npx lifeline bench nab [--data DIR] [--options JSON]`
// or `node --import tsx bench/nab/run.ts`. Prints one JSON object (see docs/detection.md).
import { parseArgs } from 'node:util';
import { DEFAULT_ANOMALY_OPTIONS, scoreSeries, type AnomalyOptions } from '../../src/detect/anomaly/index.ts';
import { DEFAULT_NAB_DIR, loadNab, splitNab, type NabFile } from './corpus.ts';
import { PROFILES, scoreCorpus, type ProfileName, type ScoredFile } from './score.ts';

/** The published scoreboard (full 58-file corpus), standard / reward low FP / reward low FN. */
export const SCOREBOARD: Record<string, [number, number, number]> = {
  'ARTime': [74.9, 65.1, 80.4],
  'Numenta HTM': [70.5, 62.6, 75.2],
  'CAD OSE': [69.9, 67.0, 73.2],
  'earthgecko Skyline': [58.2, 46.2, 63.9],
  'KNN CAD': [58.0, 43.4, 64.8],
  'Relative Entropy': [54.6, 47.6, 58.8],
  'Random Cut Forest': [51.7, 38.4, 59.7],
  'Twitter ADVec': [47.1, 33.6, 53.5],
  'Windowed Gaussian': [39.6, 20.9, 47.4],
  'Etsy Skyline': [35.7, 27.1, 44.5],
};

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

function detectAll(files: NabFile[], options: Partial<AnomalyOptions>): ScoredFile[] {
  return files.map((f) => ({ name: f.name, windows: f.windows, scores: scoreSeries(f.points, options).map((p) => p.score) }));
}

type PartResult = Record<ProfileName, { score: number; threshold: number; windowsDetected: number; windowsMissed: number; fp: number }>;

function part(files: ScoredFile[], thresholds?: Record<ProfileName, number>): PartResult {
  const out = {} as PartResult;
  for (const name of Object.keys(PROFILES) as ProfileName[]) {
    const r = scoreCorpus(files, name, thresholds?.[name]);
    const windows = r.files.reduce((a, f) => a + f.windows, 0);
    const detected = r.files.reduce((a, f) => a + f.detected, 0);
    out[name] = {
      score: round(r.normalised), threshold: round(r.threshold, 5),
      windowsDetected: detected, windowsMissed: windows - detected,
      fp: r.files.reduce((a, f) => a + f.fp, 0),
    };
  }
  return out;
}

export function runNab(opts: { data: string; options: Partial<AnomalyOptions>; split: 'tune' | 'all' }) {
  const started = Date.now();
  const files = loadNab(opts.data);
  const { tune, holdout } = splitNab(files);
  const tuneScored = detectAll(tune, opts.options);
  const tuneResult = part(tuneScored);
  const result: Record<string, unknown> = {
    bench: 'nab',
    data: opts.data,
    detector: { ...DEFAULT_ANOMALY_OPTIONS, ...opts.options },
    split: { rule: 'per category, files sorted by name alternate: 1st, 3rd, … tune; 2nd, 4th, … held out', tune: tune.map((f) => f.name), holdout: holdout.map((f) => f.name) },
    tune: tuneResult,
  };
  if (opts.split === 'all') {
    const holdScored = detectAll(holdout, opts.options);
    const thresholds = Object.fromEntries(Object.entries(tuneResult).map(([k, v]) => [k, v.threshold])) as Record<ProfileName, number>;
    result.holdout = part(holdScored);
    result.holdoutAtTuneThresholds = part(holdScored, thresholds);
    result.all = part([...tuneScored, ...holdScored]);
  }
  result.scoreboard = Object.fromEntries(Object.entries(SCOREBOARD).map(([k, [s, fp, fn]]) => [k, { standard: s, reward_low_FP_rate: fp, reward_low_FN_rate: fn }]));
  result.seconds = round((Date.now() - started) / 1000, 1);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { data: { type: 'string', default: DEFAULT_NAB_DIR }, options: { type: 'string', default: '{}' }, split: { type: 'string', default: 'all' }, json: { type: 'boolean' } } });
  const split = values.split === 'tune' ? 'tune' : 'all';
  console.log(JSON.stringify(runNab({ data: values.data!, options: JSON.parse(values.options!) as Partial<AnomalyOptions>, split })));
}
