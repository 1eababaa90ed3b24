// Inbound feedback from integrations (an owner unit's own dispatch system, the 12345 platform):
// each holds an integration key (id, secret, the organisation and role it acts as). A delivery is
// signed like our webhooks (signature.ts) and carries a delivery id; it is accepted when the
// signature matches, the timestamp is within 5 minutes and the id is new for the key — a replay
// answers 409, a stale or forged one 401, and nothing changes. Every attempt is logged.
import { z } from 'zod';
import {
  IncidentError, INCIDENT_ACTIONS, transitionIncident, type Actor, type IncidentAction, type OrgKind, type Role,
} from '../incidents/index.ts';
import type { Queryable } from '../store/index.ts';
import { TIMESTAMP_TOLERANCE_S, verifySignature } from './signature.ts';
import { generateSecret } from './webhooks.ts';

export interface IntegrationKey {
  id: string;
  name: string;
  orgId: string;
  role: Role;
  active: boolean;
  createdBy: string;
  createdAt: string;
}

/** Roles an integration may act as (never admin: an integration is one unit's or the centre's system). */
export const INTEGRATION_ROLES: readonly Role[] = ['centre_operator', 'owner_dispatcher', 'field_crew', 'bureau_supervisor'];

interface KeyRow { id: string; name: string; secret: string; org_id: string; role: Role; active: boolean; created_by: string; created_at: Date; org_kind: OrgKind }

const toKey = (r: KeyRow): IntegrationKey => ({ id: r.id, name: r.name, orgId: r.org_id, role: r.role, active: r.active, createdBy: r.created_by, createdAt: r.created_at.toISOString() });

export class InboundError extends Error {
  constructor(readonly status: 400 | 401 | 403 | 404 | 409, message: string) {
    super(message);
  }
}

export async function createIntegrationKey(
  db: Queryable, input: { id: string; name: string; orgId: string; role: Role }, createdBy: string, at: Date,
): Promise<IntegrationKey & { secret: string }> {
  const [org] = await db.query<{ kind: OrgKind }>('SELECT kind FROM organisations WHERE id = $1', [input.orgId]);
  if (!org) throw new InboundError(400, `orgId: organisation ${input.orgId} does not exist`);
  const unitRole = input.role === 'owner_dispatcher' || input.role === 'field_crew';
  if (unitRole !== (org.kind === 'owner')) throw new InboundError(400, `role: ${input.role} does not fit ${input.orgId} (a ${org.kind} organisation)`);
  const [exists] = await db.query('SELECT 1 FROM integration_keys WHERE id = $1', [input.id]);
  if (exists) throw new InboundError(409, `id: integration key ${input.id} exists`);
  const secret = generateSecret('llik');
  const [row] = await db.query<KeyRow & Record<string, unknown>>(
    `INSERT INTO integration_keys (id, name, secret, org_id, role, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     RETURNING id, name, secret, org_id, role, active, created_by, created_at`,
    [input.id, input.name, secret, input.orgId, input.role, createdBy, at],
  );
  return { ...toKey({ ...row!, org_kind: org.kind }), secret };
}

export async function listIntegrationKeys(db: Queryable): Promise<IntegrationKey[]> {
  const rows = await db.query<KeyRow & Record<string, unknown>>(
    'SELECT k.id, k.name, k.secret, k.org_id, k.role, k.active, k.created_by, k.created_at, o.kind AS org_kind FROM integration_keys k JOIN organisations o ON o.id = k.org_id ORDER BY k.id',
  );
  return rows.map(toKey);
}

export async function deactivateIntegrationKey(db: Queryable, id: string): Promise<boolean> {
  return (await db.query('UPDATE integration_keys SET active = false WHERE id = $1 RETURNING id', [id])).length > 0;
}

const feedbackBody = z.object({
  incidentId: z.string().regex(/^\d{1,18}$/),
  action: z.enum(INCIDENT_ACTIONS.filter((a) => a !== 'merge') as [IncidentAction, ...IncidentAction[]]),
  note: z.string().max(2000).optional(),
  orgId: z.string().min(1).max(100).optional(),
  location: z.object({ lon: z.number().min(-180).max(180), lat: z.number().min(-90).max(90) }).optional(),
  readings: z.array(z.object({ name: z.string().min(1).max(100), value: z.number().finite(), unit: z.string().max(20).optional() })).max(50).optional(),
  /** The integration's own reference for the case (e.g. its work order number), recorded in the audit row. */
  externalRef: z.string().max(200).optional(),
});

export interface InboundRequest {
  keyId: string;
  deliveryId: string | undefined;
  signature: string | undefined;
  /** The body exactly as received. */
  body: string;
}

/**
 * Verifies and applies one inbound delivery in one transaction (the delivery id is stored with the
 * change, so a replay finds it). Throws InboundError or IncidentError; nothing changes then.
 * Returns the incident id changed.
 */
