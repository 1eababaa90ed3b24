// Partitions, rollups, series and retention against both stores, checked against aggregates
// computed here from the raw data itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDemoNetwork } from '../sim/seed.ts';
import type { Db } from './db.ts';
import { migrate } from './migrations.ts';
import { listPartitions, PartitionKeeper } from './partitions.ts';
import { applyRetention } from './retention.ts';
import { addToMinuteRollups, rollUp, type StoredReading } from './rollups.ts';
import { readSeries, resolutionFor, type SeriesPoint } from './series.ts';
import { storesUnderTest } from '../../test/support/stores.ts';

const ZONE = 'Asia/Shanghai';
const SENSOR = 'WP-001.p';
const START = Date.parse('2026-10-30T10:00:00Z');
// Three days across a month boundary, one reading every 5 minutes, values with a daily swing.
const RAW: StoredReading[] = Array.from({ length: 3 * 288 }, (_, i) => ({
  sensorId: SENSOR, ts: new Date(START + i * 300_000), value: Number((0.3 + 0.05 * Math.sin(i / 20) + (i % 7) * 0.001).toFixed(4)),
}));

/** Aggregates raw readings into buckets by `key` (bucket start in ms). */
function expected(readings: StoredReading[], key: (ts: Date) => number): SeriesPoint[] {
  const buckets = new Map<number, number[]>();
  for (const r of readings) buckets.set(key(r.ts), [...(buckets.get(key(r.ts)) ?? []), r.value]);
  return [...buckets.entries()].sort(([a], [b]) => a - b).map(([ts, values]) => ({
    ts: new Date(ts).toISOString(), min: Math.min(...values), max: Math.max(...values),
    avg: values.reduce((a, b) => a + b, 0) / values.length, count: values.length,
  }));
}
const hourKey = (ts: Date) => Math.floor(ts.getTime() / 3_600_000) * 3_600_000;
// Asia/Shanghai is UTC+8 all year: a local day starts at 16:00 UTC.
const shanghaiDayKey = (ts: Date) => Math.floor((ts.getTime() + 8 * 3_600_000) / 86_400_000) * 86_400_000 - 8 * 3_600_000;
const rounded = (points: SeriesPoint[]) => points.map((p) => ({ ...p, avg: Number(p.avg.toFixed(9)) }));

const stores = await storesUnderTest();

