// The outbound queue both webhook deliveries and messages to people live in: a table of rows
// (state pending → done or failed, attempts, next attempt, lease, last status and error, finished)
// and a table of attempts. A pass claims the due rows with FOR UPDATE SKIP LOCKED and a lease (the
// attempt's timeout + 30 s, so a process that dies mid-attempt leaves them to be claimed again by
// any process), makes one attempt each, records it, and schedules the next one with the back-off
// or gives up after the last. The schedule lives in the database: a restart, or another process,
// carries on where this one stopped. At least once: receivers deduplicate by the row's id.
import type { Queryable } from '../store/index.ts';
import { describeAttemptError } from './attempt-errors.ts';
import { nextAttemptAt, type RetryPolicy } from './backoff.ts';

export type Transactional = Queryable & { transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> };

/** Where a queue lives; the names are constants of the code, never input. */
export interface QueueTables<Done extends string = string> {
  table: 'webhook_deliveries' | 'notification_messages';
  attempts: { table: 'webhook_attempts' | 'notification_attempts'; key: 'delivery_id' | 'message_id' };
  /** The state of a row that went through. */
  done: Done;
}

export interface AttemptOutcome {
  /** The HTTP status, when there was an answer. */
  status: number | null;
  /** Why the attempt failed; null when it went through. */
  error: string | null;
}

export interface AttemptRecord {
  attempt: number;
  at: string;
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** Where a queued row (a webhook delivery, a message to a person) stands, with every attempt. */
export interface QueuedStatus<State extends string> {
  state: State;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
  log: AttemptRecord[];
}

export interface PassOptions {
  policy: RetryPolicy;
  /** One attempt may take this long before it counts as failed. */
  timeoutMs: number;
  /** Rows claimed per pass. */
  batch: number;
}

export interface Claim {
  /** Rows joined to the claimed row `d` (the webhook's subscription), with their join condition. */
  join?: { from: string; on: string };
  /** A further condition on the rows claimed, with its parameters from $4 (the channels this process can send). */
  filter?: { sql: string; params: unknown[] };
  /** The columns returned beside d.id and d.attempts. */
  columns: string;
}

export interface Attempted<C, Done extends string> {
  row: C;
  attempt: number;
  outcome: AttemptOutcome;
  /** The row's state after this attempt. */
  state: 'pending' | 'failed' | Done;
}

/**
 * One pass over a queue: claims the due rows, runs `attempt` on each (in parallel), records every
 * attempt and the row's new state. Returns what was attempted.
 */
export async function runDue<C extends { id: string; attempts: number }, Done extends string>(
  db: Transactional, clock: () => Date, tables: QueueTables<Done>, claim: Claim, options: PassOptions, attempt: (row: C) => Promise<AttemptOutcome>,
): Promise<Attempted<C, Done>[]> {
  const now = clock();
  const { table } = tables;
  const claimed = await db.transaction((tx) => tx.query<C & Record<string, unknown>>(
    `WITH due AS (
       SELECT id FROM ${table}
        WHERE state = 'pending' AND next_attempt_at <= $1 AND (leased_until IS NULL OR leased_until <= $1)${claim.filter ? ` AND ${claim.filter.sql}` : ''}
        ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
     UPDATE ${table} d SET leased_until = $2, attempts = d.attempts + 1
       FROM due${claim.join ? `, ${claim.join.from}` : ''} WHERE d.id = due.id${claim.join ? ` AND ${claim.join.on}` : ''}
     RETURNING d.id, d.attempts, ${claim.columns}`,
    [now, new Date(now.getTime() + options.timeoutMs + 30_000), options.batch, ...(claim.filter?.params ?? [])],
  ));
  return Promise.all(claimed.map(async (row) => {
    const started = performance.now();
    const sentAt = clock();
    const outcome = await attempt(row).catch((error: unknown): AttemptOutcome => ({ status: null, error: (error as Error).message }));
    const durationMs = Math.round(performance.now() - started);
    const finishedAt = clock();
    const retryAt = outcome.error ? nextAttemptAt(row.attempts, finishedAt, options.policy) : null;
    const state: Attempted<C, Done>['state'] = !outcome.error ? tables.done : retryAt ? 'pending' : 'failed';
    await db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO ${tables.attempts.table} (${tables.attempts.key}, attempt, at, status, error, duration_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [row.id, row.attempts, sentAt, outcome.status, outcome.error, durationMs],
      );
      await tx.query(
        `UPDATE ${table} SET state = $2, last_status = $3, last_error = $4, leased_until = NULL,
                next_attempt_at = COALESCE($5, next_attempt_at), finished_at = CASE WHEN $2 = 'pending' THEN NULL ELSE $6::timestamptz END
          WHERE id = $1 AND state = 'pending'`,
        [row.id, state, outcome.status, outcome.error, retryAt, finishedAt],
      );
    });
    return { row, attempt: row.attempts, outcome, state };
  }));
}

/** Every attempt of the given rows, oldest first, by row id. */
export async function attemptLog(db: Queryable, tables: QueueTables, ids: string[]): Promise<Map<string, AttemptRecord[]>> {
  const log = new Map<string, AttemptRecord[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return log;
  const rows = await db.query<{ row_id: string; attempt: number; at: Date; status: number | null; error: string | null; duration_ms: number }>(
    `SELECT ${tables.attempts.key} AS row_id, attempt, at, status, error, duration_ms FROM ${tables.attempts.table}
      WHERE ${tables.attempts.key} = ANY($1::text[]) ORDER BY ${tables.attempts.key}, attempt`,
    [ids],
  );
  for (const r of rows) log.get(r.row_id)?.push({ attempt: r.attempt, at: r.at.toISOString(), status: r.status, error: r.error, durationMs: r.duration_ms });
  return log;
}

/**
 * A failed row goes back in the queue, due now (an admin's retry after fixing the receiver): one
 * more attempt, after which it fails again unless it goes through. `join` limits it to rows whose
 * joined row qualifies (the subscription still active). Returns false when there is no such failed row.
 */
export async function requeue(db: Queryable, tables: QueueTables, id: string, at: Date, join?: { from: string; on: string }): Promise<boolean> {
  const rows = await db.query(
    `UPDATE ${tables.table} d SET state = 'pending', next_attempt_at = $2, finished_at = NULL, leased_until = NULL
     ${join ? `FROM ${join.from}` : ''} WHERE d.id = $1 AND d.state = 'failed'${join ? ` AND ${join.on}` : ''} RETURNING d.id`,
    [id, at],
  );
  return rows.length > 0;
}

/**
 * POSTs a JSON body and judges the answer: a 2xx within the timeout goes through (redirects are
 * not followed: a 3xx fails), unless `judge` finds fault with the answer's text (a vendor API that
 * reports its errors in a 200).
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number, judge?: (text: string) => string | null): Promise<AttemptOutcome> {
  try {
    const response = await fetch(url, {
      method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs), headers: { 'content-type': 'application/json', ...headers }, body,
    });
    const text = await response.text().catch(() => '');
    if (response.status < 200 || response.status > 299) return { status: response.status, error: describeAttemptError({ code: 'status', status: response.status }) };
    return { status: response.status, error: judge?.(text) ?? null };
  } catch (err) {
    const error = err as Error & { cause?: Error };
    return { status: null, error: describeAttemptError(error.name === 'TimeoutError' ? { code: 'timeout', ms: timeoutMs } : { code: 'other', text: `${error.message}${error.cause ? `: ${error.cause.message}` : ''}` }) };
  }
}
