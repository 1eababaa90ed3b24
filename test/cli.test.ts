// The command a newcomer runs: help, start with the next free port, and one-line errors for
// ports the operator set that are taken.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/tmp.ts';
import { getJson } from './support/wait.ts';

const bin = path.resolve(import.meta.dirname, '../bin/lifeline.js');
const data = tempDir('cli');
afterAll(() => data.remove());

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: path.join(data.dir, String(Math.random())), SIMULATE: 'false', BUILD_WEB: 'false', LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...extra };
  for (const key of ['PORT', 'MQTT_PORT', 'DATABASE_URL', 'MQTT_URL'] as const) if (!(key in extra)) delete env[key];
  return env;
}

async function holdPort(): Promise<{ port: number; release(): void }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, release: () => server.close() };
}

function run(env: NodeJS.ProcessEnv): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [bin, 'start'], { env, encoding: 'utf8', timeout: 90_000 });
  return { status: result.status, stderr: result.stderr };
}

describe('lifeline CLI', () => {
  it('lists its commands', () => {
    const result = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Usage: lifeline/);
    expect(result.stdout).toMatch(/^\s+start\b/m);
  });

  it('fails with one line naming PORT when the port it was given is taken', async () => {
    const held = await holdPort();
    try {
      const { status, stderr } = run(baseEnv({ PORT: String(held.port), MQTT_PORT: '0' }));
      expect(status).toBe(1);
      expect(stderr.trim()).toBe(`lifeline: PORT=${held.port}: port ${held.port} is already in use; set PORT to a free port`);
    } finally {
      held.release();
    }
  });

  it('fails with one line naming MQTT_PORT when the port it was given is taken', async () => {
    const held = await holdPort();
    try {
      const { status, stderr } = run(baseEnv({ PORT: '0', MQTT_PORT: String(held.port) }));
      expect(status).toBe(1);
      expect(stderr.trim()).toBe(`lifeline: MQTT_PORT=${held.port}: port ${held.port} is already in use; set MQTT_PORT to a free port`);
    } finally {
      held.release();
    }
  });

  it('starts, prints where it runs, serves health, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'start', '--no-simulate'], { env: baseEnv({ PORT: '0', MQTT_PORT: '0' }) });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start line; stdout: ${stdout}`)), 90_000);
        child.stdout.on('data', () => {
          const match = stdout.match(/Lifeline is running at .*/);
          if (match) {
            clearTimeout(timer);
            resolve(match[0]);
          }
        });
      });
      const url = line.match(/at (http:\/\/\S+)/)![1]!;
      expect(line).toMatch(/devices publish to mqtt:\/\/127\.0\.0\.1:\d+/);
      expect(await getJson<{ status: string }>(`${url}/api/health`)).toMatchObject({ status: 'ok', database: 'pglite', broker: 'embedded' });
      // First start: the generated accounts are printed once, and a printed password logs in.
      const password = stdout.match(/^ {2}centre-operator +(\S+) +centre_operator @ centre$/m)?.[1];
      expect(password, stdout).toBeDefined();
      expect((await fetch(`${url}/api/sensors`)).status).toBe(401);
      const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'centre-operator', password }) });
      expect(login.status).toBe(200);
      const { token } = (await login.json()) as { token: string };
      expect(await getJson(`${url}/api/auth/me`, token)).toMatchObject({ userId: 'centre-operator', orgId: 'centre', roles: ['centre_operator'] });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
