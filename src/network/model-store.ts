// Writing and reading the network model. A model write (import, generated city) runs in ONE
// transaction: validation happened before, and anything the database refuses rolls the whole
// write back, so a failed import leaves the previous model intact.
import type { Db, Queryable } from '../store/index.ts';
import { assignAreas } from './areas.ts';
import { bboxOf, lengthM } from './geo.ts';
import { NetworkTopology } from './topology.ts';
import type { Area, Asset, AssetStatus, Device, Geometry, HealthRecord, NetworkKind, Organisation, Polygon, Sensor } from './types.ts';

export interface NetworkModel {
  organisations: Organisation[];
  assets: Asset[];
  areas: Area[];
  devices: Device[];
  sensors: Sensor[];
  health: HealthRecord[];
}

export const emptyModel = (): NetworkModel => ({ organisations: [], assets: [], areas: [], devices: [], sensors: [], health: [] });

export class ImportError extends Error {}

export interface WriteOptions {
  /** upsert: add and update by id. replace: also delete the assets of the file's networks that the file no longer has. */
  mode: 'upsert' | 'replace';
  source: string;
  format: string;
  rejected: number;
  findings: number;
  onProgress?: (done: number, total: number) => void;
  clock?: () => Date;
}

const BATCH = 2000;

async function inBatches<T>(rows: readonly T[], write: (chunk: T[]) => Promise<unknown>, progress?: (n: number) => void): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    const chunk = rows.slice(i, i + BATCH);
    await write(chunk);
    progress?.(chunk.length);
  }
}

