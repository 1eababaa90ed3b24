// Durable ingest for the cluster tier (docs/cluster.md, "Durable ingest on JetStream"): uplinks
// received by any process are stored in a JetStream stream split into partitions by sender, and
// each partition is consumed by one process at a time, which runs the ordinary IngestPipeline.
import {
  AckPolicy, connect, DeliverPolicy, DiscardPolicy, nanos, RetentionPolicy, StorageType,
  type ConsumerMessages, type JetStreamClient, type JetStreamManager, type NatsConnection,
} from 'nats';
import type { Logger } from 'pino';
import { ConfigError } from '../config/index.ts';
import type { Uplink, UplinkSink } from '../ingest/index.ts';
import type { Db, Queryable } from '../store/index.ts';
import { partitionOf, type IngestStreamConfig } from './config.ts';
import { decodeUplink, encodeUplink, senderOf } from './envelope.ts';
import { PartitionLeases, type Advance } from './leases.ts';

export interface JetStreamIngestOptions {
  /** NATS_URL. */
  url: string;
  stream: IngestStreamConfig;
  /** The database every process shares: partition leases and committed positions live there. */
  db: Db;
  /** The pipeline that commits the partitions this process holds (its `inTransaction` must call `record`). */
  pipeline: UplinkSink;
  /** This process's name in the lease rows; unique per process. */
  holder: string;
  /** Whether a gateway may report for a device (this process's registry, or always with DEVICE_AUTH=off). */
  mayReport: (gatewayId: string, deviceId: string) => boolean;
  logger: Logger;
  /** How long a renewal holds this process's partitions (default 15 s, as the timers' lease). */
  leaseMs?: number;
  /** How often partitions are renewed, balanced and claimed (default 5 s). */
  renewMs?: number;
  /** Messages fetched from a partition per round (default 1000). */
  fetchBatch?: number;
  /** false: this process only publishes (a receiving edge); it takes no partitions. Default true. */
  consume?: boolean;
  /** Uplinks being stored by JetStream at once above which the sink reports overload (default 20,000). */
  highWater?: number;
}

export interface JetStreamIngestStats {
  /** Uplinks this process stored in the stream (their senders were acknowledged). */
  published: number;
  /** Uplinks of held partitions committed by this process's pipeline. */
  committed: number;
  /** Messages delivered again that were already committed (by this process or a previous holder), acknowledged without a second commit. */
  skipped: number;
  /** Messages on the stream's subjects that are not uplinks (acknowledged and dropped, logged). */
  unreadable: number;
  /** Times a partition went back to its committed position after a failed batch. */
  resets: number;
  held: number[];
}

export interface JetStreamIngest {
  /** Where this process's transports hand uplinks: resolves once JetStream has stored them. */
  sink: UplinkSink;
  /** Call from the pipeline's `inTransaction`: advances (and fences) the positions of the batch's stream uplinks. */
  record(tx: Queryable, uplinks: Uplink[]): Promise<void>;
  stats(): JetStreamIngestStats;
  /** Stops consuming (what is in flight is committed and acknowledged), gives the partitions back, closes the connection. */
  stop(): Promise<void>;
}

/** Where an uplink came from in the stream: its partition, its sequence, and the position it follows. */
interface Position {
  partition: number;
  prev: number;
  seq: number;
}

const RETRY_MS = 1000;
/** Long: a message is delivered again when its holder changes (the consumer is re-created), not because a commit was slow. */
const ACK_WAIT_MS = 5 * 60_000;

/**
 * Connects to NATS, creates the stream if it is missing (or refuses one shaped otherwise), and
 * starts publishing and consuming. Fails with one line naming NATS_URL when NATS is unreachable.
 */
