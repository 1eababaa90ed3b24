// Incident routes: the console's list, manual (patrol) incidents, workflow transitions, merge,
// the audit chain and its verification. The workflow itself lives in src/incidents.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  assessIncidents, assessmentCsv, createIncident, INCIDENT_TYPES, periodRange, INCIDENT_ACTIONS, INCIDENT_STATES, IncidentError, listAudit, listIncidents, loadSla, mergeIncident, ROLES,
  transitionIncident, TRANSITIONS, verifyAudit, type Actor, type IncidentAction, type IncidentState, type Role,
} from '../incidents/index.ts';
import { citeAttachments, EvidenceError, markCited } from '../evidence/index.ts';
import type { WarningLevel, WorkflowDto } from './dto.ts';
import type { ApiContext } from './routes.ts';

/** The principal the access gate decorates (src/auth); read structurally so this file stands on its own. */
interface PrincipalLike extends Actor {
  via?: string;
}

const actingAs = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  role: z.enum(ROLES as [Role, ...Role[]]).optional(),
  orgId: z.string().min(1).max(100).optional(),
}).optional();

/**
 * Who acts. With accounts on, the authenticated principal — whatever the body says. With accounts
 * off (no principal, or the gate's `via: 'off'` stand-in) every route is open to anyone anyway, so
 * the name the client gives (`actor`) is recorded with the role centre_operator, or the role and
 * unit it names in `as` (the demo console's "acting as"); nothing is lost that accounts would protect.
 */
export async function actorOf(request: FastifyRequest, ctx: ApiContext, body: { actor?: string; as?: z.infer<typeof actingAs> }): Promise<Actor> {
  const principal = (request as unknown as { principal?: PrincipalLike | null }).principal;
  if (principal && principal.via !== 'off') {
    return { userId: principal.userId, name: principal.name, orgId: principal.orgId, orgKind: principal.orgKind, roles: principal.roles };
  }
  const name = body.as?.name ?? body.actor ?? 'operator';
  const role: Role = body.as?.role ?? 'centre_operator';
  let orgId = body.as?.orgId ?? null;
  let orgKind: Actor['orgKind'] = null;
  if (orgId) {
    const [org] = await ctx.db.query<{ kind: Actor['orgKind'] }>('SELECT kind FROM organisations WHERE id = $1', [orgId]);
    orgKind = org?.kind ?? null;
    if (!org) orgId = null;
  }
  return { userId: `anonymous:${name}`, name, orgId, orgKind, roles: [role] };
}

const transitionBody = z.object({
  action: z.enum(INCIDENT_ACTIONS as [IncidentAction, ...IncidentAction[]]),
  actor: z.string().trim().min(1).max(100).optional(),
  as: actingAs,
  /** The reason (reject, decline, send back, reopen) or the disposal notes. */
  note: z.string().max(2000).optional(),
  reason: z.string().max(2000).optional(),
  /** dispatch: the owner unit (default: the one suggested from the asset). */
  orgId: z.string().min(1).max(100).optional(),
  /** dispose: where and what was measured on site. */
  location: z.object({ lon: z.number().min(-180).max(180), lat: z.number().min(-90).max(90) }).optional(),
  readings: z.array(z.object({
    name: z.string().min(1).max(100), value: z.number().finite(), unit: z.string().max(20).optional(), sensorId: z.string().max(100).optional(),
  })).max(50).optional(),
  /** dispose: photos and files uploaded to the incident beforehand (POST /api/incidents/:id/attachments); the audit row records their SHA-256. */
  attachmentIds: z.array(z.string().regex(/^\d{1,18}$/)).min(1).max(20).optional(),
});

