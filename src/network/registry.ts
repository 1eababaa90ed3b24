import type { Queryable } from '../store/index.ts';
import { listAssets, listSensors } from './repository.ts';
import type { NetworkKind, Sensor } from './types.ts';

export interface RegisteredSensor extends Sensor {
  network: NetworkKind;
  ownerId: string;
}

/**
 * In-memory lookup of devices and their channels, so the per-message hot path never queries
 * the database to resolve a sensor. Reloaded whenever the network model changes.
 */
export class SensorRegistry {
  private byDevice = new Map<string, Map<string, RegisteredSensor>>();
  private byId = new Map<string, RegisteredSensor>();

  async load(db: Queryable): Promise<void> {
    const assets = new Map((await listAssets(db)).map((a) => [a.id, a]));
    const byDevice = new Map<string, Map<string, RegisteredSensor>>();
    const byId = new Map<string, RegisteredSensor>();
    for (const sensor of await listSensors(db)) {
      const asset = assets.get(sensor.assetId);
      if (!asset) continue;
      const registered = { ...sensor, network: asset.network, ownerId: asset.ownerId };
      byId.set(sensor.id, registered);
      let channels = byDevice.get(sensor.deviceId);
      if (!channels) byDevice.set(sensor.deviceId, (channels = new Map()));
      channels.set(sensor.channel, registered);
    }
    this.byDevice = byDevice;
    this.byId = byId;
  }

  hasDevice(deviceId: string): boolean {
    return this.byDevice.has(deviceId);
  }

  channel(deviceId: string, channel: string): RegisteredSensor | undefined {
    return this.byDevice.get(deviceId)?.get(channel);
  }

  get(sensorId: string): RegisteredSensor | undefined {
    return this.byId.get(sensorId);
  }

  all(): RegisteredSensor[] {
    return [...this.byId.values()];
  }
}
