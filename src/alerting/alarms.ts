import type { Queryable } from '../store/index.ts';
import { recordEvent } from './router.ts';
import type { AlarmAlerting, Mute } from './types.ts';

/** The acknowledgement, mute and flapping state of alarms, by id. */
export async function alertingStates(db: Queryable, ids: string[]): Promise<Map<string, AlarmAlerting>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<{
    id: string; acked_at: Date | null; acked_by: string | null; ack_comment: string | null;
    muted_by: Mute['by'] | null; muted_ref: string | null; muted_reason: string | null; flapping: boolean;
  }>(
    `SELECT id::text AS id, acked_at, acked_by, ack_comment, muted_by, muted_ref, muted_reason, flapping
       FROM alarms WHERE id = ANY($1::bigint[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, {
    ack: r.acked_at ? { by: r.acked_by ?? '', at: r.acked_at.toISOString(), comment: r.ack_comment ?? '' } : null,
    muted: r.muted_by ? { by: r.muted_by, ref: r.muted_ref ?? '', reason: r.muted_reason ?? '' } : null,
    flapping: r.flapping,
  }]));
}

export type AckOutcome = { ok: true } | { ok: false; reason: 'not_found' | 'already_acknowledged'; message: string };

/**
 * Acknowledges an alarm, active or cleared (ISA-18.2: cleared-unacknowledged is a state of its
 * own), with the user and a comment, recorded in its timeline. Acknowledging twice is refused:
 * the first acknowledgement stands until an escalation resets it.
 */
export async function acknowledgeAlarm(tx: Queryable, alarmId: string, userId: string, comment: string, now: Date): Promise<AckOutcome> {
  if (!/^\d{1,18}$/.test(alarmId)) return { ok: false, reason: 'not_found', message: `alarm ${alarmId} does not exist` };
  const [row] = await tx.query<{ level: number; last_value: number; acked_at: Date | null; acked_by: string | null }>(
    'SELECT level, last_value, acked_at, acked_by FROM alarms WHERE id = $1 FOR UPDATE', [alarmId],
  );
  if (!row) return { ok: false, reason: 'not_found', message: `alarm ${alarmId} does not exist` };
  if (row.acked_at) {
    return { ok: false, reason: 'already_acknowledged', message: `alarm ${alarmId} was acknowledged by ${row.acked_by} at ${row.acked_at.toISOString()}` };
  }
  await tx.query('UPDATE alarms SET acked_at = $2, acked_by = $3, ack_comment = $4 WHERE id = $1', [alarmId, now, userId, comment]);
  await recordEvent(tx, alarmId, 'ack', row.level, row.last_value, now, userId, comment);
  return { ok: true };
}

export interface AlarmEvent {
  kind: string;
  level: number;
  value: number;
  at: string;
  actor: string | null;
  note: string | null;
}

/** An alarm's timeline, oldest first. */
export async function alarmEvents(db: Queryable, alarmId: string): Promise<AlarmEvent[]> {
  if (!/^\d{1,18}$/.test(alarmId)) return [];
  const rows = await db.query<{ kind: string; level: number; value: number; at: Date; actor: string | null; note: string | null }>(
    'SELECT kind, level, value, at, actor, note FROM alarm_events WHERE alarm_id = $1 ORDER BY at, id', [alarmId],
  );
  return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
}
