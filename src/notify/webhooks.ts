// Outbound webhooks: subscriptions (url, secret, event types, optional owner unit) managed by
// admins; one delivery row per event per matching subscription, written when the event is
// announced; the queue worker (queue.ts: lease, SKIP LOCKED, back-off kept in the database) posts
// them signed and records every attempt. At least once: a receiver deduplicates by the
// X-Lifeline-Delivery id.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '../store/index.ts';
import { describeAttemptError } from './attempt-errors.ts';
import { EVENT_TYPES, type EventType, type OutboundEvent } from './events.ts';
import { attemptLog, postJson, requeue, runDue, type AttemptRecord, type PassOptions, type QueuedStatus, type QueueTables, type Transactional } from './queue.ts';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.ts';

const DELIVERIES: QueueTables<'delivered'> = { table: 'webhook_deliveries', attempts: { table: 'webhook_attempts', key: 'delivery_id' }, done: 'delivered' };

export interface Subscription {
  id: string;
  url: string;
  events: (EventType | '*')[];
  ownerId: string | null;
  description: string | null;
  active: boolean;
  createdBy: string;
  createdAt: string;
}

export interface NewSubscription {
  url: string;
  events: (EventType | '*')[];
  ownerId?: string | null;
  description?: string | null;
  /** Generated when absent (whsec_ + 32 random bytes). */
  secret?: string;
}

interface SubscriptionRow {
  id: string; url: string; secret: string; events: string[]; owner_id: string | null; description: string | null; active: boolean;
  created_by: string; created_at: Date;
}

const SUBSCRIPTION_COLUMNS = 'id::text AS id, url, secret, events, owner_id, description, active, created_by, created_at';

function toSubscription(r: SubscriptionRow): Subscription {
  return {
    id: r.id, url: r.url, events: r.events as Subscription['events'], ownerId: r.owner_id, description: r.description, active: r.active,
    createdBy: r.created_by, createdAt: r.created_at.toISOString(),
  };
}

export function generateSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Creates a subscription; the secret is returned this once (the receiver needs it to verify). */
export async function createSubscription(db: Queryable, input: NewSubscription, createdBy: string, at: Date): Promise<Subscription & { secret: string }> {
  const secret = input.secret ?? generateSecret('whsec');
  const [row] = await db.query<SubscriptionRow & Record<string, unknown>>(
    `INSERT INTO webhook_subscriptions (url, secret, events, owner_id, description, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${SUBSCRIPTION_COLUMNS}`,
    [input.url, secret, input.events, input.ownerId ?? null, input.description ?? null, createdBy, at],
  );
  return { ...toSubscription(row!), secret };
}

