import type { Uplink } from '../ingest/index.ts';

/** An uplink as it travels the ingest stream: what the receiving process knew of it. */
interface Envelope {
  source: string;
  /** Epoch ms of receipt: a payload without a time is stamped with it, in every process alike. */
  receivedAt: number;
  deviceId?: string;
  gatewayId?: string;
  form?: 'hj212';
  /** The payload as received, base64: binary input reaches the dead letters as it came. */
  payload: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function senderOf(uplink: Uplink): string {
  return uplink.deviceId ?? uplink.gateway.id;
}

export function encodeUplink(uplink: Uplink): Uint8Array {
  const envelope: Envelope = {
    source: uplink.source, receivedAt: uplink.receivedAt.getTime(),
    ...(uplink.deviceId !== undefined ? { deviceId: uplink.deviceId } : { gatewayId: uplink.gateway.id }),
    ...(uplink.form ? { form: uplink.form } : {}),
    payload: Buffer.from(uplink.payload).toString('base64'),
  };
  return encoder.encode(JSON.stringify(envelope));
}

/**
 * The uplink back in the consuming process. A gateway's right to report for a device is asked of
 * this process's registry (`mayReport`), as the receiving process would have. Null for data that
 * is not an envelope (something else published on the stream's subjects).
 */
export function decodeUplink(data: Uint8Array, mayReport: (gatewayId: string, deviceId: string) => boolean): Uplink | null {
  let envelope: Envelope;
  try {
    envelope = JSON.parse(decoder.decode(data)) as Envelope;
  } catch {
    return null;
  }
  if (typeof envelope?.source !== 'string' || typeof envelope.receivedAt !== 'number' || typeof envelope.payload !== 'string') return null;
  const base = { source: envelope.source, receivedAt: new Date(envelope.receivedAt), payload: Buffer.from(envelope.payload, 'base64'), ...(envelope.form === 'hj212' ? { form: 'hj212' as const } : {}) };
  if (typeof envelope.deviceId === 'string') return { ...base, deviceId: envelope.deviceId };
  if (typeof envelope.gatewayId === 'string') {
    const id = envelope.gatewayId;
    return { ...base, gateway: { id, mayReport: (deviceId) => mayReport(id, deviceId) } };
  }
  return null;
}
