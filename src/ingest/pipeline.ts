import { clearOfflineAlarms, detect, type AlarmChange, type RuleBook, type SensorReading } from '../detect/index.ts';
import { openIncidentsForAlarms } from '../incidents/index.ts';
import type { AlarmRouting, Routed } from '../alerting/index.ts';
import type { SensorRegistry } from '../network/index.ts';
import { addToMinuteRollups, type Db, type PartitionKeeper, type Queryable } from '../store/index.ts';
import { decodeUplink, type DecodedReading, type Rejection, type Uplink } from './codec.ts';

export type { Uplink };

export interface PipelineOptions {
  db: Db;
  sensors: SensorRegistry;
  rules: () => RuleBook;
  /** Creates the monthly partitions a batch's readings need. */
  partitions: PartitionKeeper;
  /** Told of each committed batch's new readings and alarm changes (the live feed listens here). */
  onCommitted: (fresh: SensorReading[], changes: AlarmChange[], routed: Routed | null) => Promise<void> | void;
  /**
   * Without noise control (`alerting` absent): writes the webhook deliveries of the batch's changes
   * inside its transaction (the notify outbox), so a crash after the commit loses none. With it,
   * the router's own `record` does so for every caller, this pipeline included.
   */
  recordAlarmChanges?: (tx: Queryable, changes: AlarmChange[], at: Date) => Promise<unknown>;
  /** Noise control (src/alerting): muted changes open no incident; null when absent. */
  alerting?: AlarmRouting;
  /** Alarms at or above this level (1 = most severe) open an incident. */
  incidentLevel: number;
  clock?: () => Date;
  maxBatch?: number;
  /**
   * Uplinks waiting for a commit above which the pipeline reports itself `overloaded` (HTTP
   * senders get 503); at four times this it refuses new uplinks outright, so memory stays
   * bounded whatever the load.
   */
  highWater?: number;
  onError?: (error: unknown) => void;
  /**
   * Runs first in each batch's transaction with the batch's uplinks in submission order; throwing
   * rolls the batch back. The JetStream consumer (src/cluster) records its stream position here,
   * so the position commits with the readings, or not at all.
   */
  inTransaction?: (tx: Queryable, uplinks: Uplink[]) => Promise<void>;
}

/**
 * Where the transports (embedded broker, external subscriber, HTTP, HJ 212) hand their uplinks:
 * the pipeline itself, or with INGEST_STREAM=jetstream the ingest stream that the pipelines of
 * the partitions' holders consume (src/cluster). `submit` resolves once the uplink is durable
 * (committed, or stored by the stream): the sender's acknowledgement waits for it.
 */
export interface UplinkSink {
  submit(uplink: Uplink): Promise<void>;
  /** True while the sink wants senders to slow down (HTTP answers 503). */
  readonly overloaded: boolean;
}

/** Refused because the pipeline is full; the sender should retry later (QoS 1 redelivers). */
export class OverloadError extends Error {}

export interface PipelineStats {
  queued: number;
  highWater: number;
  committedUplinks: number;
  committedReadings: number;
  /** Uplinks refused because the queue was full. */
  shed: number;
  /** Batches whose transaction failed (their uplinks were not acknowledged). */
  failedBatches: number;
  /** Times the queue crossed the high-water mark (senders were asked to slow down). */
  overloads: number;
  /** The longest the queue has been. */
  maxQueued: number;
}

interface Pending {
  uplink: Uplink;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Validates, stores and evaluates uplinks with group commit: everything that arrives while one
 * transaction is in flight goes into the next one, so latency stays one commit under light load
 * and throughput grows with load. `submit` resolves only after the commit: callers hold the
 * device's acknowledgement on it.
 */
export class IngestPipeline implements UplinkSink {
  private queue: Pending[] = [];
  private flushing = false;
  private readonly clock: () => Date;
  private readonly maxBatch: number;
  private readonly highWater: number;
  private counters = { committedUplinks: 0, committedReadings: 0, shed: 0, failedBatches: 0, overloads: 0, maxQueued: 0 };

  constructor(private readonly options: PipelineOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.maxBatch = options.maxBatch ?? 5000;
    this.highWater = options.highWater ?? 20_000;
  }

  submit(uplink: Uplink): Promise<void> {
    if (this.queue.length >= 4 * this.highWater) {
      this.counters.shed++;
      return Promise.reject(new OverloadError(`ingest queue full (${this.queue.length} uplinks waiting): retry later`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ uplink, resolve, reject });
      if (this.queue.length === this.highWater) this.counters.overloads++;
      if (this.queue.length > this.counters.maxQueued) this.counters.maxQueued = this.queue.length;
      if (!this.flushing) this.scheduleFlush();
    });
  }

  /** True while the queue is over its high-water mark; HTTP ingestion answers 503 then. */
  get overloaded(): boolean {
    return this.queue.length >= this.highWater;
  }

  stats(): PipelineStats {
    return { queued: this.queue.length, highWater: this.highWater, ...this.counters };
  }

