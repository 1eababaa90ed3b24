// A Mosquitto of the test's own, on a free port, with the persistence and queue limits a test
// that proves "nothing is dropped" needs (the system one drops past 1000 queued messages).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { waitFor } from './wait.ts';

export const MOSQUITTO_BINARY = '/usr/sbin/mosquitto';

export function mosquittoInstalled(): boolean {
  return existsSync(MOSQUITTO_BINARY);
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface OwnMosquitto {
  url: string;
  stop(): Promise<void>;
}

/** Starts Mosquitto with persistence and no queue limit in `dir`; `extra` lines are appended to its config. */
export async function startOwnMosquitto(dir: string, extra: string[] = []): Promise<OwnMosquitto> {
  const port = await freePort();
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence true',
    `persistence_location ${dir}/`,
    'max_queued_messages 0',
    'max_inflight_messages 0',
    // Started as root, Mosquitto would drop to user "mosquitto", which cannot write our temp dir.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    ...extra,
    '',
  ].join('\n'));
  const broker: ChildProcess = spawn(MOSQUITTO_BINARY, ['-c', conf], { stdio: 'ignore' });
  await waitFor('mosquitto to listen', () => new Promise<true | undefined>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(undefined));
  }), 10_000);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      if (broker.exitCode !== null) return resolve();
      broker.once('exit', () => resolve());
      broker.kill();
    }),
  };
}
