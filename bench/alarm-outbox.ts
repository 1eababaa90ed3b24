// What the alarm outbox adds to an ingest transaction: recording one batch of alarm changes
// (AlarmOutbox via NotifyService.recordAlarmChanges) with no subscription wanting alarm events
// (the cached answer: no query at all), and with `--subscriptions` of them (one INSERT … SELECT
// writing batch × subscriptions deliveries). With `--channels N` the first N message channels are
// in use (logging adapters): each level-2 change also writes one message per channel in the same
// transaction (one INSERT … SELECT FROM unnest). PGlite, demo city. Prints one JSON line.
//
//   npx tsx bench/alarm-outbox.ts [--batch 100] [--subscriptions 3] [--channels 0] [--runs 7]
import { parseArgs } from 'node:util';
import pino from 'pino';
import { InProcessBus } from '../src/bus/index.ts';
import { ensureDefaultRules, type AlarmChange } from '../src/detect/index.ts';
import { CHANNELS, createNotifiers, createSubscription, NotifyService } from '../src/notify/index.ts';
import { seedDemoCity } from '../src/sim/seed.ts';
import { migrate, openPglite } from '../src/store/index.ts';

const { values } = parseArgs({
  options: { batch: { type: 'string', default: '100' }, subscriptions: { type: 'string', default: '3' }, channels: { type: 'string', default: '0' }, runs: { type: 'string', default: '7' } },
});
const [batch, subscriptions, channels, runs] = [values.batch, values.subscriptions, values.channels, values.runs].map(Number) as [number, number, number, number];
const logger = pino({ level: 'silent' });

const db = await openPglite(null);
await migrate(db);
await ensureDefaultRules(db);
await seedDemoCity(db);
const notify = new NotifyService({
  db, bus: new InProcessBus(), clock: () => new Date(), logger,
  notifiers: createNotifiers(CHANNELS.slice(0, channels).map((channel) => ({ channel, url: null })), logger),
  sensorContext: () => ({ ownerId: 'gas-co', assetId: 'AS-01' }),
});
let alarmId = 0;
const changes = (): AlarmChange[] => Array.from({ length: batch }, () => ({ kind: 'open', alarmId: String(++alarmId), sensorId: 'GD-001.lel', ruleId: 'methane-lel', level: 2 }));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** Median ms of one transaction recording one batch, beside the median of an empty transaction (what the outbox adds is the difference). */
async function measure(): Promise<{ ms: number; emptyMs: number; written: number }> {
  const spent: number[] = [];
  const empty: number[] = [];
  let written = 0;
  for (let run = 0; run < runs; run++) {
    const batchChanges = changes();
    const bare = performance.now();
    await db.transaction(async (tx) => void (await tx.query('SELECT 1')));
    empty.push(performance.now() - bare);
    const start = performance.now();
    written = await db.transaction((tx) => notify.recordAlarmChanges(tx, batchChanges, new Date()));
    spent.push(performance.now() - start);
  }
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return { ms: round(median(spent)), emptyMs: round(median(empty)), written };
}

await measure(); // warm-up: fills the "anyone wants alarm events?" cache (no one)
const none = await measure();
const at = new Date(Date.now() - 60_000);
for (let i = 0; i < subscriptions; i++) await createSubscription(db, { url: `http://127.0.0.1:9/hook-${i}`, events: ['*'] }, 'bench', at);
notify.subscriptionsChanged();
const some = await measure();
process.stdout.write(`${JSON.stringify({
  store: 'PGlite', batch, subscriptions, channels, runs, emptyTransactionMs: none.emptyMs,
  noSubscriberTransactionMs: none.ms, noSubscriberWritten: none.written,
  withSubscribersTransactionMs: some.ms, withSubscribersWritten: some.written,
})}\n`);
await db.close();
