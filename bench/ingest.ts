// `lifeline bench ingest`: the platform under load over real MQTT, measured end to end.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { LiveMessage } from '../src/api/index.ts';
import type { PipelineStats } from '../src/ingest/index.ts';
import { startPlatform } from '../src/platform/index.ts';
import type { Db } from '../src/store/index.ts';
import { startOwnMosquitto, type OwnMosquitto } from './mosquitto.ts';
import { scratchDatabase } from './scratch.ts';
import type { RulesBenchResult } from './rules.ts';

export interface IngestBenchOptions {
  sensors: number;
  seconds: number;
  channels: number;
  qos: 0 | 1;
  /** Messages per second in total; 0 = flat out. */
  rate: number;
  connections: number;
  databaseUrl?: string;
  mqttUrl?: string;
  /** Start a Mosquitto of the bench's own (persistence, no queue limits) and consume from it. */
  ownBroker?: boolean;
}

export interface IngestBenchResult {
  database: string;
  broker: string;
  devices: number;
  channels: number;
  qos: number;
  /** From the first publish until everything acknowledged was stored (or, at QoS 0, the count settled). */
  seconds: number;
  /** Of those, the time after the load ended: an external broker acknowledges on receipt, so a backlog may remain. */
  backlogSeconds: number;
  messagesPerSecond: number;
  dataPointsPerSecond: number;
  alarmLatencyMs: { p50: number | null; p99: number | null; samples: number };
  sent: number;
  acked: number;
  persisted: number;
  lost: number;
  rssMb: number;
  ceilingRowsPerSecond: number;
  ratioToCeiling: number;
  /** `lifeline bench rules` on the jingzhou preset (the full rule set through detect()), unless --rules-rounds 0. */
  ruleEvaluation?: RulesBenchResult;
}

const INDICATOR = 'bench_value';
const PROBES = 20;
/** The backlog wait gives up when nothing more has been stored for this long. */
const BACKLOG_STALL_MS = 120_000;

function deviceIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `B${String(i).padStart(6, '0')}`);
}

/** One owner, one asset per 100 devices, `channels` sensors per device, one threshold rule on all. */
async function seedBenchCity(db: Db, devices: string[], channels: number): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`INSERT INTO organisations (id, name, kind) VALUES ('bench', 'Bench owner', 'owner')`);
    const assets = Array.from({ length: Math.ceil(devices.length / 100) }, (_, i) => `BA${i}`);
    await tx.query(
      `INSERT INTO assets (id, name, network, asset_type, owner_id, geometry, min_lon, min_lat, max_lon, max_lat)
       SELECT a, a, 'gas', 'adjacent_space', 'bench', '{"type":"Point","coordinates":[112.24,30.33]}', 112.24, 30.33, 112.24, 30.33
         FROM unnest($1::text[]) AS a`,
      [assets],
    );
    await tx.query(`INSERT INTO devices (id, name) SELECT d, d FROM unnest($1::text[]) AS d`, [devices]);
    const ids: string[] = [];
    const deviceCol: string[] = [];
    const channelCol: string[] = [];
    const assetCol: string[] = [];
    devices.forEach((d, i) => {
      for (let c = 0; c < channels; c++) {
        ids.push(`${d}.c${c}`);
        deviceCol.push(d);
        channelCol.push(`c${c}`);
        assetCol.push(assets[Math.floor(i / 100)]!);
      }
    });
    await tx.query(
      `INSERT INTO sensors (id, device_id, channel, asset_id, name, indicator, unit, lon, lat)
       SELECT id, d, c, a, id, '${INDICATOR}', '%LEL', 112.24, 30.33 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(id, d, c, a)`,
      [ids, deviceCol, channelCol, assetCol],
    );
    await tx.query(
      `INSERT INTO rules (id, name, indicator, direction, level1, level2, level3, level4, recovery)
       VALUES ('bench', 'bench threshold', '${INDICATOR}', 'above', 90, 80, 70, 60, 50)`,
    );
  });
}

