export * from './types.ts';
export {
  countAssets, insertAssets, insertDevices, insertOrganisations, insertSensors,
  listAssets, listOrganisations, listSensors,
} from './repository.ts';
export type { AssetWithOwner } from './repository.ts';
export { SensorRegistry } from './registry.ts';
export { ASSET_TYPES, type Rejection } from './schema.ts';
export { TopologyError, type Finding, type Isolation } from './topology.ts';
export type { Nearby } from './spatial.ts';
export { NetworkTwin } from './twin.ts';
export { detectFormat, importNetwork, IMPORT_FORMATS, type ImportFormat, type ImportReport } from './importer.ts';
export { areaStats, areasOfAsset, ImportError, listAreas, loadAssets, loadHealth, writeModel, type AreaStats, type NetworkModel } from './model-store.ts';
export { toCsv } from './formats/csv.ts';
export { toGeoJson } from './formats/geojson.ts';
