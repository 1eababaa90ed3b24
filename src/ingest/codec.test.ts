import { describe, expect, it } from 'vitest';
import type { RegisteredSensor } from '../network/registry.ts';
import { decodeUplink, MAX_CLOCK_AHEAD_MS, type SensorLookup } from './codec.ts';
import { deviceOfTopic, uplinkTopic } from './topics.ts';

const sensor = (channel: string): RegisteredSensor => ({
  id: `GD-1.${channel}`, deviceId: 'GD-1', channel, assetId: 'A', name: 'n', indicator: channel, unit: '',
  location: [0, 0], network: 'gas', ownerId: 'o',
});
const lookup: SensorLookup = {
  hasDevice: (d) => d === 'GD-1',
  channel: (d, c) => (d === 'GD-1' && ['lel', 'temp'].includes(c) ? sensor(c) : undefined),
};
const now = new Date('2026-11-23T08:00:00Z');
const decode = (payload: unknown, device = 'GD-1') =>
  decodeUplink(device, typeof payload === 'string' ? payload : JSON.stringify(payload), now, lookup);

describe('decodeUplink', () => {
  it('decodes every channel with the message time', () => {
    const { readings, rejections } = decode({ ts: '2026-11-23T07:59:00Z', values: { lel: 12.5, temp: 18 } });
    expect(rejections).toEqual([]);
    expect(readings.map((r) => [r.sensor.id, r.ts.toISOString(), r.value])).toEqual([
      ['GD-1.lel', '2026-11-23T07:59:00.000Z', 12.5],
      ['GD-1.temp', '2026-11-23T07:59:00.000Z', 18],
    ]);
  });
  it('accepts epoch milliseconds and stamps messages without ts on receipt', () => {
    expect(decode({ ts: now.getTime() - 1000, values: { lel: 1 } }).readings[0]!.ts.getTime()).toBe(now.getTime() - 1000);
    expect(decode({ values: { lel: 1 } }).readings[0]!.ts).toEqual(now);
  });
  it('rejects whole messages it cannot read, naming why', () => {
    expect(decode('{"values":').rejections[0]!.reason).toMatch(/^malformed JSON/);
    expect(decode([1, 2]).rejections[0]!.reason).toBe('payload must be a JSON object');
    expect(decode({ value: 3 }).rejections[0]!.reason).toContain('"values"');
    expect(decode({ values: { lel: 1 } }, 'GHOST').rejections).toEqual([{ deviceId: 'GHOST', reason: "unknown device 'GHOST'" }]);
    expect(decode({ ts: 'yesterday', values: { lel: 1 } }).rejections[0]!.reason).toContain('"ts" "yesterday"');
    const ahead = new Date(now.getTime() + MAX_CLOCK_AHEAD_MS + 1000).toISOString();
    expect(decode({ ts: ahead, values: { lel: 1 } }).rejections[0]!.reason).toContain('ahead of the server clock');
  });
  it('keeps the valid channels of a half-bad message', () => {
    const { readings, rejections } = decode({ values: { lel: 'NaN', temp: 19, rpm: 3, other: null } });
    expect(readings.map((r) => r.sensor.id)).toEqual(['GD-1.temp']);
    expect(rejections.map((r) => r.reason)).toEqual([
      `channel 'lel': value "NaN" is not a finite number`,
      "unknown channel 'rpm' on device 'GD-1'",
      "unknown channel 'other' on device 'GD-1'",
    ]);
  });
});

describe('topics', () => {
  it('round-trips device ids and ignores other topics', () => {
    expect(deviceOfTopic('city', uplinkTopic('city', 'GD-1'))).toBe('GD-1');
    expect(deviceOfTopic('city', 'city/devices/a/b/up')).toBeNull();
    expect(deviceOfTopic('city', 'city/devices//up')).toBeNull();
    expect(deviceOfTopic('city', 'other/devices/GD-1/up')).toBeNull();
    expect(deviceOfTopic('city', 'city/devices/GD-1/down')).toBeNull();
  });
});
