// A Mosquitto of one's own, on a free port, with the persistence and queue limits a run that
// proves "nothing is dropped" needs (a stock one drops QoS 1 messages past 1000 queued for a
// slow subscriber). Used by `lifeline bench ingest --own-broker` and by the tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

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

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
}

export interface OwnMosquitto {
  url: string;
  stop(): Promise<void>;
}

/** Starts Mosquitto with persistence and no queue limit in `dir`; `extra` lines are appended to its config. */
export async function startOwnMosquitto(dir: string, extra: string[] = []): Promise<OwnMosquitto> {
  if (!mosquittoInstalled()) throw new Error(`no mosquitto binary at ${MOSQUITTO_BINARY} (apt-get install mosquitto)`);
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
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (broker.exitCode !== null) throw new Error(`mosquitto exited with ${broker.exitCode} (config ${conf})`);
    if (Date.now() > deadline) {
      broker.kill();
      throw new Error(`mosquitto did not listen on port ${port} within 10 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      if (broker.exitCode !== null) return resolve();
      broker.once('exit', () => resolve());
      broker.kill();
    }),
  };
}
