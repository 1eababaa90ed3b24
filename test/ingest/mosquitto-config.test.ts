// The external-broker path: `lifeline devices mosquitto-config` and `devices credentials
// --mosquitto-passwd` produce files a real Mosquitto accepts, and that Mosquitto then refuses
// wrong logins and drops a device's publish as another device.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import mqtt, { type IClientOptions } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform } from '../../src/platform/index.ts';
import { DEMO_SENSORS } from '../../src/sim/index.ts';
import { isCI } from '../support/services.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

const MOSQUITTO = '/usr/sbin/mosquitto';
const available = existsSync(MOSQUITTO);
if (!available) {
  if (isCI) throw new Error(`CI=true and ${MOSQUITTO} is missing`);
  console.warn(`skipping: ${MOSQUITTO} is not installed`);
}

const bin = path.resolve(import.meta.dirname, '../../bin/lifeline.js');
const data = tempDir('mosquitto-config');
const prefix = topicPrefix('mosq');
const cleanups: (() => Promise<void> | void)[] = [data.remove];
let port = 0;
let demo: Record<string, { username: string; password: string }> = {};
let issued = '';
let broker: ChildProcess | undefined;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port: p } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return p;
}

function lifeline(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = {
    ...process.env, DATA_DIR: path.join(data.dir, 'db'), MQTT_TOPIC_PREFIX: prefix, LOG_LEVEL: 'warn',
    MQTT_URL: `mqtt://lifeline-ingest:ingest-secret@127.0.0.1:${port}`,
  };
  delete env.DATABASE_URL;
  return spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 60_000 });
}

const connect = (options: IClientOptions) =>
  mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 5000, clientId: `c-${Math.random()}`, ...options });

beforeAll(async () => {
  if (!available) return;
  port = await freePort();
  // Set up the demo city (and its derived credentials) once, then stop: the CLI needs the DATA_DIR.
  const platform = await startPlatform({ port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: path.join(data.dir, 'db'), simulate: false, buildWeb: false, log: false });
  demo = Object.fromEntries(['GD-001', 'SIM-GW'].map((id) => [id, platform.deviceCredentials(id)!]));
  await platform.stop();

  const config = lifeline(['devices', 'mosquitto-config', '--out', path.join(data.dir, 'broker'), '--port', String(port), '--json']);
  expect(config.stderr).toBe('');
  expect(JSON.parse(config.stdout.trim().split('\n').at(-1)!)).toMatchObject({
    gateways: 1, passwdEntries: new Set(DEMO_SENSORS.map((s) => s.deviceId)).size + 2, // demo devices, SIM-GW, the ingest user
  });
  const credentials = lifeline(['devices', 'credentials', 'DL-002', '--mosquitto-passwd', path.join(data.dir, 'broker', 'passwd'), '--json']);
  issued = (JSON.parse(credentials.stdout.trim().split('\n').at(-1)!) as { devices: { secret: string }[] }).devices[0]!.secret;

  // Started as root, Mosquitto drops to user "mosquitto", which cannot read our 0600 files.
  if (process.getuid?.() === 0) appendFileSync(path.join(data.dir, 'broker', 'mosquitto.conf'), 'user root\n');
  broker = spawn(MOSQUITTO, ['-c', path.join(data.dir, 'broker', 'mosquitto.conf')], { stdio: 'ignore' });
  cleanups.push(() => void broker?.kill());
  await waitFor('mosquitto to listen', () => new Promise<true | undefined>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(undefined));
  }), 10_000);
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.skipIf(!available)('Mosquitto configured by lifeline devices mosquitto-config', () => {
  it('lets registered logins in and keeps everyone else out', async () => {
    for (const login of [demo['GD-001']!, demo['SIM-GW']!, { username: 'DL-002', password: issued }, { username: 'lifeline-ingest', password: 'ingest-secret' }]) {
      await (await connect(login)).endAsync();
    }
    await expect(connect({ username: 'GD-001', password: 'wrong' })).rejects.toThrow(/Not authorized|Bad username/i);
    await expect(connect({})).rejects.toThrow(/Not authorized|Bad username/i);
  });

  it('delivers what devices and gateways may publish, and drops a device publishing as another', async () => {
    const ingest = await connect({ username: 'lifeline-ingest', password: 'ingest-secret' });
    const received: string[] = [];
    ingest.on('message', (topic) => received.push(topic));
    await ingest.subscribeAsync([`${prefix}/devices/+/up`, `${prefix}/gateways/+/up`], { qos: 1 });
    const device = await connect(demo['GD-001']!);
    const gateway = await connect(demo['SIM-GW']!);
    try {
      await device.publishAsync(`${prefix}/devices/GD-002/up`, '{"values":{"lel":40}}', { qos: 1 });
      await device.publishAsync(`${prefix}/devices/GD-001/up`, '{"values":{"lel":1}}', { qos: 1 });
      await gateway.publishAsync(`${prefix}/devices/WP-001/up`, '{"values":{"p":0.3}}', { qos: 1 });
      await gateway.publishAsync(`${prefix}/gateways/SIM-GW/up`, '{"entries":[]}', { qos: 1 });
      await waitFor('the allowed messages', () => (received.length >= 3 ? true : undefined), 5000);
      await new Promise((r) => setTimeout(r, 200));
      expect(received.sort()).toEqual([`${prefix}/devices/GD-001/up`, `${prefix}/devices/WP-001/up`, `${prefix}/gateways/SIM-GW/up`]);
    } finally {
      await Promise.all([device.endAsync(), gateway.endAsync(), ingest.endAsync()]);
    }
  });
});