const location = z.object({ lon: z.number().min(-180).max(180), lat: z.number().min(-90).max(90) });
const manualBody = z.object({
  title: z.string().trim().min(1).max(200).optional(),
  description: z.string().trim().min(1).max(4000),
  level: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).default(3),
  /** Default: from the asset's network (src/incidents/incident-types.ts). */
  type: z.enum(INCIDENT_TYPES).optional(),
  assetId: z.string().min(1).max(100).optional(),
  location: location.optional(),
  actor: z.string().trim().min(1).max(100).optional(),
  as: actingAs,
}).refine((b) => b.assetId !== undefined || b.location !== undefined, { message: 'name an asset (assetId) or a location', path: ['assetId'] });

const mergeBody = z.object({
  into: z.string().regex(/^\d{1,18}$/),
  reason: z.string().max(2000).optional(),
  actor: z.string().trim().min(1).max(100).optional(),
  as: actingAs,
});

const assessmentQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  /** Instead of from and to: 2026, 2026-Q4, 2026-11 or 2026-11-23 in the deployment's time zone. */
  period: z.string().max(10).optional(),
  owner: z.string().max(100).optional(),
  format: z.enum(['json', 'csv']).default('json'),
  /** CSV rows: per owner unit (default) or per area. */
  by: z.enum(['unit', 'area']).default('unit'),
});

const listQuery = z.object({
  state: z.enum(INCIDENT_STATES as [IncidentState, ...IncidentState[]]).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  owner: z.string().max(100).optional(),
  kind: z.enum(['alarm', 'patrol', 'citizen']).optional(),
  limit: z.coerce.number().int().min(1).max(2000).optional(),
});

