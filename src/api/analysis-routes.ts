// Analysis routes: the analyses relevant to an incident (its asset and its alarms' sensors), the
// same on demand for an asset and a window, and the gas-spread model as a what-if. Every result
// says which data and which model produced it (src/analysis/explain.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AnalysisResult, Point } from '../analysis/explain.ts';
import { overflowRisk } from '../analysis/drainage-diagnosis.ts';
import { analyseGasSpread } from '../analysis/gas-spread.ts';
import { analyseNightFlow } from '../analysis/night-flow.ts';
import { analyseAsset, type AnalysisSources, type AssetAnalysis } from '../analysis/service.ts';
import { lazyTwin } from './network-routes.ts';
import { scopeOwner } from './access.ts';
import type { ApiContext } from './routes.ts';

/** GET /api/incidents/:id/analysis */
export interface IncidentAnalysisDto {
  incidentId: string;
  computedAt: string;
  analyses: AssetAnalysis[];
}
export type { AnalysisResult as AnalysisResultDto, AssetAnalysis as AssetAnalysisDto };

const HOUR = 3_600_000;
/** Readings before the incident opened that an analysis reads, for the baseline. */
const BEFORE_MS = 2 * HOUR;
const MAX_WINDOW_MS = 48 * HOUR;
const MAX_POINTS = 200_000;

const windowQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
const spreadQuery = z.object({
  assetId: z.string().min(1).max(100),
  lel: z.coerce.number().positive().max(100),
  maxReachM: z.coerce.number().positive().max(2000).optional(),
});
const overflowQuery = z.object({
  rainfall: z.coerce.number().positive().max(500),
  runoff: z.coerce.number().gt(0).max(1).optional(),
  top: z.coerce.number().int().min(1).max(1000).default(20),
});
const nightFlowQuery = z.object({
  days: z.coerce.number().int().min(2).max(60).default(7),
  properties: z.coerce.number().int().min(0).max(10_000_000).optional(),
});

