import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import mqttPacket, { type IConnackPacket, type IPublishPacket, type ISubackPacket, type IUnsubackPacket, type Packet } from 'mqtt-packet';
import { createWebSocketStream, WebSocket } from 'ws';
import type { UplinkSink } from './pipeline.ts';
import type { Uplink } from './codec.ts';
import type { DeviceCredentials } from './credentials.ts';
import { parseUplinkTopic, uplinkSubscriptions } from './topics.ts';

export interface ExternalSubscriberStats {
  /** Uplinks received from the broker (redeliveries included). */
  received: number;
  /** PUBACKs sent, each after its uplink was committed. */
  acked: number;
  /** Uplinks submitted to the pipeline and not yet committed. */
  inFlight: number;
  /** The most uplinks that have been in flight at once. */
  maxInFlight: number;
  /** Sessions opened with the broker (1 + reconnects). */
  connections: number;
}

export interface ExternalSubscriber {
  stats(): ExternalSubscriberStats;
  close(): Promise<void>;
}

export interface ExternalSubscriberOptions {
  url: string;
  /** The pipeline, or the ingest stream (INGEST_STREAM=jetstream): the acknowledgement waits for it either way. */
  pipeline: UplinkSink;
  topicPrefix: string;
  /** Stable per process, so the broker finds the persistent session again after a restart. */
  clientId: string;
  /** MQTT 5 shared-subscription group; null subscribes plainly over MQTT 3.1.1 (brokers without MQTT 5). */
  shareGroup: string | null;
  /** The broker authenticates devices; Lifeline still checks which devices a gateway may report for. null: any. */
  credentials: DeviceCredentials | null;
  onError: (error: unknown) => void;
}

const RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;
const KEEPALIVE_S = 30;
const CONNECT_TIMEOUT_MS = 10_000;
/** How long close() waits for the broker to confirm leaving the share group. */
const UNSUBSCRIBE_TIMEOUT_MS = 5000;

/** A session the broker keeps for a week of Lifeline downtime, queueing what arrives meanwhile. */
const SESSION_EXPIRY_S = 7 * 24 * 3600;

/**
 * Unacknowledged messages the broker may have out to us at once (MQTT 5 Receive Maximum). Large,
 * so one group commit takes thousands of them; bounded, so memory is too. Over MQTT 3.1.1, which
 * has no such limit, reading from the socket pauses at the same count instead.
 */
const RECEIVE_MAXIMUM = 5000;

/** One network connection to the broker and the messages it delivered that still await their PUBACK. */
interface Link {
  socket: Duplex;
  version: 4 | 5;
  alive: boolean;
  /** Packet ids received on this connection whose uplink is not yet committed. */
  unacked: Set<number>;
  acks: number[];
  pingOutstanding: boolean;
  /** Our SUBSCRIBE/UNSUBSCRIBE waiting for their SUBACK/UNSUBACK, by packet id. */
  /** null when the connection closes first. */
  requests: Map<number, (packet: ISubackPacket | IUnsubackPacket | null) => void>;
  nextId: number;
}

/**
 * Consumes uplinks from an external broker (Mosquitto, EMQX) with a persistent session and
 * acknowledges each message only after it is committed; a failed commit is retried, never
 * acknowledged, so the broker keeps the message. With a share group (MQTT 5 shared
 * subscription) several Lifeline processes split one stream, each message going to one of them.
 *
 * Built on mqtt-packet rather than mqtt.js because mqtt.js handles no further message while one
 * PUBACK is held: here every message is submitted as it arrives, so thousands share one group
 * commit, and the PUBACKs of a batch go out together once it is committed.
 */
export async function startExternalSubscriber(options: ExternalSubscriberOptions): Promise<ExternalSubscriber> {
  const consumer = new BatchingConsumer(options);
  await consumer.start();
  return { stats: () => consumer.stats(), close: () => consumer.close() };
}

class BatchingConsumer {
  private readonly url: URL;
  private readonly version: 4 | 5;
  private readonly topics: string[];
  private current: Link | null = null;
  private opening: Promise<void> | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private retryMs = RETRY_MS;
  private closing = false;
  /** After close() has left the share group: later deliveries stay unacknowledged in the session. */
  private refusing = false;
  private pending = 0;
  /** The connection whose reading is paused because `pending` reached RECEIVE_MAXIMUM. */
  private paused: Link | null = null;
  private idleWaiters: (() => void)[] = [];
  private readonly counters = { received: 0, acked: 0, maxInFlight: 0, connections: 0 };

  constructor(private readonly options: ExternalSubscriberOptions) {
    this.url = new URL(options.url);
    this.version = options.shareGroup ? 5 : 4;
    this.topics = uplinkSubscriptions(options.topicPrefix).map((t) => (options.shareGroup ? `$share/${options.shareGroup}/${t}` : t));
  }