function invalid(error: z.ZodError): { error: string } {
  return { error: error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') };
}

const STATUS: Record<IncidentError['code'], 400 | 403 | 404 | 409> = { not_found: 404, illegal_transition: 409, forbidden: 403, invalid: 400 };

function refuse(request: FastifyRequest, reply: FastifyReply, error: IncidentError, actor: Actor | null, what: string) {
  request.log.warn({ incident: (request.params as { id?: string }).id, what, actor: actor?.userId, roles: actor?.roles, reason: error.message }, 'incident action refused');
  return reply.code(STATUS[error.code]).send({ error: error.message, code: error.code });
}

/** The owner of the asset nearest to a point (within ~300 m), as the suggested unit for a report. */
export async function nearestAsset(ctx: ApiContext, at: { lon: number; lat: number }, network?: string): Promise<{ id: string; ownerId: string } | null> {
  const d = 0.003;
  const [row] = await ctx.db.query<{ id: string; owner_id: string }>(
    `SELECT id, owner_id FROM assets
      WHERE min_lon <= $1::float8 + $3::float8 AND max_lon >= $1::float8 - $3::float8
        AND min_lat <= $2::float8 + $3::float8 AND max_lat >= $2::float8 - $3::float8 AND ($4::text IS NULL OR network = $4)
      ORDER BY abs((min_lon + max_lon) / 2 - $1::float8) + abs((min_lat + max_lat) / 2 - $2::float8) LIMIT 1`,
    [at.lon, at.lat, d, network ?? null],
  );
  return row ? { id: row.id, ownerId: row.owner_id } : null;
}

export function registerIncidentRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const userRoute = { config: { access: 'authenticated' as const } };
  const publish = async (ids: string[]) => {
    const incidents = await listIncidents(ctx.db, { ids });
    if (incidents.length > 0) ctx.bus.publish({ type: 'incidents', incidents });
  };
  const principalActor = (request: FastifyRequest) => {
    const principal = (request as unknown as { principal?: PrincipalLike | null }).principal;
    return principal && principal.via !== 'off' ? principal : undefined;
  };
  // Owner scoping: an owner unit's user sees and acts only on incidents assigned to its unit;
  // another unit's incident answers 404 exactly as a missing one does.
  const scopeOf = (request: FastifyRequest): string | null => {
    const p = principalActor(request);
    return p && !p.roles.includes('admin') && p.orgKind === 'owner' ? p.orgId ?? '' : null;
  };
  const visible = async (request: FastifyRequest, id: string): Promise<boolean> => {
    if (!/^\d{1,18}$/.test(id)) return false;
    const [row] = await ctx.db.query<{ owner_id: string | null }>('SELECT owner_id FROM incidents WHERE id = $1', [id]);
    const scope = scopeOf(request);
    return row !== undefined && (scope === null || row.owner_id === scope);
  };
  const missing = (reply: FastifyReply, id: string) => reply.code(404).send({ error: `incident ${id} does not exist` });

  app.get('/api/incidents', userRoute, async (request, reply) => {
    const query = listQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send(invalid(query.error));
    const q = query.data;
    const scope = scopeOf(request);
    if (scope !== null && q.owner !== undefined && q.owner !== scope) return [];
    return listIncidents(ctx.db, {
      state: q.state, ownerId: scope ?? q.owner, kind: q.kind, limit: q.limit, overdue: q.overdue === undefined ? undefined : q.overdue === 'true',
    }, principalActor(request));
  });

  app.get('/api/incidents/workflow', userRoute, async (): Promise<WorkflowDto> => {
    const sla = await loadSla(ctx.db);
    return {
      states: [...INCIDENT_STATES],
      actions: INCIDENT_ACTIONS.map((action) => ({
        action, from: [...TRANSITIONS[action].from], to: TRANSITIONS[action].to, roles: [...TRANSITIONS[action].roles],
        assignedUnitOnly: TRANSITIONS[action].assignedUnitOnly, reasonRequired: TRANSITIONS[action].reason,
      })),
      sla: { 1: sla[1], 2: sla[2], 3: sla[3], 4: sla[4] },
    };
  });

  app.get<{ Params: { id: string } }>('/api/incidents/:id', userRoute, async (request, reply) => {
    const id = request.params.id;
    const [incident] = (await visible(request, id)) ? await listIncidents(ctx.db, { ids: [id] }, principalActor(request)) : [];
    if (!incident) return missing(reply, id);
    return incident;
  });

  // A manual incident: a patrol (or a call taken by the centre) reports something at an asset or a place.
  app.post('/api/incidents', userRoute, async (request, reply) => {
    const body = manualBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send(invalid(body.error));
    const b = body.data;
    const actor = await actorOf(request, ctx, b);
    if (actor.roles.length === 0 || (actor.roles.length === 1 && actor.roles[0] === 'viewer')) {
      return refuse(request, reply, new IncidentError('a viewer cannot report incidents', 'forbidden'), actor, 'create');
    }
    let assetId = b.assetId ?? null;
    let ownerId: string | null = null;
    let where = b.location ?? null;
    if (assetId) {
      const [asset] = await ctx.db.query<{ owner_id: string; min_lon: number; min_lat: number; max_lon: number; max_lat: number }>(
        'SELECT owner_id, min_lon, min_lat, max_lon, max_lat FROM assets WHERE id = $1', [assetId],
      );
      if (!asset) return reply.code(400).send({ error: `assetId: asset ${assetId} does not exist` });
      ownerId = asset.owner_id;
      where ??= { lon: (asset.min_lon + asset.max_lon) / 2, lat: (asset.min_lat + asset.max_lat) / 2 };
    } else if (where) {
      const near = await nearestAsset(ctx, where);
      if (near) ({ id: assetId, ownerId } = near);
    }
    // An owner unit's own patrol reports for its own unit.
    if (actor.orgKind === 'owner' && actor.orgId) ownerId = actor.orgId;
    const id = await ctx.db.transaction((tx) => createIncident(tx, {
      kind: 'patrol', title: b.title ?? b.description.slice(0, 60), description: b.description, level: b.level as WarningLevel,
      assetId, ownerId, location: where, type: b.type,
    }, actor, ctx.clock()));
    await publish([id]);
    const [incident] = await listIncidents(ctx.db, { ids: [id] }, actor);
    return reply.code(201).send(incident);
  });

  app.post<{ Params: { id: string } }>('/api/incidents/:id/transitions', userRoute, async (request, reply) => {
    const id = request.params.id;
    if (!(await visible(request, id))) return missing(reply, id);
    const body = transitionBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send(invalid(body.error));
    const b = body.data;
    const actor = await actorOf(request, ctx, b);
    const payload: Record<string, unknown> = {};
    if (b.location) payload.location = b.location;
    if (b.readings) payload.readings = b.readings;
    if (b.attachmentIds && b.action !== 'dispose') {
      return refuse(request, reply, new IncidentError(`attachmentIds: only a disposal cites attachments, not '${b.action}'`, 'invalid'), actor, b.action);
    }
    try {
      await ctx.db.transaction(async (tx) => {
        if (b.attachmentIds) payload.attachments = await citeAttachments(tx, id, b.attachmentIds);
        await transitionIncident(tx, id, b.action, actor, { reason: b.reason ?? b.note ?? null, orgId: b.orgId ?? null, payload }, ctx.clock());
        if (b.attachmentIds) await markCited(tx, id, b.attachmentIds);
      });
    } catch (error) {
      if (error instanceof IncidentError) return refuse(request, reply, error, actor, b.action);
      if (error instanceof EvidenceError) return refuse(request, reply, new IncidentError(error.message, 'invalid'), actor, b.action);
      throw error;
    }
    await publish([id]);
    const [incident] = await listIncidents(ctx.db, { ids: [id] }, actor);
    return incident;
  });

  app.post<{ Params: { id: string } }>('/api/incidents/:id/merge', userRoute, async (request, reply) => {
    const id = request.params.id;
    if (!(await visible(request, id))) return missing(reply, id);
    const body = mergeBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send(invalid(body.error));
    const actor = await actorOf(request, ctx, body.data);
    try {
      await ctx.db.transaction((tx) => mergeIncident(tx, id, body.data.into, actor, body.data.reason ?? null, ctx.clock()));
    } catch (error) {
      if (error instanceof IncidentError) return refuse(request, reply, error, actor, 'merge');
      throw error;
    }
    await publish([id, body.data.into]);
    return listIncidents(ctx.db, { ids: [id, body.data.into] }, actor);
  });

  app.get<{ Params: { id: string } }>('/api/incidents/:id/audit', userRoute, async (request, reply) => {
    const id = request.params.id;
    if (!(await visible(request, id))) return missing(reply, id);
    return { incidentId: id, entries: await listAudit(ctx.db, [id]), verification: await verifyAudit(ctx.db, [id]) };
  });

  /** 监督考核: per owner unit over [from, to): on-time disposal, closure, mean times, false alarms, reopens (?format=csv to export). */
  app.get('/api/incidents/assessment', userRoute, async (request, reply) => {
    const query = assessmentQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send(invalid(query.error));
    const q = query.data;
    const range = q.period !== undefined ? periodRange(q.period, ctx.timeZone) : q.from && q.to ? { from: new Date(q.from), to: new Date(q.to) } : null;
    if (!range) return reply.code(400).send({ error: q.period !== undefined ? `period: '${q.period}' is not YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD` : 'from, to: both required (or period)' });
    const { from, to } = range;
    if (to <= from) return reply.code(400).send({ error: 'to: must be after from' });
    const scope = scopeOf(request);
    if (scope !== null && q.owner !== undefined && q.owner !== scope) return reply.code(403).send({ error: 'an owner unit sees its own assessment only' });
    const assessment = await assessIncidents(ctx.db, from, to, scope ?? q.owner);
    if (q.format === 'json') return assessment;
    return reply.type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="assessment-${q.by}-${q.period ?? `${q.from!.slice(0, 10)}-${q.to!.slice(0, 10)}`}.csv"`)
      .send(assessmentCsv(assessment, q.by));
  });

  /** Recomputes every incident's chain: { ok, incidents, entries, problems }. City-wide, so not for owner units. */
  app.get('/api/audit/verify', userRoute, async (request, reply) => {
    if (scopeOf(request) !== null) return reply.code(403).send({ error: 'the city-wide audit verification is for the centre and the bureau' });
    return verifyAudit(ctx.db);
  });
}