function invalid(reply: FastifyReply, error: z.ZodError) {
  return reply.code(400).send({ error: error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ') });
}

export function registerAnalysisRoutes(app: FastifyInstance, ctx: Pick<ApiContext, 'db' | 'sensors' | 'clock' | 'twin'>): void {
  const userRoute = { config: { access: 'authenticated' as const } };
  const getTwin = ctx.twin ?? lazyTwin(ctx.db);

  const read = async (ids: string[], from: Date, to: Date): Promise<Map<string, Point[]>> => {
    const out = new Map<string, Point[]>();
    if (ids.length === 0) return out;
    const rows = await ctx.db.query<{ sensor_id: string; ts: Date; value: number }>(
      `SELECT sensor_id, ts, value FROM readings WHERE sensor_id = ANY($1::text[]) AND ts >= $2 AND ts <= $3 ORDER BY ts LIMIT ${MAX_POINTS}`,
      [[...new Set(ids)], from, to],
    );
    for (const r of rows) (out.get(r.sensor_id) ?? out.set(r.sensor_id, []).get(r.sensor_id)!).push({ ts: new Date(r.ts).getTime(), value: r.value });
    return out;
  };
  let zones: Promise<Map<string, string>> | null = null;
  const getZones = () => (zones ??= ctx.db.query<{ asset_id: string; area_id: string }>(
    `SELECT m.asset_id, m.area_id FROM asset_areas m JOIN areas a ON a.id = m.area_id WHERE a.kind = 'zone'`,
  ).then((rows) => new Map(rows.map((r) => [r.asset_id, r.area_id]))).catch((error) => ((zones = null), Promise.reject(error))));
  const sources = async (): Promise<AnalysisSources> => {
    const zoneMap = await getZones();
    return {
      twin: await getTwin(),
      sensors: ctx.sensors.all().map((s) => ({ id: s.id, assetId: s.assetId, indicator: s.indicator, location: s.location })),
      read,
      zoneOf: (id) => zoneMap.get(id) ?? null,
    };
  };
  /** An owner unit analyses only its own assets; another unit's asset answers 404 like a missing one. */
  const assetVisible = async (request: FastifyRequest, id: string) => {
    const asset = (await getTwin()).byId.get(id);
    const owner = scopeOwner(request);
    return asset !== undefined && (owner === null || asset.ownerId === owner);
  };

  app.get<{ Params: { id: string } }>('/api/incidents/:id/analysis', userRoute, async (request, reply) => {
    const id = request.params.id;
    const missing = () => reply.code(404).send({ error: `incident ${id} does not exist` });
    if (!/^\d{1,18}$/.test(id)) return missing();
    const [incident] = await ctx.db.query<{ owner_id: string | null; asset_id: string | null; opened_at: Date }>(
      'SELECT owner_id, asset_id, opened_at FROM incidents WHERE id = $1', [id],
    );
    const owner = scopeOwner(request);
    if (!incident || (owner !== null && incident.owner_id !== owner)) return missing();
    // The incident's asset and the assets of the sensors whose alarms it groups.
    const alarmAssets = await ctx.db.query<{ sensor_id: string }>(
      `SELECT DISTINCT a.sensor_id FROM alarms a WHERE a.incident_id = $1 ORDER BY a.sensor_id`, [id],
    ).catch(() => [] as { sensor_id: string }[]);
    const assetIds = [...new Set([incident.asset_id, ...alarmAssets.map((a) => ctx.sensors.get(a.sensor_id)?.assetId ?? null)].filter((a): a is string => a !== null))];
    const now = ctx.clock();
    const opened = new Date(incident.opened_at).getTime();
    const to = new Date(Math.min(now.getTime(), opened + MAX_WINDOW_MS - BEFORE_MS));
    const from = new Date(opened - BEFORE_MS);
    const src = await sources();
    const analyses: AssetAnalysis[] = [];
    for (const assetId of assetIds) analyses.push(await analyseAsset(src, assetId, from, to));
    return { incidentId: id, computedAt: now.toISOString(), analyses } satisfies IncidentAnalysisDto;
  });

  app.get<{ Params: { id: string } }>('/api/analysis/assets/:id', userRoute, async (request, reply) => {
    const query = windowQuery.safeParse(request.query);
    if (!query.success) return invalid(reply, query.error);
    if (!(await assetVisible(request, request.params.id))) return reply.code(404).send({ error: `asset ${request.params.id} does not exist` });
    const to = query.data.to ? new Date(query.data.to) : ctx.clock();
    const from = query.data.from ? new Date(query.data.from) : new Date(to.getTime() - 6 * HOUR);
    if (to <= from) return reply.code(400).send({ error: 'to: must be after from' });
    if (to.getTime() - from.getTime() > MAX_WINDOW_MS) return reply.code(400).send({ error: `from: the window is at most ${MAX_WINDOW_MS / HOUR} h` });
    return analyseAsset(await sources(), request.params.id, from, to) satisfies Promise<AssetAnalysis>;
  });

  // What-if: gas at a given %LEL in a space, whatever the detectors say now.
  app.get('/api/analysis/gas-spread', userRoute, async (request, reply) => {
    const query = spreadQuery.safeParse(request.query);
    if (!query.success) return invalid(reply, query.error);
    const { assetId, lel, maxReachM } = query.data;
    if (!(await assetVisible(request, assetId))) return reply.code(404).send({ error: `assetId: asset ${assetId} does not exist` });
    try {
      return analyseGasSpread({ twin: await getTwin(), sourceId: assetId, lel, options: maxReachM ? { maxReachM } : {} }) satisfies AnalysisResult;
    } catch (error) {
      if (error instanceof RangeError) return reply.code(422).send({ error: `assetId: ${error.message}` });
      throw error;
    }
  });

  // Overflow risk of the drainage network under a rainfall intensity (mm/h). An owner unit sees its own pipes only.
  app.get('/api/analysis/drainage/overflow', userRoute, async (request, reply) => {
    const query = overflowQuery.safeParse(request.query);
    if (!query.success) return invalid(reply, query.error);
    const src = await sources();
    const result = overflowRisk({ twin: src.twin, rainfallMmH: query.data.rainfall, runoffCoefficient: query.data.runoff, zoneOf: src.zoneOf, top: query.data.top });
    const owner = scopeOwner(request);
    if (owner !== null) {
      const mine = (id: string) => src.twin.byId.get(id)?.ownerId === owner;
      result.segmentIds = result.segmentIds.filter(mine);
      result.zoneIds = [...new Set(result.segmentIds.map((id) => src.zoneOf!(id)).filter((z): z is string => z !== null))].sort();
      const detail = result.detail as { pipes: { pipeId: string }[] };
      detail.pipes = detail.pipes.filter((p) => mine(p.pipeId));
    }
    return result;
  });

  // Minimum night flow of a metered area: the meter's sensor over the last `days` nights.
  app.get<{ Params: { sensorId: string } }>('/api/analysis/night-flow/:sensorId', userRoute, async (request, reply) => {
    const query = nightFlowQuery.safeParse(request.query);
    if (!query.success) return invalid(reply, query.error);
    const sensor = ctx.sensors.get(request.params.sensorId);
    const owner = scopeOwner(request);
    if (!sensor || (owner !== null && sensor.ownerId !== owner)) return reply.code(404).send({ error: `sensor ${request.params.sensorId} does not exist` });
    const to = ctx.clock();
    const from = new Date(to.getTime() - query.data.days * 24 * HOUR);
    const flow = (await read([sensor.id], from, to)).get(sensor.id) ?? [];
    const asset = (await getTwin()).byId.get(sensor.assetId);
    const properties = query.data.properties ?? (typeof asset?.attributes.customers === 'number' ? asset.attributes.customers : 0);
    return analyseNightFlow({ areaId: sensor.assetId, sensorId: sensor.id, flow, properties }) satisfies AnalysisResult;
  });
}
