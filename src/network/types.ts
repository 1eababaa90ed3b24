export type NetworkKind = 'gas' | 'water' | 'drainage';
export const NETWORK_KINDS: readonly NetworkKind[] = ['gas', 'water', 'drainage'];
export type OrganisationKind = 'bureau' | 'operator' | 'owner';

export interface Organisation {
  id: string;
  name: string;
  kind: OrganisationKind;
}

export type Position = [number, number];
export type Geometry = { type: 'Point'; coordinates: Position } | { type: 'LineString'; coordinates: Position[] };

export interface Asset {
  id: string;
  name: string;
  network: NetworkKind;
  /** e.g. pipe, manhole, valve, junction, outfall, adjacent_space */
  assetType: string;
  ownerId: string;
  geometry: Geometry;
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
