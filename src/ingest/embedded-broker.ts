import net from 'node:net';
import { Aedes } from 'aedes';
import type { IngestPipeline } from './pipeline.ts';
import type { Uplink } from './codec.ts';
import { parseUplinkTopic } from './topics.ts';

export interface EmbeddedBroker {
  port: number;
  close(): Promise<void>;
}

/**
 * Starts the aedes broker on `server` (already listening) and ingests uplinks in
 * `authorizePublish`: aedes holds the device's PUBACK until that callback runs, so a QoS 1
 * publish is acknowledged only after its readings (or its dead letter) are committed.
 */
export async function startEmbeddedBroker(options: {
  server: net.Server;
  pipeline: IngestPipeline;
  topicPrefix: string;
  onError: (error: unknown) => void;
}): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker({
    authorizePublish: (_client, packet, callback) => {
      const sender = parseUplinkTopic(options.topicPrefix, packet.topic);
      if (sender === null) return callback(null);
      const base = { source: `mqtt:${packet.topic}`, payload: packet.payload as Buffer, receivedAt: new Date() };
      const uplink: Uplink = sender.kind === 'device' ? { ...base, deviceId: sender.id } : { ...base, gateway: { id: sender.id, mayReport: () => true } };
      options.pipeline
        .submit(uplink)
        .then(() => callback(null), (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
    },
  });
  broker.on('clientError', (_client, error) => options.onError(error));
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
