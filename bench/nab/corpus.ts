import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSeriesCsv, parseTimestamp, type SeriesPoint } from '../../src/detect/anomaly/index.ts';

export const DEFAULT_NAB_DIR = path.resolve(import.meta.dirname, '../../../shared/data/nab');

export interface NabFile {
  /** `category/series.csv`, as in NAB's label file. */
  name: string;
  category: string;
  points: SeriesPoint[];
  windows: Array<[number, number]>;
}

/** Index of the row with this timestamp (NAB windows start and end on rows). */
function rowAt(points: SeriesPoint[], ts: number, name: string): number {
  // Linear: a few files repeat a timestamp (a clock change), so rows are not strictly ordered.
  const i = points.findIndex((p) => p.ts === ts);
  if (i >= 0) return i;
  throw new Error(`${name}: window edge ${new Date(ts).toISOString()} is not a row of the file`);
}

/** Loads NAB's layout: data/<category>/<series>.csv and labels/combined_windows.json. */
export function loadNab(dir: string): NabFile[] {
  const labels = JSON.parse(readFileSync(path.join(dir, 'labels', 'combined_windows.json'), 'utf8')) as Record<string, Array<[string, string]>>;
  const files: NabFile[] = [];
  for (const category of readdirSync(path.join(dir, 'data')).sort()) {
    for (const file of readdirSync(path.join(dir, 'data', category)).filter((f) => f.endsWith('.csv')).sort()) {
      const name = `${category}/${file}`;
      const { points, bad } = parseSeriesCsv(readFileSync(path.join(dir, 'data', category, file), 'utf8'), { increasing: false });
      if (bad.length > 0) throw new Error(`${name}: line ${bad[0]!.line}: ${bad[0]!.reason}`);
      const windows = (labels[name] ?? []).map(([a, b]) => [rowAt(points, parseTimestamp(a), name), rowAt(points, parseTimestamp(b), name)] as [number, number]);
      files.push({ name, category, points, windows });
    }
  }
  return files;
}

/**
 * The documented split: within each category, files sorted by name alternate, the 1st, 3rd, 5th …
 * for tuning and the 2nd, 4th, 6th … held out. Detector parameters are chosen on `tune` only.
 */
export function splitNab(files: NabFile[]): { tune: NabFile[]; holdout: NabFile[] } {
  const tune: NabFile[] = [];
  const holdout: NabFile[] = [];
  const seen = new Map<string, number>();
  for (const f of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    const k = seen.get(f.category) ?? 0;
    seen.set(f.category, k + 1);
    (k % 2 === 0 ? tune : holdout).push(f);
  }
  return { tune, holdout };
}
