import { AnomalyDetector, type AnomalyOptions } from './detector.ts';

/** One `timestamp,value` row of a series file. */
export interface SeriesPoint {
  /** 1-based line number in the file. */
  line: number;
  /** The timestamp as written. */
  raw: string;
  ts: number;
  value: number;
}

export interface BadRow {
  line: number;
  reason: string;
}

const NAIVE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

/**
 * Parses a timestamp: ISO 8601 with or without a zone (without one it is UTC, as NAB's files
 * are), `YYYY-MM-DD HH:MM:SS`, or epoch seconds / milliseconds. Returns NaN when unusable.
 */
export function parseTimestamp(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    return n < 1e11 ? n * 1000 : n;
  }
  const naive = NAIVE.exec(t);
  if (naive) {
    // JavaScript dates keep milliseconds only.
    const time = naive[2]!.replace(/(\.\d{3})\d+$/, '$1');
    return Date.parse(`${naive[1]}T${time}Z`);
  }
  return /^\d{4}-\d{2}-\d{2}/.test(t) ? Date.parse(t) : NaN;
}

function unquote(field: string): string {
  const f = field.trim();
  return f.length >= 2 && f.startsWith('"') && f.endsWith('"') ? f.slice(1, -1).replace(/""/g, '"') : f;
}

/**
 * Reads a `timestamp,value` CSV (header optional). Rows that cannot be used — wrong number of
 * fields, a bad timestamp, a value that is not a finite number, a timestamp not after the
 * previous good row's (unless `increasing: false`) — are returned in `bad` with their line number and skipped.
 */
export function parseSeriesCsv(text: string, opts: { increasing?: boolean } = {}): { points: SeriesPoint[]; bad: BadRow[] } {
  const increasing = opts.increasing ?? true;
  const points: SeriesPoint[] = [];
  const bad: BadRow[] = [];
  const lines = text.split(/\r?\n/);
  let last = -Infinity;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const fields = line.split(',').map(unquote);
    if (points.length === 0 && bad.length === 0 && /^[A-Za-z_"]/.test(line.trim()) && Number.isNaN(parseTimestamp(fields[0] ?? ''))) {
      continue; // header
    }
    const lineNo = i + 1;
    if (fields.length !== 2) {
      bad.push({ line: lineNo, reason: `expected 2 fields (timestamp,value), found ${fields.length}` });
      continue;
    }
    const ts = parseTimestamp(fields[0]!);
    if (Number.isNaN(ts)) {
      bad.push({ line: lineNo, reason: `bad timestamp ${JSON.stringify(fields[0])}` });
      continue;
    }
    const value = fields[1] === '' ? NaN : Number(fields[1]);
    if (!Number.isFinite(value)) {
      bad.push({ line: lineNo, reason: `value ${JSON.stringify(fields[1])} is not a finite number` });
      continue;
    }
    if (increasing && ts <= last) {
      bad.push({ line: lineNo, reason: `timestamp ${fields[0]} is not after the previous row's` });
      continue;
    }
    last = ts;
    points.push({ line: lineNo, raw: fields[0]!, ts, value });
  }
  return { points, bad };
}

export interface ScoredPoint extends SeriesPoint {
  score: number;
  isAnomaly: boolean;
}

/**
 * Runs a series through one detector, reading by reading, exactly as live detection feeds it
 * (the same `AnomalyDetector.update`).
 */
export function scoreSeries(points: SeriesPoint[], options: Partial<AnomalyOptions> = {}, detector = new AnomalyDetector(options)): ScoredPoint[] {
  return points.map((p) => {
    const r = detector.update(p.ts, p.value);
    return { ...p, score: r.score, isAnomaly: r.isAnomaly };
  });
}
