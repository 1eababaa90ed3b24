import { describe, expect, it } from 'vitest';
import type { RegisteredSensor } from '../network/registry.ts';
import { decodeUplink, MAX_AGE_MS, MAX_CLOCK_AHEAD_MS, type SensorLookup, type Uplink } from './codec.ts';
import { gatewayUplinkTopic, parseUplinkTopic, uplinkTopic } from './topics.ts';

const UNITS: Record<string, [string, string]> = {
  lel: ['methane_lel', '%LEL'], temp: ['temperature', '°C'], p: ['gas_pressure', 'MPa'], level: ['drain_level', 'm'], 'pm2.5': ['pm25', 'ug/m3'],
};
const DEVICES: Record<string, string[]> = { 'GD-1': ['lel', 'temp', 'pm2.5'], 'GP-1': ['p'], 'DL-1': ['level'] };
const sensor = (deviceId: string, channel: string): RegisteredSensor => ({
  id: `${deviceId}.${channel}`, deviceId, channel, assetId: 'A', name: 'n', indicator: UNITS[channel]![0], unit: UNITS[channel]![1],
  location: [0, 0], network: 'gas', ownerId: 'o',
});
const lookup: SensorLookup = {
  hasDevice: (d) => d in DEVICES,
  channel: (d, c) => (DEVICES[d]?.includes(c) ? sensor(d, c) : undefined),
};
const now = new Date('2026-11-23T08:00:00Z');
const nowS = now.getTime() / 1000;
const text = (payload: unknown) => (typeof payload === 'string' ? payload : JSON.stringify(payload));
const decode = (payload: unknown, device = 'GD-1') =>
  decodeUplink({ source: 'test', deviceId: device, payload: text(payload), receivedAt: now }, lookup);
const fromGateway = (payload: unknown, allowed = ['GD-1', 'GP-1']) =>
  decodeUplink({ source: 'test', gateway: { id: 'GW-1', mayReport: (d) => allowed.includes(d) }, payload: text(payload), receivedAt: now } satisfies Uplink, lookup);
const summary = (r: ReturnType<typeof decode>) => r.readings.map((x) => [x.sensor.id, x.ts.toISOString(), x.value]);
const reasons = (r: ReturnType<typeof decode>) => r.rejections.map((x) => [x.code, x.reason]);

describe('simple JSON', () => {
  it('decodes every channel with the message time', () => {
    const result = decode({ ts: '2026-11-23T07:59:00Z', values: { lel: 12.5, temp: 18 } });
    expect(result.rejections).toEqual([]);
    expect(summary(result)).toEqual([
      ['GD-1.lel', '2026-11-23T07:59:00.000Z', 12.5],
      ['GD-1.temp', '2026-11-23T07:59:00.000Z', 18],
    ]);
  });
  it('accepts epoch milliseconds and stamps messages without ts on receipt', () => {
    expect(decode({ ts: now.getTime() - 1000, values: { lel: 1 } }).readings[0]!.ts.getTime()).toBe(now.getTime() - 1000);
    expect(decode({ values: { lel: 1 } }).readings[0]!.ts).toEqual(now);
  });
  it('rejects whole messages it cannot read, naming why, with the raw payload', () => {
    const broken = decode('{"values":');
    expect(broken.rejections).toEqual([{ deviceId: 'GD-1', code: 'malformed', reason: expect.stringMatching(/^malformed JSON/), payload: '{"values":' }]);
    expect(reasons(decode(7))).toEqual([['malformed', 'payload must be a JSON object (or a SenML array)']]);
    expect(decode({ value: 3 }).rejections[0]!.reason).toContain('"values"');
    expect(decode({ values: { lel: 1 } }, 'GHOST').rejections).toEqual([
      { deviceId: 'GHOST', code: 'unknown_device', reason: "unknown device 'GHOST'", payload: '{"values":{"lel":1}}' },
    ]);
    expect(decode({ ts: 'yesterday', values: { lel: 1 } }).rejections[0]!.reason).toContain('"ts" "yesterday"');
  });
  it('refuses far-future and far-past times, hinting at epoch seconds', () => {
    const ahead = new Date(now.getTime() + MAX_CLOCK_AHEAD_MS + 1000).toISOString();
    expect(reasons(decode({ ts: ahead, values: { lel: 1 } }))).toEqual([['clock_ahead', `"ts" ${ahead} is more than 10 min ahead of the server clock`]]);
    const old = new Date(now.getTime() - MAX_AGE_MS - 1000).toISOString();
    expect(reasons(decode({ ts: old, values: { lel: 1 } }))).toEqual([['too_old', `"ts" ${old} is more than 30 days in the past`]]);
    expect(decode({ ts: Math.round(nowS), values: { lel: 1 } }).rejections[0]!.reason).toContain('epoch seconds sent where milliseconds are expected?');
    // Within the window: a buffered reading from last week is history, not an error.
    expect(decode({ ts: now.getTime() - 7 * 86_400_000, values: { lel: 1 } }).readings).toHaveLength(1);
  });
  it('keeps the valid channels of a half-bad message, one reason per bad channel', () => {
    const result = decode({ values: { lel: 'NaN', temp: 19, rpm: 3, other: null } });
    expect(result.readings.map((r) => r.sensor.id)).toEqual(['GD-1.temp']);
    expect(result.rejections.map((r) => [r.item, r.code, r.reason])).toEqual([
      ['values.lel', 'not_a_number', `channel 'lel': value "NaN" is not a finite number`],
      ['values.rpm', 'unknown_channel', "unknown channel 'rpm' on device 'GD-1'"],
      ['values.other', 'unknown_channel', "unknown channel 'other' on device 'GD-1'"],
    ]);
  });
  it('dead-letters physically impossible values as sensor faults', () => {
    expect(reasons(decode({ values: { lel: 140, temp: -80 } }))).toEqual([
      ['sensor_fault', "channel 'lel': sensor fault: 140 %LEL is outside the physical range of methane_lel (0 to 100 %LEL)"],
      ['sensor_fault', "channel 'temp': sensor fault: -80 °C is outside the physical range of temperature (-50 to 150 °C)"],
    ]);
    expect(reasons(decode({ values: { p: 12 } }, 'GP-1'))[0]![0]).toBe('sensor_fault');
    expect(reasons(decode({ values: { level: -6 } }, 'DL-1'))[0]![0]).toBe('sensor_fault');
    expect(decode({ values: { lel: 100, temp: 150 } }).readings).toHaveLength(2);
  });
});

