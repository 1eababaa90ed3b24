// The network routes over a small hand-made model imported from GeoJSON: answers known by construction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { installAccessGate, type AreaStatsDto, type AssetDetailDto, type IsolationDto, type NearbyDto, type NetworkSummaryDto, type TraceDto } from '../../src/api/index.ts';
import { registerNetworkRoutes } from '../../src/api/network-routes.ts';
import { importNetwork, insertOrganisations } from '../../src/network/index.ts';
import { migrate, openPglite, type Db } from '../../src/store/index.ts';

const at = (x: number, y: number) => [112 + x * 0.001, 30 + y * 0.001];
const node = (id: string, network: string, assetType: string, p: number[], extra: Record<string, unknown> = {}) =>
  ({ type: 'Feature', geometry: { type: 'Point', coordinates: p }, properties: { id, network, assetType, ...extra } });
const pipe = (id: string, network: string, a: number[], b: number[], extra: Record<string, unknown> = {}) =>
  ({ type: 'Feature', geometry: { type: 'LineString', coordinates: [a, b] }, properties: { id, network, assetType: 'pipe', ...extra } });

//  S ─P1─ V1 ─P2─ J1 ─P3─ V2 ─P4─ C1        (gas, owner gas-co)
//  M1 ─D1→ M2 ─D2→ O1                        (drainage, one zone for O1)
const MODEL = JSON.stringify({
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[at(-1, -3), at(6, -3), at(6, 2), at(-1, 2), at(-1, -3)]] }, properties: { featureType: 'area', id: 'C', areaKind: 'city', name: '城' } },
    { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[at(-1, -3), at(6, -3), at(6, -0.5), at(-1, -0.5), at(-1, -3)]] }, properties: { featureType: 'area', id: 'Z', areaKind: 'zone', parent: 'C', outfallId: 'O1' } },
    node('S', 'gas', 'gate_station', at(0, 0), { health: { commissionedOn: '2010-05-01', runHours: 1000, maintenance: [] } }),
    node('V1', 'gas', 'valve', at(1, 0)), node('J1', 'gas', 'junction', at(2, 0)), node('V2', 'gas', 'valve', at(3, 0)),
    node('C1', 'gas', 'service_connection', at(4, 0), { customers: 120 }),
    pipe('P1', 'gas', at(0, 0), at(1, 0)), pipe('P2', 'gas', at(1, 0), at(2, 0)), pipe('P3', 'gas', at(2, 0), at(3, 0)), pipe('P4', 'gas', at(3, 0), at(4, 0)),
    node('AS1', 'gas', 'adjacent_space', [at(1.5, 0)[0]!, at(1.5, 0)[1]! + 0.00005], { utility: 'telecom' }),
    node('M1', 'drainage', 'manhole', at(0, -2)), node('M2', 'drainage', 'manhole', at(1, -2)), node('O1', 'drainage', 'outfall', at(2, -2)),
    pipe('D1', 'drainage', at(0, -2), at(1, -2), { invertUpM: 10, invertDownM: 9.8 }), pipe('D2', 'drainage', at(1, -2), at(2, -2), { invertUpM: 9.8, invertDownM: 9.5 }),
    { type: 'Feature', geometry: { type: 'Point', coordinates: at(1, -2) }, properties: { featureType: 'sensor', deviceId: 'DL-9', channel: 'level', assetId: 'M2', indicator: 'drain_level', unit: 'm' } },
  ],
});

describe('network API', () => {
  let db: Db;
  let app: FastifyInstance;
  const get = async <T>(url: string, status = 200): Promise<T> => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode, response.body).toBe(status);
    return response.json() as T;
  };

  beforeAll(async () => {
    db = await openPglite(null);
    await migrate(db);
    await insertOrganisations(db, [{ id: 'gas-co', name: '燃气公司', kind: 'owner' }]);
    const report = await importNetwork(db, { text: MODEL, fileName: 'model.geojson', format: 'geojson', owner: 'gas-co' });
    expect(report.written, report.error).toBe(true);
    // The routes behind the same access gate the server installs (it refuses routes without access).
    app = Fastify();
    // Accounts off (honest here: this file tests the network answers; test/auth/gate.test.ts tests the gate and owner scoping).
    installAccessGate(app, { auth: null });
    registerNetworkRoutes(app, { db });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('summarises counts and lengths', async () => {
    const summary = await get<NetworkSummaryDto>('/api/network/summary');
    expect(summary.networks.find((n) => n.network === 'gas' && n.assetType === 'pipe')).toMatchObject({ count: 4 });
    expect(summary.networks.find((n) => n.network === 'gas' && n.assetType === 'pipe')!.km).toBeCloseTo(0.385, 2);
    expect(summary.areas).toEqual({ city: 1, district: 0, block: 0, zone: 1 });
    expect(summary.sensors).toBe(1);
  });

  it('isolates a pipe, traces, and finds spaces near it', async () => {
    const isolation = await get<IsolationDto>('/api/network/assets/P3/isolation');
    expect(isolation).toMatchObject({ valves: ['V1', 'V2'], segment: ['J1', 'P2', 'P3'], cutOff: ['C1', 'P4'], customers: 120 });
    expect((await get<TraceDto>('/api/network/assets/M1/trace?direction=downstream')).assetIds).toEqual(['D1', 'D2', 'M2', 'O1']);
    const spaces = await get<NearbyDto[]>('/api/network/assets/P2/spaces?within=10');
    expect(spaces.map((s) => s.assetId)).toEqual(['AS1']);
    expect(spaces[0]!.distanceM).toBeCloseTo(5.56, 1);
    await get('/api/network/assets/nope/isolation', 404);
    await get('/api/network/assets/V1/isolation', 422);
    await get('/api/network/assets/P2/spaces?within=-1', 400);
  });

  it('answers bbox and nearest queries', async () => {
    const [x0, y0] = at(-0.1, -0.1), [x1, y1] = at(1.1, 0.1);
    const found = await get<{ features: { id: string }[] }>(`/api/network/assets?bbox=${x0},${y0},${x1},${y1}&network=gas`);
    expect(found.features.map((f) => f.id).sort()).toEqual(['P1', 'P2', 'S', 'V1']);
    await get('/api/network/assets?bbox=1,2,3', 400);
    const near = await get<NearbyDto[]>(`/api/network/nearest?lon=${at(4, 0.1)[0]}&lat=${at(4, 0.1)[1]}&k=1`);
    expect(near[0]!.assetId).toBe('C1');
  });

  it('gives an asset its areas, health record and sensors, and statistics per area', async () => {
    const m2 = await get<AssetDetailDto>('/api/network/assets/M2');
    expect(m2.areaIds).toEqual(['C', 'Z']);
    expect(m2.sensorIds).toEqual(['DL-9.level']);
    expect((await get<AssetDetailDto>('/api/network/assets/S')).health).toEqual({ commissionedOn: '2010-05-01', runHours: 1000, maintenance: [] });
    const zone = await get<AreaStatsDto>('/api/network/areas/Z/stats');
    expect(zone.totals.find((t) => t.assetType === 'pipe')).toMatchObject({ network: 'drainage', count: 2 });
    expect(zone.sensors).toBe(1);
    const areas = await get<{ features: unknown[] }>('/api/network/areas?kind=zone');
    expect(areas.features).toHaveLength(1);
    expect(await get<unknown[]>('/api/network/findings')).toEqual([]);
  });
});
