// Decides what a test does when a service it needs is missing: under CI=true the run must fail,
// elsewhere the test skips with a one-line reason so a newcomer's `npm test` still passes.
import { existsSync } from 'node:fs';
import net from 'node:net';

export const isCI = process.env.CI === 'true' || process.env.CI === '1';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const MOSQUITTO_URL = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function tcpReachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface ServiceCheck {
  available: boolean;
  reason: string;
}

async function check(name: string, ok: boolean, hint: string): Promise<ServiceCheck> {
  if (ok) return { available: true, reason: '' };
  const reason = `${name} is not available (${hint})`;
  if (isCI) throw new Error(`CI=true and ${reason}: tests that need it must not be skipped`);
  console.warn(`skipping: ${reason}`);
  return { available: false, reason };
}

export async function postgresService(): Promise<ServiceCheck> {
  const url = new URL(POSTGRES_URL);
  return check('PostgreSQL', await tcpReachable(url.hostname, Number(url.port || 5432)), POSTGRES_URL);
}

export async function mosquittoService(): Promise<ServiceCheck> {
  const url = new URL(MOSQUITTO_URL);
  return check('Mosquitto', await tcpReachable(url.hostname, Number(url.port || 1883)), MOSQUITTO_URL);
}

export async function natsService(): Promise<ServiceCheck> {
  const url = new URL(NATS_URL);
  return check('NATS', await tcpReachable(url.hostname, Number(url.port || 4222)), NATS_URL);
}

export async function chromiumService(): Promise<ServiceCheck> {
  return check('Chromium', existsSync(CHROMIUM_PATH), CHROMIUM_PATH);
}