  stats(): ExternalSubscriberStats {
    return { ...this.counters, inFlight: this.pending };
  }

  /** The first session is opened before the platform reports itself up, so a wrong URL or login fails the start. */
  async start(): Promise<void> {
    this.current = await this.open();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.opening;
    const link = this.current;
    if (link?.alive && this.options.shareGroup) {
      // Leaving the share group first lets the broker route new messages to the other members;
      // a process that crashes instead keeps its share queued in its session until it is back.
      // Whatever the broker sent before its UNSUBACK arrives before it, and is still committed.
      await withTimeout(this.request(link, { cmd: 'unsubscribe', unsubscriptions: this.topics }), UNSUBSCRIBE_TIMEOUT_MS).catch(() => undefined);
    }
    this.refusing = true;
    await this.idle();
    if (!link?.alive) return;
    this.flushAcks(link);
    const closed = new Promise<void>((resolve) => link.socket.once('close', () => resolve()));
    // A normal DISCONNECT keeps the session (its expiry was set at CONNECT), so anything left
    // unacknowledged is delivered again on the next start.
    link.socket.end(mqttPacket.generate(this.version === 5 ? { cmd: 'disconnect', reasonCode: 0 } : { cmd: 'disconnect' }, { protocolVersion: this.version }));
    await withTimeout(closed, CONNECT_TIMEOUT_MS).catch(() => link.socket.destroy());
  }

