// A city of plain devices and ingest workers on the JetStream ingest stream (src/cluster), for the
// stream's tests, their child-process worker and bench/ingest-jetstream.ts.
import pino from 'pino';
import { RuleBook } from '../../src/detect/index.ts';
import { IngestPipeline, type Uplink } from '../../src/ingest/index.ts';
import { SensorRegistry } from '../../src/network/index.ts';
import { startJetStreamIngest, type IngestStreamConfig, type JetStreamIngest } from '../../src/cluster/index.ts';
import { PartitionKeeper, type Db } from '../../src/store/index.ts';

export const deviceId = (i: number) => `S${String(i).padStart(5, '0')}`;

/** Channel c of a stream city's devices: `v`, then `v1`, `v2`, … */
export const channelName = (c: number) => (c === 0 ? 'v' : `v${c}`);

/** `devices` devices with `channels` channels each (sensors `<device>.v`, `<device>.v1`, …), on one asset of one owner. */
export async function seedStreamCity(db: Db, devices: number, channels = 1): Promise<void> {
  const ids = Array.from({ length: devices }, (_, i) => deviceId(i));
  await db.transaction(async (tx) => {
    await tx.query(`INSERT INTO organisations (id, name, kind) VALUES ('stream', 'Stream owner', 'owner')`);
    await tx.query(
      `INSERT INTO assets (id, name, network, asset_type, owner_id, geometry, min_lon, min_lat, max_lon, max_lat)
       VALUES ('SA', 'SA', 'gas', 'adjacent_space', 'stream', '{"type":"Point","coordinates":[112.24,30.33]}', 112.24, 30.33, 112.24, 30.33)`,
    );
    await tx.query(`INSERT INTO devices (id, name) SELECT d, d FROM unnest($1::text[]) AS d`, [ids]);
    await tx.query(
      `INSERT INTO sensors (id, device_id, channel, asset_id, name, indicator, unit, lon, lat)
       SELECT d || '.' || c, d, c, 'SA', d || '.' || c, 'stream_value', '%', 112.24, 30.33 FROM unnest($1::text[]) AS d, unnest($2::text[]) AS c`,
      [ids, Array.from({ length: channels }, (_, c) => channelName(c))],
    );
  });
}

/** Device i's n-th uplink: one reading at a time 1 s after its (n-1)-th, from `start`. */
export function streamUplink(i: number, n: number, start: number): Uplink {
  return { source: 'test', deviceId: deviceId(i), receivedAt: new Date(), payload: JSON.stringify({ ts: start + n * 1000, values: { v: n } }) };
}

export interface StreamWorker {
  ingest: JetStreamIngest;
  pipeline: IngestPipeline;
  stop(): Promise<void>;
}

/** One process's ingest: a pipeline on `db` and the stream's publisher and partition consumers in front of it. */
export async function startStreamWorker(options: {
  db: Db; natsUrl: string; stream: IngestStreamConfig; holder: string; leaseMs?: number; renewMs?: number; fetchBatch?: number;
  /** Never acknowledge to JetStream what was committed (a process that dies between its commit and its acknowledgements). */
  withholdAcks?: boolean;
  /** false: publish only. */
  consume?: boolean;
}): Promise<StreamWorker> {
  const sensors = new SensorRegistry();
  await sensors.load(options.db);
  let ingest: JetStreamIngest | null = null;
  const pipeline = new IngestPipeline({
    db: options.db, sensors, rules: () => new RuleBook([]), partitions: new PartitionKeeper(options.db), incidentLevel: 2,
    onCommitted: () => {}, inTransaction: async (tx, uplinks) => ingest?.record(tx, uplinks),
  });
  ingest = await startJetStreamIngest({
    url: options.natsUrl, stream: options.stream, db: options.db, holder: options.holder,
    pipeline: options.withholdAcks ? { submit: (uplink) => pipeline.submit(uplink).then(() => new Promise<void>(() => {})), overloaded: false } : pipeline,
    mayReport: () => true, consume: options.consume,
    logger: pino({ level: process.env.STREAM_LOG ?? 'silent' }), leaseMs: options.leaseMs, renewMs: options.renewMs, fetchBatch: options.fetchBatch,
  });
  const started = ingest;
  return {
    ingest: started, pipeline,
    stop: async () => {
      await started.stop();
      await pipeline.drain();
    },
  };
}
