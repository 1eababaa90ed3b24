// The documented asset property schema (docs/network.md): which asset types each lifeline has,
// which attribute keys are typed, and the checks an import applies before anything is written.
// Every check returns reasons naming the field, so a rejected feature says what to fix.
import { ASSET_STATUSES, NETWORK_KINDS, type Asset, type AssetStatus, type Geometry, type NetworkKind, type Position } from './types.ts';

/** Point types are nodes of the topology graph; line types are links (a LineString is always a link). */
export const ASSET_TYPES: Record<NetworkKind, readonly string[]> = {
  gas: ['pipe', 'valve', 'regulator_station', 'gate_station', 'storage_station', 'service_connection', 'end_cap', 'junction', 'adjacent_space'],
  water: ['pipe', 'junction', 'valve', 'pump', 'tank', 'reservoir', 'hydrant', 'meter', 'pump_station', 'treatment_plant', 'service_connection', 'end_cap'],
  drainage: ['pipe', 'manhole', 'inlet', 'outfall', 'pump_station', 'gate', 'treatment_plant', 'channel', 'junction', 'end_cap'],
  heating: ['pipe', 'valve', 'substation', 'junction', 'end_cap'],
  utility_tunnel: ['section', 'access_shaft', 'junction'],
  bridge: ['bridge', 'span', 'pier', 'monitoring_point'],
  tunnel: ['section', 'portal', 'monitoring_point'],
  river: ['section', 'monitoring_station', 'junction'],
};

/** Where supply enters a pressurised network: the roots of upstream traces and isolation. */
export const SOURCE_TYPES: Partial<Record<NetworkKind, ReadonlySet<string>>> = {
  gas: new Set(['gate_station', 'storage_station', 'regulator_station']),
  water: new Set(['reservoir', 'tank', 'treatment_plant']),
  heating: new Set(['substation']),
};

/** Where drainage leaves the network. */
export const SINK_TYPES = new Set(['outfall', 'treatment_plant', 'pump_station']);

/** Underground chambers where leaked gas collects (相邻地下空间). */
export const SPACE_TYPES = new Set(['adjacent_space', 'manhole', 'access_shaft', 'inlet']);

/** GB 50028 pressure classes of city gas. */
export const PRESSURE_CLASSES = ['low', 'medium-B', 'medium-A', 'sub-high-B', 'sub-high-A', 'high-B', 'high-A'] as const;
export const DRAINAGE_SYSTEMS = ['storm', 'sewage', 'combined'] as const;

interface NumberRule {
  min: number;
  max: number;
  integer?: boolean;
}
const NUMBERS: Record<string, NumberRule> = {
  diameterMm: { min: 1, max: 10_000 },
  depthM: { min: 0, max: 200 },
  invertUpM: { min: -200, max: 6000 },
  invertDownM: { min: -200, max: 6000 },
  groundElevationM: { min: -200, max: 6000 },
  elevationM: { min: -200, max: 6000 },
  installYear: { min: 1850, max: 2100, integer: true },
  lengthM: { min: 0, max: 1_000_000 },
  capacityM3d: { min: 0, max: 1e8 },
  spanM: { min: 0, max: 10_000 },
};
const ENUMS: Record<string, readonly string[]> = {
  pressureClass: PRESSURE_CLASSES,
  system: DRAINAGE_SYSTEMS,
  operatingState: ['open', 'closed'],
};
const BOOLEANS = new Set(['operable']);
const STRINGS = new Set(['material', 'from', 'to', 'utility', 'receivingWater', 'road']);

/** Keys a feature's properties may carry beside the attributes: the asset's own fields. */
export const ASSET_FIELDS = new Set(['id', 'name', 'network', 'assetType', 'owner', 'ownerId', 'status', 'health', 'featureType']);

const ID = /^[A-Za-z0-9_.:\-]{1,80}$/;

export interface Rejection {
  /** Feature number (1-based) for GeoJSON, line number for EPANET and CSV. */
  at: number;
  id: string | null;
  field: string;
  reason: string;
}

function isPosition(p: unknown): p is Position {
  return Array.isArray(p) && p.length >= 2 && typeof p[0] === 'number' && typeof p[1] === 'number' && Number.isFinite(p[0]) && Number.isFinite(p[1]);
}

