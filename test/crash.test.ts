// kill -9 during ingest: every reading whose PUBACK the device received is in the database
// after a restart on the same DATA_DIR.
import { spawn } from 'node:child_process';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { startPlatform } from '../src/platform/index.ts';
import { tempDir } from './support/tmp.ts';

const bin = path.resolve(import.meta.dirname, '../bin/lifeline.js');
const data = tempDir('crash');
afterAll(() => data.remove());

const DEVICES = ['GD-001', 'GD-002', 'WP-001', 'WP-002', 'DL-001', 'DL-002'];
const CHANNEL: Record<string, string> = { 'GD-001': 'lel', 'GD-002': 'lel', 'WP-001': 'p', 'WP-002': 'p', 'DL-001': 'level', 'DL-002': 'level' };

describe('crash safety', () => {
  it('keeps every acknowledged reading across kill -9', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env, DATA_DIR: data.dir, PORT: '0', MQTT_PORT: '0', HOST: '127.0.0.1', SIMULATE: 'false', BUILD_WEB: 'false', LOG_LEVEL: 'warn',
      // Durability, not identity, is under test here; device logins have tests of their own.
      DEVICE_AUTH: 'off',
      MQTT_TOPIC_PREFIX: 'crash',
    };
    delete env.DATABASE_URL;
    delete env.MQTT_URL;
    const child = spawn(process.execPath, [bin, 'start'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let stdout = '';
    const brokerUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start line: ${stdout}`)), 90_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /devices publish to (mqtt:\/\/\S+?),/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });

    const acked: string[] = [];
    const clients = await Promise.all(DEVICES.map((d) => mqtt.connectAsync(brokerUrl, { clientId: `crash-${d}`, reconnectPeriod: 0 })));
    const base = Date.now() - 3_600_000;
    let stop = false;
    // Publish loops run until the broker is gone; they are never awaited (see below).
    clients.forEach(async (client, i) => {
      const device = DEVICES[i]!;
      for (let n = 0; !stop; n++) {
        // Several in flight at once, as real devices and gateways do.
        await Promise.all([0, 1, 2, 3].map(async (k) => {
          const at = new Date(base + (n * 4 + k) * 250).toISOString();
          try {
            await client.publishAsync(`crash/devices/${device}/up`, JSON.stringify({ ts: at, values: { [CHANNEL[device]!]: 0.5 } }), { qos: 1 });
            acked.push(`${device}.${CHANNEL[device]}|${at}`);
          } catch {
            stop = true; // the broker is gone
          }
        }));
      }
    });
    while (acked.length < 400) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    stop = true;
    expect(await exited).toBe('SIGKILL');
    // PUBACKs already on the wire when the process died still count; publishes in flight never
    // settle (mqtt.js keeps them for a reconnect), which is why the loops are not awaited.
    await new Promise((r) => setTimeout(r, 200));
    for (const c of clients) c.end(true);

    const platform = await startPlatform({ port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, simulate: false, buildWeb: false, log: false });
    try {
      const rows = await platform.db.query<{ sensor_id: string; ts: Date }>('SELECT sensor_id, ts FROM readings');
      const stored = new Set(rows.map((r) => `${r.sensor_id}|${r.ts.toISOString()}`));
      const missing = acked.filter((key) => !stored.has(key));
      expect(acked.length).toBeGreaterThanOrEqual(400);
      expect(missing).toEqual([]);
    } finally {
      await platform.stop();
    }
  });
});
