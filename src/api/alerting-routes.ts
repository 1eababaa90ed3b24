// Alerting routes (docs/alerting.md): acknowledge an alarm, its timeline, active alarms grouped,
// silences and maintenance windows. Owner units act on their own organisation's alarms and
// silences only; another unit's alarm or silence answers 404 as a missing one does.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  acknowledgeAlarm, alarmEvents, alertingStates, endSilence, groupAlarms, insertSilence, listSilences, MATCHER_KEYS, silenceInForce,
  type AlarmRouter, type Routed, type Silence,
} from '../alerting/index.ts';
import { getAlarms, listAlarms, type Alarm } from '../detect/index.ts';
import { incidentIdsForAlarms } from '../incidents/index.ts';
import { NETWORK_KINDS } from '../network/index.ts';
import { scopeOwner } from './access.ts';
import type { AlarmGroupDto, AlarmEventDto, SilenceDto } from './alerting-dto.ts';
import type { AlarmDto } from './dto.ts';
import { alarmDto, type ApiContext } from './routes.ts';

/** What the alerting routes need beyond the API context: the router and how to announce what it changed. */
export interface AlertingApi {
  router: AlarmRouter;
  /** Publishes alarms muted or un-muted (and notices) after the request's transaction committed. */
  announce(routed: Routed): Promise<void>;
}

/** Who may acknowledge and manage silences: the monitoring centre, and owner units' dispatchers for their own assets. */
export const ALERTING_ROLES = ['centre_operator', 'owner_dispatcher', 'admin'] as const;

const ackBody = z.object({ comment: z.string().trim().min(1, 'a comment is required').max(2000) });
const matchersSchema = z.object({
  sensorId: z.string().min(1).optional(),
  assetId: z.string().min(1).optional(),
  deviceId: z.string().min(1).optional(),
  indicator: z.string().min(1).optional(),
  ruleId: z.string().min(1).optional(),
  network: z.enum(NETWORK_KINDS as unknown as [string, ...string[]]).optional(),
  areaId: z.string().min(1).optional(),
}).strict().refine((m) => MATCHER_KEYS.some((k) => m[k] !== undefined), { message: `give at least one of ${MATCHER_KEYS.join(', ')}` });
const silenceBody = z.object({
  kind: z.enum(['silence', 'maintenance']).default('silence'),
  matchers: matchersSchema,
  reason: z.string().trim().min(1, 'a reason is required').max(2000),
  startsAt: z.iso.datetime({ offset: true }).optional(),
  endsAt: z.iso.datetime({ offset: true }).optional(),
  durationMinutes: z.number().int().min(1).max(60 * 24 * 90).optional(),
}).refine((b) => (b.endsAt === undefined) !== (b.durationMinutes === undefined), { message: 'give either endsAt or durationMinutes', path: ['endsAt'] });
const silenceQuery = z.object({ state: z.enum(['current', 'all']).default('current') });
const groupQuery = z.object({
  by: z.enum(['asset', 'area', 'network']).default('asset'),
  areaKind: z.enum(['city', 'district', 'block', 'zone']).default('district'),
  muted: z.enum(['include', 'exclude', 'only']).default('include'),
});