describe('SenML (RFC 8428)', () => {
  it('resolves base name, base time, base unit and base value', () => {
    const result = decode([
      { bn: 'GD-1/', bt: nowS - 60, bu: '%LEL', bver: 10, n: 'lel', v: 12.5 },
      { n: 'lel', t: 30, v: 13 },
      { n: 'temp', u: 'Cel', v: 18.5 },
      { bn: 'GD-1.', bu: 'Cel', bv: 10, n: 'temp', t: 10, v: 0.5 },
    ]);
    expect(result.rejections).toEqual([]);
    expect(summary(result)).toEqual([
      ['GD-1.lel', '2026-11-23T07:59:00.000Z', 12.5],
      ['GD-1.lel', '2026-11-23T07:59:30.000Z', 13],
      ['GD-1.temp', '2026-11-23T07:59:00.000Z', 18.5],
      ['GD-1.temp', '2026-11-23T07:59:10.000Z', 10.5],
    ]);
  });
  it('reads small times as relative to receipt and bare names as channels of the sender', () => {
    const result = decode([{ n: 'lel', v: 1, t: -120 }, { n: 'temp', v: 2 }, { n: 'pm2.5', v: 3, u: 'ug/m3' }]);
    expect(summary(result)).toEqual([
      ['GD-1.lel', '2026-11-23T07:58:00.000Z', 1],
      ['GD-1.temp', '2026-11-23T08:00:00.000Z', 2],
      ['GD-1.pm2.5', '2026-11-23T08:00:00.000Z', 3],
    ]);
  });
  it('rejects a wrong unit, non-numeric values and records it cannot resolve, keeping the rest', () => {
    const result = decode([
      { bn: 'GD-1/', n: 'lel', u: 'ppm', v: 300 },
      { n: 'temp', vs: 'warm' },
      { n: 'temp', vb: true },
      { n: 'lel', s: 4 },
      { n: 'lel', v: 'high' },
      { n: 'rpm', v: 3 },
      { bn: 'GP-1/', n: 'p', v: 0.3 },
      { n: 'x' },
      { bn: '', n: 'temp', u: 'Cel', v: 20 },
      'nonsense',
      { n: 5, v: 1 },
    ]);
    expect(summary(result)).toEqual([['GD-1.temp', '2026-11-23T08:00:00.000Z', 20]]);
    expect(result.rejections.map((r) => [r.item, r.code, r.reason])).toEqual([
      ['[0]', 'wrong_unit', "channel 'lel': unit 'ppm' does not match the sensor's unit '%LEL'"],
      ['[1]', 'not_a_number', `channel 'temp': a string (vs) value is not stored; send a number in "v"`],
      ['[2]', 'not_a_number', `channel 'temp': a boolean (vb) value is not stored; send a number in "v"`],
      ['[3]', 'not_a_number', `channel 'lel': a sum (s) value is not stored; send a number in "v"`],
      ['[4]', 'not_a_number', `channel 'lel': value "high" is not a finite number`],
      ['[5]', 'unknown_channel', "unknown channel 'rpm' on device 'GD-1'"],
      ['[6]', 'not_authorised', "device 'GD-1' may only report its own channels, not device 'GP-1'"],
      ['[7]', 'malformed', "SenML record [7] ('GP-1/x') has no value"],
      ['[9]', 'malformed', expect.stringContaining('SenML record [9]')],
      ['[10]', 'malformed', expect.stringMatching(/^SenML record \[10\]: "n": /)],
    ]);
    // Each rejected record is kept as sent, not the whole pack.
    expect(result.rejections[0]!.payload).toBe('{"bn":"GD-1/","n":"lel","u":"ppm","v":300}');
  });
  it('applies the time policy and physical ranges per record', () => {
    const result = decode([{ n: 'lel', v: 101 }, { n: 'lel', v: 1, t: 3600 }, { n: 'lel', v: 1, bt: 1_000_000_000 }]);
    expect(result.rejections.map((r) => r.code)).toEqual(['sensor_fault', 'clock_ahead', 'too_old']);
  });
  it('refuses a pack with a must-understand field or a newer version', () => {
    expect(reasons(decode([{ n: 'lel', v: 1 }, { n: 'temp', v: 2, foo_: 1 }]))).toEqual([['malformed', "SenML field 'foo_' must be understood and is not supported"]]);
    expect(reasons(decode([{ bver: 11, n: 'lel', v: 1 }]))).toEqual([['malformed', 'SenML version 11 is not supported (up to 10)']]);
  });
  it('lets a gateway report for its devices by name prefix', () => {
    const result = fromGateway([
      { bn: 'GD-1:', bt: nowS, n: 'lel', v: 2 },
      { bn: 'GP-1/', n: 'p', u: 'MPa', v: 0.31 },
      { bn: 'DL-1/', n: 'level', v: 0.6 },
      { bn: '', n: 'lel', v: 1 },
    ]);
    expect(summary(result)).toEqual([['GD-1.lel', now.toISOString(), 2], ['GP-1.p', now.toISOString(), 0.31]]);
    expect(result.rejections.map((r) => [r.deviceId, r.code, r.reason])).toEqual([
      ['DL-1', 'not_authorised', "gateway 'GW-1' is not authorised for device 'DL-1'"],
      [null, 'unknown_device', "SenML name 'lel' does not start with a known device id followed by '/', ':' or '.'"],
    ]);
  });
});

