// Messages to people, stored: one row per message and channel (recipient, text, the incident or
// alarm it is about), written where webhook deliveries are written (in the alarm outbox's
// transaction, or just after an incident change commits and again by the catch-up), and sent by
// the queue worker (queue.ts) through the channel's adapter: lease, back-off and attempts as for
// webhooks, then `failed` until an admin retries it. A message is unique per event, channel and
// recipient, so announcing an event again (or catching it up) writes nothing twice.
import type { Queryable } from '../store/index.ts';
import { messageFor, type Channel, type Notifier, type OutgoingMessage } from './channels.ts';
import { contactAddresses, type ContactAddress } from './contacts.ts';
import type { OutboundEvent } from './events.ts';
import { HttpGatewayNotifier } from './gateways.ts';
import { attemptLog, requeue, runDue, type PassOptions, type QueuedStatus, type QueueTables, type Transactional } from './queue.ts';

const MESSAGES: QueueTables<'sent'> = { table: 'notification_messages', attempts: { table: 'notification_attempts', key: 'message_id' }, done: 'sent' };

/**
 * An event older than this when its message would be written gets none: the catch-up after a long
 * outage, or a channel switched on, should not page people about last night's dispatches.
 */
export const MESSAGE_MAX_AGE_MS = 3_600_000;

export type MessageState = 'pending' | 'sent' | 'failed';

export interface StoredMessage extends QueuedStatus<MessageState> {
  id: string;
  channel: Channel;
  recipient: string;
  text: string;
  eventType: string;
  eventKey: string;
  incidentId: string | null;
  alarmId: string | null;
}

function subjectId(event: OutboundEvent, kind: 'incident' | 'alarm'): string | null {
  return (event.data[kind] as { id?: string } | undefined)?.id ?? null;
}

/**
 * Writes, with `db` (the caller's transaction where there is one), the message of each event that
 * has one, once per channel; returns how many rows were written. No query when there is nothing to write.
 */
export async function writeMessages(db: Queryable, events: OutboundEvent[], channels: readonly Channel[], at: Date): Promise<number> {
  if (channels.length === 0) return 0;
  const rows = events.flatMap((event) => {
    const message = Date.parse(event.occurredAt) >= at.getTime() - MESSAGE_MAX_AGE_MS ? messageFor(event) : null;
    return message ? channels.map((channel) => ({ channel, event, message })) : [];
  });
  if (rows.length === 0) return 0;
  const written = await db.query(
    `INSERT INTO notification_messages (id, channel, recipient, text, event_type, event_key, incident_id, alarm_id, state, next_attempt_at, created_at)
     SELECT gen_random_uuid()::text, m.channel, m.recipient, m.text, m.event_type, m.event_key, m.incident_id::bigint, m.alarm_id::bigint, 'pending', $8, $8
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
            AS m (channel, recipient, text, event_type, event_key, incident_id, alarm_id)
     ON CONFLICT (channel, event_key, recipient) DO NOTHING
     RETURNING id`,
    [
      rows.map((r) => r.channel), rows.map((r) => r.message.to), rows.map((r) => r.message.text), rows.map((r) => r.event.type),
      rows.map((r) => r.event.key), rows.map((r) => subjectId(r.event, 'incident')), rows.map((r) => subjectId(r.event, 'alarm')), at,
    ],
  );
  return written.length;
}

export interface MessageFilter {
  state?: MessageState;
  channel?: Channel;
  limit?: number;
}

export async function listMessages(db: Queryable, filter: MessageFilter = {}): Promise<StoredMessage[]> {
  const rows = await db.query<{
    id: string; channel: Channel; recipient: string; text: string; event_type: string; event_key: string; incident_id: string | null; alarm_id: string | null;
    state: MessageState; attempts: number; next_attempt_at: Date; last_status: number | null; last_error: string | null; created_at: Date; finished_at: Date | null;
  }>(
    `SELECT id, channel, recipient, text, event_type, event_key, incident_id::text AS incident_id, alarm_id::text AS alarm_id, state, attempts,
            next_attempt_at, last_status, last_error, created_at, finished_at
       FROM notification_messages WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR channel = $2)
      ORDER BY created_at DESC, id LIMIT $3`,
    [filter.state ?? null, filter.channel ?? null, filter.limit ?? 200],
  );
  const log = await attemptLog(db, MESSAGES, rows.map((r) => r.id));
  return rows.map((r) => ({
    id: r.id, channel: r.channel, recipient: r.recipient, text: r.text, eventType: r.event_type, eventKey: r.event_key, incidentId: r.incident_id,
    alarmId: r.alarm_id, state: r.state, attempts: r.attempts, nextAttemptAt: r.state === 'pending' ? r.next_attempt_at.toISOString() : null,
    lastStatus: r.last_status, lastError: r.last_error, createdAt: r.created_at.toISOString(), finishedAt: r.finished_at?.toISOString() ?? null,
    log: log.get(r.id) ?? [],
  }));
}

/** A failed message back in the queue, due now (one more attempt). False when there is no failed message with this id. */
export function requeueMessage(db: Queryable, id: string, at: Date): Promise<boolean> {
  return requeue(db, MESSAGES, id, at);
}

export interface MessageWorkerOptions extends PassOptions {
  onAttempt?: (attempt: { messageId: string; channel: Channel; to: string; attempt: number; status: number | null; error: string | null; final: MessageState }) => void;
}

interface ClaimedMessage { id: string; attempts: number; channel: Channel; recipient: string; text: string; event_key: string }

/**
 * One pass of the message worker: claims the due messages of the channels this process has an
 * adapter for (another process may serve other channels), sends each through its adapter, records
 * the outcome. Returns how many were attempted. A recipient with a contact of its own on the
 * channel (contacts.ts) is told there: its own group robot, or its phone numbers through the SMS
 * gateway; the contact is read at send time, so a change applies to messages still waiting.
 */
export async function sendDueMessages(db: Transactional, clock: () => Date, notifiers: readonly Notifier[], options: MessageWorkerOptions): Promise<number> {
  if (notifiers.length === 0) return 0;
  const byChannel = new Map(notifiers.map((n) => [n.channel, n]));
  let contacts: Promise<Map<string, ContactAddress>> | undefined;
  const send = async (m: ClaimedMessage) => {
    const message: OutgoingMessage = { id: m.id, to: m.recipient, text: m.text, key: m.event_key };
    const contact = (await (contacts ??= contactAddresses(db))).get(`${m.recipient} ${m.channel}`);
    if (contact && m.channel === 'sms') message.phones = contact.address.split(',');
    const notifier = contact && m.channel !== 'sms' ? new HttpGatewayNotifier({ channel: m.channel, url: contact.address, secret: contact.secret }, clock) : byChannel.get(m.channel)!;
    return notifier.send(message, options.timeoutMs);
  };
  const attempted = await runDue<ClaimedMessage, 'sent'>(
    db, clock, MESSAGES,
    { filter: { sql: 'channel = ANY($4::text[])', params: [[...byChannel.keys()]] }, columns: 'd.channel, d.recipient, d.text, d.event_key' },
    options,
    send,
  );
  for (const a of attempted) {
    options.onAttempt?.({
      messageId: a.row.id, channel: a.row.channel, to: a.row.recipient, attempt: a.attempt, status: a.outcome.status, error: a.outcome.error, final: a.state,
    });
  }
  return attempted.length;
}
