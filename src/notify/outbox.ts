// The transactional outbox for alarm events. Alarm changes exist only in the detector's change
// list, so a delivery written after the ingest transaction commits would be lost to a crash in
// between (incidents have a catch-up pass over their audit rows; alarms have nothing to catch up
// from). The pipeline therefore writes the deliveries of the changes that passed noise control
// inside its own group-commit transaction: one INSERT … SELECT per batch that pairs the batch's
// events with the active subscriptions that want them, and none at all while no subscription
// wants alarm events and no message channel is in use (the subscriptions' part is cached here,
// dropped when this process changes a subscription and re-read after SUBSCRIBERS_TTL_MS otherwise,
// for subscriptions made through another process).
// The messages to people of the same changes (a red or orange alarm, to its owner unit) are
// written in the same transaction, once per channel in use (messages.ts). The queue workers send
// both like any other row.
import type { AlarmChange } from '../detect/index.ts';
import type { Queryable } from '../store/index.ts';
import type { Channel } from './channels.ts';
import { alarmEvent, EVENT_TYPES } from './events.ts';
import { writeMessages } from './messages.ts';

/** How long "does any subscription want alarm events?" is trusted before it is asked again. */
export const SUBSCRIBERS_TTL_MS = 5_000;

const ALARM_TYPES = ['*', ...EVENT_TYPES.filter((t) => t.startsWith('alarm.'))];

export class AlarmOutbox {
  private wanted: { value: boolean; at: number } | null = null;

  constructor(
    private readonly sensorContext: (sensorId: string) => { ownerId: string | null; assetId: string | null },
    private readonly channels: readonly Channel[] = [],
  ) {}

  /** A subscription was made or switched off in this process: ask again on the next batch. */
  subscriptionsChanged(): void {
    this.wanted = null;
  }

  private async anyoneWants(tx: Queryable): Promise<boolean> {
    const now = performance.now();
    if (this.wanted && now - this.wanted.at < SUBSCRIBERS_TTL_MS) return this.wanted.value;
    const [row] = await tx.query<{ wanted: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM webhook_subscriptions WHERE active AND events && $1::text[]) AS wanted', [ALARM_TYPES],
    );
    this.wanted = { value: row?.wanted === true, at: now };
    return this.wanted.value;
  }

  /**
   * Writes, in the caller's transaction, one delivery per change and subscription that wants it
   * (its event type, its owner unit, made before the change) and the changes' messages to people;
   * returns how many rows. The event key includes `at`, so call it once per committed change list.
   */
  async record(tx: Queryable, changes: AlarmChange[], at: Date): Promise<number> {
    if (changes.length === 0) return 0;
    const wanted = await this.anyoneWants(tx);
    if (!wanted && this.channels.length === 0) return 0;
    const events = changes.map((c) => alarmEvent(c, this.sensorContext(c.sensorId), at));
    const messages = await writeMessages(tx, events, this.channels, at);
    if (!wanted) return messages;
    const rows = await tx.query(
      `INSERT INTO webhook_deliveries (id, subscription_id, event_type, event_key, body, state, next_attempt_at, created_at)
       SELECT p.id, p.subscription_id, p.type, p.key,
              json_build_object('id', p.id, 'type', p.type, 'occurredAt', p.occurred_at, 'data', p.data::json)::text, 'pending', $6, $6
         FROM (SELECT gen_random_uuid()::text AS id, s.id AS subscription_id, e.*
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS e (type, key, owner_id, occurred_at, data)
                 JOIN webhook_subscriptions s
                   ON s.active AND s.events && ARRAY['*', e.type] AND (s.owner_id IS NULL OR s.owner_id = e.owner_id)
                  AND s.created_at <= e.occurred_at::timestamptz) p
       ON CONFLICT (subscription_id, event_key) DO NOTHING
       RETURNING id`,
      [
        events.map((e) => e.type), events.map((e) => e.key), events.map((e) => e.ownerId), events.map((e) => e.occurredAt),
        events.map((e) => JSON.stringify(e.data)), at,
      ],
    );
    return rows.length + messages;
  }
}
