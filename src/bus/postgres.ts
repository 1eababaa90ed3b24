import pg from 'pg';
import type { Logger } from 'pino';
import { Fanout } from './fanout.ts';
import { FrameDecoder, FrameEncoder, newOrigin } from './frames.ts';
import type { BusOrigin, EventBus, PlatformEvent } from './types.ts';

export const BUS_CHANNEL = 'lifeline_events';

/** A NOTIFY payload must be shorter than 8000 bytes. */
const NOTIFY_MAX_BYTES = 7999;
/** Events waiting for the connection beyond this are not sent (the database is not keeping up); counted in the log. */
const MAX_QUEUED = 10_000;
const RECONNECT_FIRST_MS = 500;
const RECONNECT_MAX_MS = 30_000;

/**
 * The bus across processes that share one PostgreSQL database and no NATS: LISTEN/NOTIFY on one
 * connection of its own (the pool's connections come and go; a LISTEN lives on its session). An
 * event too large for one NOTIFY goes as several frames in one statement, so one transaction
 * delivers them together and in order. At most once: events sent while the connection is down
 * are missed by the others, like NATS's (docs/cluster.md).
 */
export class PgNotifyBus implements EventBus {
  readonly kind = 'postgres';
  private fanout = new Fanout();
  private readonly frames: FrameEncoder;
  private readonly incoming: FrameDecoder;
  private client: pg.Client | null = null;
  private queued = 0;
  private dropped = 0;
  private closed = false;
  private reconnectMs = RECONNECT_FIRST_MS;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** The statements in flight, chained: each waits for the one before; close() waits for the last. */
  private sending: Promise<void> = Promise.resolve();

  private constructor(
    private readonly url: string,
    private readonly logger: Logger,
  ) {
    const origin = newOrigin();
    this.frames = new FrameEncoder(origin, NOTIFY_MAX_BYTES);
    this.incoming = new FrameDecoder(origin);
  }

  static async connect(options: { url: string; logger: Logger }): Promise<PgNotifyBus> {
    const bus = new PgNotifyBus(options.url, options.logger);
    await bus.open();
    return bus;
  }

  publish(event: PlatformEvent): void {
    this.fanout.deliverLocal(event);
    const client = this.client;
    if (this.closed || !client) return;
    if (this.queued >= MAX_QUEUED) {
      if (this.dropped++ % 1000 === 0) this.logger.warn({ dropped: this.dropped }, 'bus: NOTIFY backlog full, events not sent to the other processes');
      return;
    }
    const frames = this.frames.encode(event);
    this.queued += 1;
    // One statement at a time on the connection, in publish order.
    this.sending = this.sending.then(() => (frames.length === 1
      ? client.query('SELECT pg_notify($1, $2)', [BUS_CHANNEL, frames[0]])
      // unnest yields the frames in array order, and one statement's notifications are delivered together at its commit.
      : client.query('SELECT pg_notify($1, frame) FROM unnest($2::text[]) AS frame', [BUS_CHANNEL, frames])
    )).then(
      () => undefined,
      (error: unknown) => this.logger.warn({ err: error, type: event.type }, 'bus: event not sent to the other processes'),
    ).finally(() => {
      this.queued -= 1;
    });
  }

  subscribe(listener: (event: PlatformEvent) => void, origin: BusOrigin = 'all'): () => void {
    return this.fanout.subscribe(listener, origin);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.sending;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async open(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'lifeline bus' });
    client.on('notification', (message) => {
      if (message.channel === BUS_CHANNEL && message.payload !== undefined) this.receive(message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN ${BUS_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    this.reconnectMs = RECONNECT_FIRST_MS;
  }

  private lost(client: pg.Client, error: Error | null): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.logger.warn({ err: error ?? undefined }, 'bus: LISTEN connection lost, reconnecting; events of other processes are missed meanwhile');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.closed) return;
      this.open().then(
        () => {
          this.logger.info('bus: LISTEN connection back');
          this.fanout.deliverRemote({ type: 'resync', reason: 'LISTEN connection back' }, (error) => this.logger.error({ err: error }, 'bus: subscriber failed'));
        },
        (error: unknown) => {
          this.logger.warn({ err: error }, 'bus: LISTEN reconnect failed');
          this.reconnectMs = Math.min(this.reconnectMs * 2, RECONNECT_MAX_MS);
          this.scheduleReconnect();
        },
      );
    }, this.reconnectMs);
    // Retrying alone keeps no process alive (the server's own sockets do that).
    this.reconnectTimer.unref();
  }

  private receive(frame: string): void {
    const decoded = this.incoming.decode(frame);
    if (decoded.kind === 'dropped') this.logger.warn({ reason: decoded.reason }, 'bus: frame dropped');
    if (decoded.kind !== 'event') return;
    this.fanout.deliverRemote(decoded.event, (error) => this.logger.error({ err: error, type: decoded.event.type }, 'bus: subscriber failed'));
  }
}
