// GeoJSON in and out, in the property schema of docs/network.md. A FeatureCollection carries
// assets (the default featureType), areas and sensors, plus the organisations that own them in
// a top-level "organisations" member, so a whole city round-trips through one file.
import { projector } from '../crs.ts';
import { ImportError, emptyModel, type NetworkModel } from '../model-store.ts';
import { geometryProblem, validateAsset, type Rejection } from '../schema.ts';
import { AREA_KINDS, sensorId, type Area, type AreaKind, type Asset, type HealthRecord, type MaintenanceEntry, type Organisation, type Position } from '../types.ts';

export interface ParseOptions {
  crs?: string;
  defaultOwner?: string;
  /** Organisations already in the database. */
  owners: ReadonlySet<string>;
}

export interface Parsed {
  model: NetworkModel;
  rejected: Rejection[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAINTENANCE_KINDS: readonly MaintenanceEntry['kind'][] = ['inspection', 'repair', 'replacement', 'calibration', 'cleaning', 'other'];

/** Applies `project` to every position of a GeoJSON geometry, leaving anything malformed for validation to name. */
function reproject(geometry: unknown, project: (p: Position) => Position): unknown {
  if (!isObject(geometry)) return geometry;
  const map = (c: unknown, depth: number): unknown => {
    if (!Array.isArray(c)) return c;
    if (depth === 0) return typeof c[0] === 'number' && typeof c[1] === 'number' ? project([c[0], c[1]]) : c;
    return c.map((x) => map(x, depth - 1));
  };
  const depth = geometry.type === 'Point' ? 0 : geometry.type === 'LineString' ? 1 : geometry.type === 'Polygon' ? 2 : -1;
  return depth < 0 ? geometry : { ...geometry, coordinates: map(geometry.coordinates, depth) };
}

function declaredCrs(collection: Json): string | undefined {
  const crs = collection.crs;
  if (isObject(crs) && isObject(crs.properties) && typeof crs.properties.name === 'string') return crs.properties.name;
  return undefined;
}

export function parseGeoJson(text: string, options: ParseOptions): Parsed {
  let collection: unknown;
  try {
    collection = JSON.parse(text);
  } catch (error) {
    throw new ImportError(`not a GeoJSON file: ${(error as Error).message}`);
  }
  if (!isObject(collection) || collection.type !== 'FeatureCollection' || !Array.isArray(collection.features)) {
    throw new ImportError('not a GeoJSON FeatureCollection (expected {"type": "FeatureCollection", "features": [...]})');
  }
  const fileCrs = declaredCrs(collection);
  if (fileCrs && options.crs && projector(fileCrs)([500_000, 3_000_000]).join() !== projector(options.crs)([500_000, 3_000_000]).join()) {
    throw new ImportError(`the file declares crs ${fileCrs} but --crs says ${options.crs}`);
  }
  const crs = options.crs ?? fileCrs;
  const project = crs ? projector(crs) : null;

  const model = emptyModel();
  const rejected: Rejection[] = [];
  const orgs = Array.isArray(collection.organisations) ? collection.organisations : [];
  orgs.forEach((o, i) => {
    if (isObject(o) && typeof o.id === 'string' && typeof o.name === 'string' && ['bureau', 'operator', 'owner'].includes(o.kind as string)) {
      model.organisations.push({ id: o.id, name: o.name, kind: o.kind as Organisation['kind'] });
    } else rejected.push({ at: i + 1, id: null, field: 'organisations', reason: 'an organisation needs id, name and kind (bureau, operator or owner)' });
  });
  const owners = new Set([...options.owners, ...model.organisations.map((o) => o.id)]);
  const ids = new Set<string>();

  collection.features.forEach((feature: unknown, index: number) => {
    const at = index + 1;
    if (!isObject(feature) || feature.type !== 'Feature' || !isObject(feature.properties)) {
      rejected.push({ at, id: null, field: 'feature', reason: 'not a GeoJSON Feature with properties' });
      return;
    }
    const p = feature.properties;
    const geometry = project ? reproject(feature.geometry, project) : feature.geometry;
    const kind = p.featureType ?? 'asset';
    const id = typeof p.id === 'string' || typeof p.id === 'number' ? String(p.id) : null;
    const reject = (field: string, reason: string, rid = id) => rejected.push({ at, id: rid, field, reason });
    if (kind === 'asset') {
      const result = validateAsset(p, geometry, { at, owners, ...(options.defaultOwner ? { defaultOwner: options.defaultOwner } : {}) });
      if (!result.asset) return void rejected.push(...result.rejections);
      if (ids.has(result.asset.id)) return reject('id', 'appears twice in the file');
      ids.add(result.asset.id);
      const health = p.health === undefined ? null : parseHealth(result.asset, p.health, reject);
      if (health === undefined) return;
      model.assets.push(result.asset);
      if (health) model.health.push(health);
    } else if (kind === 'area') {
      const area = parseArea(p, geometry, reject);
      if (area) model.areas.push(area);
    } else if (kind === 'sensor') {
      const s = parseSensor(p, geometry, reject);
      if (!s) return;
      if (ids.has(s.id)) return reject('id', 'appears twice in the file', s.id);
      ids.add(s.id);
      model.sensors.push(s);
      if (!model.devices.some((d) => d.id === s.deviceId)) model.devices.push({ id: s.deviceId, name: typeof p.deviceName === 'string' ? p.deviceName : s.name });
    } else reject('featureType', `${JSON.stringify(kind)} is not asset, area or sensor`);
  });
  checkReferences(model, rejected);
  return { model, rejected };
}

/** undefined: rejected (reason recorded); null: none given. */
function parseHealth(asset: Asset, raw: unknown, reject: (field: string, reason: string) => void): HealthRecord | null | undefined {
  if (!isObject(raw)) return void reject('health', 'must be an object {commissionedOn, runHours, maintenance}');
  const commissionedOn = raw.commissionedOn ?? null;
  if (commissionedOn !== null && (typeof commissionedOn !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(commissionedOn) || Number.isNaN(Date.parse(commissionedOn)))) {
    return void reject('health.commissionedOn', `${JSON.stringify(commissionedOn)} is not a date YYYY-MM-DD`);
  }
  const runHours = raw.runHours ?? null;
  if (runHours !== null && (typeof runHours !== 'number' || !(runHours >= 0))) return void reject('health.runHours', `${JSON.stringify(runHours)} is not a number ≥ 0`);
  const maintenance: MaintenanceEntry[] = [];
  const log = raw.maintenance ?? [];
  if (!Array.isArray(log)) return void reject('health.maintenance', 'must be a list');
  for (const [i, m] of log.entries()) {
    const field = `health.maintenance[${i}]`;
    if (!isObject(m) || typeof m.at !== 'string' || Number.isNaN(Date.parse(m.at))) return void reject(field, 'needs "at", an ISO 8601 time');
    if (!MAINTENANCE_KINDS.includes(m.kind as MaintenanceEntry['kind'])) return void reject(`${field}.kind`, `${JSON.stringify(m.kind)} is not one of ${MAINTENANCE_KINDS.join(', ')}`);
    if (typeof m.description !== 'string') return void reject(`${field}.description`, 'missing');
    maintenance.push({ at: new Date(m.at).toISOString(), kind: m.kind as MaintenanceEntry['kind'], description: m.description, ...(typeof m.runHours === 'number' ? { runHours: m.runHours } : {}) });
  }
  return { assetId: asset.id, commissionedOn: commissionedOn as string | null, runHours: runHours as number | null, maintenance };
}

function parseArea(p: Json, geometry: unknown, reject: (field: string, reason: string) => void): Area | null {
  const id = typeof p.id === 'string' ? p.id : null;
  if (!id) return (reject('id', 'missing'), null);
  if (!AREA_KINDS.includes(p.areaKind as AreaKind)) return (reject('areaKind', `${JSON.stringify(p.areaKind ?? null)} is not one of ${AREA_KINDS.join(', ')}`), null);
  const g = geometry as { type?: unknown; coordinates?: unknown };
  const ring = isObject(g) && g.type === 'Polygon' && Array.isArray(g.coordinates) ? g.coordinates[0] : null;
  if (!Array.isArray(ring) || ring.length < 4) return (reject('geometry', 'an area needs a Polygon with a ring of at least 4 positions'), null);
  const problem = geometryProblem({ type: 'LineString', coordinates: ring });
  if (problem) return (reject('geometry', problem), null);
  const [first, last] = [ring[0] as Position, ring[ring.length - 1] as Position];
  if (first[0] !== last[0] || first[1] !== last[1]) return (reject('geometry', 'the polygon ring is not closed (first position ≠ last)'), null);
  const attributes = isObject(p.attributes) ? p.attributes : {};
  if (typeof p.outfallId === 'string') attributes.outfallId = p.outfallId;
  if (Array.isArray(p.outfallIds)) attributes.outfallIds = p.outfallIds;
  return {
    id, name: typeof p.name === 'string' ? p.name : id, kind: p.areaKind as AreaKind, parentId: typeof p.parent === 'string' ? p.parent : null,
    geometry: { type: 'Polygon', coordinates: [ring as Position[]] }, attributes,
  };
}

function parseSensor(p: Json, geometry: unknown, reject: (field: string, reason: string, id?: string | null) => void) {
  for (const field of ['deviceId', 'channel', 'assetId', 'indicator', 'unit'] as const) {
    if (typeof p[field] !== 'string' || !p[field]) return (reject(field, 'missing'), null);
  }
  const problem = geometryProblem(geometry);
  if (problem || (geometry as { type: string }).type !== 'Point') return (reject('geometry', problem ?? 'a sensor is a Point'), null);
  const deviceId = p.deviceId as string, channel = p.channel as string;
  return {
    id: sensorId(deviceId, channel), deviceId, channel, assetId: p.assetId as string, name: typeof p.name === 'string' ? p.name : sensorId(deviceId, channel),
    indicator: p.indicator as string, unit: p.unit as string, location: (geometry as { coordinates: Position }).coordinates,
  };
}

/** Sensors must sit on an asset of the file, areas must hang off an area of the file. */
function checkReferences(model: NetworkModel, rejected: Rejection[]): void {
  const assets = new Set(model.assets.map((a) => a.id));
  const areas = new Set(model.areas.map((a) => a.id));
  model.sensors = model.sensors.filter((s) => {
    if (assets.has(s.assetId)) return true;
    rejected.push({ at: 0, id: s.id, field: 'assetId', reason: `no asset ${s.assetId} in the file` });
    return false;
  });
  model.areas = model.areas.filter((a) => {
    if (a.parentId === null || areas.has(a.parentId)) return true;
    rejected.push({ at: 0, id: a.id, field: 'parent', reason: `no area ${a.parentId} in the file` });
    return false;
  });
}

/** The model as one FeatureCollection in the documented schema. */
export function toGeoJson(model: Pick<NetworkModel, 'organisations' | 'assets' | 'areas' | 'sensors' | 'health'>): unknown {
  const health = new Map(model.health.map((h) => [h.assetId, h]));
  const features: unknown[] = [];
  for (const area of model.areas) {
    features.push({ type: 'Feature', geometry: area.geometry, properties: { featureType: 'area', id: area.id, name: area.name, areaKind: area.kind, parent: area.parentId, attributes: area.attributes } });
  }
  for (const a of model.assets) {
    const h = health.get(a.id);
    features.push({
      type: 'Feature', geometry: a.geometry,
      properties: {
        id: a.id, name: a.name, network: a.network, assetType: a.assetType, owner: a.ownerId, status: a.status ?? 'in_service', ...a.attributes,
        ...(h ? { health: { commissionedOn: h.commissionedOn, runHours: h.runHours, maintenance: h.maintenance } } : {}),
      },
    });
  }
  for (const s of model.sensors) {
    features.push({
      type: 'Feature', geometry: { type: 'Point', coordinates: s.location },
      properties: { featureType: 'sensor', deviceId: s.deviceId, channel: s.channel, assetId: s.assetId, name: s.name, indicator: s.indicator, unit: s.unit },
    });
  }
  return { type: 'FeatureCollection', organisations: model.organisations, features };
}
