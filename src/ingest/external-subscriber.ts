import mqtt from 'mqtt';
import type { IngestPipeline } from './pipeline.ts';
import type { Uplink } from './codec.ts';
import type { DeviceCredentials } from './credentials.ts';
import { parseUplinkTopic, uplinkSubscriptions } from './topics.ts';

export interface ExternalSubscriber {
  close(): Promise<void>;
}

const RETRY_MS = 1000;

/** A session the broker keeps for a week of Lifeline downtime, queueing what arrives meanwhile. */
const SESSION_EXPIRY_S = 7 * 24 * 3600;

/**
 * Consumes uplinks from an external broker (Mosquitto, EMQX) with a persistent session and
 * acknowledges each message only after it is committed; a failed commit is retried, never
 * acknowledged, so the broker keeps the message. With a share group (MQTT 5 shared
 * subscription) several Lifeline processes split one stream, each message going to one of them.
 * mqtt.js handles one message at a time while an ack is held, which bounds each process's rate.
 */
export async function startExternalSubscriber(options: {
  url: string;
  pipeline: IngestPipeline;
  topicPrefix: string;
  /** Stable per process, so the broker finds the persistent session again after a restart. */
  clientId: string;
  /** MQTT 5 shared-subscription group; null subscribes plainly over MQTT 3.1.1 (brokers without MQTT 5). */
  shareGroup: string | null;
  /** The broker authenticates devices; Lifeline still checks which devices a gateway may report for. null: any. */
  credentials: DeviceCredentials | null;
  onError: (error: unknown) => void;
}): Promise<ExternalSubscriber> {
  const client = mqtt.connect(options.url, {
    clientId: options.clientId, clean: false, reconnectPeriod: RETRY_MS,
    ...(options.shareGroup ? { protocolVersion: 5 as const, properties: { sessionExpiryInterval: SESSION_EXPIRY_S } } : {}),
  });
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
  const topics = uplinkSubscriptions(options.topicPrefix).map((t) => (options.shareGroup ? `$share/${options.shareGroup}/${t}` : t));
  await client.subscribeAsync(topics, { qos: 1 });
  return {
    close: async () => {
      closing = true;
      // Leaving the share group first lets the broker route new messages to the other members;
      // a process that crashes instead keeps its share queued in its session until it is back.
      if (options.shareGroup && client.connected) await client.unsubscribeAsync(topics).catch(() => undefined);
      await client.endAsync();
    },
  };
}