  /** Resolves once everything submitted so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.flushing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
  }

  private scheduleFlush(): void {
    this.flushing = true;
    setImmediate(() => void this.flushLoop());
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        this.counters.committedReadings += await this.commit(batch.map((p) => p.uplink));
        this.counters.committedUplinks += batch.length;
        for (const p of batch) p.resolve();
      } catch (error) {
        this.counters.failedBatches++;
        this.options.onError?.(error);
        for (const p of batch) p.reject(error);
      }
    }
    this.flushing = false;
  }

  /** Commits one batch; returns how many readings it stored. */
  private async commit(uplinks: Uplink[]): Promise<number> {
    const decoded: DecodedReading[] = [];
    const deadLetters: (Rejection & { uplink: Uplink })[] = [];
    for (const uplink of uplinks) {
      const result = decodeUplink(uplink, this.options.sensors);
      decoded.push(...result.readings);
      for (const r of result.rejections) deadLetters.push({ ...r, uplink });
    }
    const book = this.options.rules();
    await this.options.partitions.ensure(decoded.map((r) => r.ts));
    const { fresh, changes, routed, stored } = await retryConflicts(() => this.options.db.transaction(async (tx) => {
      await this.options.inTransaction?.(tx, uplinks);
      await insertDeadLetters(tx, deadLetters);
      const stored = await insertReadings(tx, decoded);
      await addToMinuteRollups(tx, stored);
      const fresh = await advanceLatest(tx, stored);
      const now = this.clock();
      const changes = [
        ...(await clearOfflineAlarms(tx, [...new Set(fresh.map((r) => r.sensorId))], now)),
        ...(await detect(tx, book, fresh)),
      ];
      const routed = this.options.alerting ? await this.options.alerting.route(tx, changes, now) : null;
      await this.options.recordAlarmChanges?.(tx, routed?.handled ?? changes, now);
      await openIncidentsForAlarms(tx, routed?.handled ?? changes, this.options.incidentLevel, (change) => {
        const sensor = this.options.sensors.get(change.sensorId);
        if (!sensor) return undefined;
        return { title: `${sensor.name} · ${book.rule(change.ruleId)?.name ?? change.ruleId}`, assetId: sensor.assetId, ownerId: sensor.ownerId };
      }, now);
      return { fresh, changes, routed, stored: stored.length };
    }));
    await this.options.onCommitted(fresh, changes, routed);
    return stored;
  }
}

/** PostgreSQL's deadlock and serialisation failures: the transaction was rolled back whole and may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * Runs `work` again (up to twice) when PostgreSQL rolled it back for a deadlock or a serialisation
 * failure: another writer (the offline check, a silence ending, another process) happened to lock
 * the same rows; the batch is still good and the devices should not have to send it again.
 */
async function retryConflicts<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !RETRYABLE.has((error as { code?: string }).code ?? '')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}

async function insertDeadLetters(tx: Queryable, rows: (Rejection & { uplink: Uplink })[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO dead_letters (received_at, source, device_id, payload, reason, code)
     SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`,
    [
      rows.map((r) => r.uplink.receivedAt), rows.map((r) => r.uplink.source), rows.map((r) => r.deviceId),
      rows.map((r) => r.payload), rows.map((r) => r.reason), rows.map((r) => r.code),
    ],
  );
}

/** Stores readings; a (sensor, ts) already stored is a duplicate and is not returned. */
async function insertReadings(tx: Queryable, readings: DecodedReading[]): Promise<SensorReading[]> {
  if (readings.length === 0) return [];
  const rows = await tx.query<{ sensor_id: string; ts: Date; value: number }>(
    `INSERT INTO readings (sensor_id, ts, value)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::float8[])
     ON CONFLICT (sensor_id, ts) DO NOTHING
     RETURNING sensor_id, ts, value`,
    [readings.map((r) => r.sensor.id), readings.map((r) => r.ts), readings.map((r) => r.value)],
  );
  const indicator = new Map(readings.map((r) => [r.sensor.id, r.sensor.indicator]));
  return rows.map((r) => ({ sensorId: r.sensor_id, indicator: indicator.get(r.sensor_id)!, ts: r.ts, value: r.value }));
}

/**
 * Moves each sensor's latest value forward and returns, in time order, the readings newer than
 * what the sensor had reported before: late readings are stored but do not drive alarm state.
 */
async function advanceLatest(tx: Queryable, stored: SensorReading[]): Promise<SensorReading[]> {
  if (stored.length === 0) return [];
  const sensorIds = [...new Set(stored.map((r) => r.sensorId))];
  const previous = new Map(
    (await tx.query<{ sensor_id: string; ts: Date }>('SELECT sensor_id, ts FROM latest_readings WHERE sensor_id = ANY($1::text[])', [sensorIds]))
      .map((r) => [r.sensor_id, r.ts.getTime()]),
  );
  const fresh = stored
    .filter((r) => r.ts.getTime() > (previous.get(r.sensorId) ?? -Infinity))
    .sort((a, b) => a.ts.getTime() - b.ts.getTime());
  const newest = new Map<string, SensorReading>();
  for (const r of fresh) newest.set(r.sensorId, r);
  if (newest.size > 0) {
    // In sensor order (code units, the offline check's COLLATE "C"), the order that check locks these
    // rows in: two transactions that lock the same rows in one order wait for each other instead of deadlocking.
    const latest = [...newest.values()].sort((a, b) => (a.sensorId < b.sensorId ? -1 : a.sensorId > b.sensorId ? 1 : 0));
    await tx.query(
      `INSERT INTO latest_readings (sensor_id, ts, value)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::float8[])
       ON CONFLICT (sensor_id) DO UPDATE SET ts = EXCLUDED.ts, value = EXCLUDED.value
       WHERE latest_readings.ts < EXCLUDED.ts`,
      [latest.map((r) => r.sensorId), latest.map((r) => r.ts), latest.map((r) => r.value)],
    );
  }
  return fresh;
}
