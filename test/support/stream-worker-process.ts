// A stream worker in a process of its own, so a test can kill it (SIGKILL) mid-stream. Prints
// one JSON line `{"held":[…]}` each time the partitions it consumes change.
import { openPostgres } from '../../src/store/index.ts';
import { startStreamWorker } from './stream-workers.ts';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const db = await openPostgres(env('WORKER_DATABASE_URL'));
const worker = await startStreamWorker({
  db, natsUrl: env('WORKER_NATS_URL'), holder: env('WORKER_HOLDER'),
  stream: { stream: env('WORKER_STREAM'), subject: env('WORKER_SUBJECT'), partitions: Number(env('WORKER_PARTITIONS')) },
  leaseMs: Number(env('WORKER_LEASE_MS')), renewMs: Number(env('WORKER_RENEW_MS')), withholdAcks: process.env.WORKER_WITHHOLD_ACKS === '1',
});
let last = '';
setInterval(() => {
  const line = JSON.stringify({ held: worker.ingest.stats().held });
  if (line !== last) process.stdout.write(`${line}\n`);
  last = line;
}, 50);
