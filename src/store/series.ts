import type { Queryable } from './db.ts';

export type Resolution = 'raw' | '1m' | '1h' | '1d';

/** At most this many raw readings per series request; a window with more returns its newest ones. */
export const RAW_POINT_CAP = 20_000;

export interface SeriesPoint {
  ts: string;
  min: number;
  max: number;
  avg: number;
  count: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The resolution a chart of this span reads, keeping it to a few thousand points: raw up to 6 h,
 * minutes up to 3 days, hours up to 120 days, days beyond. Charts over a year never touch raw rows.
 */
export function resolutionFor(spanMs: number): Resolution {
  if (spanMs <= 6 * HOUR) return 'raw';
  if (spanMs <= 3 * DAY) return '1m';
  if (spanMs <= 120 * DAY) return '1h';
  return '1d';
}

interface Row {
  bucket: Date;
  min: number;
  max: number;
  sum: number;
  count: number;
}

/**
 * One sensor's series between `from` and `to`. Hour and day points come from their rollup
 * tables where the bucket is rolled up; buckets still open or dirty (late data) are computed from
 * the 1-minute table, so the answer is always complete.
 */
export async function readSeries(
  db: Queryable, sensorId: string, from: Date, to: Date, resolution: Resolution, timeZone: string, now: Date,
): Promise<SeriesPoint[]> {
  let rows: Row[];
  if (resolution === 'raw') {
    // The newest readings matter most: past the cap, the oldest part of the window is left out.
    rows = (await db.query<{ ts: Date; value: number }>(
      `SELECT ts, value FROM readings WHERE sensor_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts DESC LIMIT ${RAW_POINT_CAP}`,
      [sensorId, from, to],
    )).reverse().map((r) => ({ bucket: r.ts, min: r.value, max: r.value, sum: r.value, count: 1 }));
  } else if (resolution === '1m') {
    rows = await db.query<Row & Record<string, unknown>>(
      `SELECT bucket, min, max, sum, count FROM readings_1m WHERE sensor_id = $1 AND bucket >= $2 AND bucket < $3 ORDER BY bucket`,
      [sensorId, from, to],
    );
  } else {
    // Buckets whose rollup may be missing or stale: still open, or dirty (late data not yet rolled).
    const [table, truncate, stale] = resolution === '1h'
      ? ['readings_1h', `date_trunc('hour', bucket, 'UTC')`,
        `SELECT bucket FROM rollup_dirty WHERE resolution = '1h' UNION SELECT date_trunc('hour', $4::timestamptz, 'UTC')`]
      : ['readings_1d', `date_trunc('day', bucket, $5)`,
        `SELECT bucket FROM rollup_dirty WHERE resolution = '1d'
         UNION SELECT date_trunc('day', bucket, $5) FROM rollup_dirty WHERE resolution = '1h'
         UNION SELECT date_trunc('day', $4::timestamptz, $5)`];
    rows = await db.query<Row & Record<string, unknown>>(
      `WITH stale AS (${stale}),
       rolled AS (
         SELECT bucket, min, max, sum, count FROM ${table}
          WHERE sensor_id = $1 AND bucket >= $2 AND bucket < $3 AND bucket NOT IN (SELECT bucket FROM stale)
       ), pending AS (
         SELECT ${truncate} AS bucket, min(min) AS min, max(max) AS max, sum(sum) AS sum, sum(count)::int AS count
           FROM readings_1m WHERE sensor_id = $1 AND bucket >= $2 AND bucket < $3 AND ${truncate} IN (SELECT bucket FROM stale)
          GROUP BY 1
       )
       SELECT * FROM rolled UNION ALL SELECT * FROM pending ORDER BY bucket`,
      resolution === '1h' ? [sensorId, from, to, now] : [sensorId, from, to, now, timeZone],
    );
  }
  return rows.map((r) => ({ ts: r.bucket.toISOString(), min: r.min, max: r.max, avg: r.sum / r.count, count: Number(r.count) }));
}
