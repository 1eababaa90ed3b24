// The alarm outbox on both stores: the pipeline writes an alarm change's webhook delivery inside
// its own transaction, so when the process dies right after the commit (the after-commit
// announcement never runs) a worker started afterwards still delivers it, exactly once; the next
// change is delivered once too (nothing after the commit writes it again); while no subscription
// wants alarm events the pipeline's transaction carries no INSERT at all (one cached EXISTS
// instead). On the running platform: a subscription made over the API after a batch had cached
// "nobody wants alarm events" hears the next alarm, once.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessBus } from '../../src/bus/index.ts';
import { ensureDefaultRules, loadRuleBook, type AlarmChange, type RuleBook } from '../../src/detect/index.ts';
import { IngestPipeline } from '../../src/ingest/index.ts';
import { SensorRegistry } from '../../src/network/index.ts';
import { createSubscription, deactivateSubscription, listDeliveries, NotifyService, verifySignature, type Subscription } from '../../src/notify/index.ts';
import { startPlatform } from '../../src/platform/index.ts';
import { seedDemoCity } from '../../src/sim/seed.ts';
import { migrate, PartitionKeeper, type Db, type Queryable } from '../../src/store/index.ts';
import { api, USERS } from '../support/api.ts';
import { storesUnderTest } from '../support/stores.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

interface Received { id: string; event: string; body: { type: string; data: { alarm: { sensorId: string; ruleId: string; level: number } } }; signatureValid: boolean }

const stores = await storesUnderTest();

describe.each(stores)('alarm webhook outbox: $name', (store) => {
  let db: Db;
  let drop: () => Promise<void>;
  let sensors: SensorRegistry;
  let rules: RuleBook;
  let subscription: Subscription & { secret: string };
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const id = String(req.headers['x-lifeline-delivery']);
      const signatureValid = verifySignature({ header: String(req.headers['x-lifeline-signature']), secret: subscription.secret, deliveryId: id, body, nowMs: Date.now() }).ok;
      received.push({ id, event: String(req.headers['x-lifeline-event']), body: JSON.parse(body) as Received['body'], signatureValid });
      res.writeHead(200).end();
    });
  });

  /** A process's notification service (its worker runs only when the test calls tick). */
  const notifyService = () => new NotifyService({
    db, bus: new InProcessBus(), clock: () => new Date(), logger: pino({ level: 'silent' }), notifiers: [],
    sensorContext: (id) => ({ ownerId: sensors.get(id)?.ownerId ?? null, assetId: sensors.get(id)?.assetId ?? null }),
  });
  /** A process's pipeline writing to the outbox; `announce` is its after-commit step (absent: the process died there). */
  const pipeline = (notify: NotifyService, announce?: (changes: AlarmChange[]) => void) => new IngestPipeline({
    db, sensors, rules: () => rules, partitions: new PartitionKeeper(db), incidentLevel: 2,
    recordAlarmChanges: (tx, changes, at) => notify.recordAlarmChanges(tx, changes, at),
    onCommitted: (_fresh, changes) => announce?.(changes),
  });
  const lel = (value: number) => ({
    source: 'test:GD-001', deviceId: 'GD-001', receivedAt: new Date(), payload: JSON.stringify({ ts: new Date().toISOString(), values: { lel: value } }),
  });

  beforeAll(async () => {
    if (!store.available) return;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ({ db, drop } = await store.open());
    await migrate(db);
    await ensureDefaultRules(db);
    await seedDemoCity(db);
    sensors = new SensorRegistry();
    await sensors.load(db);
    rules = await loadRuleBook(db);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    subscription = await createSubscription(db, { url, events: ['alarm.opened', 'alarm.cleared'] }, 'admin', new Date(Date.now() - 60_000));
  });
  afterAll(async () => {
    if (!store.available) return;
    await db.close();
    await drop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it.skipIf(!store.available)('delivers an alarm change exactly once when the process died between the commit and the announcement', async () => {
    const dying = notifyService();
    await pipeline(dying).submit(lel(62));
    // Written in the ingest transaction: pending before any worker ran.
    const pending = await listDeliveries(db, { subscriptionId: subscription.id });
    expect(pending.map((d) => [d.eventType, d.state])).toEqual([['alarm.opened', 'pending']]);

    // Another process (or this one restarted) starts its worker.
    const restarted = notifyService();
    expect(await restarted.tick()).toBe(1);
    expect(await restarted.tick()).toBe(0);
    expect(received.map((r) => [r.event, r.body.data.alarm.sensorId, r.body.data.alarm.ruleId, r.body.data.alarm.level, r.signatureValid]))
      .toEqual([['alarm.opened', 'GD-001.lel', 'methane-lel', 1, true]]);
    expect(received[0]!.id).toBe(pending[0]!.id);
    expect((await listDeliveries(db, { subscriptionId: subscription.id })).map((d) => d.state)).toEqual(['delivered']);
  });

  it.skipIf(!store.available)('sends the next change once: written in its transaction, by nothing after the commit', async () => {
    const notify = notifyService();
    await pipeline(notify, () => undefined).submit(lel(0.5));
    await notify.settled();
    expect(await notify.tick()).toBe(1);
    expect(await notify.tick()).toBe(0);
    expect(received.map((r) => r.event)).toEqual(['alarm.opened', 'alarm.cleared']);
    expect((await listDeliveries(db, { subscriptionId: subscription.id })).map((d) => d.eventType).sort()).toEqual(['alarm.cleared', 'alarm.opened']);
  });

  it.skipIf(!store.available)('adds no INSERT to the transaction while no subscription wants alarm events, and asks again after a change', async () => {
    await deactivateSubscription(db, subscription.id, new Date());
    const notify = notifyService();
    const statements: string[] = [];
    const counting: Queryable = { query: (sql, params) => (statements.push(sql), db.query(sql, params)), exec: (sql) => db.exec(sql) };
    const change: AlarmChange = { kind: 'open', alarmId: '999', sensorId: 'GD-001.lel', ruleId: 'methane-lel', level: 2 };
    expect(await notify.recordAlarmChanges(counting, [change], new Date())).toBe(0);
    expect(await notify.recordAlarmChanges(counting, [{ ...change, kind: 'clear' }], new Date())).toBe(0);
    expect(statements.map((s) => s.trim().split(/\s+/)[0])).toEqual(['SELECT']);

    const again = await createSubscription(db, { url: subscription.url, events: ['*'] }, 'admin', new Date(Date.now() - 1000));
    notify.subscriptionsChanged();
    statements.length = 0;
    expect(await notify.recordAlarmChanges(counting, [change], new Date())).toBe(1);
    expect(statements.map((s) => s.trim().split(/\s+/)[0])).toEqual(['SELECT', 'INSERT']);
    expect((await listDeliveries(db, { subscriptionId: again.id })).map((d) => [d.eventType, d.state])).toEqual([['alarm.opened', 'pending']]);
  });
});

