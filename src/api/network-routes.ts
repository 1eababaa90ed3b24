// Network twin routes: bbox/nearest queries, traces, valve isolation, spaces near gas pipes,
// findings, areas and statistics per area. Queries run on an in-memory twin (graphs and a
// spatial index) built on first use; the model only changes through the CLI, which cannot run
// while this server holds the database.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  areaStats, areasOfAsset, listAreas, listOrganisations, loadHealth, NetworkTwin, NETWORK_KINDS, TopologyError,
  type Asset, type Nearby, type NetworkKind,
} from '../network/index.ts';
import { depthOf, isMain, NetworkTiles } from '../network/tiles.ts';
import type {
  AreaCollection, AreaStatsDto, Asset3dDto, AssetCollection, AssetDetailDto, AssetFeature, FindingDto, IsolationDto, NearbyDto, Network3dDto, NetworkSummaryDto,
  TileSetDto, TraceDto,
} from './dto.ts';
import { scopeOwner } from './access.ts';
import type { ApiContext } from './routes.ts';

const network = z.enum(NETWORK_KINDS as unknown as [NetworkKind, ...NetworkKind[]]);
const bboxQuery = z.object({
  bbox: z.string().transform((s, ctx) => {
    const n = s.split(',').map(Number);
    if (n.length !== 4 || n.some((v) => !Number.isFinite(v)) || n[0]! > n[2]! || n[1]! > n[3]!) {
      ctx.addIssue({ code: 'custom', message: 'bbox is minLon,minLat,maxLon,maxLat' });
      return z.NEVER;
    }
    return n as [number, number, number, number];
  }),
  network: network.optional(),
  limit: z.coerce.number().int().min(1).max(200_000).default(50_000),
});
const nearestQuery = z.object({
  lon: z.coerce.number().min(-180).max(180),
  lat: z.coerce.number().min(-90).max(90),
  k: z.coerce.number().int().min(1).max(100).default(5),
  network: network.optional(),
});
const traceQuery = z.object({ direction: z.enum(['upstream', 'downstream']).default('downstream') });
const spacesQuery = z.object({ within: z.coerce.number().positive().max(1000).default(20) });
const areasQuery = z.object({ kind: z.enum(['city', 'district', 'block', 'zone']).optional() });
const tileParams = z.object({ z: z.coerce.number().int().min(0).max(30), x: z.coerce.number().int().min(0), y: z.coerce.number().int().min(0) });
const tileQuery = z.object({ v: z.string().optional() });
const featuresBody = z.object({ ids: z.array(z.string()).max(50_000) });
const query3d = z.object({
  bbox: bboxQuery.shape.bbox,
  max: z.coerce.number().int().min(1).max(200_000).default(40_000),
});
const findingsQuery = z.object({ network: network.optional(), limit: z.coerce.number().int().min(1).max(100_000).default(1000) });

