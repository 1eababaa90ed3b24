// The live feed: alarms at once, readings coalesced to the latest value per sensor.
import mqtt from 'mqtt';
import type WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveMessage } from '../src/api/index.ts';
import { startPlatform, type Platform } from '../src/platform/index.ts';
import { api } from './support/api.ts';
import { tempDir, topicPrefix } from './support/tmp.ts';
import { waitFor } from './support/wait.ts';

describe('live WebSocket feed', () => {
  const data = tempDir('live');
  let platform: Platform;
  const received: LiveMessage[] = [];
  let socket: WebSocket;

  beforeAll(async () => {
    platform = await startPlatform({
      port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('live'), simulate: false, buildWeb: false, log: false,
    });
    socket = (await api(platform)).ws();
    socket.on('message', (raw) => received.push(JSON.parse(raw.toString()) as LiveMessage));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  });
  afterAll(async () => {
    socket.close();
    await platform.stop();
    data.remove();
  });

  it('greets, pushes the alarm and its incident, and sends only the latest of many readings', async () => {
    await waitFor('hello', () => received.find((m) => m.type === 'hello'));
    const device = await mqtt.connectAsync(platform.mqttUrl, { ...platform.deviceCredentials('GD-002'), clientId: 'live-GD-002' });
    const base = Math.floor(Date.now() / 1000) * 1000 - 10_000;
    // Six readings in one SenML pack, so they commit together and meet one readings flush
    // whatever the machine's load (one message per reading could straddle two flushes).
    const pack = [{ bn: 'GD-002/', bt: base / 1000, n: 'lel', v: 0.1 }, ...[1, 2, 3, 4].map((i) => ({ n: 'lel', t: i, v: 0.1 * (i + 1) })), { n: 'lel', t: 6, v: 40 }];
    await device.publishAsync(`${platform.topicPrefix}/devices/GD-002/up`, JSON.stringify(pack), { qos: 1 });
    await device.endAsync();

    const alarm = await waitFor('the alarm message', () => received.find((m) => m.type === 'alarm'));
    expect(alarm).toMatchObject({ type: 'alarm', alarm: { sensorId: 'GD-002.lel', level: 2, lastValue: 40 } });
    await waitFor('the incident message', () => received.find((m) => m.type === 'incident'));
    const readings = await waitFor('a readings message', () => received.find((m) => m.type === 'readings'));
    await new Promise((r) => setTimeout(r, 1200)); // one more flush interval: nothing more for GD-002
    const all = received.flatMap((m) => (m.type === 'readings' ? m.readings : [])).filter((r) => r.sensorId === 'GD-002.lel');
    expect(all).toEqual([{ sensorId: 'GD-002.lel', ts: new Date(base + 6000).toISOString(), value: 40 }]);
    expect(readings.type).toBe('readings');
  });
});
