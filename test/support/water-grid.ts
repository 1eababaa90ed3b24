// Building blocks of the small hand-drawn water networks the alerting tests run on: positions on a
// 0.001° grid, nodes and pipes owned by the water company, sensors placed on assets.
import type { Asset, NetworkModel } from '../../src/network/index.ts';

export const gridPoint = (i: number, y = 0): [number, number] => [112 + i * 0.001, 30 + y * 0.001];

export const waterNode = (id: string, assetType: string, i: number, y = 0): Asset => ({
  id, name: id, network: 'water', assetType, ownerId: 'water-co', geometry: { type: 'Point', coordinates: gridPoint(i, y) }, attributes: {},
});

export const waterPipe = (id: string, from: string, to: string, a: [number, number], b: [number, number]): Asset => ({
  id, name: id, network: 'water', assetType: 'pipe', ownerId: 'water-co', geometry: { type: 'LineString', coordinates: [a, b] }, attributes: { from, to },
});

/** A sensor `DEVICE.channel` on an asset: pressure in MPa, mains power as a bare 0/1 state. */
export const gridSensor = (id: string, assetId: string, indicator: string, position: [number, number]) => ({
  id, deviceId: id.split('.')[0]!, channel: id.split('.')[1]!, assetId, name: id, indicator, unit: indicator === 'mains_power' ? '' : 'MPa', location: position,
});

/**
 * A network model of these parts: the monitoring centre and the water company (plus `extraOwners`),
 * the assets, the sensors and their devices, no health records.
 */
export function waterGridModel(assets: Asset[], sensors: ReturnType<typeof gridSensor>[], options: { areas?: NetworkModel['areas']; extraOwners?: NetworkModel['organisations'] } = {}): NetworkModel {
  return {
    organisations: [{ id: 'centre', name: '监测中心', kind: 'operator' }, { id: 'water-co', name: '水务', kind: 'owner' }, ...(options.extraOwners ?? [])],
    assets,
    areas: options.areas ?? [],
    devices: [...new Set(sensors.map((s) => s.deviceId))].map((id) => ({ id, name: id })),
    sensors,
    health: [],
  };
}
