/**
 * NAB scoring as published (Lavin & Ahmad 2015, "Evaluating Real-time Anomaly Detection
 * Algorithms — the Numenta Anomaly Benchmark"; NAB v1.1, nab/sweeper.py and the corpus-wide
 * threshold optimisation), re-implemented here from its description:
 *
 * - Each labelled window [start, end] (indices, inclusive) rewards only its earliest detection,
 *   by the scaled sigmoid of its position: σ(x) = 2/(1+e^{5x}) − 1 with x = −(end − i + 1)/width,
 *   divided by σ(−1) so a detection on the window's first row earns exactly tpWeight.
 * - A window with no detection costs fnWeight.
 * - A detection outside every window costs fpWeight × σ(x): before any window σ = −1; after a
 *   window x = (i − prevEnd)/(prevWidth − 1), so detections just after a window cost little;
 *   σ = −1 once x ≥ 3.
 * - Rows in the probationary period (the first min(⌊0.15·n⌋, 750) of each file) are not scored.
 * - A row is a detection when its score ≥ threshold; one threshold per profile is chosen over the
 *   whole corpus (every distinct score is tried) to maximise the summed raw score.
 * - Normalised score = 100 · (raw − null) / (perfect − null), where null detects nothing and
 *   perfect detects the first row of every window.
 */

export interface Profile {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export const PROFILES = {
  standard: { tp: 1, fp: 0.11, fn: 1, tn: 1 },
  reward_low_FP_rate: { tp: 1, fp: 0.22, fn: 1, tn: 1 },
  reward_low_FN_rate: { tp: 1, fp: 0.11, fn: 2, tn: 1 },
} as const satisfies Record<string, Profile>;
export type ProfileName = keyof typeof PROFILES;

export interface ScoredFile {
  name: string;
  /** Detector scores, one per row, in time order. */
  scores: ArrayLike<number>;
  /** Labelled windows as inclusive row-index ranges, in order, not overlapping. */
  windows: Array<[number, number]>;
}

export function scaledSigmoid(position: number): number {
  if (position >= 3) return -1;
  return 2 / (1 + Math.exp(5 * position)) - 1;
}

export function probationLength(rows: number, fraction = 0.15): number {
  return Math.min(Math.floor(fraction * rows), fraction * 5000);
}

interface Row {
  score: number;
  /** Key of the window the row lies in, or null outside windows. */
  window: string | null;
  /** What a detection here contributes (already weighted). */
  value: number;
}

/** The scorable rows of a file with what a detection on each would earn under a profile. */
function scorableRows(file: ScoredFile, profile: Profile): { rows: Row[]; windows: string[] } {
  const n = file.scores.length;
  const probation = probationLength(n);
  const maxTp = scaledSigmoid(-1);
  const rows: Row[] = [];
  const windows = new Set<string>();
  let w = 0;
  let prevEnd: number | null = null;
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    while (w < file.windows.length && file.windows[w]![1] < i) {
      prevEnd = file.windows[w]![1];
      prevWidth = file.windows[w]![1] - file.windows[w]![0] + 1;
      w++;
    }
    const current = file.windows[w];
    const inside = current !== undefined && current[0] <= i && i <= current[1];
    let value: number;
    let key: string | null = null;
    if (inside) {
      const width = current[1] - current[0] + 1;
      value = (scaledSigmoid(-(current[1] - i + 1) / width) * profile.tp) / maxTp;
      key = `${file.name}|${current[0]}`;
    } else {
      const position = prevEnd === null ? 3 : Math.abs(prevEnd - i) / (prevWidth - 1);
      value = scaledSigmoid(position) * profile.fp;
    }
    if (i < probation) continue;
    if (key !== null) windows.add(key);
    rows.push({ score: file.scores[i]!, window: key, value });
  }
  return { rows, windows: [...windows] };
}

