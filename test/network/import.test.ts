// Imports on PGlite and PostgreSQL: each format with good and bad files, areas and health
// records, replace mode, and the rule that a failed import leaves the previous model intact.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDevices, insertOrganisations, insertSensors } from '../../src/network/index.ts';
import {
  areaStats, areasOfAsset, detectFormat, ImportError, importNetwork, listAreas, loadAssets, loadHealth, toCsv, toGeoJson,
} from '../../src/network/index.ts';
import { migrate, type Db } from '../../src/store/index.ts';
import { storesUnderTest } from '../support/stores.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/network');
const net1 = readFileSync(path.join(FIXTURES, 'epanet/Net1.inp'), 'utf8');

const ORGS = [
  { id: 'gas-co', name: 'Gas', kind: 'owner' as const },
  { id: 'water-co', name: 'Water', kind: 'owner' as const },
  { id: 'drain-co', name: 'Drainage', kind: 'owner' as const },
];

type Props = Record<string, unknown>;
const point = (lon: number, lat: number, properties: Props) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties });
const line = (coords: number[][], properties: Props) => ({ type: 'Feature', geometry: { type: 'LineString', coordinates: coords }, properties });
const square = (x0: number, y0: number, x1: number, y1: number) => ({ type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] });
const area = (id: string, areaKind: string, parent: string | null, poly: unknown, extra: Props = {}) => ({ type: 'Feature', geometry: poly, properties: { featureType: 'area', id, areaKind, parent, name: id, ...extra } });
const fc = (features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });

// Two districts side by side; the drainage line in the west district runs to outfall O1, whose
// zone polygon deliberately does not cover M1: the trace, not the polygon, puts M1 in zone Z1.
const CITY = fc([
  area('C', 'city', null, square(112, 30, 112.02, 30.01)),
  area('D-W', 'district', 'C', square(112, 30, 112.01, 30.01)),
  area('D-E', 'district', 'C', square(112.01, 30, 112.02, 30.01)),
  area('B-W1', 'block', 'D-W', square(112, 30, 112.01, 30.01)),
  area('Z1', 'zone', 'C', square(112.004, 30, 112.01, 30.01), { outfallId: 'O1' }),
  point(112.001, 30.005, { id: 'M1', network: 'drainage', assetType: 'manhole', owner: 'drain-co', depthM: 2.1 }),
  point(112.005, 30.005, { id: 'M2', network: 'drainage', assetType: 'manhole', owner: 'drain-co' }),
  point(112.009, 30.005, { id: 'O1', network: 'drainage', assetType: 'outfall', owner: 'drain-co', receivingWater: '荆襄内河' }),
  line([[112.001, 30.005], [112.005, 30.005]], { id: 'D1', network: 'drainage', assetType: 'pipe', owner: 'drain-co', system: 'storm', diameterMm: 600, invertUpM: 28.4, invertDownM: 28.1, material: 'concrete', installYear: 2015 }),
  line([[112.005, 30.005], [112.009, 30.005]], { id: 'D2', network: 'drainage', assetType: 'pipe', owner: 'drain-co', system: 'storm', diameterMm: 800, invertUpM: 28.1, invertDownM: 27.8 }),
  point(112.015, 30.005, { id: 'G-RS', network: 'gas', assetType: 'regulator_station', owner: 'gas-co', health: { commissionedOn: '2014-06-01', runHours: 81234, maintenance: [{ at: '2025-03-02T02:00:00Z', kind: 'inspection', description: '季度巡检' }] } }),
  line([[112.015, 30.005], [112.018, 30.005]], { id: 'G-P1', network: 'gas', assetType: 'pipe', owner: 'gas-co', pressureClass: 'medium-A', diameterMm: 200, material: 'PE100' }),
  point(112.017, 30.0051, { featureType: 'sensor', deviceId: 'GP-9', channel: 'p', assetId: 'G-P1', indicator: 'gas_pressure', unit: 'MPa', name: 'pressure' }),
]);

const implementations = await storesUnderTest();

