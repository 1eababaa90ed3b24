import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { listAlarms, OFFLINE_RULE_ID, type Alarm, type RuleBook } from '../detect/index.ts';
import { incidentIdsForAlarms } from '../incidents/index.ts';
import { registerIngestRoutes, type IngestApi } from '../ingest/index.ts';
import { listAssets, listOrganisations } from '../network/index.ts';
import type { NetworkTwin, SensorRegistry } from '../network/index.ts';
import type { EventBus } from '../bus/index.ts';
import { readSeries, resolutionFor, type Db } from '../store/index.ts';
import { scopeOwner } from './access.ts';
import { registerAlertingRoutes, type AlertingApi } from './alerting-routes.ts';
import { alertingStates, type AlarmAlerting } from '../alerting/index.ts';
import { registerAnalysisRoutes } from './analysis-routes.ts';
import { registerIncidentRoutes } from './incident-routes.ts';
import { lazyTwin, registerNetworkRoutes } from './network-routes.ts';
import { registerOpen311Routes } from './open311-routes.ts';
import { registerRuleRoutes } from './rule-routes.ts';
import { registerSlaRoutes } from './sla-routes.ts';
import { registerWaterQualityRoutes } from './water-quality-routes.ts';
import { registerFindingRoutes } from '../drainage/findings/routes.ts';
import { registerInspectionRoutes } from '../drainage/inspections/routes.ts';
import { registerDrainageProgrammeRoutes } from './drainage-programme-routes.ts';
import type { AlarmDto, AssetCollection, HealthDto, ReadingDto, DeviceHealthDto, SensorDto, SeriesDto, ThresholdRuleDto, WarningLevel } from './dto.ts';

export interface ApiContext {
  db: Db;
  bus: EventBus;
  sensors: SensorRegistry;
  broker: 'embedded' | 'external';
  version: string;
  startedAt: number;
  clock: () => Date;
  timeZone: string;
  ingest: IngestApi;
  /** The rules in force (the detector's own book, so the API shows exactly what fires). */
  rules: () => RuleBook;
  /** Noise control: acknowledgement, silences (absent: the alerting routes answer without re-deciding mutes). */
  alerting?: AlertingApi;
  /** Whether this process runs the leader-only timers (absent: a single process, always leader). */
  leader?: () => boolean;
  /** The JetStream ingest stream's partitions held by this process; absent or null: ingest in process. */
  ingestStream?: () => { held: number[] } | null;
  /** The network twin shared by the network and analysis routes (absent: registerRoutes makes one). */
  twin?: () => Promise<NetworkTwin>;
}

export function alarmDto(alarm: Alarm, sensors: SensorRegistry, alerting?: AlarmAlerting): AlarmDto {
  const sensor = sensors.get(alarm.sensorId);
  return {
    id: alarm.id, sensorId: alarm.sensorId, sensorName: sensor?.name ?? alarm.sensorId,
    indicator: sensor?.indicator ?? '', unit: sensor?.unit ?? '', network: sensor?.network ?? 'gas',
    assetId: sensor?.assetId ?? '', ruleId: alarm.ruleId, level: alarm.level, peakLevel: alarm.peakLevel,
    state: alarm.state, openedAt: alarm.openedAt, updatedAt: alarm.updatedAt, clearedAt: alarm.clearedAt,
    lastValue: alarm.lastValue, incidentId: alarm.incidentId, category: alarm.category, occurrences: alarm.occurrences,
    ack: alerting?.ack ?? null, muted: alerting?.muted ?? null, flapping: alerting?.flapping ?? false,
  };
}

const readingsQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});
/** Battery below this is due for replacement; signal below this is poor NB-IoT coverage. */
const LOW_BATTERY_PERCENT = 20;
const WEAK_SIGNAL_DBM = -105;

const seriesQuery = z.object({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  resolution: z.enum(['auto', 'raw', '1m', '1h', '1d']).default('auto'),
});
const alarmQuery = z.object({ state: z.enum(['active', 'all']).default('active'), muted: z.enum(['include', 'exclude', 'only']).default('include') });

