import net from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { AuthCounters } from './auth-counters.ts';
import type { Uplink } from './codec.ts';
import type { DeviceCredentials, Principal } from './credentials.ts';
import { OverloadError, type UplinkSink } from './pipeline.ts';
import { parseUplinkTopic } from './topics.ts';

export interface EmbeddedBroker {
  port: number;
  close(): Promise<void>;
}

export interface BrokerAuth {
  credentials: DeviceCredentials;
  counters: AuthCounters;
}

// MQTT 3.1.1 CONNACK code 4 ("bad user name or password") for every refusal, so the answer
// does not tell a prober which ids exist; the counters keep the real reason.
const refused = (): AuthenticateError => Object.assign(new Error('bad user name or password'), { returnCode: 4 as AuthenticateError['returnCode'] });

/**
 * Starts the aedes broker on `server` (already listening) and ingests uplinks in
 * `authorizePublish`: aedes holds the device's PUBACK until that callback runs, so a QoS 1
 * publish is acknowledged only after its readings (or its dead letter) are committed.
 *
 * With `auth`, a client logs in as a device or gateway (username = id, password = secret) and
 * may publish only on its own uplink topic; a gateway also on the device topics of the devices
 * registered to it (transparent forwarding). A refused publish closes the connection: MQTT
 * 3.1.1 has no negative PUBACK, and here a PUBACK means "committed", so it is never sent for
 * a message that was dropped.
 */
export async function startEmbeddedBroker(options: {
  server: net.Server;
  /** The pipeline, or the ingest stream (INGEST_STREAM=jetstream): the acknowledgement waits for it either way. */
  pipeline: UplinkSink;
  topicPrefix: string;
  /** null: DEVICE_AUTH=off, anyone may publish for any device. */
  auth: BrokerAuth | null;
  onError: (error: unknown) => void;
}): Promise<EmbeddedBroker> {
  const { auth, topicPrefix } = options;
  const principals = new WeakMap<Client, Principal>();

  const remote = (client: Client | null) => {
    const socket = client?.conn as net.Socket | undefined;
    return socket?.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'unknown address';
  };

  const mayPublish = (principal: Principal, sender: { kind: string; id: string }): boolean =>
    (sender.kind === principal.kind && sender.id === principal.id) ||
    (principal.kind === 'gateway' && sender.kind === 'device' && auth!.credentials.mayReport(principal.id, sender.id));

  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, callback) => {
      if (!auth) return callback(null, true);
      if (!username || !password) {
        auth.counters.record({ transport: 'mqtt', reason: 'missing_credentials', principal: username ?? null, detail: `CONNECT without username and password from ${remote(client)}` });
        return callback(refused(), false);
      }
      auth.credentials.verify(username, password.toString()).then(
        (result) => {
          if (typeof result === 'string') {
            auth.counters.record({ transport: 'mqtt', reason: result, principal: username, detail: `CONNECT refused from ${remote(client)}` });
            return callback(refused(), false);
          }
          principals.set(client, result);
          callback(null, true);
        },
        (error: unknown) => {
          options.onError(error);
          callback(Object.assign(new Error('server unavailable'), { returnCode: 3 as AuthenticateError['returnCode'] }), false);
        },
      );
    },

    authorizeSubscribe: (client, subscription, callback) => {
      const principal = principals.get(client);
      if (!auth || !principal) return callback(null, subscription);
      // Devices get no view of other devices' traffic: only their own subtree (future downlinks).
      const own = `${topicPrefix}/${principal.kind === 'device' ? 'devices' : 'gateways'}/${principal.id}/`;
      if (subscription.topic.startsWith(own)) return callback(null, subscription);
      auth.counters.record({ transport: 'mqtt', reason: 'subscribe_denied', principal: principal.id, detail: `SUBSCRIBE ${subscription.topic}` });
      callback(null, null);
    },

    authorizePublish: (client, packet, callback) => {
      const sender = parseUplinkTopic(topicPrefix, packet.topic);
      if (auth) {
        const principal = client ? principals.get(client) : undefined;
        if (!principal || !sender || !mayPublish(principal, sender)) {
          auth.counters.record({ transport: 'mqtt', reason: 'publish_denied', principal: principal?.id ?? null, detail: `PUBLISH ${packet.topic}` });
          return callback(new Error(`${principal ? `${principal.kind} '${principal.id}'` : 'this client'} may not publish on ${packet.topic}`));
        }
      }
      if (sender === null) return callback(null);
      const base = { source: `mqtt:${packet.topic}`, payload: packet.payload as Buffer, receivedAt: new Date() };
      const uplink: Uplink = sender.kind === 'device'
        ? { ...base, deviceId: sender.id }
        : { ...base, gateway: { id: sender.id, mayReport: (deviceId) => !auth || auth.credentials.mayReport(sender.id, deviceId) } };
      options.pipeline.submit(uplink).then(
        () => callback(null),
        (error: unknown) => {
          // A QoS 0 message refused for overload is dropped (and counted as shed); closing the
          // connection would lose the sender's later messages too. QoS 1 gets no PUBACK: the
          // connection closes and the device sends it again.
          if (error instanceof OverloadError && packet.qos === 0) return callback(null);
          callback(error instanceof Error ? error : new Error(String(error)));
        },
      );
    },
  });
  // A refused publish is the sender's fault and already counted, not an ingest error.
  broker.on('clientError', (_client, error) => {
    if (!/may not publish on/.test(error.message)) options.onError(error);
  });
  const sockets = new Set<net.Socket>();
  options.server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  const address = options.server.address() as net.AddressInfo;
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        broker.close(() => options.server.close(() => resolve()));
      }),
  };
}
