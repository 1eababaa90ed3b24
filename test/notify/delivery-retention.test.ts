// Retention of the delivery logs on both stores: finished webhook deliveries and messages to people
// older than the horizon go with their attempts; pending ones are still owed and stay whatever their
// age; younger rows stay; old inbound attempts go; 0 keeps everything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRetention, DEFAULT_RETENTION, migrate, type Db } from '../../src/store/index.ts';
import { storesUnderTest } from '../support/stores.ts';

const implementations = await storesUnderTest();
const NOW = new Date('2026-11-23T00:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
const KEEP_ROLLUPS = { rawDays: 0, minuteDays: 0, hourDays: 0, dayDays: 0 };

describe.each(implementations)('delivery-log retention: $name', (impl) => {
  let db: Db;
  let drop: () => Promise<void>;
  const ids = async (table: string) => (await db.query<{ id: string }>(`SELECT id::text AS id FROM ${table} ORDER BY id`)).map((r) => r.id);
  const count = async (table: string) => Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`))[0]!.n);

  beforeAll(async () => {
    if (!impl.available) return;
    ({ db, drop } = await impl.open());
    await migrate(db);
    const [sub] = await db.query<{ id: string }>(
      `INSERT INTO webhook_subscriptions (url, secret, events, created_by, created_at) VALUES ('http://127.0.0.1:9/hook', 's', '{incident}', 'admin', $1) RETURNING id::text AS id`, [daysAgo(200)]);
    const deliveries: Array<[string, string, number]> = [['d-old-delivered', 'delivered', 120], ['d-old-failed', 'failed', 100], ['d-old-pending', 'pending', 120], ['d-recent', 'delivered', 10]];
    for (const [id, state, age] of deliveries) {
      await db.query(`INSERT INTO webhook_deliveries (id, subscription_id, event_type, event_key, body, state, next_attempt_at, created_at) VALUES ($1, $2, 'incident', $1, '{}', $3, $4, $4)`, [id, sub!.id, state, daysAgo(age)]);
      await db.query(`INSERT INTO webhook_attempts (delivery_id, attempt, at, status, duration_ms) VALUES ($1, 1, $2, 200, 5)`, [id, daysAgo(age)]);
    }
    const messages: Array<[string, string, number]> = [['m-old-sent', 'sent', 95], ['m-old-pending', 'pending', 95], ['m-recent-failed', 'failed', 3]];
    for (const [id, state, age] of messages) {
      await db.query(`INSERT INTO notification_messages (id, channel, recipient, text, event_type, event_key, state, next_attempt_at, created_at) VALUES ($1, 'sms', 'gas-co', '燃气泄漏', 'incident', $1, $2, $3, $3)`, [id, state, daysAgo(age)]);
      await db.query(`INSERT INTO notification_attempts (message_id, attempt, at, status, duration_ms) VALUES ($1, 1, $2, 200, 5)`, [id, daysAgo(age)]);
    }
    for (const age of [91, 89]) await db.query(`INSERT INTO inbound_attempts (at, status, outcome) VALUES ($1, 401, 'stale')`, [daysAgo(age)]);
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it.skipIf(!impl.available)('keeps everything with 0 days', async () => {
    await applyRetention(db, { ...KEEP_ROLLUPS, deliveryDays: 0 }, NOW);
    expect(await count('webhook_deliveries')).toBe(4);
    expect(await count('notification_messages')).toBe(3);
    expect(await count('inbound_attempts')).toBe(2);
  });

  it.skipIf(!impl.available)('deletes finished rows past the horizon with their attempts, never pending ones', async () => {
    expect(DEFAULT_RETENTION.deliveryDays).toBe(90);
    await applyRetention(db, { ...KEEP_ROLLUPS, deliveryDays: DEFAULT_RETENTION.deliveryDays }, NOW);
    expect(await ids('webhook_deliveries')).toEqual(['d-old-pending', 'd-recent']);
    expect((await db.query<{ delivery_id: string }>('SELECT delivery_id FROM webhook_attempts ORDER BY 1')).map((r) => r.delivery_id)).toEqual(['d-old-pending', 'd-recent']);
    expect(await ids('notification_messages')).toEqual(['m-old-pending', 'm-recent-failed']);
    expect(await count('notification_attempts')).toBe(2);
    expect(await count('inbound_attempts')).toBe(1);
  });
});
