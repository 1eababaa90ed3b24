import type { Queryable } from './db.ts';

export interface StoredReading {
  sensorId: string;
  ts: Date;
  value: number;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step;

/**
 * Adds newly stored readings to their 1-minute buckets, in the readings' own transaction, so a
 * rollup counts each stored reading exactly once (duplicates are never passed in). Marks the
 * hours touched so the rollup job recomputes them.
 */
export async function addToMinuteRollups(tx: Queryable, readings: StoredReading[]): Promise<void> {
  if (readings.length === 0) return;
  const buckets = new Map<string, { sensorId: string; bucket: number; min: number; max: number; sum: number; count: number }>();
  const hours = new Set<number>();
  for (const r of readings) {
    const bucket = floorTo(r.ts.getTime(), MINUTE_MS);
    hours.add(floorTo(bucket, HOUR_MS));
    const key = `${r.sensorId}\u0000${bucket}`;
    const b = buckets.get(key);
    if (b) {
      b.min = Math.min(b.min, r.value);
      b.max = Math.max(b.max, r.value);
      b.sum += r.value;
      b.count++;
    } else {
      buckets.set(key, { sensorId: r.sensorId, bucket, min: r.value, max: r.value, sum: r.value, count: 1 });
    }
  }
  const rows = [...buckets.values()];
  await tx.query(
    `INSERT INTO readings_1m (sensor_id, bucket, min, max, sum, count)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::float8[], $4::float8[], $5::float8[], $6::int[])
     ON CONFLICT (sensor_id, bucket) DO UPDATE SET
       min = LEAST(readings_1m.min, EXCLUDED.min), max = GREATEST(readings_1m.max, EXCLUDED.max),
       sum = readings_1m.sum + EXCLUDED.sum, count = readings_1m.count + EXCLUDED.count`,
    [rows.map((b) => b.sensorId), rows.map((b) => new Date(b.bucket)), rows.map((b) => b.min), rows.map((b) => b.max),
      rows.map((b) => b.sum), rows.map((b) => b.count)],
  );
  await tx.query(
    `INSERT INTO rollup_dirty (resolution, bucket) SELECT '1h', b FROM unnest($1::timestamptz[]) AS b ON CONFLICT DO NOTHING`,
    [[...hours].map((h) => new Date(h))],
  );
}

/**
 * Rolls complete dirty hours up from 1-minute buckets into 1-hour buckets, then complete dirty
 * days (local days in `timeZone`) from hours into days. An open bucket (the current hour or
 * day) is left dirty: series queries compute it from the finer table. Returns what it did.
 */
export async function rollUp(db: { transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> }, now: Date, timeZone: string, maxBuckets = 48): Promise<{ hours: number; days: number }> {
  let hours = 0;
  let days = 0;
  for (const [resolution, source, target, width] of [
    ['1h', 'readings_1m', 'readings_1h', `interval '1 hour'`],
    ['1d', 'readings_1h', 'readings_1d', `interval '1 day'`],
  ] as const) {
    const open = resolution === '1h' ? `date_trunc('hour', $1::timestamptz, 'UTC')` : `date_trunc('day', $1::timestamptz, $2)`;
    for (let i = 0; i < maxBuckets; i++) {
      const done = await db.transaction(async (tx) => {
        const [dirty] = await tx.query<{ bucket: Date }>(
          `DELETE FROM rollup_dirty WHERE (resolution, bucket) IN (
             SELECT resolution, bucket FROM rollup_dirty WHERE resolution = '${resolution}' AND bucket < ${open}
              ORDER BY bucket LIMIT 1 FOR UPDATE SKIP LOCKED)
           RETURNING bucket`,
          resolution === '1h' ? [now] : [now, timeZone],
        );
        if (!dirty) return false;
        await tx.query(`DELETE FROM ${target} WHERE bucket = $1`, [dirty.bucket]);
        await tx.query(
          `INSERT INTO ${target} (sensor_id, bucket, min, max, sum, count)
           SELECT sensor_id, $1, min(min), max(max), sum(sum), sum(count) FROM ${source}
            WHERE bucket >= $1 AND bucket < $1::timestamptz + ${width} GROUP BY sensor_id`,
          [dirty.bucket],
        );
        if (resolution === '1h') {
          await tx.query(
            `INSERT INTO rollup_dirty (resolution, bucket) VALUES ('1d', date_trunc('day', $1::timestamptz, $2)) ON CONFLICT DO NOTHING`,
            [dirty.bucket, timeZone],
          );
        }
        return true;
      });
      if (!done) break;
      if (resolution === '1h') hours++;
      else days++;
    }
  }
  return { hours, days };
}
