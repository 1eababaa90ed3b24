import type { Queryable } from '../store/index.ts';
import { lengthM } from './geo.ts';
import type { Asset, AssetStatus, Device, Geometry, NetworkKind, Organisation, Sensor } from './types.ts';

function bbox(geometry: Geometry): [number, number, number, number] {
  const points = geometry.type === 'Point' ? [geometry.coordinates] : geometry.coordinates;
  const lons = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
}

export async function insertOrganisations(db: Queryable, organisations: Organisation[]): Promise<void> {
  for (const o of organisations) {
    await db.query('INSERT INTO organisations (id, name, kind) VALUES ($1, $2, $3)', [o.id, o.name, o.kind]);
  }
}

export async function insertAssets(db: Queryable, assets: Asset[]): Promise<void> {
  for (const a of assets) {
    const [minLon, minLat, maxLon, maxLat] = bbox(a.geometry);
    await db.query(
      `INSERT INTO assets (id, name, network, asset_type, owner_id, geometry, attributes, min_lon, min_lat, max_lon, max_lat, length_m)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [a.id, a.name, a.network, a.assetType, a.ownerId, JSON.stringify(a.geometry), JSON.stringify(a.attributes), minLon, minLat, maxLon, maxLat, lengthM(a.geometry)],
    );
  }
}

export async function insertDevices(db: Queryable, devices: Device[]): Promise<void> {
  for (const d of devices) await db.query('INSERT INTO devices (id, name) VALUES ($1, $2)', [d.id, d.name]);
}

export async function insertSensors(db: Queryable, sensors: Sensor[]): Promise<void> {
  for (const s of sensors) {
    await db.query(
      `INSERT INTO sensors (id, device_id, channel, asset_id, name, indicator, unit, lon, lat)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [s.id, s.deviceId, s.channel, s.assetId, s.name, s.indicator, s.unit, s.location[0], s.location[1]],
    );
  }
}

export async function listOrganisations(db: Queryable): Promise<Organisation[]> {
  return db.query<Organisation & Record<string, unknown>>('SELECT id, name, kind FROM organisations ORDER BY id');
}

export interface AssetWithOwner extends Asset {
  ownerName: string;
}

export async function listAssets(db: Queryable): Promise<AssetWithOwner[]> {
  const rows = await db.query<{
    id: string; name: string; network: NetworkKind; asset_type: string; owner_id: string;
    owner_name: string; geometry: Geometry; attributes: Record<string, unknown>; status: AssetStatus;
  }>(
    `SELECT a.id, a.name, a.network, a.asset_type, a.owner_id, o.name AS owner_name, a.geometry, a.attributes, a.status
       FROM assets a JOIN organisations o ON o.id = a.owner_id ORDER BY a.id`,
  );
  return rows.map((r) => ({
    id: r.id, name: r.name, network: r.network, assetType: r.asset_type, ownerId: r.owner_id,
    ownerName: r.owner_name, geometry: r.geometry, attributes: r.attributes, status: r.status,
  }));
}

export async function listSensors(db: Queryable): Promise<Sensor[]> {
  const rows = await db.query<{
    id: string; device_id: string; channel: string; asset_id: string; name: string;
    indicator: string; unit: string; lon: number; lat: number;
  }>('SELECT id, device_id, channel, asset_id, name, indicator, unit, lon, lat FROM sensors ORDER BY id');
  return rows.map((r) => ({
    id: r.id, deviceId: r.device_id, channel: r.channel, assetId: r.asset_id, name: r.name,
    indicator: r.indicator, unit: r.unit, location: [r.lon, r.lat],
  }));
}

export async function countAssets(db: Queryable): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM assets');
  return row?.n ?? 0;
}
