import mqtt from 'mqtt';
import type { IngestPipeline } from './pipeline.ts';
import type { Uplink } from './codec.ts';
import type { DeviceCredentials } from './credentials.ts';
import { parseUplinkTopic, uplinkSubscriptions } from './topics.ts';

export interface ExternalSubscriber {
  close(): Promise<void>;
}

const RETRY_MS = 1000;

/**
 * Consumes uplinks from an external broker (Mosquitto, EMQX) with a persistent session and
 * acknowledges each message only after it is committed; a failed commit is retried, never
 * acknowledged, so the broker keeps the message. mqtt.js handles one message at a time while
 * an ack is held, which bounds this path's rate (see the telemetry issue for the batched consumer).
 */
export async function startExternalSubscriber(options: {
  url: string;
  pipeline: IngestPipeline;
  topicPrefix: string;
  clientId: string;
  /** The broker authenticates devices; Lifeline still checks which devices a gateway may report for. null: any. */
  credentials: DeviceCredentials | null;
  onError: (error: unknown) => void;
}): Promise<ExternalSubscriber> {
  const client = mqtt.connect(options.url, { clientId: options.clientId, clean: false, reconnectPeriod: RETRY_MS });
  let closing = false;
  client.handleMessage = (packet, done) => {
    const sender = parseUplinkTopic(options.topicPrefix, packet.topic);
    if (sender === null) return done();
    const base = { source: `mqtt:${packet.topic}`, payload: packet.payload as Buffer, receivedAt: new Date() };
    const uplink: Uplink = sender.kind === 'device' ? { ...base, deviceId: sender.id } : {
      ...base, gateway: { id: sender.id, mayReport: (deviceId) => !options.credentials || options.credentials.mayReport(sender.id, deviceId) },
    };
    const attempt = (): void => {
      options.pipeline.submit(uplink).then(
        () => done(),
        (error: unknown) => {
          options.onError(error);
          if (!closing) setTimeout(attempt, RETRY_MS);
        },
      );
    };
    attempt();
  };
  client.on('error', (error) => options.onError(error));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(uplinkSubscriptions(options.topicPrefix), { qos: 1 });
  return {
    close: async () => {
      closing = true;
      await client.endAsync();
    },
  };
}