export interface ThresholdScore {
  threshold: number;
  score: number;
}

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** Raw corpus score at every distinct threshold, highest threshold first (first entry: nothing detected). */
export function sweep(files: ScoredFile[], profile: Profile): ThresholdScore[] {
  const all: Row[] = [];
  const best = new Map<string, number>();
  for (const file of files) {
    const { rows, windows } = scorableRows(file, profile);
    for (const row of rows) all.push(row);
    for (const key of windows) best.set(key, -profile.fn);
  }
  all.sort((a, b) => b.score - a.score);
  let total = -profile.fn * best.size;
  const out: ThresholdScore[] = [{ threshold: Infinity, score: total }];
  for (let i = 0; i < all.length; i++) {
    const row = all[i]!;
    if (row.window === null) total += row.value;
    else {
      const old = best.get(row.window)!;
      if (row.value > old) {
        best.set(row.window, row.value);
        total += row.value - old;
      }
    }
    if (i === all.length - 1 || all[i + 1]!.score !== row.score) out.push({ threshold: row.score, score: total });
  }
  return out;
}

/** The threshold with the highest corpus score (the highest such threshold on ties). */
export function optimiseThreshold(files: ScoredFile[], profile: Profile): ThresholdScore {
  let best: ThresholdScore | null = null;
  for (const t of sweep(files, profile)) if (best === null || t.score > best.score) best = t;
  return best!;
}

export interface FileScore extends Counts {
  name: string;
  score: number;
  /** Scorable windows, and those with a detection. */
  windows: number;
  detected: number;
}

/** Raw score and counts of one file at a fixed threshold (detection: score ≥ threshold). */
export function scoreFile(file: ScoredFile, profile: Profile, threshold: number): FileScore {
  const { rows, windows } = scorableRows(file, profile);
  const best = new Map<string, number>(windows.map((k) => [k, -profile.fn]));
  const detected = new Set<string>();
  let fpScore = 0;
  const counts: Counts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const row of rows) {
    const hit = row.score >= threshold;
    if (row.window === null) {
      if (hit) {
        counts.fp++;
        fpScore += row.value;
      } else counts.tn++;
    } else if (hit) {
      counts.tp++;
      detected.add(row.window);
      if (row.value > best.get(row.window)!) best.set(row.window, row.value);
    } else counts.fn++;
  }
  let score = fpScore;
  for (const v of best.values()) score += v;
  return { name: file.name, score, windows: windows.length, detected: detected.size, ...counts };
}

export interface ProfileResult {
  profile: ProfileName;
  threshold: number;
  raw: number;
  null: number;
  perfect: number;
  normalised: number;
  files: FileScore[];
}

function rawAt(files: ScoredFile[], profile: Profile, threshold: number): { raw: number; files: FileScore[] } {
  const scored = files.map((f) => scoreFile(f, profile, threshold));
  return { raw: scored.reduce((a, f) => a + f.score, 0), files: scored };
}

/** The detector that marks the first row of every window and nothing else. */
export function perfectDetector(file: ScoredFile): ScoredFile {
  const scores = new Array<number>(file.scores.length).fill(0);
  for (const [start] of file.windows) scores[start] = 1;
  return { ...file, scores };
}

export function nullDetector(file: ScoredFile): ScoredFile {
  return { ...file, scores: new Array<number>(file.scores.length).fill(0) };
}

/**
 * Scores a detector over a corpus under one profile: the threshold is optimised on these files
 * (as NAB does) unless one is given (to report a held-out set at a threshold chosen elsewhere).
 */
export function scoreCorpus(files: ScoredFile[], name: ProfileName, fixedThreshold?: number): ProfileResult {
  const profile = PROFILES[name];
  const threshold = fixedThreshold ?? optimiseThreshold(files, profile).threshold;
  const { raw, files: perFile } = rawAt(files, profile, threshold);
  const nullRaw = optimiseThreshold(files.map(nullDetector), profile).score;
  const perfectRaw = optimiseThreshold(files.map(perfectDetector), profile).score;
  const normalised = (100 * (raw - nullRaw)) / (perfectRaw - nullRaw);
  return { profile: name, threshold, raw, null: nullRaw, perfect: perfectRaw, normalised, files: perFile };
}
