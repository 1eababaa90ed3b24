import type { RegisteredSensor } from '../network/registry.ts';

/** What the registry must answer for decoding; the SensorRegistry satisfies it. */
export interface SensorLookup {
  hasDevice(deviceId: string): boolean;
  channel(deviceId: string, channel: string): RegisteredSensor | undefined;
}

export interface DecodedReading {
  sensor: RegisteredSensor;
  ts: Date;
  value: number;
}

export interface Rejection {
  deviceId: string | null;
  reason: string;
}

export interface Decoded {
  readings: DecodedReading[];
  rejections: Rejection[];
}

/** Readings stamped further ahead than this are refused: the device clock is wrong. */
export const MAX_CLOCK_AHEAD_MS = 10 * 60 * 1000;

function parseTimestamp(raw: unknown, receivedAt: Date): Date | string {
  if (raw === undefined) return receivedAt;
  const ts = typeof raw === 'number' ? new Date(raw) : typeof raw === 'string' ? new Date(raw) : null;
  if (!ts || Number.isNaN(ts.getTime())) return `"ts" ${JSON.stringify(raw)} is not an ISO 8601 time or epoch milliseconds`;
  if (ts.getTime() - receivedAt.getTime() > MAX_CLOCK_AHEAD_MS) {
    return `"ts" ${ts.toISOString()} is more than ${MAX_CLOCK_AHEAD_MS / 60000} min ahead of the server clock`;
  }
  return ts;
}

/**
 * Decodes one uplink: `{"ts": ISO-8601 | epoch ms (optional), "values": {"<channel>": number, …}}`.
 * Valid channels are kept even when others in the same message are rejected.
 */
export function decodeUplink(deviceId: string, payload: Buffer | string, receivedAt: Date, sensors: SensorLookup): Decoded {
  const rejections: Rejection[] = [];
  const reject = (reason: string): Decoded => ({ readings: [], rejections: [{ deviceId, reason }] });
  if (!sensors.hasDevice(deviceId)) return reject(`unknown device '${deviceId}'`);
  let body: unknown;
  try {
    body = JSON.parse(payload.toString());
  } catch (error) {
    return reject(`malformed JSON: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return reject('payload must be a JSON object');
  const { ts: rawTs, values } = body as { ts?: unknown; values?: unknown };
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    return reject('payload must carry "values": an object of channel → number');
  }
  const ts = parseTimestamp(rawTs, receivedAt);
  if (typeof ts === 'string') return reject(ts);
  const readings: DecodedReading[] = [];
  for (const [channel, value] of Object.entries(values)) {
    const sensor = sensors.channel(deviceId, channel);
    if (!sensor) {
      rejections.push({ deviceId, reason: `unknown channel '${channel}' on device '${deviceId}'` });
    } else if (typeof value !== 'number' || !Number.isFinite(value)) {
      rejections.push({ deviceId, reason: `channel '${channel}': value ${JSON.stringify(value)} is not a finite number` });
    } else {
      readings.push({ sensor, ts, value });
    }
  }
  return { readings, rejections };
}
