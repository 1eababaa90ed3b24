// A platform with INGEST_STREAM=jetstream: what its transports receive (MQTT from a device and
// from a gateway, HTTP) is acknowledged once stored in the stream, and committed by the platform
// holding the partition, with device logins and a gateway's rights checked as without the stream.
// Real NATS (JetStream) and PostgreSQL; a stream of the test's own, deleted after.
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { NATS_URL, natsService, postgresService } from '../support/services.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

const [nats, postgres] = await Promise.all([natsService(), postgresService()]);

describe.skipIf(!nats.available || !postgres.available)('platform with the JetStream ingest stream', () => {
  let platform: Platform;
  let databaseUrl = '';
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const tag = randomBytes(4).toString('hex');
  const stream = { stream: `TEST_PLATFORM_${tag}`, subject: `test.${tag}.ingest`, partitions: 4 };
  const count = async (sql: string, params: unknown[] = []) => (await platform.db.query<{ n: number }>(sql, params))[0]!.n;

  beforeAll(async () => {
    const data = tempDir('ingest-stream');
    cleanups.push(data.remove);
    const database = await createTestDatabase();
    databaseUrl = database.url;
    cleanups.push(database.drop);
    cleanups.push(async () => {
      const nc = await connect({ servers: NATS_URL });
      await (await nc.jetstreamManager()).streams.delete(stream.stream).catch(() => false);
      await nc.close();
    });
    platform = await startPlatform({
      port: 0, mqttPort: 0, hj212Port: null, host: '127.0.0.1', dataDir: data.dir, databaseUrl: database.url, natsUrl: NATS_URL,
      topicPrefix: topicPrefix('stream'), simulate: false, buildWeb: false, log: false, auth: 'off', deviceAuth: 'required', ingestStream: stream,
    });
    cleanups.push(() => platform.stop());
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('commits MQTT (device and gateway) and HTTP uplinks received by the platform through the stream', async () => {
    expect(platform.ingestStream()!.held).toEqual([0, 1, 2, 3]);
    expect(await (await fetch(`${platform.url}/api/health`)).json()).toMatchObject({ status: 'ok', ingest: { mode: 'jetstream', partitions: [0, 1, 2, 3] } });
    const ts = Date.now() - 5_000;
    const device = await mqtt.connectAsync(platform.mqttUrl, { ...platform.deviceCredentials('GD-001'), clientId: `gd-${tag}`, reconnectPeriod: 0 });
    await device.publishAsync(`${platform.topicPrefix}/devices/GD-001/up`, JSON.stringify({ ts, values: { lel: 80 } }), { qos: 1 });
    await device.endAsync();
    const gateway = await mqtt.connectAsync(platform.mqttUrl, { ...platform.deviceCredentials('SIM-GW'), clientId: `gw-${tag}`, reconnectPeriod: 0 });
    await gateway.publishAsync(`${platform.topicPrefix}/gateways/SIM-GW/up`, JSON.stringify({
      entries: [{ device: 'DL-001', ts, values: { level: 0.62 } }, { device: 'NOT-MINE', ts, values: { level: 1 } }],
    }), { qos: 1 });
    await gateway.endAsync();
    const response = await fetch(`${platform.url}/api/ingest/devices/WP-001`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.deviceCredentials('WP-001')!.password}` },
      body: JSON.stringify({ ts, values: { p: 0.31 } }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accepted: 1, rejected: 0 });

    await expect.poll(() => count(`SELECT count(*)::int AS n FROM readings WHERE sensor_id = ANY($1::text[]) AND ts = $2`, [['GD-001.lel', 'DL-001.level', 'WP-001.p'], new Date(ts)]), { timeout: 15_000, interval: 50 }).toBe(3);
    // The gateway's batch entry for a device that is not registered to it: a dead letter, decided by the consuming process.
    await expect.poll(() => count(`SELECT count(*)::int AS n FROM dead_letters WHERE source LIKE 'mqtt:%/gateways/SIM-GW/up'`), { timeout: 5_000, interval: 50 }).toBe(1);
    // The pipeline ran whole: 80 %LEL opened an alarm.
    expect(await count(`SELECT count(*)::int AS n FROM alarms WHERE sensor_id = 'GD-001.lel'`)).toBe(1);
    expect(platform.ingestStream()).toMatchObject({ published: 3, committed: 3, skipped: 0, resets: 0 });
  });

  it('lets a receiving edge (INGEST_CONSUME=false) store uplinks for the consuming platform, holding no partition', async () => {
    const data = tempDir('ingest-edge');
    cleanups.push(data.remove);
    const edge = await startPlatform({
      port: 0, mqttPort: 0, hj212Port: null, host: '127.0.0.1', dataDir: data.dir, databaseUrl,
      natsUrl: NATS_URL, topicPrefix: topicPrefix('edge'), simulate: false, buildWeb: false, log: false, auth: 'off', deviceAuth: 'required',
      ingestStream: { ...stream, consume: false },
    });
    cleanups.push(() => edge.stop());
    expect(edge.ingestStream()!.held).toEqual([]);
    const ts = Date.now() - 4_000;
    const response = await fetch(`${edge.url}/api/ingest/devices/WP-002`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.deviceCredentials('WP-002')!.password}` },
      body: JSON.stringify({ ts, values: { p: 0.29 } }),
    });
    expect(response.status).toBe(200);
    await expect.poll(() => count(`SELECT count(*)::int AS n FROM readings WHERE sensor_id = 'WP-002.p' AND ts = $1`, [new Date(ts)]), { timeout: 15_000, interval: 50 }).toBe(1);
    expect(edge.ingestStream()).toMatchObject({ published: 1, committed: 0 });
    expect(platform.ingestStream()!.held).toEqual([0, 1, 2, 3]);
  });
});
