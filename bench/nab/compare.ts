// Compares detector settings without looking at the held-out half per file:
// `npx tsx bench/nab/compare.ts '[{}, {"scoreMode":"tail","threshold":0.4}]' [--files]`.
// Per setting, one line: the tuning half (in-sample, per profile, with its threshold, windows found
// and false-positive rows); the five fixed folds, each at its own threshold ("folds", mean per
// profile and the standard score per fold); and each fold at the threshold optimised on the other
// four ("at rest": does one threshold carry over to series it was not set on?). `--files` adds the
// tuning files one per line (standard profile). Used for round 3 in docs/detection.md.
import type { AnomalyOptions } from '../../src/detect/anomaly/index.ts';
import { DEFAULT_NAB_DIR, loadNab, splitNab } from './corpus.ts';
import { PROFILES, scoreCorpus, type ProfileName, type ScoredFile } from './score.ts';
import { detectAll, foldsOf, scorePart, thresholdsOf, type PartScores } from './tune.ts';

const round = (x: number) => Math.round(x * 10) / 10;
const profiles = Object.keys(PROFILES) as ProfileName[];
const meanOver = (parts: PartScores[]) => profiles.map((p) => round(parts.reduce((a, s) => a + s[p].score, 0) / parts.length)).join(' / ');

export function compare(settings: Array<Partial<AnomalyOptions>>, listFiles = false): string[] {
  const files = loadNab(DEFAULT_NAB_DIR);
  const tuneNames = new Set(splitNab(files).tune.map((f) => f.name));
  const folds = foldsOf(files);
  const lines: string[] = [];
  for (const options of settings) {
    const scored = detectAll(files, options);
    const byName = new Map(scored.map((s) => [s.name, s]));
    const tune = scored.filter((s) => tuneNames.has(s.name));
    const t = scorePart(tune);
    const own: PartScores[] = [];
    const atRest: PartScores[] = [];
    for (const fold of folds) {
      const mine: ScoredFile[] = fold.map((f) => byName.get(f.name)!);
      const rest = scored.filter((s) => !mine.includes(s));
      own.push(scorePart(mine));
      atRest.push(scorePart(mine, thresholdsOf(scorePart(rest))));
    }
    lines.push(`${JSON.stringify(options)} | tune ${profiles.map((p) => t[p].score).join(' / ')} (threshold ${t.standard.threshold}, ` +
      `${t.standard.windowsDetected} windows, ${t.standard.fp} FP rows) | folds ${meanOver(own)} [${own.map((p) => round(p.standard.score)).join(', ')}] | at rest ${meanOver(atRest)}`);
    if (listFiles) for (const f of scoreCorpus(tune, 'standard').files) lines.push(`    ${f.name} ${round(f.score)} ${f.detected}/${f.windows} FP ${f.fp}`);
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const settings = JSON.parse(process.argv[2] ?? '[{}]') as Array<Partial<AnomalyOptions>>;
  for (const line of compare(settings, process.argv.includes('--files'))) console.log(line);
}
