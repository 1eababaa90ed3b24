// Drainage programme routes (issue 8, items 3–6): remediation projects and their dashboard,
// facilities with duty shifts, patrols and health records, the KPIs (JSON and CSV), the water
// environment (station classes per day, trend by river, waterlogging points and rain).
// Owner units see and change only their own projects and facilities; another unit's answers
// 404 as a missing one does.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Routed } from '../alerting/index.ts';
import type { AlarmChange } from '../detect/index.ts';
import {
  addMaintenance, addShifts, checkIn, createPatrol, dayRoster, facilityOwner, FacilityError, listFacilities, listShifts, patrolOf,
} from '../drainage/facilities/index.ts';
import { kpiCsv, kpiInputs, kpiReport, PER_CAPITA_BOD5_G, setPlantService, setServedPopulation, upsertInfluentDays, type InfluentDay } from '../drainage/kpi/index.ts';
import { ACTIONS, addProgress, createProject, dashboard, listProjects, PROJECT_STATUSES, RemediationError, setIndicator } from '../drainage/remediation/index.ts';
import { listStations, localDate, rainStates, riverTrend, stationDays, stationSamples } from '../drainage/water-env/index.ts';
import { announceChanges } from '../platform/announce.ts';
import type { Queryable } from '../store/index.ts';
import { scopeOwner } from './access.ts';
import type { ApiContext } from './routes.ts';

const DAY_MS = 86_400_000;
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const isoTime = z.iso.datetime({ offset: true });
const photoUrl = z.string().url().max(2000);

const projectBody = z.object({
  name: z.string().min(1).max(200),
  zoneId: z.string().min(1),
  action: z.enum(ACTIONS),
  ownerId: z.string().min(1),
  budgetYuan: z.number().nonnegative(),
  status: z.enum(PROJECT_STATUSES).optional(),
  startsOn: date.nullable().optional(),
  dueOn: date.nullable().optional(),
  description: z.string().max(4000).optional(),
  indicators: z.array(z.object({ indicator: z.string().min(1).max(100), unit: z.string().max(30), before: z.number(), after: z.number().nullable() })).max(50).optional(),
});
const progressBody = z.object({
  at: isoTime.optional(),
  percent: z.number().min(0).max(100),
  spentYuan: z.number().nonnegative().optional(),
  note: z.string().max(4000).optional(),
  photos: z.array(photoUrl).max(20).optional(),
  location: z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]).nullable().optional(),
  misconnectionsResolved: z.number().int().nonnegative().optional(),
  outfallsRemediated: z.number().int().nonnegative().optional(),
  extraneousWaterM3d: z.number().nonnegative().optional(),
});
const indicatorBody = z.object({ indicator: z.string().min(1).max(100), unit: z.string().max(30), before: z.number(), after: z.number().nullable() });
const rosterBody = z.object({
  date,
  days: z.number().int().min(1).max(31).default(1),
  staff: z.array(z.string().min(1).max(100)).min(1).max(20),
  shiftHours: z.union([z.literal(4), z.literal(6), z.literal(8), z.literal(12), z.literal(24)]).default(8),
});
const patrolBody = z.object({
  name: z.string().min(1).max(200),
  intervalMinutes: z.number().int().min(10).max(10080),
  windowMinutes: z.number().int().min(1),
  startsAt: isoTime,
});
const checkinBody = z.object({ at: isoTime.optional(), note: z.string().max(2000).optional(), photo: photoUrl.nullable().optional() });
const maintenanceBody = z.object({
  at: isoTime.optional(),
  kind: z.enum(['inspection', 'repair', 'replacement', 'calibration', 'cleaning', 'other']),
  description: z.string().min(1).max(4000),
  runHours: z.number().nonnegative().nullable().optional(),
});
const influentBody = z.object({
  plantId: z.string().min(1),
  days: z.array(z.object({ day: date, flowM3: z.number().nonnegative(), bod5MgL: z.number().nonnegative(), industrialBod5Kg: z.number().nonnegative().default(0) })).min(1).max(3660),
});
const populationBody = z.object({ areaId: z.string().min(1), servedPopulation: z.number().int().nonnegative(), asOf: date });
const plantServiceBody = z.object({ plantId: z.string().min(1), areaId: z.string().min(1) }).strict();
const periodQuery = z.object({ from: date.optional(), to: date.optional(), format: z.enum(['json', 'csv']).default('json') });
const rangeQuery = z.object({ from: isoTime.optional(), to: isoTime.optional() });