  private idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private scheduleReconnect(): void {
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.opening = this.open().then(
        (link) => {
          this.opening = null;
          this.retryMs = RETRY_MS;
          if (this.closing) link.socket.destroy();
          else this.current = link;
        },
        (error: unknown) => {
          this.opening = null;
          this.options.onError(error);
          this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
          if (!this.closing) this.scheduleReconnect();
        },
      );
    }, this.retryMs);
  }

  private dial(): Duplex {
    const port = this.url.port ? Number(this.url.port) : undefined;
    const host = this.url.hostname;
    switch (this.url.protocol) {
      case 'mqtts:':
        return tls.connect({ host, port: port ?? 8883, servername: net.isIP(host) ? undefined : host });
      case 'ws:':
      case 'wss:':
        return createWebSocketStream(new WebSocket(this.url, 'mqtt'));
      default:
        return net.connect({ host, port: port ?? 1883 });
    }
  }

  /** Connects, resumes (or starts) the session and subscribes; resolves once the SUBACK is in. */
  private open(): Promise<Link> {
    const socket = this.dial();
    if (socket instanceof net.Socket) socket.setNoDelay(true);
    const link: Link = {
      socket, version: this.version, alive: true, unacked: new Set(), acks: [], pingOutstanding: false, requests: new Map(), nextId: 1,
    };
    const parser = mqttPacket.parser({ protocolVersion: this.version });
    return new Promise<Link>((resolve, reject) => {
      let ping: NodeJS.Timeout | undefined;
      const connectTimer = setTimeout(() => socket.destroy(new Error(`no CONNACK from ${this.url.host} within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
      let failure: unknown = null;
      socket.on('error', (error) => (failure = error));
      socket.on('close', () => {
        link.alive = false;
        clearTimeout(connectTimer);
        clearInterval(ping);
        for (const settle of link.requests.values()) settle(null);
        reject(failure ?? new Error(`connection to ${this.url.host} closed`));
        if (this.current === link) {
          // Uplinks of this connection still being committed lose their PUBACK; the broker
          // delivers them again on the resumed session and the pipeline stores them once.
          this.current = null;
          if (failure) this.options.onError(failure);
          if (!this.closing) this.scheduleReconnect();
        }
      });
      parser.on('error', (error: unknown) => socket.destroy(error instanceof Error ? error : new Error(String(error))));
      socket.on('data', (chunk: Buffer) => parser.parse(chunk));
      parser.on('packet', (packet: Packet) => {
        link.pingOutstanding = false;
        switch (packet.cmd) {
          case 'connack': {
            clearTimeout(connectTimer);
            const code = (packet as IConnackPacket).reasonCode ?? (packet as IConnackPacket).returnCode ?? 0;
            if (code !== 0) return socket.destroy(new Error(`${this.url.host} refused the connection (code ${code})`));
            this.counters.connections++;
            const keepalive = packet.properties?.serverKeepAlive ?? KEEPALIVE_S;
            ping = setInterval(() => this.keepAlive(link), keepalive * 1000);
            ping.unref();
            void this.request(link, { cmd: 'subscribe', subscriptions: this.topics.map((topic) => ({ topic, qos: 1 as const })) }).then((suback) => {
              if (!suback) return;
              const refused = (suback.granted as number[]).find((g) => g >= 0x80);
              if (refused === undefined) resolve(link);
              else socket.destroy(new Error(`${this.url.host} refused the subscription to ${this.topics.join(', ')} (code ${refused})`));
            });
            return;
          }
          case 'publish':
            return this.onPublish(link, packet);
          case 'suback':
          case 'unsuback': {
            const settle = link.requests.get(packet.messageId!);
            link.requests.delete(packet.messageId!);
            return settle?.(packet);
          }
          case 'disconnect':
            return socket.destroy(new Error(`${this.url.host} disconnected us (code ${packet.reasonCode ?? 0})`));
          default:
            return;
        }
      });
      socket.write(mqttPacket.generate({
        cmd: 'connect', protocolId: 'MQTT', protocolVersion: this.version, clientId: this.options.clientId, clean: false, keepalive: KEEPALIVE_S,
        ...(this.url.username ? { username: decodeURIComponent(this.url.username) } : {}),
        ...(this.url.password ? { password: Buffer.from(decodeURIComponent(this.url.password)) } : {}),
        ...(this.version === 5 ? { properties: { sessionExpiryInterval: SESSION_EXPIRY_S, receiveMaximum: RECEIVE_MAXIMUM } } : {}),
      }, { protocolVersion: this.version }));
    });
  }

  private keepAlive(link: Link): void {
    // A paused socket is not read, so a missing PINGRESP then says nothing about the broker.
    if (link.pingOutstanding && this.paused !== link) {
      link.socket.destroy(new Error(`no PINGRESP from ${this.url.host} within ${KEEPALIVE_S} s`));
      return;
    }
    link.pingOutstanding = true;
    link.socket.write(mqttPacket.generate({ cmd: 'pingreq' }, { protocolVersion: link.version }));
  }

  private request(link: Link, packet: { cmd: 'subscribe'; subscriptions: { topic: string; qos: 1 }[] } | { cmd: 'unsubscribe'; unsubscriptions: string[] }): Promise<ISubackPacket | IUnsubackPacket | null> {
    const messageId = link.nextId++;
    return new Promise((resolve) => {
      link.requests.set(messageId, resolve);
      link.socket.write(mqttPacket.generate({ ...packet, messageId }, { protocolVersion: link.version }));
    });
  }

  private onPublish(link: Link, packet: IPublishPacket): void {
    if (this.refusing) return;
    const id = packet.messageId;
    const needsAck = packet.qos > 0 && id !== undefined;
    // A copy of a message this connection is already committing: the first copy's PUBACK covers it.
    if (needsAck && link.unacked.has(id)) return;
    this.counters.received++;
    const sender = parseUplinkTopic(this.options.topicPrefix, packet.topic);
    if (sender === null) {
      if (needsAck) this.queueAck(link, id);
      return;
    }
    const base = { source: `mqtt:${packet.topic}`, payload: packet.payload as Buffer, receivedAt: new Date() };
    const uplink: Uplink = sender.kind === 'device' ? { ...base, deviceId: sender.id } : {
      ...base, gateway: { id: sender.id, mayReport: (deviceId) => !this.options.credentials || this.options.credentials.mayReport(sender.id, deviceId) },
    };
    if (needsAck) link.unacked.add(id);
    this.pending++;
    if (this.pending > this.counters.maxInFlight) this.counters.maxInFlight = this.pending;
    if (this.pending >= RECEIVE_MAXIMUM && !this.paused) {
      this.paused = link;
      link.socket.pause();
    }
    void this.commit(uplink, needsAck ? link : null).then((committed) => {
      if (needsAck) {
        link.unacked.delete(id);
        if (committed) this.queueAck(link, id);
      }
      this.pending--;
      if (this.paused && this.pending < RECEIVE_MAXIMUM / 2) {
        this.paused.socket.resume();
        this.paused = null;
      }
      if (this.pending === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    });
  }

  /**
   * Submits until the uplink is committed. Gives up (returning false, so no PUBACK) when Lifeline
   * is closing or the connection that delivered it is gone: the broker keeps it and redelivers.
   */
  private async commit(uplink: Uplink, deliveredOn: Link | null): Promise<boolean> {
    for (;;) {
      try {
        await this.options.pipeline.submit(uplink);
        return true;
      } catch (error) {
        this.options.onError(error);
        if (this.closing || (deliveredOn && !deliveredOn.alive)) return false;
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  /** PUBACKs of one commit are written together, on the next turn of the event loop. */
  private queueAck(link: Link, id: number): void {
    if (!link.alive) return;
    link.acks.push(id);
    if (link.acks.length === 1) setImmediate(() => this.flushAcks(link));
  }

  private flushAcks(link: Link): void {
    if (link.acks.length === 0 || !link.alive) return;
    const acks = link.acks.splice(0);
    link.socket.write(Buffer.concat(acks.map((messageId) => mqttPacket.generate({ cmd: 'puback', messageId }, { protocolVersion: link.version }))));
    this.counters.acked += acks.length;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}
