import type { RegisteredSensor } from '../network/registry.ts';
import { decodeHj212 } from './hj212/decode.ts';
import { decodeSenml } from './senml.ts';
import { checkRange, checkTime, checkUnit } from './validate.ts';

export { MAX_AGE_MS, MAX_CLOCK_AHEAD_MS } from './validate.ts';

/** What the registry must answer for decoding; the SensorRegistry satisfies it. */
export interface SensorLookup {
  hasDevice(deviceId: string): boolean;
  channel(deviceId: string, channel: string): RegisteredSensor | undefined;
}

interface UplinkBase {
  /** Where it came from, e.g. "mqtt:lifeline/devices/GD-001/up" or "http:gateway GW-01". */
  source: string;
  payload: Buffer | string;
  receivedAt: Date;
  /** The payload's form when the transport fixes it (an HJ 212-2017 packet); absent: JSON or SenML, told by the JSON itself. */
  form?: 'hj212';
}

/**
 * One message as a transport received it, from an already authenticated sender: a device
 * reporting its own channels, or a gateway reporting for the devices it may report for (the
 * transport decides which, from the gateway's registration).
 */
export type Uplink = UplinkBase & (
  | { deviceId: string; gateway?: undefined }
  | { deviceId?: undefined; gateway: { id: string; mayReport(deviceId: string): boolean } }
);

export interface DecodedReading {
  sensor: RegisteredSensor;
  ts: Date;
  value: number;
}

export type RejectionCode =
  | 'malformed' | 'unknown_device' | 'unknown_channel' | 'not_a_number' | 'wrong_unit'
  | 'sensor_fault' | 'clock_ahead' | 'too_old' | 'not_authorised' | 'instrument_flag';

export interface Rejection {
  deviceId: string | null;
  code: RejectionCode;
  reason: string;
  /** Where in the message, e.g. `values.lel`, `entries[2]`, `[3]` (a SenML record); absent for the whole message. */
  item?: string;
  /** What goes to the dead-letter store: the raw message, or only the rejected entry of a batch. */
  payload: string;
}

export interface Decoded {
  readings: DecodedReading[];
  rejections: Rejection[];
}

/** Dead letters keep the raw payload up to this size, so one huge bad message cannot bloat the store. */
export const MAX_DEAD_LETTER_BYTES = 64 * 1024;

function truncate(text: string): string {
  return text.length <= MAX_DEAD_LETTER_BYTES ? text : `${text.slice(0, MAX_DEAD_LETTER_BYTES)}… [truncated, ${text.length} characters]`;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Collects readings and rejections for one uplink, applying the checks every payload form shares. */
export class UplinkDecoder {
  readonly readings: DecodedReading[] = [];
  readonly rejections: Rejection[] = [];
  readonly text: string;
  private readonly raw: string;

  constructor(readonly uplink: Uplink, readonly sensors: SensorLookup) {
    this.text = uplink.payload.toString();
    this.raw = truncate(this.text);
  }

  reject(deviceId: string | null, code: RejectionCode, reason: string, item?: { at: string; payload?: string }): void {
    this.rejections.push({ deviceId, code, reason, payload: item?.payload ?? this.raw, ...(item ? { item: item.at } : {}) });
  }

  /** Whether `deviceId` is known and the sender may report for it; rejects (and answers false) when not. */
  device(deviceId: string, item?: { at: string; payload?: string }): boolean {
    const gateway = this.uplink.gateway;
    if (gateway && !gateway.mayReport(deviceId)) {
      this.reject(deviceId, 'not_authorised', `gateway '${gateway.id}' is not authorised for device '${deviceId}'`, item);
      return false;
    }
    if (!gateway && deviceId !== this.uplink.deviceId) {
      this.reject(deviceId, 'not_authorised', `device '${this.uplink.deviceId}' may only report its own channels, not device '${deviceId}'`, item);
      return false;
    }
    if (!this.sensors.hasDevice(deviceId)) {
      this.reject(deviceId, 'unknown_device', `unknown device '${deviceId}'`, item);
      return false;
    }
    return true;
  }

  /** Checks one value of a known device and keeps it as a reading, or rejects it with the reason. */
  value(deviceId: string, channel: string, value: unknown, ts: Date, unit: string | undefined, item: { at: string; payload?: string }): void {
    const sensor = this.sensors.channel(deviceId, channel);
    if (!sensor) return this.reject(deviceId, 'unknown_channel', `unknown channel '${channel}' on device '${deviceId}'`, item);
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return this.reject(deviceId, 'not_a_number', `channel '${channel}': value ${JSON.stringify(value) ?? String(value)} is not a finite number`, item);
    }
    const wrongUnit = checkUnit(unit, sensor);
    if (wrongUnit) return this.reject(deviceId, 'wrong_unit', `channel '${channel}': ${wrongUnit}`, item);
    const fault = checkRange(value, sensor);
    if (fault) return this.reject(deviceId, 'sensor_fault', `channel '${channel}': ${fault}`, item);
    const late = checkTime(ts, this.uplink.receivedAt);
    if (late) return this.reject(deviceId, late.code, `channel '${channel}': time ${late.reason}`, item);
    this.readings.push({ sensor, ts, value });
  }

  result(): Decoded {
    return { readings: this.readings, rejections: this.rejections };
  }
}

