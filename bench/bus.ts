// What the cross-process bus carries (docs/cluster.md): two buses on one transport stand for two
// processes. Latency: one small event at a time, published on A and timed to B's subscriber
// (p50/p99). Throughput: readings events of `--readings` readings each published flat out on A
// until B has them all. Prints one JSON line.
//
//   npx tsx bench/bus.ts --transport nats|postgres [--events 2000] [--readings 200] [--pings 300]
//   (NATS at NATS_URL, default nats://127.0.0.1:4222; PostgreSQL at DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres)
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { NatsBus, PgNotifyBus, type EventBus, type PlatformEvent } from '../src/bus/index.ts';

const { values } = parseArgs({
  options: { transport: { type: 'string', default: 'nats' }, events: { type: 'string', default: '2000' }, readings: { type: 'string', default: '200' }, pings: { type: 'string', default: '300' } },
});
const [events, perEvent, pings] = [values.events, values.readings, values.pings].map(Number) as [number, number, number];
const logger = pino({ level: 'warn' });
const subject = `bench.bus-${randomBytes(4).toString('hex')}`;
const open = (): Promise<EventBus> => values.transport === 'postgres'
  ? PgNotifyBus.connect({ url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', logger })
  : NatsBus.connect({ url: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', subject, logger });
const [a, b] = [await open(), await open()];

let arrived = 0;
let onArrival: (() => void) | null = null;
b.subscribe(() => {
  arrived += 1;
  onArrival?.();
});
const waitFor = (count: number) => new Promise<void>((resolve) => {
  onArrival = () => {
    if (arrived >= count) resolve();
  };
  onArrival();
});

const latencies: number[] = [];
for (let i = 0; i < pings; i++) {
  const start = performance.now();
  a.publish({ type: 'readings', readings: [{ sensorId: 'GD-001.lel', ts: new Date().toISOString(), value: i }] });
  await waitFor(arrived + 1);
  latencies.push(performance.now() - start);
}
const sorted = latencies.sort((x, y) => x - y);
const quantile = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 100) / 100;

const batch = (n: number): PlatformEvent => ({
  type: 'readings', readings: Array.from({ length: perEvent }, (_, i) => ({ sensorId: `SENSOR-${(n * perEvent + i) % 20_000}.lel`, ts: new Date().toISOString(), value: i / 3 })),
});
const bytes = Buffer.byteLength(JSON.stringify(batch(0)));
const target = arrived + events;
const start = performance.now();
for (let n = 0; n < events; n++) a.publish(batch(n));
await waitFor(target);
const seconds = (performance.now() - start) / 1000;
await a.close();
await b.close();
console.log(JSON.stringify({
  transport: values.transport, latencyMs: { p50: quantile(0.5), p99: quantile(0.99) },
  events, readingsPerEvent: perEvent, eventBytes: bytes, seconds: Math.round(seconds * 100) / 100,
  eventsPerSecond: Math.round(events / seconds), readingsPerSecond: Math.round((events * perEvent) / seconds), megabytesPerSecond: Math.round((events * bytes) / seconds / 1e5) / 10,
}));
