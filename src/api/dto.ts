// The JSON shapes the HTTP API and the live WebSocket speak. The web app imports these types,
// so a change here is a change of contract: keep it additive. Where a module's own type is
// exactly what goes over the wire, it is re-exported here rather than written twice.
export type { DeadLetter as DeadLetterDto } from '../ingest/dead-letters.ts';
export type { Incident as IncidentDto, IncidentEvent as IncidentEventDto } from '../incidents/types.ts';
import type { Incident as IncidentDto } from '../incidents/types.ts';
export type { Isolation as IsolationDto } from '../network/topology.ts';

/** Every lifeline: the pipe networks, utility tunnels (综合管廊), bridges, road tunnels, rivers. */
export type NetworkKind = 'gas' | 'water' | 'drainage' | 'heating' | 'utility_tunnel' | 'bridge' | 'tunnel' | 'river';
export type OrganisationKind = 'bureau' | 'operator' | 'owner';
/** 1 = red (most severe) … 4 = blue (least severe). */
export type WarningLevel = 1 | 2 | 3 | 4;
/** `offline`: the sensor has been silent past its threshold (an active offline alarm, rule `offline`). */
export type SensorState = 'normal' | 'alarm' | 'offline' | 'nodata';
export type AlarmState = 'active' | 'cleared';
export type { IncidentAction, IncidentState, Role } from '../incidents/workflow.ts';
export type { AuditEntry as AuditEntryDto, ChainReport as AuditVerificationDto } from '../incidents/audit.ts';
export type { SlaStage } from '../incidents/sla.ts';
import type { IncidentAction, IncidentState, Role } from '../incidents/workflow.ts';
import type { SlaStage } from '../incidents/sla.ts';

/** GET /api/incidents/workflow: the one transition table, and the SLA minutes per level and stage. */
export interface WorkflowDto {
  states: IncidentState[];
  actions: { action: IncidentAction; from: IncidentState[]; to: IncidentState; roles: Role[]; assignedUnitOnly: boolean; reasonRequired: boolean }[];
  sla: Record<'1' | '2' | '3' | '4', Record<SlaStage, number>>;
}

export interface OrganisationDto {
  id: string;
  name: string;
  kind: OrganisationKind;
}

export interface AssetProperties {
  id: string;
  name: string;
  network: NetworkKind;
  /** e.g. pipe, manhole, valve, junction, outfall, adjacent_space */
  assetType: string;
  ownerId: string;
  ownerName: string;
  attributes: Record<string, unknown>;
  /** Absent on older servers; in_service by default. */
  status?: 'in_service' | 'planned' | 'under_construction' | 'out_of_service' | 'abandoned';
}

export interface AssetFeature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Point'; coordinates: [number, number] } | { type: 'LineString'; coordinates: [number, number][] };
  properties: AssetProperties;
}

export interface AssetCollection {
  type: 'FeatureCollection';
  features: AssetFeature[];
}

export interface SensorDto {
  id: string;
  deviceId: string;
  channel: string;
  assetId: string;
  network: NetworkKind;
  name: string;
  indicator: string;
  unit: string;
  /** WGS84 [lon, lat] */
  location: [number, number];
  state: SensorState;
  /** Level of the most severe active alarm, null when none. */
  level: WarningLevel | null;
  latest: { ts: string; value: number } | null;
}

/** GET /api/sensors/:id/readings: oldest first. */
export interface ReadingDto {
  ts: string;
  value: number;
}

/**
 * GET /api/sensors/:id/series?from&to&resolution: min/max/avg/count per bucket, oldest first.
 * `ts` is the bucket's start; `to` is exclusive; `1d` buckets are local days in the deployment's
 * TIME_ZONE; `raw` has one reading per point and at most 20,000 of them (the newest, when the
 * window holds more).
 */
export interface SeriesDto {
  sensorId: string;
  resolution: 'raw' | '1m' | '1h' | '1d';
  points: { ts: string; min: number; max: number; avg: number; count: number }[];
}

/** GET /api/sensors/:id/rules: the threshold rules in force for a sensor (its own, else its indicator's). */
export interface ThresholdRuleDto {
  id: string;
  name: string;
  version: number;
  direction: 'above' | 'below';
  /** Trigger value per level, most severe first. */
  thresholds: { level: WarningLevel; value: number }[];
  /** An active alarm clears only once the value is back past this value. */
  recovery: number;
  scope: 'sensor' | 'indicator';
}

/**
 * GET /api/devices/health: one row per device from its battery and signal channels and its
 * sensors' latest readings. `status` is the worst of: offline (an active offline alarm), low_battery
 * (< 20 %), weak_signal (< -105 dBm), silent (never reported), ok.
 */
export interface DeviceHealthDto {
  id: string;
  name: string;
  lastSeen: string | null;
  battery: number | null;
  signal: number | null;
  offline: boolean;
  deadLetters24h: number;
  status: 'offline' | 'low_battery' | 'weak_signal' | 'silent' | 'ok';
}

