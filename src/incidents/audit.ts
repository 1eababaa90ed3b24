// The append-only, hash-chained audit log of every incident transition. Each incident has its own
// chain (so transitions of different incidents never wait for each other): row n carries
// hash_n = sha256(hash_{n-1} || "\n" || canonical(row_n)), row 1 starts from a genesis value
// derived from the incident id, and the incident row remembers the count and the head hash, so a
// changed, removed or inserted row — or a cut-off tail — shows. The product only ever INSERTs
// here; a trigger (migration 007) refuses UPDATE, DELETE and TRUNCATE.
import { createHash } from 'node:crypto';
import type { Queryable } from '../store/index.ts';
import type { Actor, IncidentAction, IncidentState } from './workflow.ts';

export type AuditAction = 'open' | IncidentAction | 'merged_in' | 'escalate' | 'attach_alarm';

export interface AuditEntry {
  incidentId: string;
  seq: number;
  action: AuditAction;
  fromState: IncidentState | null;
  toState: IncidentState;
  actorId: string;
  actorName: string;
  actorOrg: string | null;
  actorRoles: string[];
  reason: string | null;
  payload: Record<string, unknown>;
  at: string;
  prevHash: string;
  hash: string;
}

export interface ChainReport {
  ok: boolean;
  incidents: number;
  entries: number;
  /** The first break found per incident: which row and why. */
  problems: { incidentId: string; seq: number | null; problem: string }[];
}

/** Deterministic JSON: object keys sorted at every depth, no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function genesisHash(incidentId: string): string {
  return createHash('sha256').update(`lifeline incident ${incidentId} audit`).digest('hex');
}

export function entryHash(prevHash: string, entry: Omit<AuditEntry, 'hash' | 'prevHash'>): string {
  const canonical = canonicalJson({
    incidentId: entry.incidentId, seq: entry.seq, action: entry.action, fromState: entry.fromState, toState: entry.toState,
    actorId: entry.actorId, actorName: entry.actorName, actorOrg: entry.actorOrg, actorRoles: entry.actorRoles,
    reason: entry.reason, payload: entry.payload, at: entry.at,
  });
  return createHash('sha256').update(`${prevHash}\n${canonical}`).digest('hex');
}

export interface NewAuditEntry {
  action: AuditAction;
  fromState: IncidentState | null;
  toState: IncidentState;
  actor: Actor;
  reason: string | null;
  payload?: Record<string, unknown>;
  at: Date;
}

/**
 * Appends one entry to an incident's chain. The caller holds the incident row's lock (FOR UPDATE,
 * or it has just inserted it) in the same transaction, so appends to one chain are serialised.
 */
