import type { WarningLevel } from '../detect/index.ts';
import type { Queryable } from '../store/index.ts';
import { appendAudit, listAudit, type AuditAction } from './audit.ts';
import type { IncidentType } from './incident-types.ts';
import { assignTypeAndSla, deadline, incidentDeadline, startsStage, stageOf, type SlaPolicy, type SlaStage } from './sla.ts';
import { IncidentError, type Incident, type IncidentEvent, type IncidentKind } from './types.ts';
import {
  allowedActions, nextActions, nextState, refusal, TRANSITIONS, type Actor, type IncidentAction, type IncidentState,
} from './workflow.ts';

/** The actor recorded when the platform itself acts (detection opens, the SLA check escalates). */
export const SYSTEM_ACTOR: Actor = { userId: 'system', name: 'system', orgId: null, orgKind: null, roles: ['admin'] };

export interface NewIncident {
  title: string;
  level: WarningLevel;
  alarmId: string | null;
  assetId: string;
  ownerId: string;
}

/**
 * Where an incident starts. Our choice: an alarm at level 1 (red) starts `verified` — a red
 * alarm goes straight to the dispatch queue, the centre can still reject it — every other alarm,
 * patrol and citizen report starts `reported` and waits for the centre's verification.
 */
export function initialState(kind: IncidentKind, level: WarningLevel): IncidentState {
  return kind === 'alarm' && level === 1 ? 'verified' : 'reported';
}

async function stamp(tx: Queryable, id: string, stage: SlaStage, due: Date): Promise<void> {
  await tx.query(
    `UPDATE incidents SET due_stage = $2, due_at = $3, overdue_stage = NULL,
            deadlines = deadlines || jsonb_build_object($2::text, $4::text) WHERE id = $1`,
    [id, stage, due, due.toISOString()],
  );
}

async function lockLiveIncidentOnAsset(tx: Queryable, assetId: string): Promise<{ id: string; state: IncidentState } | undefined> {
  const [row] = await tx.query<{ id: string; state: IncidentState }>(
    `SELECT id::text AS id, state FROM incidents WHERE asset_id = $1 AND state NOT IN ('closed', 'rejected')
      ORDER BY opened_at DESC, id DESC LIMIT 1 FOR UPDATE`,
    [assetId],
  );
  return row;
}

/**
 * Opens an incident for an alarm, or — when an incident on the same asset is still live — attaches
 * the alarm to it (several sensors, one leak). Returns the incident's id, null when the alarm
 * already had one.
 */
export async function openIncident(db: Queryable, incident: NewIncident, at: Date, sla?: SlaPolicy): Promise<string | null> {
  if (incident.alarmId) {
    const seen = await db.query('SELECT 1 FROM incident_alarms WHERE alarm_id = $1', [incident.alarmId]);
    if (seen.length > 0) return null;
    const live = await lockLiveIncidentOnAsset(db, incident.assetId);
    if (live) {
      await db.query('INSERT INTO incident_alarms (alarm_id, incident_id, attached_at) VALUES ($1, $2, $3)', [incident.alarmId, live.id, at]);
      await db.query('UPDATE incidents SET level = LEAST(level, $2), updated_at = $3 WHERE id = $1', [live.id, incident.level, at]);
      await appendAudit(db, live.id, {
        action: 'attach_alarm', fromState: live.state, toState: live.state, actor: SYSTEM_ACTOR, reason: null,
        payload: { alarmId: incident.alarmId, level: incident.level }, at,
      });
      return live.id;
    }
  }
  return createIncident(db, { kind: 'alarm', ...incident }, SYSTEM_ACTOR, at, sla);
}

export interface IncidentInput {
  kind: IncidentKind;
  title: string;
  level: WarningLevel;
  alarmId?: string | null;
  assetId?: string | null;
  ownerId?: string | null;
  description?: string | null;
  location?: { lon: number; lat: number } | null;
  address?: string | null;
  serviceCode?: string | null;
  reporter?: Record<string, string> | null;
  /** Default: derived from the alarm, the service code or the asset's network (src/incidents/incident-types.ts). */
  type?: IncidentType | null;
}