function invalid(error: z.ZodError): { error: string } {
  return { error: error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') };
}

export function registerAlertingRoutes(app: FastifyInstance, ctx: ApiContext & { alerting?: AlertingApi }): void {
  const userRoute = { config: { access: 'authenticated' as const } };
  const actRoute = { config: { access: { roles: ALERTING_ROLES } } };
  const actor = (request: FastifyRequest) => request.principal?.userId ?? 'anonymous';

  /** The alarm when it exists and the caller may see it. */
  const alarmInScope = async (request: FastifyRequest, id: string): Promise<Alarm | undefined> => {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const [alarm] = await getAlarms(ctx.db, [id]);
    const owner = scopeOwner(request);
    return alarm && (owner === null || ctx.sensors.get(alarm.sensorId)?.ownerId === owner) ? alarm : undefined;
  };
  const dtos = async (alarms: Alarm[]): Promise<AlarmDto[]> => {
    const grouped = await incidentIdsForAlarms(ctx.db, alarms.filter((a) => a.incidentId === null).map((a) => a.id));
    const states = await alertingStates(ctx.db, alarms.map((a) => a.id));
    return alarms.map((a) => alarmDto({ ...a, incidentId: a.incidentId ?? grouped.get(a.id) ?? null }, ctx.sensors, states.get(a.id)));
  };
  const reconcile = async <T>(work: (tx: Parameters<Parameters<typeof ctx.db.transaction>[0]>[0]) => Promise<T>): Promise<T> => {
    const { result, routed } = await ctx.db.transaction(async (tx) => {
      const result = await work(tx);
      return { result, routed: ctx.alerting ? await ctx.alerting.router.reconcile(tx, ctx.clock()) : null };
    });
    if (routed && routed.alarmIds.length > 0) await ctx.alerting!.announce(routed);
    return result;
  };
  const silenceDto = async (silences: Silence[]): Promise<SilenceDto[]> => {
    const now = ctx.clock();
    const muting = await ctx.db.query<{ ref: string; n: number }>(
      `SELECT muted_ref AS ref, count(*)::int AS n FROM alarms WHERE state = 'active' AND muted_by = 'silence' GROUP BY muted_ref`,
    );
    const counts = new Map(muting.map((m) => [m.ref, m.n]));
    return silences.map((s) => ({ ...s, active: silenceInForce(s, now), muting: counts.get(s.id) ?? 0 }));
  };

  app.post<{ Params: { id: string } }>('/api/alarms/:id/ack', actRoute, async (request, reply) => {
    const alarm = await alarmInScope(request, request.params.id);
    if (!alarm) return reply.code(404).send({ error: `alarm ${request.params.id} does not exist` });
    const body = ackBody.safeParse(request.body ?? {});
    if (!body.success) return reply.code(400).send(invalid(body.error));
    const outcome = await ctx.db.transaction((tx) => acknowledgeAlarm(tx, alarm.id, actor(request), body.data.comment, ctx.clock()));
    if (!outcome.ok) return reply.code(outcome.reason === 'not_found' ? 404 : 409).send({ error: outcome.message });
    const [dto] = await dtos(await getAlarms(ctx.db, [alarm.id]));
    if (ctx.alerting) await ctx.alerting.announce({ handled: [], alarmIds: [alarm.id], notices: [] });
    return dto;
  });

  app.get<{ Params: { id: string } }>('/api/alarms/:id/events', userRoute, async (request, reply) => {
    const alarm = await alarmInScope(request, request.params.id);
    if (!alarm) return reply.code(404).send({ error: `alarm ${request.params.id} does not exist` });
    return (await alarmEvents(ctx.db, alarm.id)) satisfies AlarmEventDto[];
  });

  app.get('/api/alarms/groups', userRoute, async (request, reply) => {
    const query = groupQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send(invalid(query.error));
    const owner = scopeOwner(request);
    const active = (await listAlarms(ctx.db, { state: 'active', limit: 5000 })).filter((a) => owner === null || ctx.sensors.get(a.sensorId)?.ownerId === owner);
    const all = await dtos(active);
    const members = all.filter((a) => (query.data.muted === 'include' ? true : query.data.muted === 'only' ? !!a.muted : !a.muted));
    const assetIds = [...new Set(members.map((a) => a.assetId))];
    const areaRows = query.data.by === 'area' ? await ctx.db.query<{ asset_id: string; area_id: string; name: string }>(
      `SELECT aa.asset_id, ar.id AS area_id, ar.name FROM asset_areas aa JOIN areas ar ON ar.id = aa.area_id
        WHERE ar.kind = $1 AND aa.asset_id = ANY($2::text[]) ORDER BY ar.id`,
      [query.data.areaKind, assetIds],
    ) : [];
    const areaOf = new Map(areaRows.map((r) => [r.asset_id, r.area_id]));
    const areaNames = new Map(areaRows.map((r) => [r.area_id, r.name]));
    const assetNames = new Map(query.data.by === 'asset'
      ? (await ctx.db.query<{ id: string; name: string }>('SELECT id, name FROM assets WHERE id = ANY($1::text[])', [assetIds])).map((r) => [r.id, r.name])
      : []);
    const groups = groupAlarms(members, query.data.by, (a) => ({ ...a, areaId: areaOf.get(a.assetId) ?? null, muted: !!a.muted }));
    return groups.map((g): AlarmGroupDto => ({
      by: g.by, key: g.key, level: g.level, count: g.members.length, muted: g.muted,
      name: g.by === 'asset' ? assetNames.get(g.key) ?? g.key : g.by === 'area' ? areaNames.get(g.key) ?? g.key : g.key,
      network: g.by === 'network' ? (g.key as AlarmDto['network']) : g.by === 'asset' ? g.members[0]!.network : null,
      unacknowledged: g.members.filter((m) => !m.ack).length,
      alarms: g.members,
    }));
  });

  app.get('/api/silences', userRoute, async (request, reply) => {
    const query = silenceQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send(invalid(query.error));
    return silenceDto(await listSilences(ctx.db, { orgId: scopeOwner(request), current: query.data.state === 'current', now: ctx.clock() }));
  });

  app.post('/api/silences', actRoute, async (request, reply) => {
    const body = silenceBody.safeParse(request.body ?? {});
    if (!body.success) return reply.code(400).send(invalid(body.error));
    const { matchers, kind, reason } = body.data;
    const owner = scopeOwner(request);
    // An owner unit silences its own equipment only: another unit's sensor, asset or device does not exist for it.
    if (owner !== null) {
      const own = ctx.sensors.all().filter((s) => s.ownerId === owner);
      if (matchers.sensorId && !own.some((s) => s.id === matchers.sensorId)) return reply.code(404).send({ error: `matchers.sensorId: sensor ${matchers.sensorId} does not exist` });
      if (matchers.deviceId && !own.some((s) => s.deviceId === matchers.deviceId)) return reply.code(404).send({ error: `matchers.deviceId: device ${matchers.deviceId} does not exist` });
      if (matchers.assetId) {
        const [asset] = await ctx.db.query<{ owner_id: string }>('SELECT owner_id FROM assets WHERE id = $1', [matchers.assetId]);
        if (asset?.owner_id !== owner) return reply.code(404).send({ error: `matchers.assetId: asset ${matchers.assetId} does not exist` });
      }
    }
    const now = ctx.clock();
    const startsAt = body.data.startsAt ? new Date(body.data.startsAt) : now;
    const endsAt = body.data.endsAt ? new Date(body.data.endsAt) : new Date(startsAt.getTime() + body.data.durationMinutes! * 60_000);
    if (endsAt <= startsAt) return reply.code(400).send({ error: 'endsAt: must be after startsAt' });
    if (endsAt <= now) return reply.code(400).send({ error: 'endsAt: must be in the future' });
    const silence = await reconcile((tx) => insertSilence(tx, {
      kind, matchers: matchers as Silence['matchers'], reason, createdBy: actor(request), orgId: owner, startsAt, endsAt,
    }, now));
    return reply.code(201).send((await silenceDto([silence]))[0]);
  });

  app.post<{ Params: { id: string } }>('/api/silences/:id/expire', actRoute, async (request, reply) => {
    const silence = await reconcile((tx) => endSilence(tx, request.params.id, actor(request), scopeOwner(request), ctx.clock()));
    if (!silence) return reply.code(404).send({ error: `silence ${request.params.id} does not exist` });
    return (await silenceDto([silence]))[0];
  });
}