export async function appendAudit(tx: Queryable, incidentId: string, entry: NewAuditEntry): Promise<AuditEntry> {
  const [head] = await tx.query<{ audit_seq: number; audit_head: string | null }>(
    'SELECT audit_seq, audit_head FROM incidents WHERE id = $1', [incidentId],
  );
  if (!head) throw new Error(`incident ${incidentId} does not exist`);
  const prevHash = head.audit_head ?? genesisHash(incidentId);
  // jsonb keeps numbers and strings as JSON does; a round trip through JSON makes the hashed form the stored one.
  const payload = JSON.parse(JSON.stringify(entry.payload ?? {})) as Record<string, unknown>;
  const row: Omit<AuditEntry, 'hash' | 'prevHash'> = {
    incidentId, seq: head.audit_seq + 1, action: entry.action, fromState: entry.fromState, toState: entry.toState,
    actorId: entry.actor.userId, actorName: entry.actor.name, actorOrg: entry.actor.orgId, actorRoles: [...entry.actor.roles],
    reason: entry.reason, payload, at: entry.at.toISOString(),
  };
  const hash = entryHash(prevHash, row);
  await tx.query(
    `INSERT INTO incident_audit (incident_id, seq, action, from_state, to_state, actor_id, actor_name, actor_org, actor_roles, reason, payload, at, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [incidentId, row.seq, row.action, row.fromState, row.toState, row.actorId, row.actorName, row.actorOrg, row.actorRoles,
      row.reason, JSON.stringify(payload), entry.at, prevHash, hash],
  );
  await tx.query('UPDATE incidents SET audit_seq = $2, audit_head = $3 WHERE id = $1', [incidentId, row.seq, hash]);
  return { ...row, prevHash, hash };
}

interface AuditRow {
  incident_id: string; seq: number; action: AuditAction; from_state: IncidentState | null; to_state: IncidentState;
  actor_id: string; actor_name: string; actor_org: string | null; actor_roles: string[]; reason: string | null;
  payload: Record<string, unknown>; at: Date; prev_hash: string; hash: string;
}

const AUDIT_COLUMNS = `incident_id::text AS incident_id, seq, action, from_state, to_state, actor_id, actor_name, actor_org, actor_roles,
  reason, payload, at, prev_hash, hash`;

function toEntry(r: AuditRow): AuditEntry {
  return {
    incidentId: r.incident_id, seq: r.seq, action: r.action, fromState: r.from_state, toState: r.to_state, actorId: r.actor_id,
    actorName: r.actor_name, actorOrg: r.actor_org, actorRoles: r.actor_roles, reason: r.reason, payload: r.payload,
    at: r.at.toISOString(), prevHash: r.prev_hash, hash: r.hash,
  };
}

export async function listAudit(db: Queryable, incidentIds: string[]): Promise<AuditEntry[]> {
  if (incidentIds.length === 0) return [];
  const rows = await db.query<AuditRow & Record<string, unknown>>(
    `SELECT ${AUDIT_COLUMNS} FROM incident_audit WHERE incident_id = ANY($1::bigint[]) ORDER BY incident_id, seq`, [incidentIds],
  );
  return rows.map(toEntry);
}

/** Recomputes the chains of the given incidents (all when omitted) and reports every break. */
export async function verifyAudit(db: Queryable, incidentIds?: string[]): Promise<ChainReport> {
  const heads = await db.query<{ id: string; audit_seq: number; audit_head: string | null }>(
    `SELECT id::text AS id, audit_seq, audit_head FROM incidents WHERE $1::bigint[] IS NULL OR id = ANY($1::bigint[]) ORDER BY id`,
    [incidentIds ?? null],
  );
  const rows = await db.query<AuditRow & Record<string, unknown>>(
    `SELECT ${AUDIT_COLUMNS} FROM incident_audit WHERE $1::bigint[] IS NULL OR incident_id = ANY($1::bigint[]) ORDER BY incident_id, seq`,
    [incidentIds ?? null],
  );
  const byIncident = new Map<string, AuditEntry[]>();
  for (const r of rows) {
    const list = byIncident.get(r.incident_id) ?? [];
    list.push(toEntry(r));
    byIncident.set(r.incident_id, list);
  }
  const problems: ChainReport['problems'] = [];
  const known = new Set(heads.map((h) => h.id));
  for (const id of byIncident.keys()) if (!known.has(id)) problems.push({ incidentId: id, seq: null, problem: 'audit rows of an incident that does not exist' });
  for (const head of heads) {
    const entries = byIncident.get(head.id) ?? [];
    let prev = genesisHash(head.id);
    let broken = false;
    for (const [i, e] of entries.entries()) {
      const problem = e.seq !== i + 1 ? `expected row ${i + 1}, found row ${e.seq} (a row is missing)`
        : e.prevHash !== prev ? 'previous-hash link does not match the row before'
          : entryHash(prev, e) !== e.hash ? 'row content does not match its hash (edited)' : null;
      if (problem) {
        problems.push({ incidentId: head.id, seq: e.seq, problem });
        broken = true;
        break;
      }
      prev = e.hash;
    }
    if (broken) continue;
    if (entries.length !== head.audit_seq || (head.audit_seq > 0 && head.audit_head !== prev)) {
      problems.push({ incidentId: head.id, seq: null, problem: `the incident records ${head.audit_seq} rows ending in ${head.audit_head?.slice(0, 12) ?? 'none'}, the chain has ${entries.length}` });
    }
  }
  return { ok: problems.length === 0, incidents: heads.length, entries: rows.length, problems };
}