describe.each(stores)('time series storage: $name', (store) => {
  let db: Db;
  let drop: () => Promise<void>;
  let keeper: PartitionKeeper;

  async function ingest(readings: StoredReading[]) {
    await keeper.ensure(readings.map((r) => r.ts));
    await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO readings SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::float8[])`, [
        readings.map((r) => r.sensorId), readings.map((r) => r.ts), readings.map((r) => r.value),
      ]);
      await addToMinuteRollups(tx, readings);
    });
  }

  beforeAll(async () => {
    if (!store.available) return;
    ({ db, drop } = await store.open());
    // Readings stored before partitioning must survive the migration that introduces it.
    await migrate(db, 4);
    await insertDemoNetwork(db);
    await db.query(`INSERT INTO readings VALUES ('WP-002.p', '2026-09-15T00:00:30Z', 0.31), ('WP-002.p', '2026-09-15T00:00:50Z', 0.33)`);
    await migrate(db);
    keeper = new PartitionKeeper(db);
    await ingest(RAW);
  });
  afterAll(async () => {
    if (!store.available) return;
    await db.close();
    await drop();
  });

  it.skipIf(!store.available)('moves pre-partitioning readings into monthly partitions with their rollups', async () => {
    expect(await db.query(`SELECT value FROM readings WHERE sensor_id = 'WP-002.p' ORDER BY ts`)).toEqual([{ value: 0.31 }, { value: 0.33 }]);
    expect(await db.query(`SELECT min, max, count FROM readings_1m WHERE sensor_id = 'WP-002.p'`)).toEqual([{ min: 0.31, max: 0.33, count: 2 }]);
    expect((await listPartitions(db, 'readings')).map((p) => p.name)).toEqual(['readings_p2026_09', 'readings_p2026_10', 'readings_p2026_11']);
  });

  it.skipIf(!store.available)('serves hours and local days equal to aggregates of the raw data, before and after rolling up', async () => {
    const from = new Date('2026-10-29T00:00:00Z');
    const to = new Date('2026-11-03T00:00:00Z');
    const now = new Date('2026-11-02T09:30:00Z'); // inside the last hour of data: that hour and day are still open
    const hours = rounded(expected(RAW, hourKey));
    const days = rounded(expected(RAW, shanghaiDayKey));
    expect(rounded(await readSeries(db, SENSOR, from, to, '1h', ZONE, now))).toEqual(hours);
    const rolled = await rollUp(db, now, ZONE, 500);
    expect(rolled.hours).toBe(hours.length - 1 + 1); // WP-001's complete hours, and WP-002's September hour
    expect(rounded(await readSeries(db, SENSOR, from, to, '1h', ZONE, now))).toEqual(hours);
    expect(rounded(await readSeries(db, SENSOR, from, to, '1d', ZONE, now))).toEqual(days);
    const [{ n }] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM readings_1h WHERE sensor_id = $1`, [SENSOR])) as [{ n: number }];
    expect(n).toBe(hours.length - 1);
  });

  it.skipIf(!store.available)('counts a late reading in its rolled-up hour at once and in the rollup after the next run', async () => {
    const late: StoredReading = { sensorId: SENSOR, ts: new Date('2026-10-31T03:02:00Z'), value: 9.5 };
    await ingest([late]);
    const now = new Date('2026-11-02T11:30:00Z');
    const hours = rounded(expected([...RAW, late], hourKey));
    const range = [new Date('2026-10-29T00:00:00Z'), new Date('2026-11-03T00:00:00Z')] as const;
    expect(rounded(await readSeries(db, SENSOR, ...range, '1h', ZONE, now))).toEqual(hours);
    expect(rounded(await readSeries(db, SENSOR, ...range, '1d', ZONE, now))).toEqual(rounded(expected([...RAW, late], shanghaiDayKey)));
    // The late reading's hour, and the hour that was open during the last run; the current local day stays open.
    expect(await rollUp(db, now, ZONE, 500)).toEqual({ hours: 2, days: 1 });
    const [row] = await db.query(`SELECT max, count FROM readings_1h WHERE sensor_id = $1 AND bucket = '2026-10-31T03:00:00Z'`, [SENSOR]);
    expect(row).toEqual({ max: 9.5, count: 13 });
  });

  it.skipIf(!store.available)('drops whole partitions past the horizon and keeps the coarser rollups', async () => {
    const dropped = await applyRetention(db, { rawDays: 31, minuteDays: 31, hourDays: 0, dayDays: 0, deliveryDays: 0 }, new Date('2026-12-05T00:00:00Z'), keeper);
    expect(dropped.sort()).toEqual(['readings_1m_p2026_09', 'readings_1m_p2026_10', 'readings_p2026_09', 'readings_p2026_10']);
    expect((await listPartitions(db, 'readings')).map((p) => p.name)).toEqual(['readings_p2026_11']);
    const october = await readSeries(db, SENSOR, new Date('2026-10-30T00:00:00Z'), new Date('2026-10-31T00:00:00Z'), '1h', ZONE, new Date('2026-12-05T00:00:00Z'));
    expect(october.length).toBeGreaterThan(0);
    // A month seen again after its partition was dropped gets a fresh one.
    await ingest([{ sensorId: SENSOR, ts: new Date('2026-10-15T00:00:00Z'), value: 1 }]);
    expect((await listPartitions(db, 'readings')).map((p) => p.name)).toContain('readings_p2026_10');
  });

  it('picks rollups, never raw rows, for long spans', () => {
    expect(resolutionFor(3_600_000)).toBe('raw');
    expect(resolutionFor(2 * 86_400_000)).toBe('1m');
    expect(resolutionFor(30 * 86_400_000)).toBe('1h');
    expect(resolutionFor(365 * 86_400_000)).toBe('1d');
  });
});
