/** Every lifeline of the brief: the pipe networks, utility tunnels (综合管廊), bridges, road tunnels and rivers. */
export type NetworkKind = 'gas' | 'water' | 'drainage' | 'heating' | 'utility_tunnel' | 'bridge' | 'tunnel' | 'river';
export const NETWORK_KINDS: readonly NetworkKind[] = ['gas', 'water', 'drainage', 'heating', 'utility_tunnel', 'bridge', 'tunnel', 'river'];
export type OrganisationKind = 'bureau' | 'operator' | 'owner';

export interface Organisation {
  id: string;
  name: string;
  kind: OrganisationKind;
}

export type Position = [number, number];
export type Geometry = { type: 'Point'; coordinates: Position } | { type: 'LineString'; coordinates: Position[] };
export interface Polygon {
  type: 'Polygon';
  coordinates: Position[][];
}

export type AssetStatus = 'in_service' | 'planned' | 'under_construction' | 'out_of_service' | 'abandoned';
export const ASSET_STATUSES: readonly AssetStatus[] = ['in_service', 'planned', 'under_construction', 'out_of_service', 'abandoned'];

export interface Asset {
  id: string;
  name: string;
  network: NetworkKind;
  /** See ASSET_TYPES in schema.ts; e.g. pipe, manhole, valve, junction, outfall, adjacent_space */
  assetType: string;
  ownerId: string;
  geometry: Geometry;
  /** Documented keys (docs/network.md): material, diameterMm, depthM, invertUpM, invertDownM, installYear, pressureClass, system, from, to … */
  attributes: Record<string, unknown>;
  /** Absent means in service. */
  status?: AssetStatus;
}

export interface MaintenanceEntry {
  /** ISO 8601 */
  at: string;
  kind: 'inspection' | 'repair' | 'replacement' | 'calibration' | 'cleaning' | 'other';
  description: string;
  runHours?: number;
}

/** The equipment "health record" (设备健康档案) a facility keeps: commissioning, run hours, maintenance. */
export interface HealthRecord {
  assetId: string;
  /** ISO date */
  commissionedOn: string | null;
  runHours: number | null;
  maintenance: MaintenanceEntry[];
}

export type AreaKind = 'city' | 'district' | 'block' | 'zone';
export const AREA_KINDS: readonly AreaKind[] = ['city', 'district', 'block', 'zone'];

/** City → district (片区) → block (区块); governance zones (治理分区) hang off the city, one per outfall catchment. */
export interface Area {
  id: string;
  name: string;
  kind: AreaKind;
  parentId: string | null;
  geometry: Polygon;
  /** zone: { outfallId } */
  attributes: Record<string, unknown>;
}

export interface Device {
  id: string;
  name: string;
}

/** One measured series of one indicator on one device: what rules, readings and alarms attach to. */
export interface Sensor {
  id: string;
  deviceId: string;
  channel: string;
  assetId: string;
  name: string;
  indicator: string;
  unit: string;
  location: Position;
}

export function sensorId(deviceId: string, channel: string): string {
  return `${deviceId}.${channel}`;
}
