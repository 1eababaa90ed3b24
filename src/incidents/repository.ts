import type { WarningLevel } from '../detect/index.ts';
import type { Queryable } from '../store/index.ts';
import { IncidentError, type Incident, type IncidentEvent } from './types.ts';
import { nextActions, nextState, type IncidentAction, type IncidentState } from './workflow.ts';

export interface NewIncident {
  title: string;
  level: WarningLevel;
  alarmId: string | null;
  assetId: string;
  ownerId: string;
}

/** The system actor recorded when detection opens an incident. */
export const SYSTEM_ACTOR = 'system';

/** Opens an incident for an alarm unless the alarm already has one; returns the new id or null. */
export async function openIncident(db: Queryable, incident: NewIncident, at: Date): Promise<string | null> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO incidents (title, state, level, alarm_id, asset_id, owner_id, opened_at, updated_at)
     VALUES ($1, 'open', $2, $3, $4, $5, $6, $6)
     ON CONFLICT (alarm_id) WHERE alarm_id IS NOT NULL DO NOTHING
     RETURNING id::text AS id`,
    [incident.title, incident.level, incident.alarmId, incident.assetId, incident.ownerId, at],
  );
  const id = rows[0]?.id ?? null;
  if (id) await recordEvent(db, id, 'open', null, 'open', SYSTEM_ACTOR, null, at);
  return id;
}

/** Raises the level of the incident behind an alarm; returns its id when there is one. */
export async function raiseIncidentForAlarm(db: Queryable, alarmId: string, level: WarningLevel, at: Date): Promise<string | null> {
  const rows = await db.query<{ id: string }>(
    `UPDATE incidents SET level = LEAST(level, $2), updated_at = $3
      WHERE alarm_id = $1 AND state <> 'closed' RETURNING id::text AS id`,
    [alarmId, level, at],
  );
  return rows[0]?.id ?? null;
}

async function recordEvent(
  db: Queryable, incidentId: string, action: IncidentEvent['action'], from: IncidentState | null, to: IncidentState,
  actor: string, note: string | null, at: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO incident_events (incident_id, action, from_state, to_state, actor, note, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [incidentId, action, from, to, actor, note, at],
  );
}

/** Applies one workflow action; the caller runs this in a transaction. */
export async function transitionIncident(
  db: Queryable, id: string, action: IncidentAction, actor: string, note: string | null, at: Date,
): Promise<void> {
  const [row] = await db.query<{ state: IncidentState }>('SELECT state FROM incidents WHERE id = $1 FOR UPDATE', [id]);
  if (!row) throw new IncidentError(`incident ${id} does not exist`, 'not_found');
  const to = nextState(row.state, action);
  if (!to) {
    const allowed = nextActions(row.state);
    throw new IncidentError(
      `incident ${id} is ${row.state}: '${action}' is not allowed (allowed: ${allowed.length ? allowed.join(', ') : 'none'})`,
      'illegal_transition',
    );
  }
  await db.query('UPDATE incidents SET state = $2, updated_at = $3 WHERE id = $1', [id, to, at]);
  await recordEvent(db, id, action, row.state, to, actor, note, at);
}

interface IncidentRow {
  id: string; title: string; state: IncidentState; level: number; alarm_id: string | null; asset_id: string;
  owner_id: string; owner_name: string; opened_at: Date; updated_at: Date;
}

export async function listIncidents(db: Queryable, filter: { ids?: string[]; limit?: number } = {}): Promise<Incident[]> {
  const rows = await db.query<IncidentRow & Record<string, unknown>>(
    `SELECT i.id::text AS id, i.title, i.state, i.level, i.alarm_id::text AS alarm_id, i.asset_id, i.owner_id,
            o.name AS owner_name, i.opened_at, i.updated_at
       FROM incidents i JOIN organisations o ON o.id = i.owner_id
      WHERE $1::bigint[] IS NULL OR i.id = ANY($1::bigint[])
      ORDER BY i.opened_at DESC, i.id DESC LIMIT $2`,
    [filter.ids ?? null, filter.limit ?? 500],
  );
  if (rows.length === 0) return [];
  const events = await db.query<{
    incident_id: string; action: IncidentEvent['action']; from_state: IncidentState | null; to_state: IncidentState;
    actor: string; note: string | null; at: Date;
  }>(
    `SELECT incident_id::text AS incident_id, action, from_state, to_state, actor, note, at
       FROM incident_events WHERE incident_id = ANY($1::bigint[]) ORDER BY at, id`,
    [rows.map((r) => r.id)],
  );
  const byIncident = new Map<string, IncidentEvent[]>();
  for (const e of events) {
    const list = byIncident.get(e.incident_id) ?? [];
    list.push({ action: e.action, fromState: e.from_state, toState: e.to_state, actor: e.actor, note: e.note, at: e.at.toISOString() });
    byIncident.set(e.incident_id, list);
  }
  return rows.map((r) => ({
    id: r.id, title: r.title, state: r.state, level: r.level as WarningLevel, alarmId: r.alarm_id, assetId: r.asset_id,
    ownerId: r.owner_id, ownerName: r.owner_name, openedAt: r.opened_at.toISOString(), updatedAt: r.updated_at.toISOString(),
    nextActions: nextActions(r.state), events: byIncident.get(r.id) ?? [],
  }));
}