export async function writeModel(db: Db, model: NetworkModel, options: WriteOptions): Promise<{ assetAreas: number }> {
  const total = model.assets.length + model.sensors.length + model.areas.length;
  let done = 0;
  const tick = (n: number) => options.onProgress?.((done += n), total);
  return db.transaction(async (tx) => {
    await inBatches(model.organisations, (c) => tx.query(
      `INSERT INTO organisations (id, name, kind) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind`,
      [c.map((o) => o.id), c.map((o) => o.name), c.map((o) => o.kind)],
    ));
    if (options.mode === 'replace') await deleteMissing(tx, model.assets);
    await inBatches(model.assets, (c) => upsertAssets(tx, c), tick);
    await writeHealth(tx, model.health);
    if (model.areas.length > 0) {
      await tx.query('DELETE FROM areas');
      // Parents before children, so the parent_id reference holds row by row.
      const depth = (a: Area) => ['city', 'district', 'block', 'zone'].indexOf(a.kind);
      await inBatches([...model.areas].sort((a, b) => depth(a) - depth(b)), (c) => tx.query(
        `INSERT INTO areas (id, name, kind, parent_id, geometry, attributes, min_lon, min_lat, max_lon, max_lat)
         SELECT id, name, kind, parent, g::jsonb, a::jsonb, x0, y0, x1, y1
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[], $9::float8[], $10::float8[])
             AS t(id, name, kind, parent, g, a, x0, y0, x1, y1)`,
        [c.map((a) => a.id), c.map((a) => a.name), c.map((a) => a.kind), c.map((a) => a.parentId), c.map((a) => JSON.stringify(a.geometry)),
          c.map((a) => JSON.stringify(a.attributes)), ...[0, 1, 2, 3].map((k) => c.map((a) => bboxOf(a.geometry)[k]))],
      ), tick);
    }
    await inBatches(model.devices, (c) => tx.query(
      `INSERT INTO devices (id, name) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name`,
      [c.map((d) => d.id), c.map((d) => d.name)],
    ));
    await inBatches(model.sensors, (c) => tx.query(
      `INSERT INTO sensors (id, device_id, channel, asset_id, name, indicator, unit, lon, lat)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[], $9::float8[])
       ON CONFLICT (id) DO UPDATE SET asset_id = EXCLUDED.asset_id, name = EXCLUDED.name, indicator = EXCLUDED.indicator,
         unit = EXCLUDED.unit, lon = EXCLUDED.lon, lat = EXCLUDED.lat`,
      [c.map((s) => s.id), c.map((s) => s.deviceId), c.map((s) => s.channel), c.map((s) => s.assetId), c.map((s) => s.name),
        c.map((s) => s.indicator), c.map((s) => s.unit), c.map((s) => s.location[0]), c.map((s) => s.location[1])],
    ), tick);
    const assetAreas = await refreshAssetAreas(tx);
    await tx.query(
      `INSERT INTO network_imports (at, source, format, mode, counts, rejected, findings) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [(options.clock?.() ?? new Date()).toISOString(), options.source, options.format, options.mode,
        JSON.stringify({ assets: model.assets.length, areas: model.areas.length, sensors: model.sensors.length }), options.rejected, options.findings],
    );
    return { assetAreas };
  });
}

async function upsertAssets(tx: Queryable, c: Asset[]): Promise<void> {
  const boxes = c.map((a) => bboxOf(a.geometry));
  await tx.query(
    `INSERT INTO assets (id, name, network, asset_type, owner_id, geometry, attributes, min_lon, min_lat, max_lon, max_lat, status, length_m)
     SELECT id, name, network, asset_type, owner_id, g::jsonb, a::jsonb, x0, y0, x1, y1, status, len
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                   $8::float8[], $9::float8[], $10::float8[], $11::float8[], $12::text[], $13::float8[])
         AS t(id, name, network, asset_type, owner_id, g, a, x0, y0, x1, y1, status, len)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, network = EXCLUDED.network, asset_type = EXCLUDED.asset_type,
       owner_id = EXCLUDED.owner_id, geometry = EXCLUDED.geometry, attributes = EXCLUDED.attributes, min_lon = EXCLUDED.min_lon,
       min_lat = EXCLUDED.min_lat, max_lon = EXCLUDED.max_lon, max_lat = EXCLUDED.max_lat, status = EXCLUDED.status, length_m = EXCLUDED.length_m`,
    [c.map((a) => a.id), c.map((a) => a.name), c.map((a) => a.network), c.map((a) => a.assetType), c.map((a) => a.ownerId),
      c.map((a) => JSON.stringify(a.geometry)), c.map((a) => JSON.stringify(a.attributes)), ...[0, 1, 2, 3].map((k) => boxes.map((b) => b[k])),
      c.map((a) => a.status ?? 'in_service'), c.map((a) => lengthM(a.geometry))],
  );
}

/** Replace mode: assets of the imported networks that the file no longer has go, unless something still points at them. */
async function deleteMissing(tx: Queryable, assets: Asset[]): Promise<void> {
  const networks = [...new Set(assets.map((a) => a.network))];
  await tx.exec('CREATE TEMP TABLE import_ids (id text PRIMARY KEY) ON COMMIT DROP');
  await inBatches(assets, (c) => tx.query('INSERT INTO import_ids SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [c.map((a) => a.id)]));
  const gone = `SELECT a.id FROM assets a WHERE a.network = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM import_ids i WHERE i.id = a.id)`;
  const held = await tx.query<{ id: string }>(
    `SELECT g.id FROM (${gone}) g WHERE EXISTS (SELECT 1 FROM sensors s WHERE s.asset_id = g.id)
        OR EXISTS (SELECT 1 FROM incidents i WHERE i.asset_id = g.id) ORDER BY g.id LIMIT 6`,
    [networks],
  );
  if (held.length > 0) {
    const names = held.slice(0, 5).map((r) => r.id).join(', ') + (held.length > 5 ? ', …' : '');
    throw new ImportError(`replace would delete assets that sensors or incidents still use (${names}); keep them in the file or import with mode upsert`);
  }
  await tx.query(`DELETE FROM assets WHERE id IN (${gone})`, [networks]);
}

async function writeHealth(tx: Queryable, records: HealthRecord[]): Promise<void> {
  await inBatches(records, async (c) => {
    await tx.query(
      `INSERT INTO asset_health (asset_id, commissioned_on, run_hours) SELECT * FROM unnest($1::text[], $2::date[], $3::float8[])
       ON CONFLICT (asset_id) DO UPDATE SET commissioned_on = EXCLUDED.commissioned_on, run_hours = EXCLUDED.run_hours`,
      [c.map((h) => h.assetId), c.map((h) => h.commissionedOn), c.map((h) => h.runHours)],
    );
    await tx.query('DELETE FROM maintenance_log WHERE asset_id = ANY($1::text[])', [c.map((h) => h.assetId)]);
    const entries = c.flatMap((h) => h.maintenance.map((m) => ({ ...m, assetId: h.assetId })));
    if (entries.length === 0) return;
    await tx.query(
      `INSERT INTO maintenance_log (asset_id, at, kind, description, run_hours)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::float8[])`,
      [entries.map((e) => e.assetId), entries.map((e) => e.at), entries.map((e) => e.kind), entries.map((e) => e.description), entries.map((e) => e.runHours ?? null)],
    );
  });
}

/** Recomputes every asset's areas from the stored assets and areas. Returns the number of memberships. */
export async function refreshAssetAreas(tx: Queryable): Promise<number> {
  await tx.query('DELETE FROM asset_areas');
  const areas = await listAreas(tx);
  if (areas.length === 0) return 0;
  const assets = await loadAssets(tx);
  const drainage = assets.filter((a) => a.network === 'drainage');
  const membership = assignAreas(assets, areas, drainage.length ? new NetworkTopology('drainage', drainage) : undefined);
  const pairs = [...membership].flatMap(([asset, ids]) => ids.map((area) => [asset, area] as const));
  await inBatches(pairs, (c) => tx.query('INSERT INTO asset_areas (asset_id, area_id) SELECT * FROM unnest($1::text[], $2::text[])', [c.map((p) => p[0]), c.map((p) => p[1])]));
  return pairs.length;
}

export async function loadAssets(db: Queryable, filter: { network?: NetworkKind } = {}): Promise<Asset[]> {
  const rows = await db.query<{ id: string; name: string; network: NetworkKind; asset_type: string; owner_id: string; geometry: Geometry; attributes: Record<string, unknown>; status: AssetStatus }>(
    `SELECT id, name, network, asset_type, owner_id, geometry, attributes, status FROM assets
      WHERE ($1::text IS NULL OR network = $1) ORDER BY id`,
    [filter.network ?? null],
  );
  return rows.map((r) => ({ id: r.id, name: r.name, network: r.network, assetType: r.asset_type, ownerId: r.owner_id, geometry: r.geometry, attributes: r.attributes, status: r.status }));
}

export async function listAreas(db: Queryable): Promise<Area[]> {
  const rows = await db.query<{ id: string; name: string; kind: Area['kind']; parent_id: string | null; geometry: Polygon; attributes: Record<string, unknown> }>(
    'SELECT id, name, kind, parent_id, geometry, attributes FROM areas ORDER BY id',
  );
  return rows.map((r) => ({ id: r.id, name: r.name, kind: r.kind, parentId: r.parent_id, geometry: r.geometry, attributes: r.attributes }));
}

export interface AreaStats {
  areaId: string;
  name: string;
  kind: Area['kind'];
  parentId: string | null;
  /** Per network and asset type: how many, and metres of line. */
  totals: { network: NetworkKind; assetType: string; count: number; lengthM: number }[];
  sensors: number;
}

export async function areaStats(db: Queryable, areaId?: string): Promise<AreaStats[]> {
  const areas = await db.query<{ id: string; name: string; kind: Area['kind']; parent_id: string | null }>(
    'SELECT id, name, kind, parent_id FROM areas WHERE ($1::text IS NULL OR id = $1) ORDER BY id', [areaId ?? null],
  );
  const totals = await db.query<{ area_id: string; network: NetworkKind; asset_type: string; n: number; len: number }>(
    `SELECT aa.area_id, a.network, a.asset_type, count(*)::int AS n, coalesce(sum(a.length_m), 0)::float8 AS len
       FROM asset_areas aa JOIN assets a ON a.id = aa.asset_id
      WHERE ($1::text IS NULL OR aa.area_id = $1) GROUP BY aa.area_id, a.network, a.asset_type ORDER BY 1, 2, 3`,
    [areaId ?? null],
  );
  const sensors = await db.query<{ area_id: string; n: number }>(
    `SELECT aa.area_id, count(*)::int AS n FROM asset_areas aa JOIN sensors s ON s.asset_id = aa.asset_id
      WHERE ($1::text IS NULL OR aa.area_id = $1) GROUP BY aa.area_id`,
    [areaId ?? null],
  );
  const sensorCount = new Map(sensors.map((s) => [s.area_id, s.n]));
  const byArea = new Map<string, AreaStats['totals']>();
  for (const t of totals) {
    let list = byArea.get(t.area_id);
    if (!list) byArea.set(t.area_id, (list = []));
    list.push({ network: t.network, assetType: t.asset_type, count: t.n, lengthM: Math.round(t.len * 10) / 10 });
  }
  return areas.map((a) => ({ areaId: a.id, name: a.name, kind: a.kind, parentId: a.parent_id, totals: byArea.get(a.id) ?? [], sensors: sensorCount.get(a.id) ?? 0 }));
}

/** Area ids of one asset. */
export async function areasOfAsset(db: Queryable, assetId: string): Promise<string[]> {
  const rows = await db.query<{ area_id: string }>('SELECT area_id FROM asset_areas WHERE asset_id = $1 ORDER BY area_id', [assetId]);
  return rows.map((r) => r.area_id);
}

export async function loadHealth(db: Queryable, assetId: string): Promise<HealthRecord | null> {
  const [h] = await db.query<{ commissioned_on: string | null; run_hours: number | null }>(
    'SELECT commissioned_on::text AS commissioned_on, run_hours FROM asset_health WHERE asset_id = $1', [assetId],
  );
  const log = await db.query<{ at: Date; kind: HealthRecord['maintenance'][number]['kind']; description: string; run_hours: number | null }>(
    'SELECT at, kind, description, run_hours FROM maintenance_log WHERE asset_id = $1 ORDER BY at', [assetId],
  );
  if (!h && log.length === 0) return null;
  
  return {
    assetId, commissionedOn: h?.commissioned_on ?? null, runHours: h?.run_hours ?? null,
    maintenance: log.map((m) => ({ at: m.at.toISOString(), kind: m.kind, description: m.description, ...(m.run_hours !== null ? { runHours: m.run_hours } : {}) })),
  };
}

/** Every health record, for export. */
export async function listHealth(db: Queryable): Promise<HealthRecord[]> {
  const records = await db.query<{ asset_id: string; commissioned_on: string | null; run_hours: number | null }>(
    'SELECT asset_id, commissioned_on::text AS commissioned_on, run_hours FROM asset_health ORDER BY asset_id',
  );
  const log = await db.query<{ asset_id: string; at: Date; kind: HealthRecord['maintenance'][number]['kind']; description: string; run_hours: number | null }>(
    'SELECT asset_id, at, kind, description, run_hours FROM maintenance_log ORDER BY asset_id, at',
  );
  const byAsset = new Map(records.map((r) => [r.asset_id, { assetId: r.asset_id, commissionedOn: r.commissioned_on, runHours: r.run_hours, maintenance: [] as HealthRecord['maintenance'] }]));
  for (const m of log) {
    let h = byAsset.get(m.asset_id);
    if (!h) byAsset.set(m.asset_id, (h = { assetId: m.asset_id, commissionedOn: null, runHours: null, maintenance: [] }));
    h.maintenance.push({ at: m.at.toISOString(), kind: m.kind, description: m.description, ...(m.run_hours !== null ? { runHours: m.run_hours } : {}) });
  }
  return [...byAsset.values()];
}
