// Several processes started at the same moment on a new PostgreSQL database (a deployment's
// replicas coming up together): each prepares the database — migrations, the rule catalogue, the
// demo city, device logins, first accounts — and all of them must start, with everything written once.
import { afterAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { postgresService } from '../support/services.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

const postgres = await postgresService();

describe.skipIf(!postgres.available)('processes started together on a new database', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('all start, and the catalogue and the demo city are written once', async () => {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const start = (label: string) => {
      const data = tempDir(label);
      cleanups.push(data.remove);
      return startPlatform({
        port: 0, mqttPort: 0, hj212Port: null, host: '127.0.0.1', dataDir: data.dir, databaseUrl: database.url, topicPrefix: topicPrefix(label),
        simulate: false, buildWeb: false, log: false,
      });
    };
    const started = await Promise.allSettled([start('together-a'), start('together-b'), start('together-c')]);
    for (const s of started) if (s.status === 'fulfilled') cleanups.push(() => s.value.stop());
    expect(started.map((s) => (s.status === 'rejected' ? String(s.reason) : 'started'))).toEqual(['started', 'started', 'started']);
    const [a] = started.map((s) => (s as PromiseFulfilledResult<Platform>).value);
    // The catalogue was recorded once, not once per process: one version per rule, as after a lone start.
    expect(await a!.db.query('SELECT rule_id FROM rule_versions GROUP BY rule_id HAVING count(*) > 1')).toEqual([]);
    const [counts] = await a!.db.query<{ assets: number }>('SELECT count(*)::int AS assets FROM assets');
    expect(counts!.assets).toBeGreaterThan(0);
    const health = await Promise.all(started.map(async (s) => (await fetch(`${(s as PromiseFulfilledResult<Platform>).value.url}/api/health`)).status));
    expect(health).toEqual([200, 200, 200]);
  }, 120_000);
});
