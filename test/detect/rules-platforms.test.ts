// Two platforms on one PostgreSQL database stand for two processes sharing the MQTT stream: an
// override saved through A's rules API fires in B without a restart, once B's revision check
// (every 200 ms here) has reloaded its rule book. Before the change, B judges the same value
// harmless; the alarm B opens records the override's rule and version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { postgresService } from '../support/services.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

const postgres = await postgresService();
const cleanups: (() => Promise<void> | void)[] = [];
let a: Platform;
let b: Platform;

beforeAll(async () => {
  if (!postgres.available) return;
  const database = await createTestDatabase();
  cleanups.push(database.drop);
  const start = async (label: string) => {
    const data = tempDir(label);
    cleanups.push(data.remove);
    const platform = await startPlatform({
      port: 0, mqttPort: 0, hj212Port: null, host: '127.0.0.1', dataDir: data.dir, databaseUrl: database.url, topicPrefix: topicPrefix(label),
      simulate: false, buildWeb: false, log: false, auth: 'off', deviceAuth: 'off', rulesCheckMs: 200,
    });
    cleanups.push(() => platform.stop());
    return platform;
  };
  a = await start('rules-a');
  b = await start('rules-b');
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const reportTo = async (platform: Platform, lel: number) => {
  const response = await fetch(`${platform.url}/api/ingest/devices/GD-001`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ values: { lel } }),
  });
  expect(response.status).toBe(200);
};
const activeLelAlarms = () => b.db.query<{ rule_id: string; rule_version: number; level: number }>(
  `SELECT rule_id, rule_version, level FROM alarms WHERE sensor_id = 'GD-001.lel' AND state = 'active'`,
);

describe.skipIf(!postgres.available)('a rule changed through one platform, evaluated by another on the same database', () => {
  it('fires in B on the override saved through A, after B\'s revision check', async () => {
    // methane-lel: level 4 from 5 %LEL; 3 %LEL fires nothing in B.
    await reportTo(b, 3);
    expect(await activeLelAlarms()).toEqual([]);

    const saved = await fetch(`${a.url}/api/rules/methane-lel/versions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scope: 'sensor', target: 'GD-001.lel', thresholds: { 4: 2 }, recovery: 1.5, note: 'detector in a confined space' }),
    });
    expect(saved.status).toBe(201);

    // B reports 3 %LEL until its check has run (no restart, nothing else told B of the change).
    await expect.poll(async () => {
      await reportTo(b, 3);
      return activeLelAlarms();
    }, { interval: 100, timeout: 20_000 }).toEqual([{ rule_id: 'methane-lel@sensor:GD-001.lel', rule_version: 1, level: 4 }]);
  });
});