/** The store's own bulk-insert rate with no pipeline in front: the ceiling the pipeline is compared with. */
async function measureCeiling(db: Db, seconds: number): Promise<number> {
  await db.exec(`CREATE TABLE bench_ceiling (sensor_id text NOT NULL, ts timestamptz NOT NULL, value double precision NOT NULL, PRIMARY KEY (sensor_id, ts))`);
  const batch = 5000;
  let rows = 0;
  const started = Date.now();
  while (Date.now() - started < seconds * 1000) {
    const ids = Array.from({ length: batch }, (_, i) => `B${String(i % 1000).padStart(6, '0')}.c0`);
    const ts = Array.from({ length: batch }, (_, i) => new Date(started + rows + i));
    const values = Array.from({ length: batch }, () => Math.random() * 40);
    await db.transaction((tx) =>
      tx.query(`INSERT INTO bench_ceiling SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::float8[])`, [ids, ts, values]),
    );
    rows += batch;
  }
  const rate = rows / ((Date.now() - started) / 1000);
  await db.exec('DROP TABLE bench_ceiling');
  return rate;
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function benchIngest(options: IngestBenchOptions, log: (line: string) => void = () => {}): Promise<IngestBenchResult> {
  if (options.ownBroker && options.mqttUrl) throw new Error('--own-broker starts its own Mosquitto: unset MQTT_URL');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lifeline-bench-'));
  let broker: OwnMosquitto | null = null;
  let scratch: Awaited<ReturnType<typeof scratchDatabase>> | null = null;
  try {
    broker = options.ownBroker ? await startOwnMosquitto(dataDir) : null;
    scratch = options.databaseUrl ? await scratchDatabase(options.databaseUrl) : null;
    return await benchWith({ ...options, mqttUrl: broker?.url ?? options.mqttUrl }, dataDir, scratch?.url, log);
  } finally {
    await scratch?.drop();
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function benchWith(options: IngestBenchOptions, dataDir: string, databaseUrl: string | undefined, log: (line: string) => void): Promise<IngestBenchResult> {
  const devices = deviceIds(Math.ceil(options.sensors / options.channels));
  const platform = await startPlatform({
    port: 0, mqttPort: 0, host: '127.0.0.1', dataDir, databaseUrl, mqttUrl: options.mqttUrl,
    topicPrefix: `bench${process.pid}`, demo: false, simulate: false, buildWeb: false, log: false,
    // Device logins are checked once per connection, and the bench's connections each speak for many
    // devices (as gateways do), so it measures the ingest path with per-device login switched off.
    deviceAuth: 'off',
    seed: (db) => seedBenchCity(db, devices, options.channels),
  });
  try {
    log(`measuring the store's raw insert ceiling…`);
    const ceiling = await measureCeiling(platform.db, 3);

    // Alarm latency: from the probe reading's timestamp (its publish time) to the first live
    // message that shows the alarm, which is sent only after the alarm is committed.
    const latencies: number[] = [];
    const seen = new Set<string>();
    // The bench watches the live feed as the admin (the accounts made at first start), like a console would.
    const session = { authorization: `Bearer ${await platform.login('admin')}` };
    const socket = new WebSocket(`${platform.url.replace('http', 'ws')}/api/live`, { headers: session });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as LiveMessage;
      if (message.type === 'alarm' && !seen.has(message.alarm.id)) {
        seen.add(message.alarm.id);
        latencies.push(Date.now() - Date.parse(message.alarm.openedAt));
      }
    });

    let rssMax = 0;
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 250);
    log(`driving ${devices.length} devices × ${options.channels} channels for ${options.seconds} s…`);
    const job = {
      mqttUrl: platform.mqttUrl, topicPrefix: platform.topicPrefix, devices: devices.slice(PROBES), channels: options.channels,
      seconds: options.seconds, qos: options.qos, connections: Math.min(options.connections, devices.length - PROBES),
      rate: options.rate, probes: devices.slice(0, PROBES), probeEveryMs: 100, window: 200,
    };
    const worker = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'ingest-worker.ts'), JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    worker.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => worker.on('exit', resolve));
    if (code !== 0) throw new Error(`load worker exited with ${code}: ${out}`);
    const load = JSON.parse(out.trim().split('\n').pop()!) as { sent: number; acked: number; failed: number; seconds: number };

    const loadEnded = Date.now();
    const ackedPoints = load.acked * options.channels;
    // The pipeline's own counter, not count(*), which would compete with the commits it waits for.
    const committed = async () => (await (await fetch(`${platform.url}/api/ingest/stats`, { headers: session })).json() as { pipeline: PipelineStats }).pipeline.committedReadings;
    if (options.qos === 1) {
      // The embedded broker acknowledges after the commit, so nothing is left here; an external
      // one acknowledges on receipt, so a flat-out load leaves a backlog in the broker that
      // Lifeline is still consuming: a backlog that drains steadily is not a loss.
      log('waiting for every acknowledged reading to be stored…');
      let progressAt = Date.now();
      for (let last = -1, now = await committed(); now < ackedPoints && Date.now() - progressAt < BACKLOG_STALL_MS; now = await committed()) {
        if (now !== last) [last, progressAt] = [now, Date.now()];
        await new Promise((r) => setTimeout(r, 100));
      }
    } else {
      // QoS 0 has no acknowledgement to wait for: wait until the stored count stops moving.
      for (let last = -1, now = await committed(); now !== last; last = now, now = await committed()) await new Promise((r) => setTimeout(r, 500));
    }
    const backlogSeconds = (Date.now() - loadEnded) / 1000;
    const seconds = load.seconds + backlogSeconds;
    const [row] = await platform.db.query<{ n: number }>('SELECT count(*)::int AS n FROM readings');
    const persisted = row!.n;
    clearInterval(sampler);
    socket.close();
    latencies.sort((a, b) => a - b);
    return {
      database: platform.db.kind, broker: options.ownBroker ? 'external (own Mosquitto)' : options.mqttUrl ? 'external' : 'embedded', devices: devices.length,
      channels: options.channels, qos: options.qos, seconds: Number(seconds.toFixed(2)), backlogSeconds: Number(backlogSeconds.toFixed(2)),
      messagesPerSecond: Math.round(persisted / options.channels / seconds),
      dataPointsPerSecond: Math.round(persisted / seconds),
      alarmLatencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), samples: latencies.length },
      sent: load.sent * options.channels, acked: options.qos === 1 ? ackedPoints : 0, persisted,
      lost: options.qos === 1 ? Math.max(0, ackedPoints - persisted) : 0,
      rssMb: Math.round(rssMax / 1048576), ceilingRowsPerSecond: Math.round(ceiling),
      ratioToCeiling: Number((persisted / seconds / ceiling).toFixed(3)),
    };
  } finally {
    await platform.stop();
  }
}