export async function applyFeedback(
  db: Queryable & { transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> }, request: InboundRequest, now: Date,
): Promise<{ incidentId: string; action: IncidentAction }> {
  const [key] = /^[a-z0-9][a-z0-9._-]{1,63}$/.test(request.keyId)
    ? await db.query<KeyRow & Record<string, unknown>>(
      'SELECT k.id, k.name, k.secret, k.org_id, k.role, k.active, k.created_by, k.created_at, o.kind AS org_kind FROM integration_keys k JOIN organisations o ON o.id = k.org_id WHERE k.id = $1',
      [request.keyId],
    )
    : [];
  if (!key || !key.active) throw new InboundError(401, `unknown or switched-off integration key ${request.keyId}`);
  if (!request.deliveryId || !/^[A-Za-z0-9_.:-]{8,100}$/.test(request.deliveryId)) {
    throw new InboundError(400, 'x-lifeline-delivery: a unique delivery id of 8 to 100 letters, digits, _ . : - is required');
  }
  const verified = verifySignature({ header: request.signature, secret: key.secret, deliveryId: request.deliveryId, body: request.body, nowMs: now.getTime(), toleranceS: TIMESTAMP_TOLERANCE_S });
  if (!verified.ok) throw new InboundError(401, verified.reason);
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch {
    throw new InboundError(400, 'body: not JSON');
  }
  const body = feedbackBody.safeParse(parsed);
  if (!body.success) throw new InboundError(400, body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  const b = body.data;
  const actor: Actor = { userId: `integration:${key.id}`, name: key.name, orgId: key.org_id, orgKind: key.org_kind, roles: [key.role] };
  await db.transaction(async (tx) => {
    const [incident] = await tx.query<{ owner_id: string | null }>('SELECT owner_id FROM incidents WHERE id = $1', [b.incidentId]);
    // An owner unit's system reaches only its unit's incidents; another's answers as a missing one.
    if (!incident || (key.org_kind === 'owner' && incident.owner_id !== key.org_id)) throw new InboundError(404, `incident ${b.incidentId} does not exist`);
    const [fresh] = await tx.query<{ received_at: Date }>(
      'INSERT INTO inbound_deliveries (key_id, delivery_id, received_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING received_at',
      [key.id, request.deliveryId, now],
    );
    if (!fresh) {
      const [seen] = await tx.query<{ received_at: Date }>('SELECT received_at FROM inbound_deliveries WHERE key_id = $1 AND delivery_id = $2', [key.id, request.deliveryId]);
      throw new InboundError(409, `delivery ${request.deliveryId} was already received at ${seen?.received_at.toISOString() ?? 'an earlier time'}: a replay changes nothing`);
    }
    const payload: Record<string, unknown> = { via: 'integration', integration: key.id, deliveryId: request.deliveryId };
    if (b.location) payload.location = b.location;
    if (b.readings) payload.readings = b.readings;
    if (b.externalRef) payload.externalRef = b.externalRef;
    await transitionIncident(tx, b.incidentId, b.action, actor, { reason: b.note ?? null, orgId: b.orgId ?? null, payload }, now);
  });
  return { incidentId: b.incidentId, action: b.action };
}

/** Logs one inbound attempt, accepted or refused (the audit of who tried what). */
export async function logInboundAttempt(
  db: Queryable, attempt: { at: Date; keyId: string | null; deliveryId: string | null; status: number; outcome: string; incidentId: string | null; ip: string | null },
): Promise<void> {
  await db.query(
    'INSERT INTO inbound_attempts (at, key_id, delivery_id, status, outcome, incident_id, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [attempt.at, attempt.keyId, attempt.deliveryId?.slice(0, 200) ?? null, attempt.status, attempt.outcome.slice(0, 1000), attempt.incidentId, attempt.ip],
  );
}

export async function listInboundAttempts(db: Queryable, limit = 200): Promise<{ id: string; at: string; keyId: string | null; deliveryId: string | null; status: number; outcome: string; incidentId: string | null; ip: string | null }[]> {
  const rows = await db.query<{ id: string; at: Date; key_id: string | null; delivery_id: string | null; status: number; outcome: string; incident_id: string | null; ip: string | null }>(
    'SELECT id::text AS id, at, key_id, delivery_id, status, outcome, incident_id, ip FROM inbound_attempts ORDER BY id DESC LIMIT $1', [limit],
  );
  return rows.map((r) => ({ id: r.id, at: r.at.toISOString(), keyId: r.key_id, deliveryId: r.delivery_id, status: r.status, outcome: r.outcome, incidentId: r.incident_id, ip: r.ip }));
}

/** Forgets delivery ids older than `olderThan`: the timestamp check refuses such deliveries anyway. */
export async function pruneInboundDeliveries(db: Queryable, olderThan: Date): Promise<void> {
  await db.query('DELETE FROM inbound_deliveries WHERE received_at < $1', [olderThan]);
}

export { IncidentError };
