// Contextual transitions alone on NAB (docs/detection.md, "Round 5a"):
//   npx tsx bench/nab/context.ts '[{}, {"bins":12}]'            tune, folds and "at rest", as compare.ts
//   npx tsx bench/nab/context.ts '[{}]' --data DIR               `all` of another corpus (synthetic)
//   npx tsx bench/nab/context.ts '[{}]' --oracle-range           diagnostic only, NOT causal: bins over
//                                                                each file's own min/max (as NAB's inputMin/inputMax)
// Each setting (ContextOptions) scores every file with a ContextScorer alone; the held-out half is
// not reported on its own (decisions are made on the tuning half and the folds).
import { parseArgs } from 'node:util';
import { ContextScorer, type ContextOptions } from '../../src/detect/anomaly/context.ts';
import { summarise } from './compare.ts';
import { DEFAULT_NAB_DIR, loadNab, type NabFile } from './corpus.ts';
import type { ScoredFile } from './score.ts';
import { scorePart } from './tune.ts';

export function contextAll(files: NabFile[], options: Partial<ContextOptions>, oracleRange = false): ScoredFile[] {
  return files.map((f) => {
    const scorer = oracleRange ? withFileRange(f, options) : new ContextScorer(options);
    return { name: f.name, windows: f.windows, scores: f.points.map((p) => scorer.update(p.value)) };
  });
}

/** A scorer whose `learned` bins come from the whole file's range: what a detector told the file's range up front would do. */
function withFileRange(f: NabFile, options: Partial<ContextOptions>): ContextScorer {
  const values = f.points.map((p) => p.value);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const bins = new ContextScorer(options).options.bins;
  return ContextScorer.restore({ version: 1, n: 0, min, max, width: Math.max((max - min) / bins, 1e-9), buffer: [], facts: [], contexts: [], support: [], nextId: 0, restUntil: 0 }, { ...options, scale: 'learned' });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { data: { type: 'string' }, 'oracle-range': { type: 'boolean' } } });
  const files = loadNab(values.data ?? DEFAULT_NAB_DIR);
  for (const options of JSON.parse(positionals[0] ?? '[{}]') as Array<Partial<ContextOptions>>) {
    const started = Date.now();
    const scored = contextAll(files, options, values['oracle-range'] === true);
    const seconds = `${Math.round((Date.now() - started) / 100) / 10} s`;
    if (values.data) {
      const all = scorePart(scored);
      console.log(JSON.stringify(options), '| all', Object.values(all).map((p) => p.score).join(' / '), `(${all.standard.windowsDetected} windows, ${all.standard.fp} FP rows)`, seconds);
    } else console.log(...summarise(JSON.stringify(options), files, scored), seconds);
  }
}
