// Outbound webhooks: subscriptions (url, secret, event types, optional owner unit) managed by
// admins; one delivery row per event per matching subscription, written when the event is
// announced; a worker claims due deliveries with a lease (FOR UPDATE SKIP LOCKED), posts them
// signed, and records every attempt. A failure is retried with exponential back-off; the schedule
// lives in the database, so a restart (or another process) carries on where this one stopped.
// At least once: a receiver deduplicates by the X-Lifeline-Delivery id.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '../store/index.ts';
import { nextAttemptAt, type RetryPolicy } from './backoff.ts';
import { EVENT_TYPES, type EventType, type OutboundEvent } from './events.ts';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.ts';

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
    `UPDATE webhook_deliveries SET state = 'failed', last_error = 'subscription switched off', finished_at = $2, leased_until = NULL
      WHERE subscription_id = $1 AND state = 'pending'`,
    [id, at],
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

export interface DeliveryAttempt {
  attempt: number;
  at: string;
  status: number | null;
  error: string | null;
  durationMs: number;
}

export interface Delivery {
  id: string;
  subscriptionId: string;
  eventType: string;
  eventKey: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
  body: unknown;
  log: DeliveryAttempt[];
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
  const attempts = rows.length === 0 ? [] : await db.query<{ delivery_id: string; attempt: number; at: Date; status: number | null; error: string | null; duration_ms: number }>(
    'SELECT delivery_id, attempt, at, status, error, duration_ms FROM webhook_attempts WHERE delivery_id = ANY($1::text[]) ORDER BY delivery_id, attempt',
    [rows.map((r) => r.id)],
  );
  return rows.map((r) => ({
    id: r.id, subscriptionId: r.subscription_id, eventType: r.event_type, eventKey: r.event_key, state: r.state, attempts: r.attempts,
    nextAttemptAt: r.state === 'pending' ? r.next_attempt_at.toISOString() : null, lastStatus: r.last_status, lastError: r.last_error,
    createdAt: r.created_at.toISOString(), finishedAt: r.finished_at?.toISOString() ?? null, body: JSON.parse(r.body) as unknown,
    log: attempts.filter((a) => a.delivery_id === r.id).map((a) => ({ attempt: a.attempt, at: a.at.toISOString(), status: a.status, error: a.error, durationMs: a.duration_ms })),
  }));
}

/** A failed delivery goes back in the queue, due now (an admin's retry after fixing the receiver). */
export async function requeueDelivery(db: Queryable, id: string, at: Date): Promise<boolean> {
  const rows = await db.query(
    `UPDATE webhook_deliveries d SET state = 'pending', next_attempt_at = $2, finished_at = NULL, leased_until = NULL
       FROM webhook_subscriptions s WHERE d.id = $1 AND d.state = 'failed' AND s.id = d.subscription_id AND s.active RETURNING d.id`,
    [id, at],
  );
  return rows.length > 0;
}

export interface WorkerOptions {
  policy: RetryPolicy;
  /** One attempt may take this long before it counts as failed. */
  timeoutMs: number;
  /** Deliveries claimed per pass. */
  batch: number;
  /** Called for each attempt (logging). */
  onAttempt?: (attempt: { deliveryId: string; url: string; attempt: number; status: number | null; error: string | null; final: Delivery['state'] }) => void;
}

interface Claimed { id: string; subscription_id: string; event_type: string; body: string; attempts: number; url: string; secret: string }

/**
 * One pass of the delivery worker: claims the due deliveries (a lease of timeout + 30 s, so a
 * process that dies mid-attempt leaves them to be claimed again), posts each, records the outcome.
 * Returns how many were attempted.
 */
export async function deliverDue(db: Queryable & { transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> }, clock: () => Date, options: WorkerOptions): Promise<number> {
  const now = clock();
  const claimed = await db.transaction((tx) => tx.query<Claimed & Record<string, unknown>>(
    `WITH due AS (
       SELECT id FROM webhook_deliveries
        WHERE state = 'pending' AND next_attempt_at <= $1 AND (leased_until IS NULL OR leased_until <= $1)
        ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
     UPDATE webhook_deliveries d SET leased_until = $2, attempts = d.attempts + 1
       FROM due, webhook_subscriptions s WHERE d.id = due.id AND s.id = d.subscription_id
     RETURNING d.id, d.subscription_id::text AS subscription_id, d.event_type, d.body, d.attempts, s.url, s.secret`,
    [now, new Date(now.getTime() + options.timeoutMs + 30_000), options.batch],
  ));
  await Promise.all(claimed.map(async (c) => {
    const started = performance.now();
    const sentAt = clock();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(c.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Lifeline-Webhooks/1',
          [DELIVERY_HEADER]: c.id,
          [EVENT_HEADER]: c.event_type,
          [SIGNATURE_HEADER]: signatureHeader(c.secret, Math.floor(sentAt.getTime() / 1000), c.id, c.body),
        },
        body: c.body,
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
      if (status < 200 || status > 299) error = `the receiver answered ${status}`;
    } catch (err) {
      error = (err as Error).name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : `${(err as Error).message}${(err as { cause?: Error }).cause ? `: ${(err as { cause: Error }).cause.message}` : ''}`;
    }
    const durationMs = Math.round(performance.now() - started);
    const finishedAt = clock();
    const retryAt = error ? nextAttemptAt(c.attempts, finishedAt, options.policy) : null;
    const state: Delivery['state'] = !error ? 'delivered' : retryAt ? 'pending' : 'failed';
    await db.transaction(async (tx) => {
      await tx.query(
        'INSERT INTO webhook_attempts (delivery_id, attempt, at, status, error, duration_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
        [c.id, c.attempts, sentAt, status, error, durationMs],
      );
      await tx.query(
        `UPDATE webhook_deliveries SET state = $2, last_status = $3, last_error = $4, leased_until = NULL,
                next_attempt_at = COALESCE($5, next_attempt_at), finished_at = CASE WHEN $2 = 'pending' THEN NULL ELSE $6::timestamptz END
          WHERE id = $1 AND state = 'pending'`,
        [c.id, state, status, error, retryAt, finishedAt],
      );
    });
    options.onAttempt?.({ deliveryId: c.id, url: c.url, attempt: c.attempts, status, error, final: state });
  }));
  return claimed.length;
}

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}
