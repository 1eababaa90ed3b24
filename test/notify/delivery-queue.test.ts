// The webhook delivery queue on both stores, with two "processes" (on PostgreSQL two connection
// pools) working it at once: an event announced twice is one delivery; each due delivery is sent
// by exactly one worker; a delivery leased by a worker that died is taken over only once its lease
// has run out; a failure waits its back-off before the next attempt, as stored in the database.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSubscription, deliverDue, enqueueEvents, listDeliveries, type OutboundEvent } from '../../src/notify/index.ts';
import { migrate, openPostgres, type Db } from '../../src/store/index.ts';
import { storesUnderTest } from '../support/stores.ts';

const implementations = await storesUnderTest();
const policy = { baseMs: 60_000, capMs: 3_600_000, maxAttempts: 3 };

const event = (n: number): OutboundEvent => ({
  type: 'incident.opened', key: `incident:${n}:1`, ownerId: null, occurredAt: '2026-11-23T08:00:00.000Z', data: { incident: { id: String(n) } },
});

describe.each(implementations)('webhook delivery queue: $name', (impl) => {
  let db: Db;
  let second: Db;
  let drop: () => Promise<void>;
  let now = Date.parse('2026-11-23T08:00:00Z');
  const clock = () => new Date(now);
  const received: string[] = [];
  let status = 200;
  const server = http.createServer((req, res) => {
    received.push(String(req.headers['x-lifeline-delivery']));
    req.resume().on('end', () => res.writeHead(status).end());
  });
  let subscriptionId: string;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    if (!impl.available) return;
    const opened = await impl.open();
    ({ db, drop } = opened);
    await migrate(db);
    second = opened.url ? await openPostgres(opened.url) : db;
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    subscriptionId = (await createSubscription(db, { url, events: ['*'] }, 'admin', new Date(now - 60_000))).id;
  });
  afterAll(async () => {
    if (second && second !== db) await second.close();
    await db?.close();
    await drop?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it.skipIf(!impl.available)('writes one delivery per event and subscription, however often it is announced', async () => {
    expect(await enqueueEvents(db, [event(1), event(2), event(3)], clock())).toBe(3);
    expect(await enqueueEvents(second, [event(1), event(2), event(3)], clock())).toBe(0);
    // Events from before the subscription existed are not sent to it.
    expect(await enqueueEvents(db, [{ ...event(4), occurredAt: '2026-11-23T07:00:00.000Z' }], clock())).toBe(0);
  });

  it.skipIf(!impl.available)('sends each due delivery once with two workers at it', async () => {
    const options = { policy, timeoutMs: 5_000, batch: 2 };
    const [a, b] = await Promise.all([deliverDue(db, clock, options), deliverDue(second, clock, options)]);
    expect(a + b).toBe(3);
    expect(received).toHaveLength(3);
    expect(new Set(received).size).toBe(3);
    expect((await listDeliveries(db)).map((d) => [d.state, d.attempts])).toEqual([['delivered', 1], ['delivered', 1], ['delivered', 1]]);
  });

  it.skipIf(!impl.available)('leaves a leased delivery alone until its lease runs out, then takes it over', async () => {
    received.length = 0;
    await enqueueEvents(db, [event(5)], clock());
    // A worker claimed it (lease 35 s) and died before recording anything.
    await db.query(`UPDATE webhook_deliveries SET attempts = 1, leased_until = $1 WHERE event_key = 'incident:5:1'`, [new Date(now + 35_000)]);
    const options = { policy, timeoutMs: 5_000, batch: 10 };
    expect(await deliverDue(second, clock, options)).toBe(0);
    now += 35_000;
    expect(await deliverDue(second, clock, options)).toBe(1);
    const [d] = (await listDeliveries(db)).filter((x) => x.eventKey === 'incident:5:1');
    expect(d).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(d!.log.map((a) => a.attempt)).toEqual([2]);
  });

  it.skipIf(!impl.available)('waits the back-off after a failure, then gives up after the last attempt', async () => {
    status = 503;
    await enqueueEvents(db, [event(6)], clock());
    const options = { policy, timeoutMs: 5_000, batch: 10 };
    const of6 = async () => (await listDeliveries(db)).find((x) => x.eventKey === 'incident:6:1')!;
    expect(await deliverDue(db, clock, options)).toBe(1);
    expect((await of6()).nextAttemptAt).toBe(new Date(now + 60_000).toISOString());
    now += 59_999;
    expect(await deliverDue(second, clock, options)).toBe(0);
    now += 1;
    expect(await deliverDue(second, clock, options)).toBe(1);
    expect((await of6()).nextAttemptAt).toBe(new Date(now + 120_000).toISOString());
    now += 120_000;
    expect(await deliverDue(db, clock, options)).toBe(1);
    expect(await of6()).toMatchObject({ state: 'failed', attempts: 3, lastStatus: 503, lastError: 'the receiver answered 503', nextAttemptAt: null });
    now += 3_600_000;
    expect(await deliverDue(db, clock, options)).toBe(0);
    status = 200;
  });
});