describe('gateway batches', () => {
  it('decodes many devices in one message, each entry with its own time', () => {
    const result = fromGateway({ entries: [
      { device: 'GD-1', ts: '2026-11-23T07:50:00Z', values: { lel: 1, temp: 17 } },
      { device: 'GP-1', values: { p: 0.3 } },
    ] });
    expect(result.rejections).toEqual([]);
    expect(summary(result)).toEqual([
      ['GD-1.lel', '2026-11-23T07:50:00.000Z', 1],
      ['GD-1.temp', '2026-11-23T07:50:00.000Z', 17],
      ['GP-1.p', now.toISOString(), 0.3],
    ]);
  });
  it('rejects entries one by one: unauthorised, unknown, malformed, bad values', () => {
    const bad = { device: 'GD-1', values: { lel: Number.MAX_VALUE * 0, temp: 'hot' } };
    const result = fromGateway({ entries: [
      { device: 'DL-1', values: { level: 1 } },
      { device: 'GHOST', values: { x: 1 } },
      { values: { lel: 1 } },
      bad,
      { device: 'GP-1', ts: '2099-01-01T00:00:00Z', values: { p: 0.3 } },
    ] }, ['GD-1', 'GP-1', 'DL-1', 'GHOST'].filter((d) => d !== 'DL-1'));
    expect(summary(result)).toEqual([['GD-1.lel', now.toISOString(), 0]]);
    expect(result.rejections.map((r) => [r.item, r.deviceId, r.code])).toEqual([
      ['entries[0]', 'DL-1', 'not_authorised'],
      ['entries[1]', 'GHOST', 'unknown_device'],
      ['entries[2]', null, 'malformed'],
      ['entries[3].values.temp', 'GD-1', 'not_a_number'],
      ['entries[4]', 'GP-1', 'clock_ahead'],
    ]);
    expect(result.rejections[3]!.payload).toBe(JSON.stringify(bad));
  });
  it('refuses a gateway message that is not a batch', () => {
    expect(reasons(fromGateway({ device: 'GD-1', values: { lel: 1 } }))).toEqual([
      ['malformed', 'gateway payload must carry "entries": an array of {"device", "ts", "values"}'],
    ]);
    expect(fromGateway('{').rejections[0]!).toMatchObject({ deviceId: null, code: 'malformed' });
  });
});

describe('topics', () => {
  it('tells devices from gateways and ignores other topics', () => {
    expect(parseUplinkTopic('city', uplinkTopic('city', 'GD-1'))).toEqual({ kind: 'device', id: 'GD-1' });
    expect(parseUplinkTopic('city', gatewayUplinkTopic('city', 'GW-1'))).toEqual({ kind: 'gateway', id: 'GW-1' });
    expect(parseUplinkTopic('a/b', 'a/b/devices/GD-1/up')).toEqual({ kind: 'device', id: 'GD-1' });
    for (const topic of ['city/devices/a/b/up', 'city/devices//up', 'other/devices/GD-1/up', 'city/devices/GD-1/down', 'city/things/x/up', 'city/up', 'cityx/devices/GD-1/up']) {
      expect(parseUplinkTopic('city', topic)).toBeNull();
    }
  });
});
