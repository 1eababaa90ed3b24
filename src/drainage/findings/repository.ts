import { createIncident, type Actor } from '../../incidents/index.ts';
import type { WarningLevel } from '../../detect/index.ts';
import type { Geometry } from '../../network/index.ts';
import type { Queryable } from '../../store/index.ts';
import { segmentLocation } from '../inspections/index.ts';
import {
  FINDING_SUBTYPES, FindingError, type Finding, type FindingAction, type FindingHistoryEntry, type FindingKind, type FindingStatus, type SourceKind,
} from './types.ts';
import { allowedFindingActions, FINDING_TRANSITIONS, hasRole, WORK_ORDER_FROM, WORK_ORDER_ROLES } from './workflow.ts';

export interface NewFinding {
  kind: FindingKind;
  subtype: string;
  /** The pipe, manhole or outfall where it was found; its owner unit becomes the finding's. */
  assetId?: string | null;
  /** Without an asset: where, and whose. */
  location?: { lon: number; lat: number } | null;
  ownerId?: string | null;
  address?: string | null;
  upstreamSource?: string | null;
  sourceKind?: SourceKind | null;
  description?: string | null;
  campaignId?: string | null;
  /** YYYY-MM-DD; default: the day of `at`. */
  foundOn?: string | null;
}

/** The descriptive fields that may be corrected later (never the status: that goes through the workflow). */
export type FindingPatch = Partial<Pick<NewFinding, 'subtype' | 'address' | 'upstreamSource' | 'sourceKind' | 'description'>>;

type FindingRow = Record<string, unknown> & {
  id: string; kind: FindingKind; subtype: string; status: FindingStatus; asset_id: string | null; owner_id: string; lon: number; lat: number;
  address: string | null; upstream_source: string | null; source_kind: SourceKind | null; description: string | null; campaign_id: string | null;
  incident_id: string | null; incident_state: string | null; found_on: string; updated_at: Date; history: FindingHistoryEntry[];
};

function checkSubtype(kind: FindingKind, subtype: string): void {
  if (!FINDING_SUBTYPES[kind].includes(subtype)) throw new FindingError(`subtype: ${kind} is one of ${FINDING_SUBTYPES[kind].join(', ')}, not ${subtype}`, 'invalid');
}

const entry = (e: Omit<FindingHistoryEntry, 'actor'>, actor: Actor): FindingHistoryEntry => ({ ...e, actor: actor.name });