describe('alarm webhooks on the running platform', () => {
  const data = tempDir('alarm-outbox');
  const events: { id: string; event: string }[] = [];
  const server = http.createServer((req, res) => {
    events.push({ id: String(req.headers['x-lifeline-delivery']), event: String(req.headers['x-lifeline-event']) });
    req.resume().on('end', () => res.writeHead(200).end());
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    data.remove();
  });

  it('delivers an alarm change to a subscription made after the outbox had found none, once', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const platform = await startPlatform({
      port: 0, mqttPort: 0, hj212Port: null, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('alarm-outbox'), simulate: false,
      buildWeb: false, log: false, auth: 'required', deviceAuth: 'off', webhookCheckMs: 100,
    });
    try {
      const report = async (lel: number) => {
        const response = await fetch(`${platform.url}/api/ingest/devices/GD-001`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ values: { lel } }),
        });
        expect(response.status).toBe(200);
      };
      await report(6); // level 4 opens with nobody subscribed: the outbox caches "no one"
      const admin = await api(platform, USERS.admin);
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const created = await admin.post<Subscription>('/api/webhooks/subscriptions', { url, events: ['alarm.escalated'] });
      expect(created.status).toBe(201);
      await report(62); // level 1: escalated
      await expect.poll(() => events.length, { interval: 100, timeout: 20_000 }).toBe(1);
      expect(events[0]!.event).toBe('alarm.escalated');
      const written = await listDeliveries(platform.db, { subscriptionId: created.body.id });
      expect(written.map((d) => [d.id, d.eventType, d.state])).toEqual([[events[0]!.id, 'alarm.escalated', 'delivered']]);
    } finally {
      await platform.stop();
    }
  });
});