export async function listSubscriptions(db: Queryable): Promise<Subscription[]> {
  const rows = await db.query<SubscriptionRow & Record<string, unknown>>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions ORDER BY id`);
  return rows.map(toSubscription);
}

/** Switches a subscription off; its pending deliveries are given up (failed, with the reason). Returns false when there is none. */
export async function deactivateSubscription(db: Queryable, id: string, at: Date): Promise<boolean> {
  if (!/^\d{1,18}$/.test(id)) return false;
  const rows = await db.query('UPDATE webhook_subscriptions SET active = false WHERE id = $1 RETURNING id', [id]);
  if (rows.length === 0) return false;
  await db.query(
    `UPDATE webhook_deliveries SET state = 'failed', last_error = $3, finished_at = $2, leased_until = NULL
      WHERE subscription_id = $1 AND state = 'pending'`,
    [id, at, describeAttemptError({ code: 'switched_off' })],
  );
  return true;
}

/**
 * Writes one delivery per active subscription that wants the event (its type, its owner unit, and
 * only events since the subscription was made); an event already written for a subscription is
 * skipped. Returns the number of deliveries written.
 */
export async function enqueueEvents(db: Queryable, events: OutboundEvent[], at: Date): Promise<number> {
  if (events.length === 0) return 0;
  const subscriptions = await db.query<SubscriptionRow & Record<string, unknown>>(
    `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE active`,
  );
  let written = 0;
  for (const event of events) {
    for (const s of subscriptions) {
      const wanted = (s.events.includes('*') || s.events.includes(event.type))
        && (s.owner_id === null || s.owner_id === event.ownerId) && Date.parse(event.occurredAt) >= s.created_at.getTime();
      if (!wanted) continue;
      const id = randomUUID();
      const body = JSON.stringify({ id, type: event.type, occurredAt: event.occurredAt, data: event.data });
      const rows = await db.query(
        `INSERT INTO webhook_deliveries (id, subscription_id, event_type, event_key, body, state, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6) ON CONFLICT (subscription_id, event_key) DO NOTHING RETURNING id`,
        [id, s.id, event.type, event.key, body, at],
      );
      written += rows.length;
    }
  }
  return written;
}

export type DeliveryAttempt = AttemptRecord;

export interface Delivery extends QueuedStatus<'pending' | 'delivered' | 'failed'> {
  id: string;
  subscriptionId: string;
  eventType: string;
  eventKey: string;
  body: unknown;
}

export async function listDeliveries(db: Queryable, filter: { subscriptionId?: string; state?: Delivery['state']; limit?: number } = {}): Promise<Delivery[]> {
  const rows = await db.query<{
    id: string; subscription_id: string; event_type: string; event_key: string; state: Delivery['state']; attempts: number; next_attempt_at: Date;
    last_status: number | null; last_error: string | null; created_at: Date; finished_at: Date | null; body: string;
  }>(
    `SELECT id, subscription_id::text AS subscription_id, event_type, event_key, state, attempts, next_attempt_at, last_status, last_error,
            created_at, finished_at, body
       FROM webhook_deliveries WHERE ($1::bigint IS NULL OR subscription_id = $1) AND ($2::text IS NULL OR state = $2)
      ORDER BY created_at DESC, id LIMIT $3`,
    [filter.subscriptionId ?? null, filter.state ?? null, filter.limit ?? 200],
  );
  const log = await attemptLog(db, DELIVERIES, rows.map((r) => r.id));
  return rows.map((r) => ({
    id: r.id, subscriptionId: r.subscription_id, eventType: r.event_type, eventKey: r.event_key, state: r.state, attempts: r.attempts,
    nextAttemptAt: r.state === 'pending' ? r.next_attempt_at.toISOString() : null, lastStatus: r.last_status, lastError: r.last_error,
    createdAt: r.created_at.toISOString(), finishedAt: r.finished_at?.toISOString() ?? null, body: JSON.parse(r.body) as unknown,
    log: log.get(r.id) ?? [],
  }));
}

/** A failed delivery of an active subscription goes back in the queue, due now (an admin's retry after fixing the receiver). */
export function requeueDelivery(db: Queryable, id: string, at: Date): Promise<boolean> {
  return requeue(db, DELIVERIES, id, at, { from: 'webhook_subscriptions s', on: 's.id = d.subscription_id AND s.active' });
}

export interface WorkerOptions extends PassOptions {
  /** Called for each attempt (logging). */
  onAttempt?: (attempt: { deliveryId: string; url: string; attempt: number; status: number | null; error: string | null; final: Delivery['state'] }) => void;
}

interface Claimed { id: string; attempts: number; event_type: string; body: string; url: string; secret: string }

/**
 * One pass of the delivery worker (queue.ts): claims the due deliveries, posts each signed,
 * records the outcome. Returns how many were attempted.
 */
export async function deliverDue(db: Transactional, clock: () => Date, options: WorkerOptions): Promise<number> {
  const attempted = await runDue<Claimed, 'delivered'>(
    db, clock, DELIVERIES,
    { join: { from: 'webhook_subscriptions s', on: 's.id = d.subscription_id' }, columns: 'd.event_type, d.body, s.url, s.secret' },
    options,
    (c) => postJson(c.url, c.body, {
      'user-agent': 'Lifeline-Webhooks/1',
      [DELIVERY_HEADER]: c.id,
      [EVENT_HEADER]: c.event_type,
      [SIGNATURE_HEADER]: signatureHeader(c.secret, Math.floor(clock().getTime() / 1000), c.id, c.body),
    }, options.timeoutMs),
  );
  for (const a of attempted) {
    options.onAttempt?.({ deliveryId: a.row.id, url: a.row.url, attempt: a.attempt, status: a.outcome.status, error: a.outcome.error, final: a.state });
  }
  return attempted.length;
}

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}