function invalid(reply: FastifyReply, error: z.ZodError) {
  return reply.code(400).send({ error: error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
}

export function registerDrainageProgrammeRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const read = { config: { access: 'authenticated' as const } };
  const planners = { config: { access: { roles: ['bureau_supervisor', 'centre_operator', 'admin'] as const } } };
  const supervisors = { config: { access: { roles: ['bureau_supervisor', 'admin'] as const } } };
  const reporters = { config: { access: { roles: ['centre_operator', 'owner_dispatcher', 'field_crew', 'admin'] as const } } };
  const dispatchers = { config: { access: { roles: ['centre_operator', 'owner_dispatcher', 'admin'] as const } } };
  const kpiReaders = { config: { access: { roles: ['bureau_supervisor', 'centre_operator', 'admin'] as const } } };
  const who = (request: FastifyRequest) => request.principal?.userId ?? 'anonymous';
  /**
   * An alarm change made by a request (a check-in clearing a missed patrol) goes through noise
   * control, and with it the notification outbox, in the request's transaction, as detection's do.
   */
  const route = async (tx: Queryable, change: AlarmChange | null): Promise<Routed | null> =>
    change && ctx.alerting ? ctx.alerting.router.route(tx, [change], ctx.clock()) : null;
  const failed = (reply: FastifyReply, error: unknown) => {
    if (error instanceof RemediationError || error instanceof FacilityError) return reply.code(error.status).send({ error: error.message });
    throw error;
  };
  /** The project when the caller may see it (an owner unit: only its own). */
  const projectInScope = async (request: FastifyRequest, id: string) => {
    if (!/^\d{1,18}$/.test(id)) return null;
    const [project] = await listProjects(ctx.db, { ids: [id] });
    const owner = scopeOwner(request);
    return project && (owner === null || project.ownerId === owner) ? project : null;
  };
  const facilityInScope = async (request: FastifyRequest, id: string) => {
    const ownerId = await facilityOwner(ctx.db, id);
    const owner = scopeOwner(request);
    return ownerId !== null && (owner === null || ownerId === owner);
  };

  // Remediation programme.
  app.get('/api/drainage/remediation/projects', read, async (request) => listProjects(ctx.db, { ownerId: scopeOwner(request) }));

  app.get<{ Params: { id: string } }>('/api/drainage/remediation/projects/:id', read, async (request, reply) => {
    const project = await projectInScope(request, request.params.id);
    return project ?? reply.code(404).send({ error: `project ${request.params.id} does not exist` });
  });

  app.post('/api/drainage/remediation/projects', planners, async (request, reply) => {
    const body = projectBody.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    try {
      const id = await ctx.db.transaction((tx) => createProject(tx, body.data, who(request), ctx.clock()));
      return reply.code(201).send((await listProjects(ctx.db, { ids: [id] }))[0]);
    } catch (error) {
      return failed(reply, error);
    }
  });

  app.post<{ Params: { id: string } }>('/api/drainage/remediation/projects/:id/progress', reporters, async (request, reply) => {
    const project = await projectInScope(request, request.params.id);
    if (!project) return reply.code(404).send({ error: `project ${request.params.id} does not exist` });
    const body = progressBody.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    await ctx.db.transaction((tx) => addProgress(tx, project.id, body.data, who(request), ctx.clock()));
    return reply.code(201).send((await listProjects(ctx.db, { ids: [project.id] }))[0]);
  });

  app.post<{ Params: { id: string } }>('/api/drainage/remediation/projects/:id/indicators', reporters, async (request, reply) => {
    const project = await projectInScope(request, request.params.id);
    if (!project) return reply.code(404).send({ error: `project ${request.params.id} does not exist` });
    const body = indicatorBody.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    await ctx.db.transaction((tx) => setIndicator(tx, project.id, body.data));
    return (await listProjects(ctx.db, { ids: [project.id] }))[0];
  });

  app.get('/api/drainage/remediation/dashboard', read, async (request) => {
    const projects = await listProjects(ctx.db, { ownerId: scopeOwner(request) });
    return { areas: await dashboard(ctx.db, projects), projects: projects.map(({ progress, ...p }) => ({ ...p, photos: progress.flatMap((u) => u.photos).slice(-4) })) };
  });

  // Facilities: gates, lift pump stations, treatment plants.
  app.get('/api/drainage/facilities', read, async (request) => listFacilities(ctx.db, ctx.clock(), { ownerId: scopeOwner(request) }));

  app.get<{ Params: { id: string } }>('/api/drainage/facilities/:id/shifts', read, async (request, reply) => {
    if (!(await facilityInScope(request, request.params.id))) return reply.code(404).send({ error: `facility ${request.params.id} does not exist` });
    const q = rangeQuery.safeParse(request.query);
    if (!q.success) return invalid(reply, q.error);
    const from = q.data.from ? new Date(q.data.from) : new Date(ctx.clock().getTime() - DAY_MS);
    const to = q.data.to ? new Date(q.data.to) : new Date(ctx.clock().getTime() + DAY_MS);
    return listShifts(ctx.db, { facilityIds: [request.params.id], from, to });
  });

  app.post<{ Params: { id: string } }>('/api/drainage/facilities/:id/shifts', dispatchers, async (request, reply) => {
    if (!(await facilityInScope(request, request.params.id))) return reply.code(404).send({ error: `facility ${request.params.id} does not exist` });
    const body = rosterBody.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    const start = new Date(`${body.data.date}T12:00:00Z`).getTime();
    const shifts = Array.from({ length: body.data.days }, (_, i) => dayRoster(new Date(start + i * DAY_MS).toISOString().slice(0, 10), ctx.timeZone, body.data.staff, body.data.shiftHours, i))
      .flat().map((s) => ({ ...s, facilityId: request.params.id }));
    const added = await ctx.db.transaction((tx) => addShifts(tx, shifts));
    return reply.code(201).send({ added, shifts: await listShifts(ctx.db, { facilityIds: [request.params.id], from: shifts[0]!.startsAt, to: shifts.at(-1)!.endsAt }) });
  });

  app.post<{ Params: { id: string } }>('/api/drainage/facilities/:id/patrols', dispatchers, async (request, reply) => {
    if (!(await facilityInScope(request, request.params.id))) return reply.code(404).send({ error: `facility ${request.params.id} does not exist` });
    const body = patrolBody.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    try {
      const id = await ctx.db.transaction((tx) => createPatrol(tx, { ...body.data, facilityId: request.params.id, startsAt: new Date(body.data.startsAt) }));
      await ctx.sensors.load(ctx.db);
      const [facility] = await listFacilities(ctx.db, ctx.clock(), { ids: [request.params.id] });
      return reply.code(201).send(facility!.patrols.find((p) => p.id === id));
    } catch (error) {
      return failed(reply, error);
    }
  });

  app.post<{ Params: { id: string } }>('/api/drainage/patrols/:id/checkins', reporters, async (request, reply) => {
    const patrol = await patrolOf(ctx.db, request.params.id);
    if (!patrol || !(await facilityInScope(request, patrol.facilityId))) return reply.code(404).send({ error: `patrol ${request.params.id} does not exist` });
    const body = checkinBody.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    const { cleared, routed } = await ctx.db.transaction(async (tx) => {
      const cleared = await checkIn(tx, request.params.id, {
        at: body.data.at ? new Date(body.data.at) : ctx.clock(), by: who(request), note: body.data.note, photo: body.data.photo ?? null,
      });
      return { cleared, routed: await route(tx, cleared) };
    });
    if (cleared) await announceChanges(ctx.db, ctx.bus, [], [cleared], routed);
    const [facility] = await listFacilities(ctx.db, ctx.clock(), { ids: [patrol.facilityId] });
    return reply.code(201).send(facility!.patrols.find((p) => p.id === request.params.id));
  });

  app.post<{ Params: { id: string } }>('/api/drainage/facilities/:id/maintenance', reporters, async (request, reply) => {
    if (!(await facilityInScope(request, request.params.id))) return reply.code(404).send({ error: `facility ${request.params.id} does not exist` });
    const body = maintenanceBody.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    await ctx.db.transaction((tx) => addMaintenance(tx, request.params.id, { ...body.data, at: body.data.at ? new Date(body.data.at) : ctx.clock() }));
    const [facility] = await listFacilities(ctx.db, ctx.clock(), { ids: [request.params.id] });
    return reply.code(201).send(facility!.health);
  });

  // KPIs.
  app.get('/api/drainage/kpi', kpiReaders, async (request, reply) => {
    const q = periodQuery.safeParse(request.query);
    if (!q.success) return invalid(reply, q.error);
    const today = localDate(ctx.clock(), ctx.timeZone);
    const to = q.data.to ?? today;
    const from = q.data.from ?? localDate(new Date(new Date(`${to}T12:00:00Z`).getTime() - 89 * DAY_MS), 'UTC');
    if (from > to) return reply.code(400).send({ error: 'from: must not be after to' });
    const report = await kpiReport(ctx.db, from, to, { perCapitaG: PER_CAPITA_BOD5_G, timeZone: ctx.timeZone });
    if (q.data.format === 'csv') {
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="drainage-kpi-${from}-${to}.csv"`).send(kpiCsv(report));
    }
    return report;
  });

  app.post('/api/drainage/kpi/influent', dispatchers, async (request, reply) => {
    const body = influentBody.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    const [plant] = await ctx.db.query<{ owner_id: string }>(`SELECT owner_id FROM assets WHERE id = $1 AND asset_type = 'treatment_plant'`, [body.data.plantId]);
    const owner = scopeOwner(request);
    if (!plant || (owner !== null && plant.owner_id !== owner)) return reply.code(404).send({ error: `plantId: treatment plant ${body.data.plantId} does not exist` });
    const days: InfluentDay[] = body.data.days.map((d) => ({ ...d, plantId: body.data.plantId }));
    await ctx.db.transaction((tx) => upsertInfluentDays(tx, days, who(request)));
    return reply.code(201).send({ plantId: body.data.plantId, stored: days.length });
  });

  app.post('/api/drainage/kpi/population', supervisors, async (request, reply) => {
    const body = populationBody.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    const [area] = await ctx.db.query('SELECT 1 FROM areas WHERE id = $1', [body.data.areaId]);
    if (!area) return reply.code(400).send({ error: `areaId: area ${body.data.areaId} does not exist` });
    await ctx.db.transaction((tx) => setServedPopulation(tx, body.data.areaId, body.data.servedPopulation, body.data.asOf));
    return reply.code(201).send(body.data);
  });

  // The KPI inputs form: areas with served population, plants with the area they serve.
  app.get('/api/drainage/kpi/inputs', supervisors, async () => kpiInputs(ctx.db));

  app.post('/api/drainage/kpi/plant-service', supervisors, async (request, reply) => {
    const body = plantServiceBody.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    const [plant] = await ctx.db.query(`SELECT 1 FROM assets WHERE id = $1 AND asset_type = 'treatment_plant'`, [body.data.plantId]);
    if (!plant) return reply.code(400).send({ error: `plantId: treatment plant ${body.data.plantId} does not exist` });
    const [area] = await ctx.db.query('SELECT 1 FROM areas WHERE id = $1', [body.data.areaId]);
    if (!area) return reply.code(400).send({ error: `areaId: area ${body.data.areaId} does not exist` });
    await ctx.db.transaction((tx) => setPlantService(tx, body.data.plantId, body.data.areaId));
    return reply.code(201).send(body.data);
  });

  // Water environment.
  app.get<{ Params: { id: string } }>('/api/drainage/water-environment/stations/:id/samples', read, async (request, reply) => {
    const q = rangeQuery.safeParse(request.query);
    if (!q.success) return invalid(reply, q.error);
    const owner = scopeOwner(request);
    const station = (await listStations(ctx.db)).find((s) => s.id === request.params.id && (owner === null || s.ownerId === owner));
    if (!station) return reply.code(404).send({ error: `station ${request.params.id} does not exist` });
    const to = q.data.to ? new Date(q.data.to) : ctx.clock();
    const from = q.data.from ? new Date(q.data.from) : new Date(to.getTime() - DAY_MS);
    if (to <= from) return reply.code(400).send({ error: 'to: must be after from' });
    return { stationId: station.id, waterbody: station.waterbody, from: from.toISOString(), to: to.toISOString(), samples: await stationSamples(ctx.db, station, from, to) };
  });

  app.get('/api/drainage/water-environment', read, async (request, reply) => {
    const q = rangeQuery.safeParse(request.query);
    if (!q.success) return invalid(reply, q.error);
    const now = ctx.clock();
    const to = q.data.to ? new Date(q.data.to) : now;
    const from = q.data.from ? new Date(q.data.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (to <= from) return reply.code(400).send({ error: 'to: must be after from' });
    if (to.getTime() - from.getTime() > 400 * DAY_MS) return reply.code(400).send({ error: 'from–to: at most 400 days' });
    const owner = scopeOwner(request);
    const stations = (await listStations(ctx.db)).filter((s) => owner === null || s.ownerId === owner);
    const daysBy = new Map<(typeof stations)[number], Awaited<ReturnType<typeof stationDays>>>();
    for (const s of stations) daysBy.set(s, await stationDays(ctx.db, s, from, to, ctx.timeZone, now));
    const points = await ctx.db.query<{ id: string; name: string; lon: number; lat: number; gauge_sensor_id: string | null; rain_sensor_id: string | null; depth: number | null; depth_ts: Date | null; owner_id: string | null }>(
      `SELECT w.id, w.name, w.lon, w.lat, w.gauge_sensor_id, w.rain_sensor_id, l.value AS depth, l.ts AS depth_ts, a.owner_id
         FROM waterlogging_points w LEFT JOIN latest_readings l ON l.sensor_id = w.gauge_sensor_id
         LEFT JOIN sensors s ON s.id = w.gauge_sensor_id LEFT JOIN assets a ON a.id = s.asset_id ORDER BY w.id`,
    );
    const rain = await rainStates(ctx.db, now);
    return {
      from: from.toISOString(), to: to.toISOString(), timeZone: ctx.timeZone,
      stations: [...daysBy].map(([s, days]) => ({
        id: s.id, name: s.name, river: s.river, waterbody: s.waterbody, targetClass: s.targetClass,
        days: days.map(({ date: d, class: c, limiting, means }) => ({ date: d, class: c, limiting, means })),
      })),
      rivers: riverTrend(daysBy),
      waterlogging: points.filter((p) => owner === null || p.owner_id === owner).map((p) => {
        const r = rain.find((x) => x.sensorId === p.rain_sensor_id);
        return {
          id: p.id, name: p.name, location: [p.lon, p.lat], gaugeSensorId: p.gauge_sensor_id, depthM: p.depth, depthAt: p.depth_ts?.toISOString() ?? null,
          rainSensorId: p.rain_sensor_id, rainOneHourMm: r?.oneHourMm ?? null, rainTwelveHourMm: r?.twelveHourMm ?? null, rainDayMm: r?.dayMm ?? null, rainClass: r?.class ?? null,
        };
      }),
    };
  });
}
