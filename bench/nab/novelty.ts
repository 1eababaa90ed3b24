// Context-novelty experiments on NAB: `npx tsx bench/nab/novelty.ts [--options JSON] [--detector JSON] [--mode alone|detector]`.
// Prints one JSON line: tune, holdout, all (per profile) and the fixed setting scored on each of the
// five cross-validation folds (threshold optimised on the fold) and their mean.
import { parseArgs } from 'node:util';
import { NoveltyScorer, type NoveltyOptions } from '../../src/detect/anomaly/novelty.ts';
import type { AnomalyOptions } from '../../src/detect/anomaly/index.ts';
import { DEFAULT_NAB_DIR, loadNab, splitNab, type NabFile } from './corpus.ts';
import type { ScoredFile } from './score.ts';
import { detectAll, foldsOf, scorePart, type PartScores } from './tune.ts';

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const brief = (p: PartScores) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, [v.score, v.windowsDetected, v.fp]]));

export function noveltyAll(files: NabFile[], options: Partial<NoveltyOptions>): ScoredFile[] {
  return files.map((f) => {
    const scorer = new NoveltyScorer(options);
    return { name: f.name, windows: f.windows, scores: f.points.map((p) => scorer.update(p.value)) };
  });
}

const { values } = parseArgs({ options: { data: { type: 'string', default: DEFAULT_NAB_DIR }, options: { type: 'string', default: '{}' }, mode: { type: 'string', default: 'alone' }, files: { type: 'boolean' } } });
const started = Date.now();
const files = loadNab(values.data!);
const opts = JSON.parse(values.options!) as Record<string, unknown>;
const scored = values.mode === 'alone' ? noveltyAll(files, opts as Partial<NoveltyOptions>) : detectAll(files, opts as Partial<AnomalyOptions>);
const byName = new Map(scored.map((f) => [f.name, f]));
const { tune, holdout } = splitNab(files);
const pick = (fs: NabFile[]) => fs.map((f) => byName.get(f.name)!);
const folds = foldsOf(files).map((fold) => scorePart(pick(fold)));
const out: Record<string, unknown> = {
  mode: values.mode, options: opts,
  tune: brief(scorePart(pick(tune))), holdout: brief(scorePart(pick(holdout))), all: brief(scorePart(scored)),
  folds: folds.map((f) => f.standard.score),
  foldsMean: Object.fromEntries(['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'].map((p) => [p, round(folds.reduce((a, f) => a + f[p as keyof PartScores].score, 0) / folds.length)])),
  seconds: round((Date.now() - started) / 1000, 1),
};
console.log(JSON.stringify(out));