/** Registers a finding; `ownerScope` confines it to the caller's own unit's assets. Returns its id. */
export async function createFinding(tx: Queryable, input: NewFinding, actor: Actor, at: Date, ownerScope: string | null): Promise<string> {
  checkSubtype(input.kind, input.subtype);
  let ownerId = input.ownerId ?? null;
  let location = input.location ?? null;
  if (input.assetId) {
    const [asset] = await tx.query<{ owner_id: string; network: string; geometry: Geometry }>('SELECT owner_id, network, geometry FROM assets WHERE id = $1', [input.assetId]);
    if (!asset || (ownerScope !== null && asset.owner_id !== ownerScope)) throw new FindingError(`assetId: asset ${input.assetId} does not exist`, 'invalid');
    ownerId = asset.owner_id;
    location ??= segmentLocation(asset.geometry);
  }
  if (ownerScope !== null) {
    if (ownerId && ownerId !== ownerScope) throw new FindingError(`ownerId: an owner unit registers findings of its own unit (${ownerScope}) only`, 'forbidden');
    ownerId = ownerScope;
  }
  if (!ownerId) throw new FindingError('ownerId: name the owner unit, or an assetId', 'invalid');
  if (!location) throw new FindingError('location: give { lon, lat }, or an assetId', 'invalid');
  const [org] = await tx.query<{ kind: string }>('SELECT kind FROM organisations WHERE id = $1', [ownerId]);
  if (!org || org.kind !== 'owner') throw new FindingError(`ownerId: ${ownerId} is not an owner unit`, 'invalid');
  if (input.campaignId) {
    const [campaign] = await tx.query('SELECT 1 FROM inspection_campaigns WHERE id = $1', [input.campaignId]);
    if (!campaign) throw new FindingError(`campaignId: campaign ${input.campaignId} does not exist`, 'invalid');
  }
  const history = [entry({ action: 'create', from: null, to: 'found', note: null, at: at.toISOString() }, actor)];
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO drainage_findings (kind, subtype, status, asset_id, owner_id, lon, lat, address, upstream_source, source_kind, description, campaign_id, found_on, updated_at, history)
     VALUES ($1, $2, 'found', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id::text AS id`,
    [input.kind, input.subtype, input.assetId ?? null, ownerId, location.lon, location.lat, input.address ?? null, input.upstreamSource ?? null,
      input.sourceKind ?? null, input.description ?? null, input.campaignId ?? null, input.foundOn ?? at.toISOString().slice(0, 10), at, JSON.stringify(history)],
  );
  return row!.id;
}

export interface FindingFilter {
  ids?: string[];
  kind?: FindingKind;
  status?: FindingStatus;
  campaignId?: string;
  ownerId?: string | null;
  limit?: number;
}

export async function listFindings(db: Queryable, filter: FindingFilter, actor: Actor): Promise<Finding[]> {
  const rows = await db.query<FindingRow>(
    `SELECT f.id::text AS id, f.kind, f.subtype, f.status, f.asset_id, f.owner_id, f.lon, f.lat, f.address, f.upstream_source, f.source_kind,
            f.description, f.campaign_id, f.incident_id::text AS incident_id, i.state AS incident_state, to_char(f.found_on, 'YYYY-MM-DD') AS found_on,
            f.updated_at, f.history
       FROM drainage_findings f LEFT JOIN incidents i ON i.id = f.incident_id
      WHERE ($1::bigint[] IS NULL OR f.id = ANY($1::bigint[])) AND ($2::text IS NULL OR f.kind = $2) AND ($3::text IS NULL OR f.status = $3)
        AND ($4::text IS NULL OR f.campaign_id = $4) AND ($5::text IS NULL OR f.owner_id = $5)
      ORDER BY f.found_on DESC, f.id DESC LIMIT $6`,
    [filter.ids ?? null, filter.kind ?? null, filter.status ?? null, filter.campaignId ?? null, filter.ownerId ?? null, filter.limit ?? 2000],
  );
  return rows.map((r) => ({
    id: r.id, kind: r.kind, subtype: r.subtype, status: r.status, assetId: r.asset_id, ownerId: r.owner_id, location: { lon: r.lon, lat: r.lat },
    address: r.address, upstreamSource: r.upstream_source, sourceKind: r.source_kind, description: r.description, campaignId: r.campaign_id,
    incidentId: r.incident_id, foundOn: r.found_on, updatedAt: r.updated_at.toISOString(), history: r.history,
    allowedActions: allowedFindingActions(r.status, actor),
    canCreateWorkOrder: workOrderRefusal(r, actor) === null,
  }));
}

function workOrderRefusal(row: Pick<FindingRow, 'id' | 'status' | 'incident_id' | 'incident_state'>, actor: Actor): string | null {
  if (!hasRole(actor, WORK_ORDER_ROLES)) return `finding ${row.id}: a work order needs one of the roles ${WORK_ORDER_ROLES.join(', ')}`;
  if (!WORK_ORDER_FROM.includes(row.status)) return `finding ${row.id} is ${row.status}: a work order is opened for a finding that is ${WORK_ORDER_FROM.join(', ')}`;
  if (row.incident_id && !['closed', 'rejected'].includes(row.incident_state ?? '')) return `finding ${row.id} already has work order (incident ${row.incident_id})`;
  return null;
}

async function lockFinding(tx: Queryable, id: string, ownerScope: string | null): Promise<FindingRow> {
  const [row] = /^\d{1,18}$/.test(id)
    ? await tx.query<FindingRow>(
      `SELECT f.id::text AS id, f.kind, f.subtype, f.status, f.asset_id, f.owner_id, f.history, f.incident_id::text AS incident_id,
              (SELECT state FROM incidents WHERE id = f.incident_id) AS incident_state, f.address, f.upstream_source, f.description
         FROM drainage_findings f WHERE f.id = $1 FOR UPDATE`, [id])
    : [];
  // Another unit's finding answers as a missing one does.
  if (!row || (ownerScope !== null && row.owner_id !== ownerScope)) throw new FindingError(`finding ${id} does not exist`, 'not_found');
  return row;
}

export async function updateFinding(tx: Queryable, id: string, patch: FindingPatch, at: Date, ownerScope: string | null): Promise<void> {
  const row = await lockFinding(tx, id, ownerScope);
  if (patch.subtype !== undefined) checkSubtype(row.kind, patch.subtype);
  await tx.query(
    `UPDATE drainage_findings SET subtype = coalesce($2, subtype), address = CASE WHEN $3 THEN $4 ELSE address END,
            upstream_source = CASE WHEN $5 THEN $6 ELSE upstream_source END, source_kind = CASE WHEN $7 THEN $8 ELSE source_kind END,
            description = CASE WHEN $9 THEN $10 ELSE description END, updated_at = $11 WHERE id = $1`,
    [id, patch.subtype ?? null, patch.address !== undefined, patch.address ?? null, patch.upstreamSource !== undefined, patch.upstreamSource ?? null,
      patch.sourceKind !== undefined, patch.sourceKind ?? null, patch.description !== undefined, patch.description ?? null, at],
  );
}

/** Applies one workflow action; the caller runs it in a transaction, nothing changes when it throws. */
export async function transitionFinding(tx: Queryable, id: string, action: FindingAction, actor: Actor, note: string | null, at: Date, ownerScope: string | null): Promise<void> {
  const row = await lockFinding(tx, id, ownerScope);
  const rule = FINDING_TRANSITIONS[action];
  if (!rule.from.includes(row.status)) {
    const allowed = allowedFindingActions(row.status, { ...actor, roles: ['admin'] });
    throw new FindingError(`finding ${id} is ${row.status}: '${action}' is not allowed (allowed: ${allowed.join(', ') || 'none'})`, 'illegal_transition');
  }
  if (!hasRole(actor, rule.roles)) throw new FindingError(`'${action}' needs one of the roles ${rule.roles.join(', ')}`, 'forbidden');
  const reason = note?.trim() || null;
  if (rule.note && !reason) throw new FindingError(`'${action}' needs a note (the reason)`, 'invalid');
  const history = [...row.history, entry({ action, from: row.status, to: rule.to, note: reason, at: at.toISOString() }, actor)];
  await tx.query('UPDATE drainage_findings SET status = $2, updated_at = $3, history = $4 WHERE id = $1', [id, rule.to, at, JSON.stringify(history)]);
}

const KIND_TITLE: Record<FindingKind, string> = { misconnection: '混错接整改', intrusion: '河湖水入侵整治', leak: '漏损修复' };

/**
 * Turns a finding into a work order: an incident (a patrol report) for the finding's owner unit
 * at its asset, through the incident workflow; the finding moves to remediating and keeps the
 * incident's id. Returns the incident id.
 */
export async function createWorkOrder(
  tx: Queryable, id: string, actor: Actor, options: { level?: WarningLevel; note?: string | null }, at: Date, ownerScope: string | null,
): Promise<string> {
  const row = await lockFinding(tx, id, ownerScope);
  const refused = workOrderRefusal(row, actor);
  if (refused) throw new FindingError(refused, refused.includes('roles') ? 'forbidden' : 'illegal_transition');
  const [where] = await tx.query<{ lon: number; lat: number }>('SELECT lon, lat FROM drainage_findings WHERE id = $1', [id]);
  const incidentId = await createIncident(tx, {
    kind: 'patrol', level: options.level ?? 3,
    title: `${KIND_TITLE[row.kind]} #${id}${row.asset_id ? ` ${row.asset_id}` : ''}`,
    description: [row.description, row.upstream_source ? `上游来源 upstream: ${row.upstream_source}` : null, options.note?.trim() || null, `finding ${id} (${row.kind}/${row.subtype})`]
      .filter(Boolean).join('\n'),
    assetId: row.asset_id, ownerId: row.owner_id, location: where ?? null, address: row.address,
  }, actor, at);
  const to: FindingStatus = 'remediating';
  const history = [...row.history, entry({ action: 'work_order', from: row.status, to, note: options.note?.trim() || null, at: at.toISOString(), incidentId }, actor)];
  await tx.query('UPDATE drainage_findings SET status = $2, incident_id = $3, updated_at = $4, history = $5 WHERE id = $1', [id, to, incidentId, at, JSON.stringify(history)]);
  return incidentId;
}
