// The offline check (every 5 ms here) and ingest lock the same latest-reading rows: with readings
// an hour old every sensor looks silent to the check while each batch moves them forward. Before
// both took the rows in sensor order (and ingest retried a deadlocked batch), one run in two or
// three lost a batch to "deadlock detected" (devices were told 503, try again); now every batch
// commits. PostgreSQL only: PGlite runs one transaction at a time.
import { afterAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { postgresService } from '../support/services.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

const postgres = await postgresService();

describe.skipIf(!postgres.available)('the offline check racing ingest on PostgreSQL', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('commits every batch while the check locks the rows the batches move', async () => {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const data = tempDir('offline-race');
    cleanups.push(data.remove);
    const platform: Platform = await startPlatform({
      port: 0, mqttPort: 0, hj212Port: null, host: '127.0.0.1', dataDir: data.dir, databaseUrl: database.url, topicPrefix: topicPrefix('offline-race'),
      simulate: false, buildWeb: false, log: false, auth: 'off', deviceAuth: 'off', offlineCheckMs: 5,
    });
    cleanups.push(() => platform.stop());
    const sensors = await platform.db.query<{ id: string; device_id: string; indicator: string }>('SELECT id, device_id, indicator FROM sensors');
    const channels = new Map<string, string[]>();
    for (const s of sensors) channels.set(s.device_id, [...(channels.get(s.device_id) ?? []), s.id.slice(s.device_id.length + 1)]);
    const devices = [...channels.keys()];
    const base = Date.now() - 3_600_000;
    const rounds = 100;
    const refused: string[] = [];
    for (let round = 0; round < rounds; round++) {
      // Each round's uplinks arrive in another order, so batches touch the rows in many orders.
      const order = devices.map((d, i) => ({ d, k: (i * 7919 + round * 104729) % 1009 })).sort((a, b) => a.k - b.k).map((x) => x.d);
      await Promise.all(order.map(async (device) => {
        const values = Object.fromEntries(channels.get(device)!.map((c) => [c, c === 'rssi' ? -80 : c === 'battery' ? 80 : 1]));
        const response = await fetch(`${platform.url}/api/ingest/devices/${device}`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ts: base + round * 1000, values }),
        });
        if (response.status !== 200 && response.status !== 207) refused.push(`${device} round ${round}: ${response.status} ${await response.text()}`);
      }));
    }
    expect(refused).toEqual([]);
    const stats = (await (await fetch(`${platform.url}/api/ingest/stats`)).json()) as { pipeline: { failedBatches: number; committedUplinks: number } };
    expect(stats.pipeline).toMatchObject({ failedBatches: 0, committedUplinks: rounds * devices.length });
    const [latest] = await platform.db.query<{ behind: number }>('SELECT count(*)::int AS behind FROM latest_readings WHERE ts < $1', [new Date(base + (rounds - 1) * 1000)]);
    expect(latest!.behind).toBe(0);
  }, 180_000);
});