export interface AlarmDto {
  id: string;
  sensorId: string;
  sensorName: string;
  indicator: string;
  unit: string;
  network: NetworkKind;
  assetId: string;
  ruleId: string;
  level: WarningLevel;
  peakLevel: WarningLevel;
  state: AlarmState;
  openedAt: string;
  updatedAt: string;
  clearedAt: string | null;
  lastValue: number;
  incidentId: string | null;
  /** maintenance: a sensor fault (stuck, out of range, offline, low battery), never an emergency incident (docs/rules.md). Absent on older servers. */
  category?: 'emergency' | 'maintenance';
  /** How many times the condition started in this episode (re-openings count). Absent on older servers. */
  occurrences?: number;
  /** Who acknowledged the episode, when, with what comment; null until then (an escalation resets it). Absent on older servers. */
  ack?: AckDto | null;
  /** Why the alarm is muted (silence, inhibition, flapping): it opens no incident and sends no notification. Absent on older servers. */
  muted?: MuteDto | null;
  /** Opened while its sensor and rule were flapping (docs/alerting.md). */
  flapping?: boolean;
}

export interface HealthDto {
  status: 'ok';
  version: string;
  database: 'pglite' | 'postgres';
  broker: 'embedded' | 'external';
  uptimeSeconds: number;
  /** Whether this process runs the timers that run once across processes (always true on PGlite). */
  leader: boolean;
  /** How live events reach the other processes: NATS, PostgreSQL LISTEN/NOTIFY, or not at all (one process; docs/cluster.md). */
  bus: 'nats' | 'postgres' | 'process';
  /** Where this process's transports hand uplinks: committed here (`direct`), or the JetStream ingest stream, with the partitions this process consumes (docs/cluster.md). */
  ingest: { mode: 'direct' } | { mode: 'jetstream'; partitions: number[] };
}

export type LiveMessage =
  | { type: 'hello'; serverTime: string }
  /** The server missed other processes' changes for a while (its bus reconnected): read the current state again. */
  | { type: 'resync' }
  | { type: 'alarm'; alarm: AlarmDto }
  | { type: 'incident'; incident: IncidentDto }
  | { type: 'readings'; readings: { sensorId: string; ts: string; value: number }[] }
  | { type: 'notification'; notification: AlarmNotificationDto };

// Alerting: acknowledgement, silences, grouping (src/api/alerting-dto.ts, docs/alerting.md).
export type * from './alerting-dto.ts';
import type { AckDto, AlarmNotificationDto, MuteDto } from './alerting-dto.ts';

// Network twin (docs/network.md).

export type AreaKind = 'city' | 'district' | 'block' | 'zone';

/** GET /api/network/summary: counts and lengths per network and asset type. */
export interface NetworkSummaryDto {
  networks: { network: NetworkKind; assetType: string; count: number; km: number }[];
  areas: Record<AreaKind, number>;
  sensors: number;
}

export interface HealthRecordDto {
  commissionedOn: string | null;
  runHours: number | null;
  maintenance: { at: string; kind: string; description: string; runHours?: number }[];
}

/** GET /api/network/assets/:id */
export interface AssetDetailDto {
  asset: AssetFeature;
  /** Ids of the city, district, block and zone the asset lies in. */
  areaIds: string[];
  health: HealthRecordDto | null;
  sensorIds: string[];
}

/** GET /api/network/assets/:id/trace?direction= */
export interface TraceDto {
  assetId: string;
  direction: 'upstream' | 'downstream';
  assetIds: string[];
}

/** GET /api/network/assets/:id/spaces?within=, GET /api/network/nearest */
export interface NearbyDto {
  assetId: string;
  name: string;
  network: NetworkKind;
  assetType: string;
  distanceM: number;
}

export interface FindingDto {
  kind: 'dangling_end' | 'duplicate_node' | 'unknown_node' | 'isolated_node' | 'flow_direction' | 'no_outlet';
  network: NetworkKind;
  assetId: string | null;
  at: [number, number];
  message: string;
}

export interface AreaFeature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Polygon'; coordinates: [number, number][][] };
  properties: { id: string; name: string; kind: AreaKind; parentId: string | null; attributes: Record<string, unknown> };
}

export interface AreaCollection {
  type: 'FeatureCollection';
  features: AreaFeature[];
}

/** GET /api/network/areas/stats */
export interface AreaStatsDto {
  areaId: string;
  name: string;
  kind: AreaKind;
  parentId: string | null;
  totals: { network: NetworkKind; assetType: string; count: number; lengthM: number }[];
  sensors: number;
}

/** GET /api/network/tiles.json: the vector tile set of the network (layers `pipes` and `nodes`). */
export interface TileSetDto {
  /** Tile URL template, relative to the server, `{z}/{x}/{y}` placeholders; carries the model version. */
  tiles: string;
  bounds: [number, number, number, number] | null;
  minzoom: number;
  maxzoom: number;
  assets: number;
  layers: string[];
  version: string;
}

/** One asset drawn in 3-D: `depthM` below ground (negative above ground, e.g. a bridge). */
export interface Asset3dDto {
  id: string;
  network: NetworkKind;
  assetType: string;
  depthM: number;
  diameterMm: number | null;
  coordinates: [number, number][];
}

/** GET /api/network/3d?bbox=&max=: assets in the box for the 3-D view; only mains when more than `max`. */
export interface Network3dDto {
  mainsOnly: boolean;
  total: number;
  assets: Asset3dDto[];
}