function invalid(reply: FastifyReply, error: z.ZodError) {
  return reply.code(400).send({ error: error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ') });
}

/** The network twin, loaded from the database on first use (again after a failed load); one per platform, shared by the route modules that query it. */
export function lazyTwin(db: ApiContext['db']): () => Promise<NetworkTwin> {
  let twin: Promise<NetworkTwin> | null = null;
  return () => (twin ??= NetworkTwin.load(db).catch((error) => ((twin = null), Promise.reject(error))));
}

export function registerNetworkRoutes(app: FastifyInstance, ctx: Pick<ApiContext, 'db' | 'twin'>): void {
  const userRoute = { config: { access: 'authenticated' as const } };
  const getTwin = ctx.twin ?? lazyTwin(ctx.db);
  let owners: Promise<Map<string, string>> | null = null;
  const ownerNames = () => (owners ??= listOrganisations(ctx.db).then((list) => new Map(list.map((o) => [o.id, o.name]))));

  // One tile set for the whole city and one per owner unit that asks (an owner unit's map shows its own network only).
  const tileSets = new Map<string, Promise<NetworkTiles>>();
  const getTiles = (owner: string | null) => {
    const key = owner ?? '';
    let set = tileSets.get(key);
    if (!set) {
      set = getTwin().then((t) => new NetworkTiles(owner === null ? t.assets : t.assets.filter((a) => a.ownerId === owner)));
      set.catch(() => tileSets.delete(key));
      tileSets.set(key, set);
    }
    return set;
  };
  /** Owner scoping: an owner unit's user sees only its own assets; another unit's asset answers 404 like a missing one. */
  const visible = (request: FastifyRequest) => {
    const owner = scopeOwner(request);
    return owner === null ? undefined : (a: Asset) => a.ownerId === owner;
  };
  const both = <T>(a: ((x: T) => boolean) | undefined, b: ((x: T) => boolean) | undefined) => (a && b ? (x: T) => a(x) && b(x) : a ?? b);

  const feature = (a: Asset, names: Map<string, string>): AssetFeature => ({
    type: 'Feature', id: a.id, geometry: a.geometry,
    properties: { id: a.id, name: a.name, network: a.network, assetType: a.assetType, ownerId: a.ownerId, ownerName: names.get(a.ownerId) ?? a.ownerId, attributes: a.attributes, status: a.status ?? 'in_service' },
  });
  const nearby = (list: Nearby[]): NearbyDto[] => list.map((n) => ({ assetId: n.asset.id, name: n.asset.name, network: n.asset.network, assetType: n.asset.assetType, distanceM: Math.round(n.distanceM * 100) / 100 }));
  /** Runs a twin query for an asset, answering 404 for an unknown asset and 422 for a query it does not support. */
  const onAsset = async <T>(request: FastifyRequest, reply: FastifyReply, id: string, query: (t: NetworkTwin) => T): Promise<T | FastifyReply> => {
    const t = await getTwin();
    const asset = t.byId.get(id);
    const owner = scopeOwner(request);
    if (!asset || (owner !== null && asset.ownerId !== owner)) return reply.code(404).send({ error: `asset ${id} does not exist` });
    try {
      return query(t);
    } catch (error) {
      if (error instanceof TopologyError) return reply.code(422).send({ error: error.message });
      throw error;
    }
  };

  app.get('/api/network/summary', userRoute, async (request): Promise<NetworkSummaryDto> => {
    const owner = scopeOwner(request);
    const rows = await ctx.db.query<{ network: NetworkKind; asset_type: string; n: number; len: number }>(
      `SELECT network, asset_type, count(*)::int AS n, coalesce(sum(length_m), 0)::float8 AS len FROM assets
        WHERE $1::text IS NULL OR owner_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
      [owner],
    );
    const areas = await ctx.db.query<{ kind: 'city' | 'district' | 'block' | 'zone'; n: number }>('SELECT kind, count(*)::int AS n FROM areas GROUP BY kind');
    const [sensors] = await ctx.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM sensors s JOIN assets a ON a.id = s.asset_id WHERE $1::text IS NULL OR a.owner_id = $1', [owner],
    );
    return {
      networks: rows.map((r) => ({ network: r.network, assetType: r.asset_type, count: r.n, km: Math.round(r.len) / 1000 })),
      areas: { city: 0, district: 0, block: 0, zone: 0, ...Object.fromEntries(areas.map((a) => [a.kind, a.n])) },
      sensors: sensors?.n ?? 0,
    };
  });

  app.get('/api/network/assets', userRoute, async (request, reply) => {
    const query = bboxQuery.safeParse(request.query);
    if (!query.success) return invalid(reply, query.error);
    const { bbox, network: only, limit } = query.data;
    const [t, names] = await Promise.all([getTwin(), ownerNames()]);
    const found = t.spatial.search(bbox, both(only ? (a) => a.network === only : undefined, visible(request)));
    if (found.length > limit) return reply.code(413).send({ error: `${found.length} assets in this bbox, more than limit=${limit}: zoom in or raise the limit` });
    return { type: 'FeatureCollection', features: found.map((a) => feature(a, names)) } satisfies AssetCollection;
  });

  app.get('/api/network/nearest', userRoute, async (request, reply) => {
    const query = nearestQuery.safeParse(request.query);
    if (!query.success) return invalid(reply, query.error);
    const { lon, lat, k, network: only } = query.data;
    return nearby((await getTwin()).spatial.nearest([lon, lat], k, both(only ? (a) => a.network === only : undefined, visible(request))));
  });

  app.get<{ Params: { id: string } }>('/api/network/assets/:id', userRoute, async (request, reply) => {
    const t = await getTwin();
    const asset = t.byId.get(request.params.id);
    if (!asset || visible(request)?.(asset) === false) return reply.code(404).send({ error: `asset ${request.params.id} does not exist` });
    const sensors = await ctx.db.query<{ id: string }>('SELECT id FROM sensors WHERE asset_id = $1 ORDER BY id', [asset.id]);
    const health = await loadHealth(ctx.db, asset.id);
    return {
      asset: feature(asset, await ownerNames()), areaIds: await areasOfAsset(ctx.db, asset.id),
      health: health && { commissionedOn: health.commissionedOn, runHours: health.runHours, maintenance: health.maintenance }, sensorIds: sensors.map((s) => s.id),
    } satisfies AssetDetailDto;
  });

  app.get<{ Params: { id: string } }>('/api/network/assets/:id/trace', userRoute, async (request, reply) => {
    const query = traceQuery.safeParse(request.query);
    if (!query.success) return invalid(reply, query.error);
    const { direction } = query.data;
    return onAsset(request, reply, request.params.id, (t): TraceDto => ({ assetId: request.params.id, direction, assetIds: t.trace(request.params.id, direction) }));
  });

  app.get<{ Params: { id: string } }>('/api/network/assets/:id/isolation', userRoute, async (request, reply) =>
    onAsset(request, reply, request.params.id, (t): IsolationDto => t.isolate(request.params.id)));

  app.get<{ Params: { id: string } }>('/api/network/assets/:id/spaces', userRoute, async (request, reply) => {
    const query = spacesQuery.safeParse(request.query);
    if (!query.success) return invalid(reply, query.error);
    return onAsset(request, reply, request.params.id, (t) => nearby(t.spacesNear(request.params.id, query.data.within)));
  });

  // Vector tiles (src/network/tiles.ts): the map's pipes and nodes at any scale.
  app.get('/api/network/tiles.json', userRoute, async (request): Promise<TileSetDto> => {
    const { info } = await getTiles(scopeOwner(request));
    return { ...info, tiles: `/api/network/tiles/{z}/{x}/{y}.pbf?v=${info.version}` };
  });

  app.get<{ Params: { z: string; x: string; y: string } }>('/api/network/tiles/:z/:x/:y.pbf', userRoute, async (request, reply) => {
    const params = tileParams.safeParse(request.params);
    if (!params.success) return invalid(reply, params.error);
    const versioned = tileQuery.safeParse(request.query);
    const set = await getTiles(scopeOwner(request));
    let tile: Uint8Array | null;
    try {
      tile = set.tile(params.data.z, params.data.x, params.data.y);
    } catch (error) {
      if (error instanceof RangeError) return reply.code(400).send({ error: error.message });
      throw error;
    }
    // A URL with the model version never changes; one without it may after a restart.
    reply.header('cache-control', versioned.success && versioned.data.v === set.info.version ? 'private, max-age=86400, immutable' : 'no-cache');
    if (!tile) return reply.code(204).send();
    return reply.type('application/x-protobuf').send(Buffer.from(tile.buffer, tile.byteOffset, tile.byteLength));
  });

  // Geometry of listed assets (highlights of traces and isolations, whatever the zoom).
  app.post('/api/network/features', userRoute, async (request, reply) => {
    const body = featuresBody.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    const [t, names] = await Promise.all([getTwin(), ownerNames()]);
    const mine = visible(request);
    const features = body.data.ids.flatMap((id) => {
      const a = t.byId.get(id);
      return a && (!mine || mine(a)) ? [feature(a, names)] : [];
    });
    return { type: 'FeatureCollection', features } satisfies AssetCollection;
  });

  // The 3-D view: assets in the box with their depth, only mains when the box holds more than `max`.
  app.get('/api/network/3d', userRoute, async (request, reply) => {
    const query = query3d.safeParse(request.query);
    if (!query.success) return invalid(reply, query.error);
    const t = await getTwin();
    const found = t.spatial.search(query.data.bbox, visible(request)).filter((a) => a.status !== 'abandoned');
    const mainsOnly = found.length > query.data.max;
    const chosen = (mainsOnly ? found.filter(isMain) : found).slice(0, query.data.max);
    const round = (v: number) => Math.round(v * 1e6) / 1e6;
    const assets = chosen.map((a): Asset3dDto => ({
      id: a.id, network: a.network, assetType: a.assetType, depthM: Math.round(depthOf(a) * 100) / 100,
      diameterMm: typeof a.attributes.diameterMm === 'number' ? a.attributes.diameterMm : null,
      coordinates: (a.geometry.type === 'Point' ? [a.geometry.coordinates] : a.geometry.coordinates).map(([lon, lat]) => [round(lon), round(lat)] as [number, number]),
    }));
    return { mainsOnly, total: found.length, assets } satisfies Network3dDto;
  });

  app.get('/api/network/findings', userRoute, async (request, reply) => {
    const query = findingsQuery.safeParse(request.query);
    if (!query.success) return invalid(reply, query.error);
    const t = await getTwin();
    const mine = visible(request);
    const list: FindingDto[] = [...t.topologies.values()].filter((topo) => !query.data.network || topo.network === query.data.network).flatMap((topo) => topo.findings)
      .filter((f) => !mine || (f.assetId !== null && t.byId.has(f.assetId) && mine(t.byId.get(f.assetId)!)));
    return list.slice(0, query.data.limit);
  });

  app.get('/api/network/areas', userRoute, async (request, reply) => {
    const query = areasQuery.safeParse(request.query);
    if (!query.success) return invalid(reply, query.error);
    const areas = (await listAreas(ctx.db)).filter((a) => !query.data.kind || a.kind === query.data.kind);
    return {
      type: 'FeatureCollection',
      features: areas.map((a) => ({ type: 'Feature', id: a.id, geometry: a.geometry, properties: { id: a.id, name: a.name, kind: a.kind, parentId: a.parentId, attributes: a.attributes } })),
    } satisfies AreaCollection;
  });

  app.get('/api/network/areas/stats', userRoute, async (request, reply) => {
    const query = areasQuery.safeParse(request.query);
    if (!query.success) return invalid(reply, query.error);
    const stats: AreaStatsDto[] = (await areaStats(ctx.db)).filter((s) => !query.data.kind || s.kind === query.data.kind);
    return stats;
  });

  app.get<{ Params: { id: string } }>('/api/network/areas/:id/stats', userRoute, async (request, reply) => {
    const [stats] = await areaStats(ctx.db, request.params.id);
    if (!stats) return reply.code(404).send({ error: `area ${request.params.id} does not exist` });
    return stats satisfies AreaStatsDto;
  });
}