/** Checks a WGS84 geometry; returns the reason it cannot be used, or null. */
export function geometryProblem(geometry: unknown): string | null {
  if (!geometry || typeof geometry !== 'object') return 'missing geometry';
  const g = geometry as { type?: unknown; coordinates?: unknown };
  if (g.type !== 'Point' && g.type !== 'LineString') return `geometry type ${String(g.type)} is not Point or LineString`;
  const points: unknown[] = g.type === 'Point' ? [g.coordinates] : Array.isArray(g.coordinates) ? g.coordinates : [null];
  if (g.type === 'LineString' && points.length < 2) return 'a LineString needs at least 2 positions';
  for (const p of points) {
    if (!isPosition(p)) return 'coordinates are not [lon, lat] number pairs';
    const [lon, lat] = p;
    if (Math.abs(lat) > 90 && Math.abs(lon) <= 90) return `latitude ${lat} is out of range: lon/lat swapped? (GeoJSON order is [lon, lat])`;
    if (Math.abs(lon) > 180 || Math.abs(lat) > 90) return `coordinates [${lon}, ${lat}] are not WGS84 degrees: projected data needs a declared CRS (--crs)`;
  }
  if (g.type === 'LineString') {
    const line = points as Position[];
    if (line.every((p) => p[0] === line[0]![0] && p[1] === line[0]![1])) return 'a LineString whose positions are all the same point';
  }
  return null;
}

/**
 * Turns one feature's properties and geometry into an asset, or the reasons it cannot be one.
 * Unknown keys are kept as attributes; values of documented keys must have the documented type.
 */
export function validateAsset(
  properties: Record<string, unknown>,
  geometry: unknown,
  options: { at: number; defaultOwner?: string; owners: ReadonlySet<string> },
): { asset: Asset; rejections: [] } | { asset: null; rejections: Rejection[] } {
  const rawId = properties.id;
  const id = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : null;
  const rejections: Rejection[] = [];
  const reject = (field: string, reason: string) => rejections.push({ at: options.at, id, field, reason });

  if (id === null) reject('id', 'missing');
  else if (!ID.test(id)) reject('id', `"${id}" must be 1–80 letters, digits or _.:-`);
  const network = properties.network;
  if (typeof network !== 'string' || !(NETWORK_KINDS as readonly string[]).includes(network)) {
    reject('network', `${JSON.stringify(network ?? null)} is not one of ${NETWORK_KINDS.join(', ')}`);
  }
  const assetType = properties.assetType;
  const types = ASSET_TYPES[network as NetworkKind];
  if (types && (typeof assetType !== 'string' || !types.includes(assetType))) {
    reject('assetType', `${JSON.stringify(assetType ?? null)} is not a ${network} asset type (${types.join(', ')})`);
  }
  const owner = properties.owner ?? properties.ownerId ?? options.defaultOwner;
  if (typeof owner !== 'string') reject('owner', 'missing (an organisation id)');
  else if (!options.owners.has(owner)) reject('owner', `unknown organisation "${owner}"`);
  const status = properties.status ?? 'in_service';
  if (typeof status !== 'string' || !(ASSET_STATUSES as readonly string[]).includes(status)) {
    reject('status', `${JSON.stringify(status)} is not one of ${ASSET_STATUSES.join(', ')}`);
  }
  const geometryReason = geometryProblem(geometry);
  if (geometryReason) reject('geometry', geometryReason);

  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(properties)) {
    if (ASSET_FIELDS.has(key) || value === null || value === undefined || value === '') continue;
    const rule = NUMBERS[key];
    if (rule) {
      const n = typeof value === 'string' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) reject(key, `${JSON.stringify(value)} is not a number`);
      else if (n < rule.min || n > rule.max) reject(key, `${n} is outside ${rule.min}…${rule.max}`);
      else if (rule.integer && !Number.isInteger(n)) reject(key, `${n} is not a whole number`);
      else attributes[key] = n;
    } else if (ENUMS[key]) {
      if (typeof value !== 'string' || !ENUMS[key].includes(value)) reject(key, `${JSON.stringify(value)} is not one of ${ENUMS[key].join(', ')}`);
      else attributes[key] = value;
    } else if (BOOLEANS.has(key)) {
      if (typeof value === 'boolean') attributes[key] = value;
      else if (value === 'true' || value === 'false') attributes[key] = value === 'true';
      else reject(key, `${JSON.stringify(value)} is not true or false`);
    } else if (STRINGS.has(key)) {
      if (typeof value !== 'string' && typeof value !== 'number') reject(key, `${JSON.stringify(value)} is not text`);
      else attributes[key] = String(value);
    } else {
      attributes[key] = value;
    }
  }
  if (rejections.length > 0) return { asset: null, rejections };
  const name = typeof properties.name === 'string' && properties.name.trim() ? properties.name : id!;
  return {
    asset: {
      id: id!, name, network: network as NetworkKind, assetType: assetType as string, ownerId: owner as string,
      geometry: geometry as Geometry, attributes, status: status as AssetStatus,
    },
    rejections: [],
  };
}
