// Durable ingest on JetStream, end to end: devices publish over MQTT (QoS 1) to one platform's
// embedded broker, which acknowledges each message once JetStream has stored it; 1 or 2
// platforms (in this one process) consume the stream's partitions into PostgreSQL. Prints one
// JSON line. `lost` counts readings whose PUBACK a device received but that are not in the
// database once the stream is drained.
//
//   npx tsx bench/ingest-jetstream.ts --workers 1 --devices 2000 --rounds 10 --channels 10
//   npx tsx bench/ingest-jetstream.ts --workers 2 --devices 2000 --rounds 10 --channels 10
//   npx tsx bench/ingest-jetstream.ts --workers 1 --processes 1 …   (one more consuming platform as its own `lifeline start` process)
//   npx tsx bench/ingest-jetstream.ts --direct --devices 2000 --rounds 10 --channels 10   (baseline: no stream, one platform)
import mqtt from 'mqtt';
import { connect } from 'nats';
import { startPlatform, type Platform } from '../src/platform/index.ts';
import { channelName, deviceId, seedStreamCity } from '../test/support/stream-workers.ts';
import { numberArg } from './scratch.ts';
import { startStreamBench } from './stream-bench.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => numberArg(args, name, fallback);
/** The baseline: one platform committing in process, no stream (what INGEST_STREAM unset does). */
const direct = args.includes('--direct');
const workers = direct ? 1 : arg('workers', 1);
/** Consuming platforms started as processes of their own (`lifeline start`), besides the `workers` in this process. */
const processes = direct ? 0 : arg('processes', 0);
const devices = arg('devices', 2000);
const rounds = arg('rounds', 10);
const channels = arg('channels', 10);
const partitions = arg('partitions', 16);
const clients = arg('clients', 20);
const window = arg('window', 200);
const { database, stream, tag, dataDir, natsUrl, spawnWorker, stopWorkers, remove } = await startStreamBench('ingest', partitions);
const platforms: Platform[] = [];
try {
  for (let w = 0; w < workers; w++) {
    platforms.push(await startPlatform({
      port: 0, mqttPort: 0, hj212Port: null, host: '127.0.0.1', dataDir, databaseUrl: database.url, natsUrl, topicPrefix: `bench${tag}`,
      simulate: false, buildWeb: false, log: process.env.BENCH_LOG === '1', auth: 'off', deviceAuth: 'off', demo: false, ingestStream: direct ? null : stream,
      seed: w === 0 ? (db) => seedStreamCity(db, devices, channels) : undefined,
    }));
  }
  for (let c = 0; c < processes; c++) {
    const child = spawnWorker(['ignore', 'pipe', 'inherit']);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no start line from a worker process: ${out}`)), 120_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (/devices publish to/.test(out)) clearTimeout(timer), resolve();
      });
    });
  }
  const holders = async () => (await platforms[0]!.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ingest_partitions WHERE stream = $1 AND expires_at > now() GROUP BY holder ORDER BY holder`, [stream.stream],
  )).map((r) => r.n);
  // Every platform at its fair share before the load starts (the second takes its share at its next renewal).
  const fair = Math.ceil(partitions / (workers + processes));
  const balancedBy = Date.now() + 30_000;
  const balanced = async () => (await holders()).length === workers + processes && (await holders()).every((n) => n === fair);
  while (!direct && !(await balanced()) && Date.now() < balancedBy) await new Promise((r) => setTimeout(r, 100));
  const held = direct ? [] : await holders();

  // Recent times, so that the offline check finds no silent sensor among them.
  const start = Date.now() - rounds * 1000;
  const entry = platforms[0]!;
  let acked = 0;
  let failed = 0;
  const began = performance.now();
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    const client = await mqtt.connectAsync(entry.mqttUrl, { clientId: `bench-${tag}-${c}`, clean: true, reconnectPeriod: 0 });
    let inFlight = 0;
    let wake: (() => void) | null = null;
    for (let n = 0; n < rounds; n++) {
      for (let i = c; i < devices; i += clients) {
        while (inFlight >= window) await new Promise<void>((r) => (wake = r));
        inFlight++;
        const values = Object.fromEntries(Array.from({ length: channels }, (_, k) => [channelName(k), n + k]));
        client.publish(`${entry.topicPrefix}/devices/${deviceId(i)}/up`, JSON.stringify({ ts: start + n * 1000, values }), { qos: 1 }, (error) => {
          if (error) failed++;
          else acked++;
          inFlight--;
          const w = wake;
          wake = null;
          w?.();
        });
      }
    }
    while (inFlight > 0) await new Promise<void>((r) => (wake = r));
    await client.endAsync();
  }));
  const publishedSeconds = (performance.now() - began) / 1000;
  const expected = acked * channels;
  const count = async () => Number((await entry.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM readings`))[0]!.n);
  let persisted = await count();
  let last = persisted;
  let lastChange = Date.now();
  while (persisted < expected && Date.now() - lastChange < 60_000) {
    await new Promise((r) => setTimeout(r, 100));
    persisted = await count();
    if (persisted !== last) (last = persisted), (lastChange = Date.now());
  }
  const seconds = (performance.now() - began) / 1000;
  const nc = await connect({ servers: natsUrl });
  // Acknowledgements to JetStream follow the commits: wait for the work queue to empty.
  const messagesLeft = async () => (direct ? 0 : (await (await nc.jetstreamManager()).streams.info(stream.stream)).state.messages);
  const drainedBy = Date.now() + 10_000;
  while ((await messagesLeft()) > 0 && Date.now() < drainedBy) await new Promise((r) => setTimeout(r, 100));
  const left = direct ? null : await messagesLeft();
  const stats = platforms.flatMap((p) => p.ingestStream() ?? []);
  console.log(JSON.stringify({
    mode: direct ? 'direct' : 'jetstream', workers, processes, partitions, held, devices, channels, rounds, clients,
    messages: acked + failed, acked, failedPublishes: failed, persisted, lost: expected - persisted, leftInStream: left,
    publishSeconds: Number(publishedSeconds.toFixed(2)), seconds: Number(seconds.toFixed(2)),
    messagesPerSecond: Math.round(acked / seconds), readingsPerSecond: Math.round(persisted / seconds),
    committedByWorker: stats.map((s) => s.committed), skipped: stats.reduce((n, s) => n + s.skipped, 0), resets: stats.reduce((n, s) => n + s.resets, 0),
    rssMb: Math.round(process.memoryUsage().rss / 1e6),
  }));
  if (!direct) await (await nc.jetstreamManager()).streams.delete(stream.stream);
  await nc.close();
} finally {
  await stopWorkers();
  for (const p of platforms.reverse()) await p.stop();
  await remove();
}