describe.each(implementations)('network import: $name', (impl) => {
  let db: Db;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    if (!impl.available) return;
    ({ db, drop } = await impl.open());
    await migrate(db);
    await insertOrganisations(db, ORGS);
  });
  afterAll(async () => {
    if (!impl.available) return;
    await db.close();
    await drop();
  });
  const run = (text: string, fileName: string, extra: Partial<Parameters<typeof importNetwork>[1]> = {}) =>
    importNetwork(db, { text, fileName, format: detectFormat(fileName), ...extra });
  const snapshot = async () => (await loadAssets(db)).map((a) => `${a.id}:${a.name}:${JSON.stringify(a.geometry.coordinates)}`).join('|');

  it.skipIf(!impl.available)('imports a GeoJSON city: assets, areas, health record, sensors; every asset knows its areas', async () => {
    const report = await run(CITY, 'city.geojson');
    expect(report.error).toBeUndefined();
    expect(report.written).toBe(true);
    expect(report.counts).toMatchObject({ assets: 7, areas: 5, sensors: 1, healthRecords: 1 });
    expect(report.counts.byNetwork.drainage!.assets).toBe(5);
    // G-P1 ends where nothing is: reported, not refused
    expect(report.findings.map((f) => `${f.kind}:${f.assetId}`)).toEqual(['dangling_end:G-P1']);
    expect((await listAreas(db)).map((a) => a.id)).toEqual(['B-W1', 'C', 'D-E', 'D-W', 'Z1']);
    expect(await areasOfAsset(db, 'M1')).toEqual(['B-W1', 'C', 'D-W', 'Z1']);
    expect(await areasOfAsset(db, 'G-P1')).toEqual(['C', 'D-E']);
    const [z1] = await areaStats(db, 'Z1');
    expect(z1!.totals.find((t) => t.assetType === 'pipe')).toMatchObject({ network: 'drainage', count: 2 });
    // 0.008° of longitude at 30°N ≈ 770.6 m
    expect(z1!.totals.find((t) => t.assetType === 'pipe')!.lengthM).toBeCloseTo(770.6, 0);
    const [east] = await areaStats(db, 'D-E');
    expect(east!.sensors).toBe(1);
    expect(await loadHealth(db, 'G-RS')).toEqual({
      assetId: 'G-RS', commissionedOn: '2014-06-01', runHours: 81234,
      maintenance: [{ at: '2025-03-02T02:00:00.000Z', kind: 'inspection', description: '季度巡检' }],
    });
    const m1 = (await loadAssets(db, { network: 'drainage' })).find((a) => a.id === 'M1');
    expect(m1!.attributes).toEqual({ depthM: 2.1 });
  });

  it.skipIf(!impl.available)('rejects bad features by number and field, and writes nothing', async () => {
    const before = await snapshot();
    const report = await run(fc([
      line([[112.001, 30.005]], { id: 'X1', network: 'drainage', assetType: 'pipe', owner: 'drain-co' }),
      point(30.005, 112.001, { id: 'M1', name: 'moved', network: 'drainage', assetType: 'manhole', owner: 'drain-co' }),
      point(112.001, 30.005, { id: 'X3', network: 'gas', assetType: 'manhole', owner: 'gas-co' }),
      point(112.001, 30.005, { id: 'X4', network: 'gas', assetType: 'valve', owner: 'nobody', status: 'broken' }),
      line([[112.001, 30.005], [112.002, 30.005]], { id: 'X5', network: 'gas', assetType: 'pipe', owner: 'gas-co', pressureClass: 'very high', diameterMm: 'wide' }),
    ]), 'bad.geojson');
    expect(report.written).toBe(false);
    expect(report.error).toMatch(/rejected; nothing was written/);
    const got = report.rejected.map((r) => `${r.at}:${r.id}:${r.field}`);
    expect(got).toEqual(['1:X1:geometry', '2:M1:geometry', '3:X3:assetType', '4:X4:owner', '4:X4:status', '5:X5:pressureClass', '5:X5:diameterMm']);
    expect(report.rejected[1]!.reason).toMatch(/lon\/lat swapped/);
    expect(await snapshot()).toBe(before);
  });

  it.skipIf(!impl.available)('refuses projected coordinates without a CRS and reprojects them with one', async () => {
    // CGCS2000 / 3-degree Gauss-Krüger zone 37 (EPSG:4525): central meridian 111°E, false easting 37 500 000 m.
    const gk = fc([point(37_500_000, 3_320_000, { id: 'GK-1', network: 'water', assetType: 'hydrant', owner: 'water-co' })]);
    const without = await run(gk, 'gk.geojson');
    expect(without.written).toBe(false);
    expect(without.rejected[0]).toMatchObject({ at: 1, id: 'GK-1', field: 'geometry' });
    expect(without.rejected[0]!.reason).toMatch(/declared CRS \(--crs\)/);
    const withCrs = await run(gk, 'gk.geojson', { crs: 'EPSG:4525' });
    expect(withCrs.written).toBe(true);
    const hydrant = (await loadAssets(db, { network: 'water' })).find((a) => a.id === 'GK-1')!;
    const [lon, lat] = hydrant.geometry.coordinates as [number, number];
    expect(lon).toBeCloseTo(111, 6);
    expect(lat).toBeGreaterThan(29.9);
    expect(lat).toBeLessThan(30.1);
  });

  it.skipIf(!impl.available)('names the wrong file type', async () => {
    await expect(run(net1, 'net1.geojson')).rejects.toThrow(ImportError);
    await expect(run(net1, 'net1.geojson')).rejects.toThrow(/not a GeoJSON file/);
    await expect(run(CITY, 'city.inp', { crs: 'EPSG:4326' })).rejects.toThrow(/not an EPANET \.inp file/);
    await expect(run('{"type":"Feature"}', 'x.geojson')).rejects.toThrow(/not a GeoJSON FeatureCollection/);
    expect(() => detectFormat('network.shp')).toThrow(/--format/);
  });

  it.skipIf(!impl.available)('imports EPANET Net1 on a declared local grid, and refuses it without a CRS', async () => {
    await expect(run(net1, 'Net1.inp')).rejects.toThrow(/carry no coordinate system: declare it with --crs/);
    const report = await run(net1, 'Net1.inp', { crs: 'local:112.24,30.33,10' });
    expect(report.rejected).toEqual([]);
    expect(report.written).toBe(true);
    const water = (await loadAssets(db, { network: 'water' })).filter((a) => a.id.startsWith('Net1:'));
    const count = (t: string) => water.filter((a) => a.assetType === t).length;
    expect([count('junction'), count('reservoir'), count('tank'), count('pipe'), count('pump')]).toEqual([9, 1, 1, 12, 1]);
    const pipe10 = water.find((a) => a.id === 'Net1:L10')!;
    // Net1 is in US units: 10,530 ft of 18 in pipe
    expect(pipe10.attributes).toMatchObject({ from: 'Net1:N10', to: 'Net1:N11', diameterMm: 457.2 });
    expect(pipe10.attributes.lengthM).toBeCloseTo(3209.5, 1);
    // Nodes 10 and 11 are 10 grid units apart, 10 m per unit
    const [a, b] = pipe10.geometry.coordinates as [number, number][];
    expect(Math.hypot((b![0] - a![0]) * 96_500, (b![1] - a![1]) * 111_195)).toBeCloseTo(100, 0);
    expect(report.findings).toEqual([]);
  });

  it.skipIf(!impl.available)('imports CSV with WKT and names the bad line', async () => {
    const csv = [
      'id,name,network,assetType,owner,material,diameterMm,installYear,wkt',
      'CW-1,main,water,pipe,water-co,ductile iron,300,2008,"LINESTRING (112.03 30.02, 112.031 30.02)"',
      'CW-2,valve,water,valve,water-co,,,,POINT (112.031 30.02)',
    ].join('\n');
    const good = await run(csv, 'w.csv');
    expect(good.written).toBe(true);
    expect((await loadAssets(db, { network: 'water' })).find((a) => a.id === 'CW-1')!.attributes).toEqual({ material: 'ductile iron', diameterMm: 300, installYear: 2008 });
    const bad = await run(`${csv}\nCW-3,x,water,valve,water-co,,,,"POLYGON ((1 2, 3 4))"\nCW-4,x,water,valve,water-co,,,19.5,POINT (112 30)`, 'w.csv');
    expect(bad.written).toBe(false);
    expect(bad.rejected.map((r) => `${r.at}:${r.field}`)).toEqual(['4:wkt', '5:installYear']);
    await expect(run('id,name\nA,b', 'x.csv')).rejects.toThrow(/no geometry column/);
  });

  it.skipIf(!impl.available)('replace mode deletes what the file dropped, but never an asset a sensor uses', async () => {
    const held = fc([point(112.015, 30.005, { id: 'G-RS', network: 'gas', assetType: 'regulator_station', owner: 'gas-co' })]);
    await expect(run(held, 'gas.geojson', { mode: 'replace' })).rejects.toThrow(/sensors or incidents still use \(G-P1\)/);
    expect((await loadAssets(db, { network: 'gas' })).map((a) => a.id)).toEqual(['G-P1', 'G-RS']);
    await insertDevices(db, [{ id: 'X', name: 'x' }]);
    await insertSensors(db, [{ id: 'X.v', deviceId: 'X', channel: 'v', assetId: 'CW-2', name: 'x', indicator: 'x', unit: 'x', location: [112.031, 30.02] }]);
    const water = await run(fc([point(112.031, 30.02, { id: 'CW-2', network: 'water', assetType: 'valve', owner: 'water-co' })]), 'w.geojson', { mode: 'replace' });
    expect(water.written).toBe(true);
    expect((await loadAssets(db, { network: 'water' })).map((a) => a.id)).toEqual(['CW-2']);
  });

  it.skipIf(!impl.available)('rolls the whole write back when it fails half way', async () => {
    const before = await snapshot();
    const many = fc(Array.from({ length: 2500 }, (_, i) => point(112 + i * 1e-5, 30.001, { id: `H-${i}`, network: 'water', assetType: 'hydrant', owner: 'water-co' })));
    await expect(run(many, 'many.geojson', { onProgress: () => { throw new Error('disk full'); } })).rejects.toThrow('disk full');
    expect(await snapshot()).toBe(before);
  });

  it.skipIf(!impl.available)('exports GeoJSON that imports back unchanged, and CSV with WKT', async () => {
    const assets = await loadAssets(db);
    const exported = JSON.stringify(toGeoJson({ organisations: ORGS, assets, areas: await listAreas(db), sensors: [], health: [] }));
    const before = await snapshot();
    const again = await run(exported, 'export.geojson');
    expect(again.rejected).toEqual([]);
    expect(await snapshot()).toBe(before);
    const csv = toCsv(assets);
    expect(csv.split('\n')[0]).toMatch(/^id,name,network,assetType,owner,status,.*,wkt$/);
    expect(csv).toContain('POINT (112.031 30.02)');
  });
});
