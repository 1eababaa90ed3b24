// NAB evaluation of the streaming anomaly detector: `npx lifeline bench nab [--data DIR] [--options JSON]`
// or `node --import tsx bench/nab/run.ts`. Prints one JSON object (see docs/detection.md).
import { parseArgs } from 'node:util';
import { DEFAULT_ANOMALY_OPTIONS, type AnomalyOptions } from '../../src/detect/anomaly/index.ts';
import { DEFAULT_NAB_DIR, loadNab, splitNab } from './corpus.ts';
import { publishedScores } from './published.ts';
import { scoreCorpus, type ScoredFile } from './score.ts';
import { crossValidate, detectAll, scorePart, thresholdsOf, tuneBothWays } from './tune.ts';

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

/** Per file under the standard profile at the part's own threshold: where the points are won and lost. */
function perFile(files: ScoredFile[]) {
  return scoreCorpus(files, 'standard').files.map((f) => ({ file: f.name, raw: round(f.score), windows: f.windows, detected: f.detected, fp: f.fp }));
}

export function runNab(opts: { data: string; options: Partial<AnomalyOptions>; split: 'tune' | 'all'; crossCheck: boolean }) {
  const started = Date.now();
  const files = loadNab(opts.data);
  const { tune, holdout } = splitNab(files);
  const tuneScored = detectAll(tune, opts.options);
  const tuneResult = scorePart(tuneScored);
  const result: Record<string, unknown> = {
    bench: 'nab',
    data: opts.data,
    detector: { ...DEFAULT_ANOMALY_OPTIONS, ...opts.options },
    split: { rule: 'per category, files sorted by name alternate: 1st, 3rd, … tune; 2nd, 4th, … held out', tune: tune.map((f) => f.name), holdout: holdout.map((f) => f.name) },
    tune: tuneResult,
  };
  if (opts.split === 'all') {
    const holdScored = detectAll(holdout, opts.options);
    result.holdout = scorePart(holdScored);
    result.holdoutAtTuneThresholds = scorePart(holdScored, thresholdsOf(tuneResult));
    result.all = scorePart([...tuneScored, ...holdScored]);
    result.perFile = { tune: perFile(tuneScored), holdout: perFile(holdScored) };
  }
  if (opts.split === 'all' && opts.crossCheck) {
    // The tuning procedure (bench/nab/tune.ts) run both ways: chosen on the tuning files (it must
    // reproduce the defaults) and, swapped, chosen on the held-out files and reported on the tuning files.
    const { onTune, onHoldout } = tuneBothWays(tune, holdout);
    result.procedure = { chosenOnTune: onTune, swapped: onHoldout };
    // The calibration choice (CALIBRATION_CANDIDATES) cross-validated over five folds fixed in advance (docs/detection.md).
    result.crossValidation = crossValidate(files);
  }
  // The best published detectors on the same parts (their per-file results from NAB's repository).
  result.published = { tune: publishedScores(tune), holdout: publishedScores(holdout), all: publishedScores(files) };
  result.scoreboard = Object.fromEntries(Object.entries(SCOREBOARD).map(([k, [s, fp, fn]]) => [k, { standard: s, reward_low_FP_rate: fp, reward_low_FN_rate: fn }]));
  result.seconds = round((Date.now() - started) / 1000, 1);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { data: { type: 'string', default: DEFAULT_NAB_DIR }, options: { type: 'string', default: '{}' }, split: { type: 'string', default: 'all' }, json: { type: 'boolean' }, 'no-cross-check': { type: 'boolean' } } });
  const split = values.split === 'tune' ? 'tune' : 'all';
  const crossCheck = values['no-cross-check'] !== true;
  console.log(JSON.stringify(runNab({ data: values.data!, options: JSON.parse(values.options!) as Partial<AnomalyOptions>, split, crossCheck })));
}