/** Inserts an incident in its initial state with its first deadline and audit row; returns its id. */
export async function createIncident(tx: Queryable, input: IncidentInput, actor: Actor, at: Date, sla?: SlaPolicy): Promise<string> {
  const state = initialState(input.kind, input.level);
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO incidents (kind, title, description, state, level, alarm_id, asset_id, owner_id, lon, lat, address, service_code, reporter, opened_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id::text AS id`,
    [input.kind, input.title, input.description ?? null, state, input.level, input.alarmId ?? null, input.assetId ?? null, input.ownerId ?? null,
      input.location?.lon ?? null, input.location?.lat ?? null, input.address ?? null, input.serviceCode ?? null,
      input.reporter ? JSON.stringify(input.reporter) : null, at],
  );
  const id = row!.id;
  if (input.alarmId) await tx.query('INSERT INTO incident_alarms (alarm_id, incident_id, attached_at) VALUES ($1, $2, $3)', [input.alarmId, id, at]);
  await assignTypeAndSla(tx, id, input);
  const stage = startsStage(null, state, 'open');
  if (stage) await stamp(tx, id, stage, sla ? deadline(sla, input.level, stage, at) : await incidentDeadline(tx, id, stage, at));
  await appendAudit(tx, id, {
    action: 'open', fromState: null, toState: state, actor, reason: null, at,
    payload: { kind: input.kind, level: input.level, alarmId: input.alarmId ?? null, assetId: input.assetId ?? null, ownerId: input.ownerId ?? null },
  });
  return id;
}

/** Raises the level of the incident grouping an alarm; returns its id when there is one. */
export async function raiseIncidentForAlarm(db: Queryable, alarmId: string, level: WarningLevel, at: Date): Promise<string | null> {
  const rows = await db.query<{ id: string }>(
    `UPDATE incidents i SET level = LEAST(i.level, $2), updated_at = $3
       FROM incident_alarms ia WHERE ia.alarm_id = $1 AND i.id = ia.incident_id AND i.state NOT IN ('closed', 'rejected')
     RETURNING i.id::text AS id`,
    [alarmId, level, at],
  );
  return rows[0]?.id ?? null;
}

/** The incident grouping each alarm (alarm id → incident id). */
export async function incidentIdsForAlarms(db: Queryable, alarmIds: string[]): Promise<Map<string, string>> {
  if (alarmIds.length === 0) return new Map();
  const rows = await db.query<{ alarm_id: string; incident_id: string }>(
    'SELECT alarm_id::text AS alarm_id, incident_id::text AS incident_id FROM incident_alarms WHERE alarm_id = ANY($1::bigint[])', [alarmIds],
  );
  return new Map(rows.map((r) => [r.alarm_id, r.incident_id]));
}

export interface TransitionInput {
  /** The reason or feedback notes; required where the table says so. */
  reason?: string | null;
  /** dispatch: the owner unit (default: the suggested one). */
  orgId?: string | null;
  /** dispose feedback etc.: { location: { lon, lat }, readings: [...] }; recorded in the audit row. */
  payload?: Record<string, unknown>;
}

interface LockedIncident { id: string; state: IncidentState; level: WarningLevel; owner_id: string | null }

async function lockIncident(tx: Queryable, id: string): Promise<LockedIncident> {
  if (!/^\d{1,18}$/.test(id)) throw new IncidentError(`incident ${id} does not exist`, 'not_found');
  const [row] = await tx.query<LockedIncident & Record<string, unknown>>(
    'SELECT id::text AS id, state, level, owner_id FROM incidents WHERE id = $1 FOR UPDATE', [id],
  );
  if (!row) throw new IncidentError(`incident ${id} does not exist`, 'not_found');
  return row;
}

function checkStep(row: LockedIncident, action: IncidentAction, actor: Actor, reason: string | null): IncidentState {
  const to = nextState(row.state, action);
  if (!to) {
    const allowed = nextActions(row.state).filter((a) => a !== 'merge');
    throw new IncidentError(
      `incident ${row.id} is ${row.state}: '${action}' is not allowed (allowed: ${allowed.length ? allowed.join(', ') : 'none'})`,
      'illegal_transition',
    );
  }
  const refused = refusal(actor, action, row.owner_id);
  if (refused) throw new IncidentError(`incident ${row.id}: ${refused}`, 'forbidden');
  if (TRANSITIONS[action].reason && !reason?.trim()) throw new IncidentError(`'${action}' needs a reason`, 'invalid');
  return to;
}

/** Applies one workflow action; the caller runs this in a transaction. Nothing changes when it throws. */
export async function transitionIncident(
  tx: Queryable, id: string, action: IncidentAction, actor: Actor, input: TransitionInput, at: Date,
): Promise<void> {
  if (action === 'merge') throw new IncidentError(`merge through POST /api/incidents/${id}/merge`, 'invalid');
  const row = await lockIncident(tx, id);
  const reason = input.reason?.trim() || null;
  const to = checkStep(row, action, actor, reason);
  const payload: Record<string, unknown> = { ...(input.payload ?? {}) };
  let ownerId = row.owner_id;
  if (action === 'dispatch') {
    ownerId = input.orgId ?? row.owner_id;
    if (!ownerId) throw new IncidentError(`incident ${id} has no suggested owner unit: name one (orgId)`, 'invalid');
    const [org] = await tx.query<{ kind: string; name: string }>('SELECT kind, name FROM organisations WHERE id = $1', [ownerId]);
    if (!org || org.kind !== 'owner') throw new IncidentError(`${ownerId} is not an owner unit`, 'invalid');
    payload.orgId = ownerId;
    payload.orgName = org.name;
    if (row.owner_id && row.owner_id !== ownerId) payload.suggestedOrgId = row.owner_id;
  }
  if (action === 'decline') payload.orgId = row.owner_id;
  await tx.query('UPDATE incidents SET state = $2, owner_id = $3, updated_at = $4 WHERE id = $1', [id, to, ownerId, at]);
  const stage = startsStage(row.state, to, action);
  if (stage) {
    const due = await incidentDeadline(tx, id, stage, at);
    await stamp(tx, id, stage, due);
    payload.deadline = { stage, dueAt: due.toISOString() };
  } else if (!stageOf(to)) {
    await tx.query('UPDATE incidents SET due_stage = NULL, due_at = NULL, overdue_stage = NULL WHERE id = $1', [id]);
  }
  await appendAudit(tx, id, { action, fromState: row.state, toState: to, actor, reason, payload, at });
}

/**
 * Merges a duplicate into another incident: the duplicate is rejected (reason: duplicate of #target)
 * and its alarms move to the target; both chains record it. Locks both rows in id order.
 */
export async function mergeIncident(tx: Queryable, sourceId: string, targetId: string, actor: Actor, reason: string | null, at: Date): Promise<void> {
  if (sourceId === targetId) throw new IncidentError('an incident cannot be merged into itself', 'invalid');
  const [first, second] = BigInt(sourceId) < BigInt(targetId) ? [sourceId, targetId] : [targetId, sourceId];
  const a = await lockIncident(tx, first);
  const b = await lockIncident(tx, second);
  const [source, target] = a.id === sourceId ? [a, b] : [b, a];
  if (target.state === 'rejected' || target.state === 'closed') {
    throw new IncidentError(`incident ${targetId} is ${target.state}: merge into a live incident`, 'illegal_transition');
  }
  const why = reason?.trim() || `duplicate of #${targetId}`;
  const to = checkStep(source, 'merge', actor, why);
  const moved = await tx.query<{ alarm_id: string }>(
    'UPDATE incident_alarms SET incident_id = $2 WHERE incident_id = $1 RETURNING alarm_id::text AS alarm_id', [sourceId, targetId],
  );
  await tx.query(
    `UPDATE incidents SET state = $2, merged_into = $3, updated_at = $4, due_stage = NULL, due_at = NULL, overdue_stage = NULL WHERE id = $1`,
    [sourceId, to, targetId, at],
  );
  await tx.query(
    `UPDATE incidents t SET level = LEAST(t.level, s.level), updated_at = $3 FROM incidents s WHERE t.id = $1 AND s.id = $2`,
    [targetId, sourceId, at],
  );
  const alarmIds = moved.map((m) => m.alarm_id);
  await appendAudit(tx, sourceId, { action: 'merge', fromState: source.state, toState: to, actor, reason: why, payload: { into: targetId, alarmIds }, at });
  await appendAudit(tx, targetId, {
    action: 'merged_in', fromState: target.state, toState: target.state, actor, reason: why, payload: { from: sourceId, alarmIds }, at,
  });
}

/**
 * Marks incidents whose running stage is past its deadline as overdue and escalates each to the
 * bureau supervisor (an audit row), once per stage. Safe on several processes at once: rows are
 * claimed with FOR UPDATE SKIP LOCKED and the condition is re-checked under the lock, so each
 * stage escalates exactly once. Returns the escalated incidents' ids.
 */
export async function escalateOverdue(tx: Queryable, now: Date, limit = 200): Promise<string[]> {
  const rows = await tx.query<{ id: string; state: IncidentState; due_stage: SlaStage; due_at: Date; owner_id: string | null }>(
    `SELECT id::text AS id, state, due_stage, due_at, owner_id FROM incidents
      WHERE due_at <= $1 AND due_stage IS NOT NULL AND overdue_stage IS DISTINCT FROM due_stage
      ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  for (const r of rows) {
    await tx.query('UPDATE incidents SET overdue_stage = due_stage, escalated_at = $2 WHERE id = $1', [r.id, now]);
    await appendAudit(tx, r.id, {
      action: 'escalate', fromState: r.state, toState: r.state, actor: SYSTEM_ACTOR, at: now,
      reason: `${r.due_stage} deadline ${r.due_at.toISOString()} passed`,
      payload: { stage: r.due_stage, dueAt: r.due_at.toISOString(), escalatedTo: 'bureau_supervisor', ownerId: r.owner_id },
    });
  }
  return rows.map((r) => r.id);
}

/**
 * Copies the history of incidents migrated from before the audit log (incident_events) into their
 * audit chains, once: only incidents without any audit row are touched. Only INSERTs.
 */
export async function backfillAudit(db: { transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> } & Queryable): Promise<number> {
  const pending = await db.query<{ id: string }>('SELECT id::text AS id FROM incidents WHERE audit_seq = 0 ORDER BY id');
  const legacyState = (s: string | null, level: number): IncidentState | null =>
    s === null ? null : s === 'open' ? initialState('alarm', level as WarningLevel) : (s as IncidentState);
  for (const { id } of pending) {
    await db.transaction(async (tx) => {
      const [row] = await tx.query<{ level: number; audit_seq: number; state: IncidentState; opened_at: Date }>(
        'SELECT level, audit_seq, state, opened_at FROM incidents WHERE id = $1 FOR UPDATE', [id],
      );
      if (!row || row.audit_seq > 0) return;
      const events = await tx.query<{ action: string; from_state: string | null; to_state: string; actor: string; note: string | null; at: Date }>(
        'SELECT action, from_state, to_state, actor, note, at FROM incident_events WHERE incident_id = $1 ORDER BY at, id', [id],
      );
      if (events.length === 0) events.push({ action: 'open', from_state: null, to_state: row.state, actor: 'system', note: null, at: row.opened_at });
      for (const e of events) {
        await appendAudit(tx, id, {
          action: e.action as AuditAction, fromState: legacyState(e.from_state, row.level), toState: legacyState(e.to_state, row.level)!,
          actor: { userId: e.actor, name: e.actor, orgId: null, orgKind: null, roles: [] }, reason: e.note, payload: { migrated: true }, at: e.at,
        });
      }
    });
  }
  return pending.length;
}

interface IncidentRow {
  id: string; kind: IncidentKind; title: string; description: string | null; state: IncidentState; level: number;
  alarm_id: string | null; alarm_ids: string[] | null; asset_id: string | null; lon: number | null; lat: number | null;
  owner_id: string | null; owner_name: string | null; opened_at: Date; updated_at: Date; due_stage: SlaStage | null; due_at: Date | null;
  deadlines: Partial<Record<SlaStage, string>>; overdue_stage: string | null; escalated_at: Date | null; merged_into: string | null;
  incident_type: IncidentType; sla_version: number | null;
}

export interface IncidentFilter {
  ids?: string[];
  limit?: number;
  /** Only incidents assigned to this owner unit (owner scoping). */
  ownerId?: string;
  state?: IncidentState;
  /** Only incidents whose running stage was escalated as overdue. */
  overdue?: boolean;
  kind?: IncidentKind;
}

export async function listIncidents(db: Queryable, filter: IncidentFilter = {}, actor?: Actor): Promise<Incident[]> {
  const rows = await db.query<IncidentRow & Record<string, unknown>>(
    `SELECT i.id::text AS id, i.kind, i.title, i.description, i.state, i.level, i.alarm_id::text AS alarm_id,
            (SELECT array_agg(ia.alarm_id::text ORDER BY ia.alarm_id) FROM incident_alarms ia WHERE ia.incident_id = i.id) AS alarm_ids,
            i.asset_id, i.lon, i.lat, i.owner_id, o.name AS owner_name, i.opened_at, i.updated_at, i.due_stage, i.due_at, i.deadlines,
            i.overdue_stage, i.escalated_at, i.merged_into::text AS merged_into, i.incident_type, i.sla_version
       FROM incidents i LEFT JOIN organisations o ON o.id = i.owner_id
      WHERE ($1::bigint[] IS NULL OR i.id = ANY($1::bigint[])) AND ($3::text IS NULL OR i.owner_id = $3)
        AND ($4::text IS NULL OR i.state = $4) AND ($5::boolean IS NULL OR (i.overdue_stage IS NOT NULL AND i.overdue_stage = i.due_stage) = $5)
        AND ($6::text IS NULL OR i.kind = $6)
      ORDER BY i.opened_at DESC, i.id DESC LIMIT $2`,
    [filter.ids ?? null, filter.limit ?? 500, filter.ownerId ?? null, filter.state ?? null, filter.overdue ?? null, filter.kind ?? null],
  );
  if (rows.length === 0) return [];
  const byIncident = new Map<string, IncidentEvent[]>();
  for (const e of await listAudit(db, rows.map((r) => r.id))) {
    const list = byIncident.get(e.incidentId) ?? [];
    list.push({
      seq: e.seq, action: e.action, fromState: e.fromState, toState: e.toState, actor: e.actorName, actorId: e.actorId, actorOrg: e.actorOrg,
      note: e.reason, payload: e.payload, at: e.at, hash: e.hash,
    });
    byIncident.set(e.incidentId, list);
  }
  return rows.map((r) => {
    const next = nextActions(r.state).filter((a) => a !== 'merge');
    return {
      id: r.id, kind: r.kind, type: r.incident_type, slaVersion: r.sla_version, title: r.title, description: r.description, state: r.state, level: r.level as WarningLevel,
      alarmId: r.alarm_id, alarmIds: r.alarm_ids ?? [], assetId: r.asset_id,
      location: r.lon !== null && r.lat !== null ? { lon: r.lon, lat: r.lat } : null,
      ownerId: r.owner_id, ownerName: r.owner_name, openedAt: r.opened_at.toISOString(), updatedAt: r.updated_at.toISOString(),
      dueStage: r.due_stage, dueAt: r.due_at?.toISOString() ?? null, deadlines: r.deadlines ?? {},
      overdue: r.overdue_stage !== null && r.overdue_stage === r.due_stage, escalatedAt: r.escalated_at?.toISOString() ?? null,
      mergedInto: r.merged_into, nextActions: next, allowedActions: actor ? allowedActions(r.state, actor, r.owner_id) : next,
      events: byIncident.get(r.id) ?? [],
    };
  });
}
