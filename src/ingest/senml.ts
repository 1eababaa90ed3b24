import { z } from 'zod';
import type { UplinkDecoder } from './codec.ts';

// SenML (RFC 8428) packs in JSON. Base fields (bn, bt, bu, bv) carry forward from the record
// that sets them; name = bn + n resolves to a device and channel; time = bt + t in seconds,
// relative to the time of receipt when below 2^28; value = bv + v. Only numeric values are
// stored: a record with vs, vb, vd or only a sum s is rejected with the reason.

const senmlRecord = z.looseObject({
  bn: z.string().optional(),
  bt: z.number().optional(),
  bu: z.string().optional(),
  bv: z.number().optional(),
  bs: z.number().optional(),
  bver: z.number().int().optional(),
  n: z.string().optional(),
  u: z.string().optional(),
  v: z.unknown().optional(),
  vs: z.string().optional(),
  vb: z.boolean().optional(),
  vd: z.string().optional(),
  s: z.number().optional(),
  t: z.number().optional(),
  ut: z.number().optional(),
});

const RELATIVE_TIME_LIMIT = 2 ** 28;
const SENML_VERSION = 10;
const SEPARATORS = new Set(['/', ':', '.']);

type Target = { deviceId: string; channel: string };

/** The device and channel a resolved name means; a gateway's names must start with a device id. */
function resolveName(decoder: UplinkDecoder, name: string): Target | null {
  const own = decoder.uplink.deviceId;
  if (own !== undefined) {
    if (decoder.sensors.channel(own, name)) return { deviceId: own, channel: name };
    if (name.length > own.length && name.startsWith(own) && SEPARATORS.has(name[own.length]!)) {
      return { deviceId: own, channel: name.slice(own.length + 1) };
    }
  }
  for (let i = 1; i < name.length - 1; i++) {
    if (SEPARATORS.has(name[i]!) && decoder.sensors.hasDevice(name.slice(0, i))) return { deviceId: name.slice(0, i), channel: name.slice(i + 1) };
  }
  return own === undefined ? null : { deviceId: own, channel: name };
}

export function decodeSenml(decoder: UplinkDecoder, pack: unknown[]): void {
  const sender = decoder.uplink.deviceId ?? null;
  // RFC 8428 §4.4: a pack with a must-understand field (name ending in "_") we do not know, or
  // a newer version than ours, must not be processed at all.
  for (const record of pack) {
    if (typeof record !== 'object' || record === null) continue;
    const unknown = Object.keys(record).find((key) => key.endsWith('_'));
    if (unknown) return decoder.reject(sender, 'malformed', `SenML field '${unknown}' must be understood and is not supported`);
    const version = (record as { bver?: unknown }).bver;
    if (typeof version === 'number' && version > SENML_VERSION) {
      return decoder.reject(sender, 'malformed', `SenML version ${version} is not supported (up to ${SENML_VERSION})`);
    }
  }
  let baseName = '';
  let baseTime = 0;
  let baseUnit: string | undefined;
  let baseValue = 0;
  pack.forEach((raw, index) => {
    const item = { at: `[${index}]`, payload: JSON.stringify(raw) };
    const parsed = senmlRecord.safeParse(raw);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => (i.path.length > 0 ? `"${i.path.join('.')}": ${i.message}` : i.message)).join('; ');
      return decoder.reject(sender, 'malformed', `SenML record ${item.at}: ${why}`, item);
    }
    const r = parsed.data;
    if (r.bn !== undefined) baseName = r.bn;
    if (r.bt !== undefined) baseTime = r.bt;
    if (r.bu !== undefined) baseUnit = r.bu;
    if (r.bv !== undefined) baseValue = r.bv;
    const hasValue = r.v !== undefined || r.vs !== undefined || r.vb !== undefined || r.vd !== undefined || r.s !== undefined;
    // A record that only sets base fields for those after it carries nothing to store.
    if (!hasValue && r.n === undefined) return;
    const name = baseName + (r.n ?? '');
    if (!hasValue) return decoder.reject(sender, 'malformed', `SenML record ${item.at} ('${name}') has no value`, item);
    const target = name === '' ? null : resolveName(decoder, name);
    if (!target) {
      return decoder.reject(sender, 'unknown_device', `SenML name '${name}' does not start with a known device id followed by '/', ':' or '.'`, item);
    }
    if (!decoder.device(target.deviceId, item)) return;
    if (r.v === undefined) {
      const kind = r.vs !== undefined ? 'string (vs)' : r.vb !== undefined ? 'boolean (vb)' : r.vd !== undefined ? 'data (vd)' : 'sum (s)';
      return decoder.reject(target.deviceId, 'not_a_number', `channel '${target.channel}': a ${kind} value is not stored; send a number in "v"`, item);
    }
    const seconds = baseTime + (r.t ?? 0);
    const ts = new Date(seconds < RELATIVE_TIME_LIMIT ? decoder.uplink.receivedAt.getTime() + seconds * 1000 : seconds * 1000);
    if (Number.isNaN(ts.getTime())) return decoder.reject(target.deviceId, 'malformed', `SenML record ${item.at}: time ${seconds} is not representable`, item);
    const value = typeof r.v === 'number' ? baseValue + r.v : r.v;
    decoder.value(target.deviceId, target.channel, value, ts, r.u ?? baseUnit, item);
  });
}
