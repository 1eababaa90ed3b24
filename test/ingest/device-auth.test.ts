// Device identity over real MQTT against the embedded broker: logins, the topic ACL (device A
// cannot publish as device B), gateways forwarding only for their devices, refusals counted
// and never stored, and the demo simulator still publishing with its derived credentials.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetterDto, ReadingDto, SensorDto } from '../../src/api/index.ts';
import type { AuthCountsDto } from '../../src/ingest/index.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { DEMO_SENSORS } from '../../src/sim/index.ts';
import { USERS } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';
import { getJson, waitFor } from '../support/wait.ts';

let platform: Platform;
let token: string;
const cleanups: (() => Promise<void> | void)[] = [];
const iso = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();

const connect = (options: IClientOptions) => mqtt.connectAsync(platform.mqttUrl, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
const login = (id: string): IClientOptions => ({ ...platform.deviceCredentials(id)!, clientId: `${id}-${Math.random()}` });
const topic = (kind: 'devices' | 'gateways', id: string) => `${platform.topicPrefix}/${kind}/${id}/up`;
const readings = (sensorId: string) => getJson<ReadingDto[]>(`${platform.url}/api/sensors/${sensorId}/readings`, token);
const authCounts = async () => (await getJson<{ auth: AuthCountsDto }>(`${platform.url}/api/ingest/stats`, token)).auth;

/** Publishes and resolves with how it ended: the PUBACK, or the broker closing the connection. */
function publishOutcome(client: MqttClient, to: string, payload: unknown): Promise<'acked' | 'closed'> {
  return new Promise((resolve) => {
    client.once('close', () => resolve('closed'));
    client.publish(to, JSON.stringify(payload), { qos: 1 }, (error) => { if (!error) resolve('acked'); });
  });
}

beforeAll(async () => {
  const data = tempDir('device-auth');
  cleanups.push(data.remove);
  platform = await startPlatform({
    port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('auth'),
    simulate: false, buildWeb: false, log: false, deviceAuth: 'required',
  });
  cleanups.push(() => platform.stop());
  token = await platform.login(USERS.operator);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('device identity on the embedded broker', () => {
  it('stores what a device publishes on its own topic with its credentials, in every payload form', async () => {
    const device = await connect(login('GD-001'));
    try {
      await device.publishAsync(topic('devices', 'GD-001'), JSON.stringify({ ts: iso(50), values: { lel: 1.5, temp: 17 } }), { qos: 1 });
      await device.publishAsync(topic('devices', 'GD-001'), JSON.stringify([{ bn: 'GD-001/', bt: Date.now() / 1000 - 40, n: 'lel', u: '%LEL', v: 1.6 }, { n: 'temp', u: 'Cel', v: 17.5 }]), { qos: 1 });
    } finally {
      await device.endAsync();
    }
    // The PUBACK came after the commit: the readings are there at once.
    expect((await readings('GD-001.lel')).map((r) => r.value)).toEqual([1.5, 1.6]);
    expect((await readings('GD-001.temp')).map((r) => r.value)).toEqual([17, 17.5]);
  });

  it('refuses missing, wrong and unknown logins, counting each and storing nothing', async () => {
    const before = await authCounts();
    await expect(connect({ clientId: 'anonymous' })).rejects.toThrow(/Bad username or password/i);
    await expect(connect({ username: 'GD-001', password: 'not-the-secret', clientId: 'wrong' })).rejects.toThrow(/Bad username or password/i);
    await expect(connect({ username: 'NO-SUCH-DEVICE', password: 'x', clientId: 'ghost' })).rejects.toThrow(/Bad username or password/i);
    const after = await authCounts();
    expect(after.total - before.total).toBe(3);
    expect(after.byReason).toMatchObject({ missing_credentials: 1, wrong_secret: 1, unknown_principal: 1 });
    expect(after.recent[0]).toMatchObject({ transport: 'mqtt', reason: 'unknown_principal', principal: 'NO-SUCH-DEVICE' });
    expect(await getJson<DeadLetterDto[]>(`${platform.url}/api/dead-letters?deviceId=NO-SUCH-DEVICE`, token)).toEqual([]);
  });

  it('does not let device A publish as device B, nor on a gateway topic', async () => {
    for (const target of [topic('devices', 'GD-002'), topic('gateways', 'SIM-GW'), `${platform.topicPrefix}/anything`]) {
      const device = await connect(login('GD-001'));
      expect(await publishOutcome(device, target, { ts: iso(30), values: { lel: 40 } })).toBe('closed');
      device.end(true);
    }
    expect(await readings('GD-002.lel')).toEqual([]);
    const { auth: counts } = await getJson<{ auth: AuthCountsDto }>(`${platform.url}/api/ingest/devices/GD-001/stats`, token);
    expect(counts.byReason.publish_denied).toBe(3);
    expect(counts.recent.map((a) => a.detail)).toContain(`PUBLISH ${topic('devices', 'GD-002')}`);
  });

  it('keeps a device to its own subtree when it subscribes', async () => {
    const device = await connect(login('GD-002'));
    try {
      expect((await device.subscribeAsync(`${platform.topicPrefix}/devices/GD-002/down`, { qos: 1 }))[0]!.qos).toBe(1);
      // SUBACK 128 (failure) for everything else; mqtt.js reports it as an error.
      await expect(device.subscribeAsync(`${platform.topicPrefix}/devices/+/up`, { qos: 1 })).rejects.toThrow(/Subscribe error/);
    } finally {
      await device.endAsync();
    }
    expect((await authCounts()).byReason.subscribe_denied).toBe(1);
  });

  it('lets a gateway report for its devices only, on its topic and theirs', async () => {
    const gateway = await connect(login('SIM-GW'));
    try {
      await gateway.publishAsync(topic('gateways', 'SIM-GW'), JSON.stringify({ entries: [
        { device: 'WP-001', ts: iso(20), values: { p: 0.31 } },
        { device: 'DL-001', ts: iso(20), values: { level: 0.7 } },
        { device: 'ROGUE-1', ts: iso(20), values: { x: 1 } },
      ] }), { qos: 1 });
      // Transparent forwarding: one connection publishing on each device's own topic.
      await gateway.publishAsync(topic('devices', 'WP-002'), JSON.stringify({ ts: iso(10), values: { p: 0.29 } }), { qos: 1 });
    } finally {
      await gateway.endAsync();
    }
    expect((await readings('WP-001.p')).map((r) => r.value)).toEqual([0.31]);
    expect((await readings('DL-001.level')).map((r) => r.value)).toEqual([0.7]);
    expect((await readings('WP-002.p')).map((r) => r.value)).toEqual([0.29]);
    const [letter] = await getJson<DeadLetterDto[]>(`${platform.url}/api/dead-letters?deviceId=ROGUE-1`, token);
    expect(letter).toMatchObject({ reason: "gateway 'SIM-GW' is not authorised for device 'ROGUE-1'", payload: expect.stringContaining('"ROGUE-1"') });
  });
});

describe('the demo simulator', () => {
  it('publishes through the embedded broker with its derived credentials', async () => {
    const data = tempDir('device-auth-sim');
    const sim = await startPlatform({
      port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('auth-sim'),
      simulate: true, simIntervalMs: 200, buildWeb: false, log: false, deviceAuth: 'required',
    });
    try {
      const simToken = await sim.login(USERS.operator);
      // The demo's simulated devices; seeded stations and patrol check-ins do not publish.
      const simulated = new Set(DEMO_SENSORS.map((s) => `${s.deviceId}.${s.channel}`));
      const reporting = await waitFor('every simulated demo sensor to report', async () => {
        const sensors = (await getJson<SensorDto[]>(`${sim.url}/api/sensors`, simToken)).filter((s) => simulated.has(s.id));
        return sensors.length === simulated.size && sensors.every((s) => s.latest !== null) ? sensors : undefined;
      });
      expect(reporting.length).toBeGreaterThan(5);
      expect((await getJson<{ auth: AuthCountsDto }>(`${sim.url}/api/ingest/stats`, simToken)).auth.total).toBe(0);
    } finally {
      await sim.stop();
      data.remove();
    }
  });
});
