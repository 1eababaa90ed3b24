import { connect, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { ConfigError } from '../config/index.ts';
import { Fanout } from './fanout.ts';
import { FrameDecoder, FrameEncoder, newOrigin } from './frames.ts';
import type { BusOrigin, EventBus, PlatformEvent } from './types.ts';

export const DEFAULT_NATS_SUBJECT = 'lifeline.events';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The bus across processes over core NATS: every process subscribes to one subject and publishes
 * its events there. At most once, like the live feed it serves: a process that was away has no
 * browsers to catch up, and a browser reloads what it missed (docs/cluster.md).
 */
export class NatsBus implements EventBus {
  readonly kind = 'nats';
  private fanout = new Fanout();
  private readonly frames: FrameEncoder;
  private readonly incoming: FrameDecoder;
  private closed = false;

  private constructor(
    private readonly connection: NatsConnection,
    private readonly subject: string,
    private readonly logger: Logger,
  ) {
    const origin = newOrigin();
    this.frames = new FrameEncoder(origin, connection.info?.max_payload ?? 1024 * 1024);
    this.incoming = new FrameDecoder(origin);
    // Unsubscribed by close()'s drain.
    connection.subscribe(subject, {
      callback: (error, message) => {
        if (error) return this.logger.warn({ err: error }, 'bus: NATS subscription error');
        this.receive(decoder.decode(message.data));
      },
    });
    this.watchStatus().catch((error: unknown) => this.logger.warn({ err: error }, 'bus: NATS status watch ended'));
  }

  /** Connects, or fails with one line naming NATS_URL; after that it reconnects for as long as it runs. */
  static async connect(options: { url: string; subject?: string; logger: Logger; name?: string }): Promise<NatsBus> {
    let connection: NatsConnection;
    try {
      connection = await connect({
        servers: options.url, name: options.name ?? 'lifeline', maxReconnectAttempts: -1,
        // The server does not send this connection's own messages back; the origin check stays as a second guard.
        noEcho: true,
      });
    } catch (error) {
      throw new ConfigError(`NATS_URL=${options.url}: cannot connect (${error instanceof Error ? error.message : String(error)})`);
    }
    return new NatsBus(connection, options.subject ?? DEFAULT_NATS_SUBJECT, options.logger);
  }

  publish(event: PlatformEvent): void {
    this.fanout.deliverLocal(event);
    if (this.closed) return;
    try {
      // While reconnecting the client buffers what is published; the order holds.
      for (const frame of this.frames.encode(event)) this.connection.publish(this.subject, encoder.encode(frame));
    } catch (error) {
      this.logger.warn({ err: error, type: event.type }, 'bus: event not sent to the other processes');
    }
  }

  subscribe(listener: (event: PlatformEvent) => void, origin: BusOrigin = 'all'): () => void {
    return this.fanout.subscribe(listener, origin);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Drain: what was published goes out before the connection closes.
    await this.connection.drain().catch((error: unknown) => this.logger.warn({ err: error }, 'bus: NATS drain failed'));
  }

  private receive(frame: string): void {
    const decoded = this.incoming.decode(frame);
    if (decoded.kind === 'dropped') this.logger.warn({ reason: decoded.reason }, 'bus: frame dropped');
    if (decoded.kind !== 'event') return;
    this.fanout.deliverRemote(decoded.event, (error) => this.logger.error({ err: error, type: decoded.event.type }, 'bus: subscriber failed'));
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.connection.status()) {
      if (status.type === 'disconnect') this.logger.warn({ server: status.data }, 'bus: NATS disconnected, reconnecting; events of other processes are missed meanwhile');
      else if (status.type === 'reconnect') {
        this.logger.info({ server: status.data }, 'bus: NATS reconnected');
        this.fanout.deliverRemote({ type: 'resync', reason: 'NATS reconnected' }, (error) => this.logger.error({ err: error }, 'bus: subscriber failed'));
      }
    }
  }
}
