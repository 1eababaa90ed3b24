// HTTP routes of the findings registers (misconnections, intrusions, leaks): CRUD, the status
// workflow, and "create work order", which opens an incident for the finding's owner unit.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { scopeOwner } from '../../api/access.ts';
import { actorOf } from '../../api/incident-routes.ts';
import type { ApiContext } from '../../api/routes.ts';
import { listIncidents } from '../../incidents/index.ts';
import { createFinding, createWorkOrder, listFindings, transitionFinding, updateFinding } from './repository.ts';
import {
  FINDING_ACTIONS, FINDING_KINDS, FINDING_STATUSES, FINDING_SUBTYPES, FindingError, SOURCE_KINDS,
} from './types.ts';
import { FINDING_TRANSITIONS, WORK_ORDER_FROM, WORK_ORDER_ROLES } from './workflow.ts';

const WORKERS = ['admin', 'centre_operator', 'bureau_supervisor', 'owner_dispatcher', 'field_crew'] as const;
const text = (max: number) => z.string().trim().max(max).nullish();
const findingBody = z.object({
  kind: z.enum(FINDING_KINDS), subtype: z.string().max(40),
  assetId: z.string().max(80).nullish(),
  location: z.object({ lon: z.number().min(-180).max(180), lat: z.number().min(-90).max(90) }).nullish(),
  ownerId: z.string().max(80).nullish(), address: text(300), upstreamSource: text(500), sourceKind: z.enum(SOURCE_KINDS).nullish(),
  description: text(2000), campaignId: z.string().max(80).nullish(), foundOn: z.iso.date().nullish(),
});
const patchBody = z.object({
  subtype: z.string().max(40).optional(), address: text(300), upstreamSource: text(500), sourceKind: z.enum(SOURCE_KINDS).nullish(), description: text(2000),
}).strict();
const transitionBody = z.object({ action: z.enum(FINDING_ACTIONS), note: text(2000) });
const workOrderBody = z.object({ level: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).optional(), note: text(2000) });
const listQuery = z.object({
  kind: z.enum(FINDING_KINDS).optional(), status: z.enum(FINDING_STATUSES).optional(), campaign: z.string().max(80).optional(),
  limit: z.coerce.number().int().min(1).max(5000).optional(),
});

const invalid = (error: z.ZodError) => ({ error: error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
const STATUS = { not_found: 404, invalid: 400, illegal_transition: 409, forbidden: 403 } as const;
function fail(reply: FastifyReply, error: unknown) {
  if (error instanceof FindingError) return reply.code(STATUS[error.code]).send({ error: error.message, code: error.code });
  throw error;
}

export function registerFindingRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const userRoute = { config: { access: 'authenticated' as const } };
  const workerRoute = { config: { access: { roles: WORKERS } } };
  const one = async (request: FastifyRequest, id: string) => {
    const actor = await actorOf(request, ctx, {});
    const [finding] = await listFindings(ctx.db, { ids: [id], ownerId: scopeOwner(request) }, actor);
    return finding;
  };

  app.get('/api/findings/workflow', userRoute, async () => ({
    kinds: FINDING_KINDS, subtypes: FINDING_SUBTYPES, sourceKinds: SOURCE_KINDS, statuses: FINDING_STATUSES,
    transitions: FINDING_TRANSITIONS, workOrder: { from: WORK_ORDER_FROM, roles: WORK_ORDER_ROLES },
  }));

  app.get('/api/findings', userRoute, async (request, reply) => {
    const query = listQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send(invalid(query.error));
    const q = query.data;
    return listFindings(ctx.db, {
      ownerId: scopeOwner(request), ...(q.kind ? { kind: q.kind } : {}), ...(q.status ? { status: q.status } : {}),
      ...(q.campaign ? { campaignId: q.campaign } : {}), ...(q.limit ? { limit: q.limit } : {}),
    }, await actorOf(request, ctx, {}));
  });

  app.get<{ Params: { id: string } }>('/api/findings/:id', userRoute, async (request, reply) => {
    const finding = /^\d{1,18}$/.test(request.params.id) ? await one(request, request.params.id) : undefined;
    return finding ?? reply.code(404).send({ error: `finding ${request.params.id} does not exist` });
  });

  app.post('/api/findings', workerRoute, async (request, reply) => {
    const body = findingBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send(invalid(body.error));
    try {
      const actor = await actorOf(request, ctx, {});
      const id = await ctx.db.transaction((tx) => createFinding(tx, body.data, actor, ctx.clock(), scopeOwner(request)));
      return reply.code(201).send(await one(request, id));
    } catch (error) {
      return fail(reply, error);
    }
  });

  app.patch<{ Params: { id: string } }>('/api/findings/:id', workerRoute, async (request, reply) => {
    const body = patchBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send(invalid(body.error));
    try {
      await ctx.db.transaction((tx) => updateFinding(tx, request.params.id, body.data, ctx.clock(), scopeOwner(request)));
      return await one(request, request.params.id);
    } catch (error) {
      return fail(reply, error);
    }
  });

  app.post<{ Params: { id: string } }>('/api/findings/:id/transitions', workerRoute, async (request, reply) => {
    const body = transitionBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send(invalid(body.error));
    try {
      const actor = await actorOf(request, ctx, {});
      await ctx.db.transaction((tx) => transitionFinding(tx, request.params.id, body.data.action, actor, body.data.note ?? null, ctx.clock(), scopeOwner(request)));
      return await one(request, request.params.id);
    } catch (error) {
      return fail(reply, error);
    }
  });

  app.post<{ Params: { id: string } }>('/api/findings/:id/work-order', workerRoute, async (request, reply) => {
    const body = workOrderBody.safeParse(request.body ?? {});
    if (!body.success) return reply.code(400).send(invalid(body.error));
    try {
      const actor = await actorOf(request, ctx, {});
      const incidentId = await ctx.db.transaction((tx) => createWorkOrder(tx, request.params.id, actor, {
        ...(body.data.level ? { level: body.data.level } : {}), note: body.data.note ?? null,
      }, ctx.clock(), scopeOwner(request)));
      const incidents = await listIncidents(ctx.db, { ids: [incidentId] });
      if (incidents.length > 0) ctx.bus.publish({ type: 'incidents', incidents });
      return reply.code(201).send({ incidentId, finding: await one(request, request.params.id) });
    } catch (error) {
      return fail(reply, error);
    }
  });
}