/** `ts` of the JSON forms: ISO 8601 or epoch milliseconds; absent means the time of receipt. */
function parseTimestamp(raw: unknown, receivedAt: Date): Date | string {
  if (raw === undefined) return receivedAt;
  const ts = typeof raw === 'number' || typeof raw === 'string' ? new Date(raw) : null;
  if (!ts || Number.isNaN(ts.getTime())) return `"ts" ${JSON.stringify(raw)} is not an ISO 8601 time or epoch milliseconds`;
  return ts;
}

/** The `{"ts", "values": {channel: number}}` object of one device, as sent alone or as a gateway entry. */
function decodeValues(decoder: UplinkDecoder, deviceId: string, body: Record<string, unknown>, at: string, payload?: string): void {
  const item = (suffix: string) => ({ at: at + suffix, ...(payload === undefined ? {} : { payload }) });
  const { ts: rawTs, values } = body;
  if (!isObject(values)) {
    return decoder.reject(deviceId, 'malformed', 'payload must carry "values": an object of channel → number', at ? item('') : undefined);
  }
  const ts = parseTimestamp(rawTs, decoder.uplink.receivedAt);
  if (typeof ts === 'string') return decoder.reject(deviceId, 'malformed', ts, at ? item('') : undefined);
  const problem = checkTime(ts, decoder.uplink.receivedAt);
  if (problem) return decoder.reject(deviceId, problem.code, `"ts" ${problem.reason}`, at ? item('') : undefined);
  for (const [channel, value] of Object.entries(values)) {
    decoder.value(deviceId, channel, value, ts, undefined, item(`${at ? '.' : ''}values.${channel}`));
  }
}

/** A gateway's batch: `{"entries": [{"device", "ts", "values"}, …]}`; each entry stands or falls alone. */
function decodeGatewayBatch(decoder: UplinkDecoder, body: Record<string, unknown>): void {
  const { entries } = body;
  if (!Array.isArray(entries)) {
    return decoder.reject(null, 'malformed', 'gateway payload must carry "entries": an array of {"device", "ts", "values"}');
  }
  entries.forEach((entry: unknown, index) => {
    const at = `entries[${index}]`;
    const payload = JSON.stringify(entry);
    if (!isObject(entry) || typeof entry.device !== 'string' || entry.device === '') {
      return decoder.reject(null, 'malformed', `${at} must be an object with "device" (a device id) and "values"`, { at, payload });
    }
    if (decoder.device(entry.device, { at, payload })) decodeValues(decoder, entry.device, entry, at, payload);
  });
}

/**
 * Decodes one uplink into readings and rejections; pure. The form follows from the JSON: an
 * object is Lifeline JSON (a device's `{"ts", "values"}`, a gateway's `{"entries": […]}`), an
 * array is a SenML pack (RFC 8428); an HJ 212-2017 packet comes marked by its transport
 * (`form: 'hj212'`, src/ingest/hj212). Valid values are kept even when others in the message are
 * rejected; docs/ingest.md lists the forms and every reason.
 */
export function decodeUplink(uplink: Uplink, sensors: SensorLookup): Decoded {
  const decoder = new UplinkDecoder(uplink, sensors);
  if (uplink.form === 'hj212') {
    decodeHj212(decoder);
    return decoder.result();
  }
  if (uplink.deviceId !== undefined && !decoder.device(uplink.deviceId)) return decoder.result();
  const deviceId = uplink.deviceId ?? null;
  let body: unknown;
  try {
    body = JSON.parse(decoder.text);
  } catch (error) {
    decoder.reject(deviceId, 'malformed', `malformed JSON: ${(error as Error).message}`);
    return decoder.result();
  }
  if (Array.isArray(body)) decodeSenml(decoder, body);
  else if (!isObject(body)) decoder.reject(deviceId, 'malformed', 'payload must be a JSON object (or a SenML array)');
  else if (uplink.deviceId !== undefined) decodeValues(decoder, uplink.deviceId, body, '');
  else decodeGatewayBatch(decoder, body);
  return decoder.result();
}
