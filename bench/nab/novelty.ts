// Context novelty on NAB (docs/detection.md, "Round 3"):
//   npx tsx bench/nab/novelty.ts [--mode alone|detector] [--options JSON] [--cv] [--data DIR]
// `alone` scores every file with a NoveltyScorer (options: NoveltyOptions); `detector` with the
// AnomalyDetector (options: AnomalyOptions, e.g. '{"novelty":{}}'). Prints one JSON line: tune,
// holdout and all ([score, windows found, FP rows] per profile, threshold optimised on the part),
// the fixed setting scored on each of the five cross-validation folds and their mean, and with
// `--cv` the cross-validated choice between the detector without and with novelty (crossValidate).
import { parseArgs } from 'node:util';
import type { AnomalyOptions } from '../../src/detect/anomaly/index.ts';
import { NoveltyScorer, type NoveltyOptions } from '../../src/detect/anomaly/novelty.ts';
import { DEFAULT_NAB_DIR, loadNab, splitNab, type NabFile } from './corpus.ts';
import { PROFILES, type ProfileName, type ScoredFile } from './score.ts';
import { crossValidate, detectAll, foldsOf, scorePart, type PartScores } from './tune.ts';

/** The detector without and with context novelty, for the cross-validated choice. */
export const NOVELTY_CANDIDATES: ReadonlyArray<Partial<AnomalyOptions>> = [{}, { novelty: {} }];

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const brief = (p: PartScores) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, [v.score, v.windowsDetected, v.fp]]));

export function noveltyAll(files: NabFile[], options: Partial<NoveltyOptions>): ScoredFile[] {
  return files.map((f) => {
    const scorer = new NoveltyScorer(options);
    return { name: f.name, windows: f.windows, scores: f.points.map((p) => scorer.update(p.value)) };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { data: { type: 'string', default: DEFAULT_NAB_DIR }, options: { type: 'string', default: '{}' }, mode: { type: 'string', default: 'alone' }, cv: { type: 'boolean' } } });
  const started = Date.now();
  const files = loadNab(values.data!);
  const options = JSON.parse(values.options!) as Record<string, unknown>;
  const scored = values.mode === 'detector' ? detectAll(files, options as Partial<AnomalyOptions>) : noveltyAll(files, options as Partial<NoveltyOptions>);
  const byName = new Map(scored.map((f) => [f.name, f]));
  const pick = (part: NabFile[]) => part.map((f) => byName.get(f.name)!);
  const { tune, holdout } = splitNab(files);
  const folds = foldsOf(files).map((fold) => scorePart(pick(fold)));
  const out: Record<string, unknown> = {
    mode: values.mode === 'detector' ? 'detector' : 'alone',
    options,
    tune: brief(scorePart(pick(tune))),
    holdout: brief(scorePart(pick(holdout))),
    all: brief(scorePart(scored)),
    folds: folds.map((f) => f.standard.score),
    foldsMean: Object.fromEntries((Object.keys(PROFILES) as ProfileName[]).map((p) => [p, round(folds.reduce((a, f) => a + f[p].score, 0) / folds.length)])),
  };
  if (values.cv) {
    const cv = crossValidate(files, NOVELTY_CANDIDATES);
    out.crossValidation = { candidates: NOVELTY_CANDIDATES, chosen: cv.folds.map((f) => f.chosen), standardPerFold: cv.candidates.map((c) => c.standardPerFold), mean: cv.mean, meanAtFitThresholds: cv.meanAtFitThresholds };
  }
  out.seconds = round((Date.now() - started) / 1000, 1);
  console.log(JSON.stringify(out));
}
