// Durable ingest on JetStream against the real NATS server (TEST_NATS_URL, JetStream on) and a
// PostgreSQL database of the test's own; each test has a stream and subjects of its own, deleted
// after. A missing service skips, or fails under CI (test/support/services.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openPostgres, type Db } from '../store/index.ts';
import { createTestDatabase } from '../../test/support/postgres.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { isCI, NATS_URL, natsService, postgresService } from '../../test/support/services.ts';
import { deviceId, seedStreamCity, startStreamWorker, streamUplink, type StreamWorker } from '../../test/support/stream-workers.ts';
import type { IngestStreamConfig } from './index.ts';

const [nats, postgres] = await Promise.all([natsService(), postgresService()]);
/** The outage test runs a NATS server of its own (the shared one cannot be stopped). */
const natsServerBinary = spawnSync('nats-server', ['--version']).status === 0;
if (!natsServerBinary && !isCI) console.warn('skipping the NATS outage test: no nats-server binary to run a server of its own');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
const LEASE_MS = 1500;
const RENEW_MS = 250;

describe.skipIf(!nats.available || !postgres.available)('durable ingest on JetStream', () => {
  let cleanups: (() => Promise<unknown> | unknown)[] = [];
  let admin: NatsConnection;
  beforeAll(async () => {
    admin = await connect({ servers: NATS_URL });
    return () => admin.close();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups = [];
  });

  /** A database with `devices` devices, and a stream of the test's own with `partitions` partitions (deleted after the test). */
  async function setUp(devices: number, partitions: number): Promise<{ db: Db; url: string; stream: IngestStreamConfig }> {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const db = await openPostgres(database.url);
    cleanups.push(() => db.close());
    await migrate(db);
    await seedStreamCity(db, devices);
    const tag = randomBytes(4).toString('hex');
    const stream = { stream: `TEST_INGEST_${tag}`, subject: `test.${tag}.ingest`, partitions };
    cleanups.push(async () => (await admin.jetstreamManager()).streams.delete(stream.stream).catch(() => false));
    return { db, url: database.url, stream };
  }

  async function worker(db: Db, stream: IngestStreamConfig, holder: string, natsUrl = NATS_URL): Promise<StreamWorker> {
    const started = await startStreamWorker({ db, natsUrl, stream, holder, leaseMs: LEASE_MS, renewMs: RENEW_MS });
    cleanups.push(() => started.stop());
    return started;
  }

  const count = async (db: Db, sql: string) => (await db.query<{ n: number }>(sql))[0]!.n;
  const streamMessages = async (stream: IngestStreamConfig) => (await (await admin.jetstreamManager()).streams.info(stream.stream)).state.messages;

  /** Every reading stored once, counted once in the rollups, each sensor's readings committed in time order, the latest value the last one sent. */
  async function expectExactlyOnceInOrder(db: Db, devices: number, perDevice: number, start: number): Promise<void> {
    expect(await count(db, `SELECT count(*)::int AS n FROM readings`)).toBe(devices * perDevice);
    // The minute rollups count a reading each time a transaction stores it: a double commit would show here.
    expect(await count(db, `SELECT coalesce(sum(count), 0)::int AS n FROM readings_1m`)).toBe(devices * perDevice);
    expect(await count(db, `SELECT count(*)::int AS n FROM dead_letters`)).toBe(0);
    // A row's xmin is the transaction that inserted it; one partition's transactions run one after
    // another, so a sensor's later reading never sits in an earlier transaction than its predecessor.
    const outOfOrder = await db.query(
      `SELECT sensor_id, ts FROM (
         SELECT sensor_id, ts, xmin::text::bigint AS tx, lag(xmin::text::bigint) OVER (PARTITION BY sensor_id ORDER BY ts) AS before FROM readings
       ) r WHERE tx < before`,
    );
    expect(outOfOrder).toEqual([]);
    const latest = await db.query<{ sensor_id: string; ts: Date }>(`SELECT sensor_id, ts FROM latest_readings ORDER BY sensor_id`);
    expect(latest).toHaveLength(devices);
    for (const row of latest) expect(row.ts.getTime()).toBe(start + (perDevice - 1) * 1000);
  }

  it('readings published through one process are committed once by the workers, in order per sensor', async () => {
    const devices = 40;
    const perDevice = 50;
    const { db, stream } = await setUp(devices, 8);
    const a = await worker(db, stream, 'worker-a');
    const b = await worker(db, stream, 'worker-b');
    // Two live workers: four partitions each.
    await expect.poll(() => [a.ingest.stats().held.length, b.ingest.stats().held.length], { timeout: 10_000, interval: 50 }).toEqual([4, 4]);

    const start = Date.now() - 3_600_000;
    const sent: Promise<void>[] = [];
    for (let n = 0; n < perDevice; n++) for (let i = 0; i < devices; i++) sent.push(a.ingest.sink.submit(streamUplink(i, n, start)));
    await Promise.all(sent);
    expect(a.ingest.stats().published).toBe(devices * perDevice);

    await expect.poll(() => count(db, `SELECT count(*)::int AS n FROM readings`), { timeout: 30_000, interval: 100 }).toBe(devices * perDevice);
    await expect.poll(() => streamMessages(stream), { timeout: 10_000, interval: 50 }).toBe(0);
    await expectExactlyOnceInOrder(db, devices, perDevice, start);
    const [sa, sb] = [a.ingest.stats(), b.ingest.stats()];
    expect(sa.committed).toBeGreaterThan(0);
    expect(sb.committed).toBeGreaterThan(0);
    expect(sa.committed + sb.committed).toBe(devices * perDevice);
    expect(sa.skipped + sb.skipped).toBe(0);
  });

  function spawnWorker(url: string, stream: IngestStreamConfig, holder: string, extra: Record<string, string> = {}): { held: () => number[] } {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/support/stream-worker-process.ts')], {
      env: {
        ...process.env, WORKER_DATABASE_URL: url, WORKER_NATS_URL: NATS_URL, WORKER_HOLDER: holder, WORKER_STREAM: stream.stream,
        WORKER_SUBJECT: stream.subject, WORKER_PARTITIONS: String(stream.partitions), WORKER_LEASE_MS: String(LEASE_MS), WORKER_RENEW_MS: String(RENEW_MS),
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(() => child.kill('SIGKILL'));
    let held: number[] = [];
    child.stdout!.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) held = (JSON.parse(line) as { held: number[] }).held;
    });
    return Object.assign(child, { held: () => held });
  }

  it('a worker killed mid-stream: its partitions are taken over, nothing lost or doubled, order kept', async () => {
    const devices = 60;
    const perDevice = 100;
    const { db, url, stream } = await setUp(devices, 8);
    const child = spawnWorker(url, stream, 'worker-killed') as ReturnType<typeof spawnWorker> & ChildProcess;
    await expect.poll(() => child.held().length, { timeout: 30_000, interval: 50 }).toBe(8);
    const survivor = await worker(db, stream, 'worker-survivor');
    await expect.poll(() => [child.held().length, survivor.ingest.stats().held.length], { timeout: 10_000, interval: 50 }).toEqual([4, 4]);

    const start = Date.now() - 3_600_000;
    const send = (from: number, to: number) => {
      const sent: Promise<void>[] = [];
      for (let n = from; n < to; n++) for (let i = 0; i < devices; i++) sent.push(survivor.ingest.sink.submit(streamUplink(i, n, start)));
      return Promise.all(sent);
    };
    await send(0, perDevice / 2);
    // Killed while its partitions are being committed: some of its batches committed, some not, some committed and not acknowledged.
    await expect.poll(() => count(db, `SELECT count(*)::int AS n FROM readings`), { timeout: 30_000, interval: 10 }).toBeGreaterThan(devices * 10);
    child.kill('SIGKILL');
    const atKill = await count(db, `SELECT count(*)::int AS n FROM readings`);
    await send(perDevice / 2, perDevice);

    await expect.poll(() => survivor.ingest.stats().held.length, { timeout: 15_000, interval: 50 }).toBe(8);
    await expect.poll(() => count(db, `SELECT count(*)::int AS n FROM readings`), { timeout: 60_000, interval: 100 }).toBe(devices * perDevice);
    await expect.poll(() => streamMessages(stream), { timeout: 10_000, interval: 50 }).toBe(0);
    await expectExactlyOnceInOrder(db, devices, perDevice, start);
    if (process.env.STREAM_LOG) console.log({ atKill, survivor: survivor.ingest.stats() });
    // Each partition's position is the last message committed for it; none is held by the dead worker.
    expect(await count(db, `SELECT count(*)::int AS n FROM ingest_partitions WHERE holder IS DISTINCT FROM 'worker-survivor'`)).toBe(0);
  });

  it('batches committed but never acknowledged (killed between commit and ack) are skipped by the next holder: no dead letter doubled', async () => {
    const devices = 20;
    const perDevice = 10;
    const { db, url, stream } = await setUp(devices, 4);
    const child = spawnWorker(url, stream, 'worker-no-acks', { WORKER_WITHHOLD_ACKS: '1' }) as ReturnType<typeof spawnWorker> & ChildProcess;
    await expect.poll(() => child.held().length, { timeout: 30_000, interval: 50 }).toBe(4);
    const publisher = await startStreamWorker({ db, natsUrl: NATS_URL, stream, holder: 'publisher', consume: false });
    cleanups.push(() => publisher.stop());
    const { sink } = publisher.ingest;
    const start = Date.now() - 3_600_000;
    const sent: Promise<void>[] = [];
    for (let n = 0; n < perDevice; n++) {
      for (let i = 0; i < devices; i++) sent.push(sink.submit(streamUplink(i, n, start)));
      sent.push(sink.submit({ source: 'test', deviceId: deviceId(n), receivedAt: new Date(), payload: `broken ${n}` }));
    }
    await Promise.all(sent);
    const total = devices * perDevice + perDevice;
    await expect.poll(() => count(db, `SELECT count(*)::int AS n FROM readings`), { timeout: 30_000, interval: 50 }).toBe(devices * perDevice);
    await expect.poll(() => count(db, `SELECT count(*)::int AS n FROM dead_letters`), { timeout: 10_000, interval: 50 }).toBe(perDevice);
    // Committed, not acknowledged: all still in the work queue.
    expect(await streamMessages(stream)).toBe(total);
    child.kill('SIGKILL');
    const survivor = await worker(db, stream, 'survivor');

    await expect.poll(() => streamMessages(stream), { timeout: 20_000, interval: 50 }).toBe(0);
    expect(await db.query(`SELECT DISTINCT holder FROM ingest_partitions`)).toEqual([{ holder: 'survivor' }]);
    expect(await count(db, `SELECT count(*)::int AS n FROM dead_letters`)).toBe(perDevice);
    // Every message came again to the survivor, which knew each as committed.
    expect(survivor.ingest.stats()).toMatchObject({ committed: 0, skipped: total, resets: 0 });
    expect(await count(db, `SELECT count(*)::int AS n FROM readings`)).toBe(devices * perDevice);
    expect(await count(db, `SELECT coalesce(sum(count), 0)::int AS n FROM readings_1m`)).toBe(devices * perDevice);
  });

  it('a malformed payload goes to the dead letters with its reason, is acknowledged, and the partition goes on', async () => {
    const { db, stream } = await setUp(3, 2);
    const w = await worker(db, stream, 'worker-only');
    await expect.poll(() => w.ingest.stats().held.length, { timeout: 10_000, interval: 50 }).toBe(2);
    const start = Date.now() - 3_600_000;
    const device = deviceId(1);
    const bad = (payload: string) => ({ source: 'test', deviceId: device, receivedAt: new Date(), payload });
    await Promise.all([
      w.ingest.sink.submit(streamUplink(1, 0, start)),
      w.ingest.sink.submit(bad('{"ts": 12, "values": {')),
      w.ingest.sink.submit(bad(JSON.stringify({ ts: start + 1500, values: { v: 'high' } }))),
      w.ingest.sink.submit(streamUplink(1, 2, start)),
    ]);
    // Not an uplink at all (someone else publishing on the partition's subject): dropped, not blocking.
    await (admin.jetstream()).publish(`${stream.subject}.0`, new TextEncoder().encode('garbage'));
    await (admin.jetstream()).publish(`${stream.subject}.1`, new TextEncoder().encode('garbage'));
    await w.ingest.sink.submit(streamUplink(1, 3, start));

    await expect.poll(() => count(db, `SELECT count(*)::int AS n FROM readings WHERE sensor_id = '${device}.v'`), { timeout: 15_000, interval: 50 }).toBe(3);
    await expect.poll(() => streamMessages(stream), { timeout: 10_000, interval: 50 }).toBe(0);
    const letters = await db.query<{ device_id: string; code: string; reason: string; payload: string }>(
      `SELECT device_id, code, reason, payload FROM dead_letters ORDER BY id`,
    );
    expect(letters.map((l) => [l.device_id, l.code])).toEqual([[device, 'malformed'], [device, 'not_a_number']]);
    expect(letters[0]!.payload).toBe('{"ts": 12, "values": {');
    expect(letters[0]!.reason).toMatch(/JSON/i);
    expect(letters[1]!.reason).toMatch(/number/);
    expect(w.ingest.stats()).toMatchObject({ published: 5, unreadable: 2, committed: 5, skipped: 0, resets: 0 });
  });

  it.skipIf(!natsServerBinary && !isCI)('NATS stopped and restarted mid-stream: senders are not acknowledged meanwhile, nothing acknowledged is lost, order kept', async () => {
    const port = await freePort();
    const store = tempDir('nats-outage');
    cleanups.push(store.remove);
    let server: ChildProcess | null = null;
    const startServer = async () => {
      server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store.dir], { stdio: 'ignore' });
      const running = server;
      cleanups.push(() => running.kill('SIGKILL'));
      await expect.poll(() => new Promise((resolve) => {
        const socket = net.connect({ host: '127.0.0.1', port }, () => (socket.destroy(), resolve(true))).on('error', () => resolve(false));
      }), { timeout: 10_000, interval: 50 }).toBe(true);
    };
    const stopServer = async () => {
      const running = server!;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      await exited;
    };
    await startServer();
    const url = `nats://127.0.0.1:${port}`;
    const devices = 20;
    const { db, stream } = await setUp(devices, 4);
    // This stream lives on the test's own server, which the setUp cleanup cannot reach: it goes with the server's store.
    const w = await worker(db, stream, 'worker-outage', url);
    await expect.poll(() => w.ingest.stats().held.length, { timeout: 10_000, interval: 50 }).toBe(4);
    const start = Date.now() - 3_600_000;
    const acknowledged: string[] = [];
    const send = (n: number) => Promise.all(Array.from({ length: devices }, (_, i) => w.ingest.sink.submit(streamUplink(i, n, start)).then(
      () => void acknowledged.push(`${deviceId(i)}#${n}`),
      () => undefined,
    )));
    for (let n = 0; n < 20; n++) await send(n);
    await stopServer();
    // Down: what is sent now gets no acknowledgement from JetStream.
    const before = acknowledged.length;
    await send(20);
    expect(acknowledged.length).toBe(before);
    await startServer();
    // Right after the restart, publishes made before the client reconnected may fail too (not acknowledged either).
    for (let n = 21; n < 40; n++) await send(n);
    expect(acknowledged.length).toBeGreaterThanOrEqual(35 * devices);

    await expect.poll(() => count(db, `SELECT count(*)::int AS n FROM readings`), { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(acknowledged.length);
    const stored = new Set((await db.query<{ sensor_id: string; ts: Date }>(`SELECT sensor_id, ts FROM readings`))
      .map((r) => `${r.sensor_id.slice(0, -2)}#${(r.ts.getTime() - start) / 1000}`));
    expect(acknowledged.filter((a) => !stored.has(a))).toEqual([]);
    const outOfOrder = await db.query(
      `SELECT sensor_id FROM (SELECT sensor_id, xmin::text::bigint AS tx, lag(xmin::text::bigint) OVER (PARTITION BY sensor_id ORDER BY ts) AS before FROM readings) r WHERE tx < before`,
    );
    expect(outOfOrder).toEqual([]);
    await stopServer();
  });
});
