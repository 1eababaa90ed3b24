// Scale-out on an external broker: two Lifeline processes share one MQTT 5 subscription on a
// Mosquitto of the test's own and one PostgreSQL database. Each message is stored once, both
// processes take part, and when one stops the other carries the whole stream.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineStats } from '../../src/ingest/index.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { mosquittoInstalled, startOwnMosquitto, type OwnMosquitto } from '../support/mosquitto.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { isCI, postgresService } from '../support/services.ts';
import { USERS } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';
import { getJson, waitFor } from '../support/wait.ts';

const postgres = await postgresService();
if (!mosquittoInstalled()) {
  if (isCI) throw new Error('CI=true and the mosquitto binary is missing');
  console.warn('skipping: no mosquitto binary at /usr/sbin/mosquitto');
}
const available = postgres.available && mosquittoInstalled();

const DEVICES = ['GD-001', 'GD-002', 'WP-001', 'WP-002'];
const CHANNEL: Record<string, string> = { 'GD-001': 'lel', 'GD-002': 'lel', 'WP-001': 'p', 'WP-002': 'p' };

describe.skipIf(!available)('two processes sharing one external stream', () => {
  const data = tempDir('shared');
  const cleanups: (() => Promise<void> | void)[] = [data.remove];
  let broker: OwnMosquitto;
  const instances: Platform[] = [];
  const prefix = topicPrefix('shared');
  const base = Date.now() - 3_600_000;
  let sent = 0;

  const sessions = new Map<Platform, Promise<string>>();
  const session = (p: Platform) => sessions.get(p) ?? sessions.set(p, p.login(USERS.operator)).get(p)!;
  const committed = async (p: Platform) => (await getJson<{ pipeline: PipelineStats }>(`${p.url}/api/ingest/stats`, await session(p))).pipeline.committedUplinks;
  const stored = async () => (await instances[0]!.db.query<{ n: number }>('SELECT count(*)::int AS n FROM readings'))[0]!.n;

  async function publish(count: number): Promise<void> {
    const clients = await Promise.all(DEVICES.map((d) => mqtt.connectAsync(broker.url, { clientId: `pub-${d}-${sent}` })));
    await Promise.all(clients.map(async (client, i) => {
      const device = DEVICES[i]!;
      for (let n = 0; n < count / DEVICES.length; n++) {
        const ts = new Date(base + (sent + n) * 1000).toISOString();
        await client.publishAsync(`${prefix}/devices/${device}/up`, JSON.stringify({ ts, values: { [CHANNEL[device]!]: 0.5 } }), { qos: 1 });
      }
      await client.endAsync();
    }));
    sent += count / DEVICES.length;
  }

  beforeAll(async () => {
    broker = await startOwnMosquitto(data.dir);
    cleanups.push(() => broker.stop());
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    // One after the other: the first migrates and loads the demo city, the second finds them.
    for (const instanceId of ['a', 'b']) {
      const platform = await startPlatform({
        port: 0, host: '127.0.0.1', dataDir: data.dir, databaseUrl: database.url, mqttUrl: broker.url, topicPrefix: prefix,
        instanceId, simulate: false, buildWeb: false, log: false,
      });
      instances.push(platform);
      cleanups.push(() => platform.stop());
    }
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('stores each message once and spreads the stream over both processes', async () => {
    await publish(800);
    await waitFor('800 readings', async () => ((await stored()) === 800 ? true : undefined), 60_000);
    const [a, b] = [await committed(instances[0]!), await committed(instances[1]!)];
    expect(a + b).toBe(800);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
  });

  it('lets the remaining process carry the stream when the other stops', async () => {
    await instances[1]!.stop();
    const before = await committed(instances[0]!);
    await publish(200);
    await waitFor('1000 readings', async () => ((await stored()) === 1000 ? true : undefined), 60_000);
    expect((await committed(instances[0]!)) - before).toBe(200);
  });
});