export async function startJetStreamIngest(options: JetStreamIngestOptions): Promise<JetStreamIngest> {
  let connection: NatsConnection;
  try {
    connection = await connect({ servers: options.url, name: `lifeline-ingest ${options.holder}`, maxReconnectAttempts: -1 });
  } catch (error) {
    throw new ConfigError(`NATS_URL=${options.url}: cannot connect for INGEST_STREAM=jetstream (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    const jsm = await connection.jetstreamManager();
    await ensureStream(jsm, options.stream);
    const ingest = new StreamIngest(options, connection, jsm);
    await ingest.start();
    return ingest;
  } catch (error) {
    await connection.close();
    throw error;
  }
}

async function ensureStream(jsm: JetStreamManager, config: IngestStreamConfig): Promise<void> {
  const subjects = [`${config.subject}.*`];
  const existing = await jsm.streams.info(config.stream).catch(() => null);
  if (!existing) {
    // Work queue: a message is removed once acknowledged, i.e. once committed to the database;
    // nothing else ages it out. A full server refuses new messages (discard new), so senders are
    // not acknowledged, rather than old, uncommitted ones being dropped.
    await jsm.streams.add({
      name: config.stream, subjects, retention: RetentionPolicy.Workqueue, storage: StorageType.File, discard: DiscardPolicy.New,
    });
    return;
  }
  const { retention, subjects: theirs } = existing.config;
  if (retention !== RetentionPolicy.Workqueue || theirs?.length !== 1 || theirs[0] !== subjects[0]) {
    throw new ConfigError(`INGEST_STREAM_NAME=${config.stream}: the stream exists with retention ${retention} on ${theirs?.join(', ')}; expected workqueue on ${subjects[0]}`);
  }
}

class StreamIngest implements JetStreamIngest {
  readonly sink: UplinkSink;
  private readonly js: JetStreamClient;
  private readonly leases: PartitionLeases;
  private readonly positions = new WeakMap<Uplink, Position>();
  private readonly consumers = new Map<number, PartitionConsumer>();
  private readonly leaseMs: number;
  private publishing = 0;
  private counters = { published: 0, committed: 0, skipped: 0, unreadable: 0, resets: 0 };
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> = Promise.resolve();
  private stopping = false;
  /** This process's own deadline for its partitions (monotonic clock, from before the last renewal was sent). */
  private heldUntil = -Infinity;

  constructor(readonly options: JetStreamIngestOptions, private readonly connection: NatsConnection, readonly jsm: JetStreamManager) {
    this.js = connection.jetstream();
    this.leaseMs = options.leaseMs ?? 15_000;
    this.leases = new PartitionLeases({ db: options.db, stream: options.stream.stream, partitions: options.stream.partitions, holder: options.holder, leaseMs: this.leaseMs });
    const highWater = options.highWater ?? 20_000;
    const self = this;
    this.sink = {
      submit: (uplink) => this.publish(uplink),
      get overloaded() {
        return self.publishing >= highWater;
      },
    };
  }

  async start(): Promise<void> {
    await this.leases.ensure();
    if (this.options.consume === false) return;
    await this.balance();
    const renewMs = this.options.renewMs ?? 5_000;
    const tick = () => {
      this.round = this.balance().catch((error: unknown) => this.options.logger.error({ err: error }, 'ingest stream: partition renewal failed'));
      void this.round.then(() => {
        if (!this.stopping) this.timer = setTimeout(tick, renewMs);
      });
    };
    this.timer = setTimeout(tick, renewMs);
  }

  stats(): JetStreamIngestStats {
    return { ...this.counters, held: [...this.consumers.keys()].sort((a, b) => a - b) };
  }

  private async publish(uplink: Uplink): Promise<void> {
    const partition = partitionOf(senderOf(uplink), this.options.stream.partitions);
    this.publishing++;
    try {
      // Resolves with JetStream's acknowledgement: the message is in the stream.
      await this.js.publish(`${this.options.stream.subject}.${partition}`, encodeUplink(uplink));
      this.counters.published++;
    } finally {
      this.publishing--;
    }
  }

  async record(tx: Queryable, uplinks: Uplink[]): Promise<void> {
    const runs = new Map<number, Advance>();
    for (const uplink of uplinks) {
      const at = this.positions.get(uplink);
      if (!at) continue;
      const run = runs.get(at.partition);
      if (run) run.last = at.seq;
      else runs.set(at.partition, { partition: at.partition, prev: at.prev, last: at.seq });
    }
    await this.leases.advance(tx, [...runs.values()]);
  }

  /** One round: renew, give back what exceeds the fair share, take what is free up to it. */
  private async balance(): Promise<void> {
    if (this.stopping) return;
    const sentAt = performance.now();
    let renewed: { held: number[]; fairShare: number };
    try {
      renewed = await this.leases.renew();
    } catch (error) {
      // Past its own deadline a process stops consuming before the others may take over.
      if (performance.now() >= this.heldUntil) await this.stopConsumers([...this.consumers.keys()]);
      throw error;
    }
    this.heldUntil = sentAt + this.leaseMs;
    const held = new Set(renewed.held);
    // Taken over by another process (this one stalled past its lease): stop without releasing.
    await this.stopConsumers([...this.consumers.keys()].filter((p) => !held.has(p)));
    const surplus = [...held].sort((a, b) => b - a).slice(0, Math.max(0, held.size - renewed.fairShare));
    if (surplus.length > 0) {
      await this.stopConsumers(surplus);
      await this.leases.release(surplus);
      this.options.logger.info({ partitions: surplus }, 'ingest stream: partitions handed back for another process');
    }
    if (this.stopping) return;
    // Held in the database without a consumer here (a claim whose answer was lost, a consumer that
    // ended on an error): consumed from its committed position, rather than renewed and left idle.
    for (const partition of renewed.held) {
      if (this.consumers.has(partition) || surplus.includes(partition)) continue;
      const committedSeq = await this.leases.position(partition);
      if (committedSeq !== null) this.consumers.set(partition, new PartitionConsumer(this, partition, committedSeq));
    }
    const claimed = await this.leases.claim(renewed.fairShare - (held.size - surplus.length));
    for (const { partition, committedSeq } of claimed) {
      this.consumers.set(partition, new PartitionConsumer(this, partition, committedSeq));
    }
    if (claimed.length > 0) this.options.logger.info({ partitions: claimed.map((c) => c.partition) }, 'ingest stream: consuming partitions');
  }

  private async stopConsumers(partitions: number[]): Promise<void> {
    await Promise.all(partitions.map(async (p) => {
      const consumer = this.consumers.get(p);
      this.consumers.delete(p);
      await consumer?.stop();
    }));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round;
    const held = [...this.consumers.keys()];
    await this.stopConsumers(held);
    await this.leases.release(held).catch((error: unknown) => this.options.logger.warn({ err: error }, 'ingest stream: partitions not released (they expire)'));
    await this.leases.leave().catch(() => undefined);
    await this.connection.drain().catch((error: unknown) => this.options.logger.warn({ err: error }, 'ingest stream: NATS drain failed'));
  }

  // --- what the partition consumers use ---

  consumerName(partition: number): string {
    return `p${partition}`;
  }

  /**
   * A fresh durable consumer for a partition, delivering from its first unacknowledged message.
   * Deleting the previous one makes the messages it had out (to a process that died or lost the
   * partition) deliverable again at once, in order, rather than after their ack wait.
   */
  async recreateConsumer(partition: number): Promise<void> {
    const { stream, subject } = this.options.stream;
    const name = this.consumerName(partition);
    await this.jsm.consumers.delete(stream, name).catch(() => false);
    await this.jsm.consumers.add(stream, {
      durable_name: name, filter_subject: `${subject}.${partition}`, deliver_policy: DeliverPolicy.All,
      // A work queue takes explicit acknowledgements only. Unacknowledged messages per partition are
      // bounded so that all partitions together stay under twice the pipeline's high-water mark
      // (its queue refuses at four times it, which would send partitions back to their positions).
      ack_policy: AckPolicy.Explicit, ack_wait: nanos(ACK_WAIT_MS),
      max_ack_pending: Math.max(100, Math.min(4 * (this.options.fetchBatch ?? 1000), Math.ceil((2 * (this.options.highWater ?? 20_000)) / this.options.stream.partitions))),
    });
  }

  tag(uplink: Uplink, position: Position): void {
    this.positions.set(uplink, position);
  }

  count(counter: 'committed' | 'skipped' | 'unreadable' | 'resets', n = 1): void {
    this.counters[counter] += n;
  }

  position(partition: number): Promise<number | null> {
    return this.leases.position(partition);
  }

  get client(): JetStreamClient {
    return this.js;
  }
}

/**
 * Consumes one partition in order: every uplink is submitted to the pipeline as it arrives (so it
 * joins other partitions' in group commits) and acknowledged to JetStream once committed. A
 * failed commit, or a delivery missing from the consumer's sequence, sends the partition back to
 * its committed position with a fresh consumer.
 */
class PartitionConsumer {
  private stopped = false;
  private messages: ConsumerMessages | null = null;
  private readonly done: Promise<void>;
  /** The highest stream sequence delivered and dealt with; a delivery at or below it is a redelivery. */
  private seen: number;
  /** The sequence the next uplink's commit follows on from (what the database will hold once all submitted so far commit). */
  private position: number;
  /** The highest sequence known committed (the database's position, or a commit this consumer saw succeed). */
  private committed: number;

  constructor(private readonly owner: StreamIngest, readonly partition: number, committedSeq: number) {
    this.seen = this.position = this.committed = committedSeq;
    this.done = this.run();
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    return this.done;
  }

  private async run(): Promise<void> {
    const { logger, stream, fetchBatch = 1000, pipeline, mayReport } = this.owner.options;
    while (!this.stopped) {
      const inFlight = new Set<Promise<void>>();
      let failure: unknown = null;
      const fail = (error: unknown) => {
        failure ??= error;
        this.messages?.stop();
      };
      try {
        await this.owner.recreateConsumer(this.partition);
        const consumer = await this.owner.client.consumers.get(stream.stream, this.owner.consumerName(this.partition));
        this.messages = await consumer.consume({ max_messages: fetchBatch });
        if (this.stopped) this.messages.stop();
        // A new consumer numbers its deliveries from 1: a number skipped is a delivery this
        // process never saw (it would otherwise be passed over and, redelivered later, skipped).
        let delivery = 0;
        for await (const message of this.messages) {
          if (message.info.deliverySequence !== ++delivery) {
            fail(new Error(`partition ${this.partition}: delivery ${delivery} of its consumer missing (got ${message.info.deliverySequence})`));
            break;
          }
          if (message.seq <= this.seen) {
            // Delivered again: acknowledged once known committed; until then the first delivery's commit acknowledges it.
            this.owner.count('skipped');
            if (message.seq <= this.committed) message.ack();
            continue;
          }
          this.seen = message.seq;
          const uplink = decodeUplink(message.data, mayReport);
          if (!uplink) {
            this.owner.count('unreadable');
            logger.warn({ subject: message.subject, seq: message.seq }, 'ingest stream: a message that is not an uplink, dropped');
            message.ack();
            continue;
          }
          this.owner.tag(uplink, { partition: this.partition, prev: this.position, seq: message.seq });
          this.position = message.seq;
          const committed = pipeline.submit(uplink).then(
            () => {
              // Committed: acknowledged, so the work queue removes it.
              message.ack();
              this.committed = Math.max(this.committed, message.seq);
              this.owner.count('committed');
            },
            fail,
          ).finally(() => inFlight.delete(committed));
          inFlight.add(committed);
        }
      } catch (error) {
        fail(error);
      }
      await Promise.all(inFlight);
      if (this.stopped) return;
      logger.warn({ err: failure, partition: this.partition }, 'ingest stream: partition goes back to its committed position');
      this.owner.count('resets');
      await new Promise((r) => setTimeout(r, RETRY_MS));
      // From the committed position, with the consumer re-created, what was not acknowledged
      // comes again in order (what was committed after all is skipped).
      const at = await this.owner.position(this.partition).catch(() => undefined);
      if (at === null) return; // another process holds it now
      if (at !== undefined) this.seen = this.position = this.committed = at;
    }
  }
}
