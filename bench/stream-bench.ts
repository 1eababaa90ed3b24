// What the two JetStream ingest benches share: a scratch database, a stream of their own, a data
// directory, and consuming platforms started as `lifeline start` processes configured only by
// environment variables, as a deployment would start them.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IngestStreamConfig } from '../src/cluster/index.ts';
import { scratchDatabase } from './scratch.ts';

export interface StreamBench {
  database: { url: string };
  stream: IngestStreamConfig;
  tag: string;
  dataDir: string;
  natsUrl: string;
  /** Starts one consuming `lifeline start` process on the bench's database and stream. */
  spawnWorker(stdio: StdioOptions): ChildProcess;
  /** Stops the worker processes (SIGTERM, then SIGKILL after 15 s). */
  stopWorkers(): Promise<void>;
  /** Drops the database and removes the data directory (after everything using them has stopped). */
  remove(): Promise<void>;
}

export async function startStreamBench(label: string, partitions: number): Promise<StreamBench> {
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const database = await scratchDatabase(serverUrl, `bench_${label}`);
  const tag = randomBytes(4).toString('hex');
  const stream = { stream: `BENCH_${label.toUpperCase()}_${tag}`, subject: `bench.${tag}.${label}`, partitions };
  const dataDir = mkdtempSync(path.join(tmpdir(), `lifeline-bench-${label}-`));
  const children: ChildProcess[] = [];
  return {
    database, stream, tag, dataDir, natsUrl,
    spawnWorker(stdio) {
      const child = spawn(process.execPath, [path.resolve('bin/lifeline.js'), 'start'], {
        env: {
          ...process.env, DATABASE_URL: database.url, NATS_URL: natsUrl, INGEST_STREAM: 'jetstream', INGEST_STREAM_NAME: stream.stream,
          INGEST_SUBJECT: stream.subject, INGEST_PARTITIONS: String(partitions), DATA_DIR: dataDir, PORT: '0', MQTT_PORT: '0', HOST: '127.0.0.1',
          SIMULATE: 'false', BUILD_WEB: 'false', AUTH: 'off', DEVICE_AUTH: 'off', LOG_LEVEL: 'warn', MQTT_TOPIC_PREFIX: `bench${tag}`,
        },
        stdio,
      });
      children.push(child);
      return child;
    },
    async stopWorkers() {
      for (const child of children.splice(0)) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        child.kill('SIGKILL');
      }
    },
    async remove() {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
