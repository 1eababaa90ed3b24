export * from './types.ts';
export {
  countAssets, insertAssets, insertDevices, insertOrganisations, insertSensors,
  listAssets, listOrganisations, listSensors,
} from './repository.ts';
export type { AssetWithOwner } from './repository.ts';
export { SensorRegistry } from './registry.ts';
