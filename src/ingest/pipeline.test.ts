// Backpressure: the pipeline reports overload past its high-water mark, refuses (and counts)
// what would grow memory past four times the mark, and loses nothing it accepted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuleBook } from '../detect/index.ts';
import { SensorRegistry } from '../network/index.ts';
import { seedDemoCity } from '../sim/seed.ts';
import { migrate, openPglite, PartitionKeeper, type Db } from '../store/index.ts';
import { IngestPipeline, OverloadError } from './pipeline.ts';

describe('ingest pipeline backpressure', () => {
  let db: Db;
  let pipeline: IngestPipeline;

  beforeAll(async () => {
    db = await openPglite(null);
    await migrate(db);
    await seedDemoCity(db);
    const sensors = new SensorRegistry();
    await sensors.load(db);
    pipeline = new IngestPipeline({
      db, sensors, rules: () => new RuleBook([]), partitions: new PartitionKeeper(db), incidentLevel: 2,
      onCommitted: () => {}, highWater: 10, maxBatch: 7,
    });
  });
  afterAll(() => db.close());

  it('signals overload, sheds past four times the mark, keeps all it accepted', async () => {
    const base = Date.now() - 60_000;
    const uplink = (i: number) => ({
      source: 'test', deviceId: 'DL-001', receivedAt: new Date(),
      payload: JSON.stringify({ ts: new Date(base + i).toISOString(), values: { level: 0.5 } }),
    });
    const accepted: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) accepted.push(pipeline.submit(uplink(i)));
    expect(pipeline.overloaded).toBe(true);
    const refused = pipeline.submit(uplink(40));
    await expect(refused).rejects.toBeInstanceOf(OverloadError);
    await expect(refused).rejects.toThrow('ingest queue full (40 uplinks waiting): retry later');

    await Promise.all(accepted);
    expect(pipeline.overloaded).toBe(false);
    expect(pipeline.stats()).toMatchObject({ queued: 0, committedUplinks: 40, committedReadings: 40, shed: 1, failedBatches: 0, overloads: 1, maxQueued: 40 });
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM readings WHERE sensor_id = 'DL-001.level'`);
    expect(row!.n).toBe(40);
  });
});
