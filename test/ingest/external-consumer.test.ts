// The batched consumer of an external broker, on a Mosquitto of the test's own: many messages in
// flight at once (so group commit batches them) and each stored exactly once; and after the
// Lifeline process is killed mid-stream and started again, every message Mosquitto acknowledged
// to its publisher is in the database.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuleBook, loadRules } from '../../src/detect/index.ts';
import { IngestPipeline, startExternalSubscriber, type ExternalSubscriber } from '../../src/ingest/index.ts';
import { SensorRegistry } from '../../src/network/index.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { PartitionKeeper } from '../../src/store/index.ts';
import { mosquittoInstalled, startOwnMosquitto, type OwnMosquitto } from '../support/mosquitto.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { isCI, postgresService } from '../support/services.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

const postgres = await postgresService();
if (!mosquittoInstalled()) {
  if (isCI) throw new Error('CI=true and the mosquitto binary is missing');
  console.warn('skipping: no mosquitto binary at /usr/sbin/mosquitto');
}

const DEVICES = ['GD-001', 'GD-002', 'WP-001', 'WP-002'];
const CHANNEL: Record<string, string> = { 'GD-001': 'lel', 'GD-002': 'lel', 'WP-001': 'p', 'WP-002': 'p' };
const bin = path.resolve(import.meta.dirname, '../../bin/lifeline.js');

/** Publishes `perDevice` QoS 1 readings for each device, one publisher each; returns the acknowledged (sensor, ts) keys. */
async function publishAll(url: string, prefix: string, perDevice: number, base: number, paceEvery = 0): Promise<Set<string>> {
  const acked = new Set<string>();
  await Promise.all(DEVICES.map(async (device) => {
    const client = await mqtt.connectAsync(url, { clientId: `pub-${device}-${Math.random()}` });
    const sends: Promise<unknown>[] = [];
    for (let n = 0; n < perDevice; n++) {
      const ts = new Date(base + n * 10).toISOString();
      sends.push(client.publishAsync(`${prefix}/devices/${device}/up`, JSON.stringify({ ts, values: { [CHANNEL[device]!]: 0.5 } }), { qos: 1 })
        .then(() => acked.add(`${device}.${CHANNEL[device]}|${ts}`)));
      // Paced publishers keep the stream going while Lifeline is down and starting again.
      if (paceEvery > 0 && n % paceEvery === paceEvery - 1) await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(sends);
    await client.endAsync();
  }));
  return acked;
}

describe.skipIf(!mosquittoInstalled())('batched consumer of an external broker', () => {
  const data = tempDir('consumer');
  const cleanups: (() => Promise<void> | void)[] = [data.remove];
  let broker: OwnMosquitto;

  beforeAll(async () => {
    broker = await startOwnMosquitto(data.dir);
    cleanups.push(() => broker.stop());
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('keeps many messages in flight and stores each of 20,000 exactly once', async () => {
    const platform: Platform = await startPlatform({
      port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: path.join(data.dir, 'db'), simulate: false, buildWeb: false, log: false,
    });
    cleanups.push(() => platform.stop());
    const { db } = platform;
    const sensors = new SensorRegistry();
    await sensors.load(db);
    const rules = new RuleBook(await loadRules(db));
    const pipeline = new IngestPipeline({ db, sensors, rules: () => rules, partitions: new PartitionKeeper(db), incidentLevel: 2, onCommitted: () => {} });
    const prefix = topicPrefix('consumer');
    const subscriber: ExternalSubscriber = await startExternalSubscriber({
      url: broker.url, pipeline, topicPrefix: prefix, clientId: `lifeline-${prefix}`, shareGroup: 'lifeline', credentials: null, onError: () => {},
    });
    cleanups.push(() => subscriber.close());

    const acked = await publishAll(broker.url, prefix, 5000, Date.now() - 3_600_000);
    expect(acked.size).toBe(20_000);
    const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM readings'))[0]!.n;
    await waitFor('20,000 readings', async () => ((await count()) === 20_000 ? true : undefined), 120_000);
    await waitFor('every PUBACK', () => (subscriber.stats().acked === 20_000 ? true : undefined));
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM dead_letters'))[0]!.n).toBe(0);
    const stats = subscriber.stats();
    expect(stats).toMatchObject({ received: 20_000, acked: 20_000, inFlight: 0, connections: 1 });
    // One message at a time would never have more than one in flight.
    expect(stats.maxInFlight).toBeGreaterThan(100);
    expect(pipeline.stats().committedUplinks).toBe(20_000);
  }, 180_000);

  it.skipIf(!postgres.available)('loses no acknowledged message when the Lifeline process is killed mid-stream', async () => {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const prefix = topicPrefix('crash');
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env, DATABASE_URL: database.url, MQTT_URL: broker.url, MQTT_TOPIC_PREFIX: prefix, DEVICE_AUTH: 'off',
      SIMULATE: 'false', BUILD_WEB: 'false', INSTANCE_ID: 'crash-test', PORT: String(port), HOST: '127.0.0.1',
      DATA_DIR: path.join(data.dir, 'crash'), LOG_LEVEL: 'warn',
    };
    const start = async (): Promise<ChildProcess> => {
      const child = spawn(process.execPath, [bin, 'start'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
      cleanups.push(() => void child.kill('SIGKILL'));
      // The HTTP port opens only after the subscription is in place.
      await waitFor('lifeline to listen', async () => ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok ? true : undefined), 60_000);
      return child;
    };
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    cleanups.push(() => client.end());
    const count = async () => (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM readings')).rows[0]!.n;

    const first = await start();
    const published = publishAll(broker.url, prefix, 10_000, Date.now() - 3_600_000, 500);
    const atKill = await waitFor('the stream to be under way', async () => {
      const n = await count();
      return n >= 3000 ? n : undefined;
    }, 60_000);
    const exited = new Promise((resolve) => first.once('exit', resolve));
    first.kill('SIGKILL');
    await exited;
    expect(atKill).toBeLessThan(40_000);

    const second = await start();
    const acked = await published;
    expect(acked.size).toBe(40_000);
    await waitFor('every acknowledged message', async () => ((await count()) >= acked.size ? true : undefined), 120_000);
    const stored = (await client.query<{ sensor_id: string; ts: Date }>('SELECT sensor_id, ts FROM readings')).rows;
    expect(stored.length).toBe(acked.size);
    const keys = new Set(stored.map((r) => `${r.sensor_id}|${r.ts.toISOString()}`));
    expect([...acked].filter((key) => !keys.has(key))).toEqual([]);
    const stopped = new Promise((resolve) => second.once('exit', resolve));
    second.kill('SIGTERM');
    await stopped;
  }, 240_000);
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