function invalid(error: z.ZodError): { error: string } {
  return { error: error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') };
}

export function registerRoutes(app: FastifyInstance, apiContext: ApiContext): void {
  // One twin in memory for every route module that queries the network model.
  const ctx: ApiContext = { ...apiContext, twin: apiContext.twin ?? lazyTwin(apiContext.db) };
  const publicRoute = { config: { access: 'public' as const } };
  const userRoute = { config: { access: 'authenticated' as const } };
  // Owner scoping: an owner unit's user sees only its organisation's rows; another unit's sensor
  // answers 404 exactly as a missing one does, so its existence does not leak.
  const sensorInScope = (request: FastifyRequest, id: string) => {
    const sensor = ctx.sensors.get(id);
    const owner = scopeOwner(request);
    return sensor && (owner === null || sensor.ownerId === owner) ? sensor : undefined;
  };

  app.get('/api/health', publicRoute, async (): Promise<HealthDto> => ({
    status: 'ok', version: ctx.version, database: ctx.db.kind, broker: ctx.broker,
    uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000), leader: ctx.leader?.() ?? true,
    bus: ctx.bus.kind,
    ingest: ((stream) => (stream ? { mode: 'jetstream' as const, partitions: stream.held } : { mode: 'direct' as const }))(ctx.ingestStream?.() ?? null),
  }));

  app.get('/api/organisations', userRoute, () => listOrganisations(ctx.db));

  app.get('/api/assets', userRoute, async (request): Promise<AssetCollection> => {
    const owner = scopeOwner(request);
    return {
      type: 'FeatureCollection',
      features: (await listAssets(ctx.db)).filter((a) => owner === null || a.ownerId === owner)
        .map(({ geometry, ...p }) => ({ type: 'Feature', id: p.id, geometry, properties: p })),
    };
  });

  app.get('/api/sensors', userRoute, async (request): Promise<SensorDto[]> => {
    const owner = scopeOwner(request);
    const rows = await ctx.db.query<{ id: string; ts: Date | null; value: number | null; level: number | null; offline: boolean }>(
      `SELECT s.id, l.ts, l.value,
              (SELECT min(a.level) FROM alarms a WHERE a.sensor_id = s.id AND a.state = 'active' AND a.rule_id <> $1) AS level,
              EXISTS (SELECT 1 FROM alarms a WHERE a.sensor_id = s.id AND a.state = 'active' AND a.rule_id = $1) AS offline
         FROM sensors s LEFT JOIN latest_readings l ON l.sensor_id = s.id ORDER BY s.id`,
      [OFFLINE_RULE_ID],
    );
    return rows.flatMap((r) => {
      const sensor = ctx.sensors.get(r.id);
      if (!sensor || (owner !== null && sensor.ownerId !== owner)) return [];
      const latest = r.ts && r.value !== null ? { ts: r.ts.toISOString(), value: r.value } : null;
      return [{
        id: sensor.id, deviceId: sensor.deviceId, channel: sensor.channel, assetId: sensor.assetId, network: sensor.network,
        name: sensor.name, indicator: sensor.indicator, unit: sensor.unit, location: sensor.location,
        state: r.level !== null ? 'alarm' : r.offline ? 'offline' : latest ? 'normal' : 'nodata', level: (r.level as WarningLevel | null) ?? null, latest,
      }];
    });
  });

  app.get<{ Params: { id: string } }>('/api/sensors/:id/readings', userRoute, async (request, reply) => {
    if (!sensorInScope(request, request.params.id)) return reply.code(404).send({ error: `sensor ${request.params.id} does not exist` });
    const query = readingsQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send(invalid(query.error));
    const { from, to, limit } = query.data;
    const rows = await ctx.db.query<{ ts: Date; value: number }>(
      `SELECT ts, value FROM readings
        WHERE sensor_id = $1 AND ($2::timestamptz IS NULL OR ts >= $2) AND ($3::timestamptz IS NULL OR ts < $3)
        ORDER BY ts DESC LIMIT $4`,
      [request.params.id, from ?? null, to ?? null, limit],
    );
    return rows.reverse().map((r): ReadingDto => ({ ts: r.ts.toISOString(), value: r.value }));
  });

  app.get<{ Params: { id: string } }>('/api/sensors/:id/series', userRoute, async (request, reply) => {
    if (!sensorInScope(request, request.params.id)) return reply.code(404).send({ error: `sensor ${request.params.id} does not exist` });
    const query = seriesQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send(invalid(query.error));
    const from = new Date(query.data.from);
    const to = new Date(query.data.to);
    if (to <= from) return reply.code(400).send({ error: 'to: must be after from' });
    const resolution = query.data.resolution === 'auto' ? resolutionFor(to.getTime() - from.getTime()) : query.data.resolution;
    const points = await readSeries(ctx.db, request.params.id, from, to, resolution, ctx.timeZone, ctx.clock());
    return { sensorId: request.params.id, resolution, points } satisfies SeriesDto;
  });

  app.get<{ Params: { id: string } }>('/api/sensors/:id/rules', userRoute, async (request, reply) => {
    const sensor = sensorInScope(request, request.params.id);
    if (!sensor) return reply.code(404).send({ error: `sensor ${request.params.id} does not exist` });
    return ctx.rules().rulesFor(sensor.id, sensor.indicator).map((r): ThresholdRuleDto => ({
      id: r.id, name: r.name, version: r.version, direction: r.direction, recovery: r.recovery,
      thresholds: ([1, 2, 3, 4] as const).flatMap((level) => (r.thresholds[level] === undefined ? [] : [{ level, value: r.thresholds[level]! }])),
      scope: r.sensorId ? 'sensor' : 'indicator',
    }));
  });

  app.get('/api/devices/health', userRoute, async (request): Promise<DeviceHealthDto[]> => {
    const owner = scopeOwner(request);
    const ownDevices = owner === null ? null : new Set(ctx.sensors.all().filter((s) => s.ownerId === owner).map((s) => s.deviceId));
    const rows = await ctx.db.query<{
      id: string; name: string; last_seen: Date | null; battery: number | null; signal: number | null; offline: boolean; dead_letters: number;
    }>(
      `SELECT d.id, d.name, max(l.ts) AS last_seen,
              max(l.value) FILTER (WHERE s.indicator = 'battery') AS battery,
              max(l.value) FILTER (WHERE s.indicator = 'signal') AS signal,
              EXISTS (SELECT 1 FROM alarms a JOIN sensors s2 ON s2.id = a.sensor_id
                       WHERE s2.device_id = d.id AND a.rule_id = $1 AND a.state = 'active') AS offline,
              (SELECT count(*)::int FROM dead_letters dl WHERE dl.device_id = d.id AND dl.received_at > $2) AS dead_letters
         FROM devices d JOIN sensors s ON s.device_id = d.id LEFT JOIN latest_readings l ON l.sensor_id = s.id
        GROUP BY d.id, d.name ORDER BY d.id`,
      [OFFLINE_RULE_ID, new Date(ctx.clock().getTime() - 86_400_000)],
    );
    return rows.filter((r) => ownDevices === null || ownDevices.has(r.id)).map((r) => ({
      id: r.id, name: r.name, lastSeen: r.last_seen?.toISOString() ?? null, battery: r.battery, signal: r.signal,
      offline: r.offline, deadLetters24h: r.dead_letters,
      status: r.offline ? 'offline' : r.battery !== null && r.battery < LOW_BATTERY_PERCENT ? 'low_battery'
        : r.signal !== null && r.signal < WEAK_SIGNAL_DBM ? 'weak_signal' : r.last_seen === null ? 'silent' : 'ok',
    }));
  });

  app.get('/api/alarms', userRoute, async (request, reply) => {
    const query = alarmQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send(invalid(query.error));
    // An owner unit sees its own sensors' alarms: read more rows so the filtered page still fills.
    const owner = scopeOwner(request);
    const alarms = owner === null ? await listAlarms(ctx.db, { state: query.data.state })
      : (await listAlarms(ctx.db, { state: query.data.state, limit: 5000 })).filter((a) => ctx.sensors.get(a.sensorId)?.ownerId === owner).slice(0, 500);
    // An alarm attached to an incident opened by another alarm on the same asset: name that incident.
    const grouped = await incidentIdsForAlarms(ctx.db, alarms.filter((a) => a.incidentId === null).map((a) => a.id));
    const states = await alertingStates(ctx.db, alarms.map((a) => a.id));
    const { muted } = query.data;
    return alarms.filter((a) => muted === 'include' || (muted === 'only') === !!states.get(a.id)?.muted)
      .map((a) => alarmDto({ ...a, incidentId: a.incidentId ?? grouped.get(a.id) ?? null }, ctx.sensors, states.get(a.id)));
  });

  registerIncidentRoutes(app, ctx);
  registerAlertingRoutes(app, ctx);
  registerOpen311Routes(app, ctx);
  registerSlaRoutes(app, ctx);

  registerIngestRoutes(app, ctx);

  registerNetworkRoutes(app, ctx);
  registerWaterQualityRoutes(app, ctx);
  registerRuleRoutes(app, ctx);
  registerInspectionRoutes(app, ctx);
  registerFindingRoutes(app, ctx);
  registerDrainageProgrammeRoutes(app, ctx);
  registerAnalysisRoutes(app, ctx);
}
