import type { Queryable } from '../store/index.ts';
import { MATCHER_KEYS, type AlarmSubject, type Silence, type SilenceMatchers } from './types.ts';

/** True when every matcher the silence gives matches the alarm (and, for an owner unit's silence, the alarm is that unit's). */
export function silenceMatches(silence: Pick<Silence, 'matchers' | 'orgId'>, subject: AlarmSubject & { ownerId: string }): boolean {
  if (silence.orgId !== null && silence.orgId !== subject.ownerId) return false;
  const m = silence.matchers;
  const keys = MATCHER_KEYS.filter((k) => m[k] !== undefined);
  if (keys.length === 0) return false;
  return keys.every((k) => (k === 'areaId' ? subject.areaIds.includes(m.areaId!) : subject[k] === m[k]));
}

/** In force at `at`: started, not yet expired, not ended early. */
export function silenceInForce(silence: Pick<Silence, 'startsAt' | 'endsAt' | 'endedAt'>, at: Date): boolean {
  const t = at.getTime();
  return Date.parse(silence.startsAt) <= t && t < Date.parse(silence.endsAt) && (silence.endedAt === null || Date.parse(silence.endedAt) > t);
}

interface SilenceRow {
  id: string; kind: Silence['kind']; matchers: SilenceMatchers; reason: string; created_by: string; org_id: string | null;
  starts_at: Date; ends_at: Date; created_at: Date; ended_at: Date | null; ended_by: string | null;
}

function toSilence(r: SilenceRow): Silence {
  return {
    id: r.id, kind: r.kind, matchers: r.matchers, reason: r.reason, createdBy: r.created_by, orgId: r.org_id,
    startsAt: r.starts_at.toISOString(), endsAt: r.ends_at.toISOString(), createdAt: r.created_at.toISOString(),
    endedAt: r.ended_at?.toISOString() ?? null, endedBy: r.ended_by,
  };
}

const COLUMNS = 'id::text AS id, kind, matchers, reason, created_by, org_id, starts_at, ends_at, created_at, ended_at, ended_by';

export interface NewSilence {
  kind: Silence['kind'];
  matchers: SilenceMatchers;
  reason: string;
  createdBy: string;
  orgId: string | null;
  startsAt: Date;
  endsAt: Date;
}

export async function insertSilence(tx: Queryable, silence: NewSilence, now: Date): Promise<Silence> {
  const [row] = await tx.query<SilenceRow & Record<string, unknown>>(
    `INSERT INTO silences (kind, matchers, reason, created_by, org_id, starts_at, ends_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
    [silence.kind, JSON.stringify(silence.matchers), silence.reason, silence.createdBy, silence.orgId, silence.startsAt, silence.endsAt, now],
  );
  return toSilence(row!);
}

/** Ends a silence now; null when there is no such silence (or it is another unit's). */
export async function endSilence(tx: Queryable, id: string, by: string, orgId: string | null, now: Date): Promise<Silence | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const [row] = await tx.query<SilenceRow & Record<string, unknown>>(
    `UPDATE silences SET ended_at = CASE WHEN ended_at IS NULL AND ends_at > $3 THEN $3 ELSE ended_at END,
            ended_by = CASE WHEN ended_at IS NULL AND ends_at > $3 THEN $4 ELSE ended_by END
      WHERE id = $1 AND ($2::text IS NULL OR org_id = $2) RETURNING ${COLUMNS}`,
    [id, orgId, now, by],
  );
  return row ? toSilence(row) : null;
}

/** Silences, newest first: `current` are those not yet expired or ended at `now`. */
export async function listSilences(db: Queryable, filter: { orgId?: string | null; current?: boolean; now: Date }): Promise<Silence[]> {
  const rows = await db.query<SilenceRow & Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM silences
      WHERE ($1::text IS NULL OR org_id = $1)
        AND (NOT $2 OR (ends_at > $3 AND (ended_at IS NULL OR ended_at > $3)))
      ORDER BY created_at DESC, id DESC LIMIT 500`,
    [filter.orgId ?? null, filter.current ?? false, filter.now],
  );
  return rows.map(toSilence);
}

/** The silences in force at `at`. */
export async function silencesInForce(db: Queryable, at: Date): Promise<Silence[]> {
  const rows = await db.query<SilenceRow & Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM silences WHERE starts_at <= $1 AND ends_at > $1 AND (ended_at IS NULL OR ended_at > $1) ORDER BY id`,
    [at],
  );
  return rows.map(toSilence);
}
