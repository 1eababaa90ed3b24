// How fast consuming processes drain the JetStream ingest stream into PostgreSQL, with nothing
// else in their process: 1 or more `lifeline start` processes configured by INGEST_STREAM*
// consume it; once each holds its fair share of the partitions, this process (publish only)
// fills the stream faster than they drain it. readings/s = readings from the first publish until
// all are in PostgreSQL. Prints one JSON line.
//
//   npx tsx bench/ingest-jetstream-drain.ts --processes 1 --messages 40000 --channels 10
//   npx tsx bench/ingest-jetstream-drain.ts --processes 2 --messages 40000 --channels 10
import { connect } from 'nats';
import pino from 'pino';
import { startJetStreamIngest } from '../src/cluster/index.ts';
import { migrate, openPostgres } from '../src/store/index.ts';
import { channelName, deviceId, seedStreamCity } from '../test/support/stream-workers.ts';
import { numberArg } from './scratch.ts';
import { startStreamBench } from './stream-bench.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => numberArg(args, name, fallback);
const processes = arg('processes', 1);
const messages = arg('messages', 40_000);
const devices = arg('devices', 2000);
const channels = arg('channels', 10);
const partitions = arg('partitions', 16);
const { database, stream, natsUrl, spawnWorker, stopWorkers, remove } = await startStreamBench('drain', partitions);
const db = await openPostgres(database.url);
try {
  await migrate(db);
  await seedStreamCity(db, devices, channels);
  const publisher = await startJetStreamIngest({
    url: natsUrl, stream, db, holder: 'bench-publisher', mayReport: () => true, logger: pino({ level: 'silent' }), consume: false,
    pipeline: { submit: () => Promise.reject(new Error('publish only')), overloaded: false },
  });
  const startedAt = performance.now();
  for (let c = 0; c < processes; c++) {
    spawnWorker(['ignore', 'ignore', 'inherit']);
    // One at a time, so that the bench measures the drain, not the start.
    const upBy = performance.now() + 120_000;
    const live = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ingest_workers WHERE stream = $1 AND expires_at > now()`, [stream.stream]))[0]!.n;
    while ((await live()) < c + 1 && performance.now() < upBy) await new Promise((r) => setTimeout(r, 100));
  }
  const expected = messages * channels;
  const fair = Math.ceil(partitions / processes);
  const sample = async () => {
    const [row] = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM readings`);
    const holders = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ingest_partitions WHERE stream = $1 AND expires_at > now() GROUP BY holder`, [stream.stream],
    );
    return { count: Number(row!.n), balanced: holders.length === processes && holders.every((h) => h.n === fair), at: performance.now() };
  };
  // Every process at its fair share before the backlog arrives (a second process takes its share at its next renewal).
  const balancedBy = performance.now() + 60_000;
  while (!(await sample()).balanced && performance.now() < balancedBy) await new Promise((r) => setTimeout(r, 100));
  const balancedAfterSeconds = Number(((performance.now() - startedAt) / 1000).toFixed(1));
  const start = Date.now() - Math.ceil(messages / devices) * 1000;
  const began = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 500 }, async () => {
    while (next < messages) {
      const k = next++;
      const n = Math.floor(k / devices);
      const values = Object.fromEntries(Array.from({ length: channels }, (_, c) => [channelName(c), n + c]));
      await publisher.sink.submit({ source: 'bench', deviceId: deviceId(k % devices), receivedAt: new Date(), payload: JSON.stringify({ ts: start + n * 1000, values }) });
    }
  }));
  const publishSeconds = (performance.now() - began) / 1000;
  await publisher.stop();

  let last = await sample();
  let lastChange = last.at;
  while (last.count < expected && last.at - lastChange < 60_000) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await sample();
    if (now.count !== last.count) lastChange = now.at;
    last = now;
  }
  const seconds = (last.at - began) / 1000;
  const nc = await connect({ servers: natsUrl });
  const jsm = await nc.jetstreamManager();
  // Acknowledgements follow the commits: give the work queue a moment to empty.
  const messagesLeft = async () => (await jsm.streams.info(stream.stream)).state.messages;
  const drainedBy = Date.now() + 10_000;
  while ((await messagesLeft()) > 0 && Date.now() < drainedBy) await new Promise((r) => setTimeout(r, 100));
  const left = await messagesLeft();
  console.log(JSON.stringify({
    processes, partitions, messages, channels, readings: last.count, lost: expected - last.count, leftInStream: left,
    publishSeconds: Number(publishSeconds.toFixed(2)), publishedMessagesPerSecond: Math.round(messages / publishSeconds),
    balancedAfterSeconds, seconds: Number(seconds.toFixed(2)), readingsPerSecond: Math.round(last.count / seconds),
  }));
  await jsm.streams.delete(stream.stream);
  await nc.close();
} finally {
  await stopWorkers();
  await db.close();
  await remove();
}
