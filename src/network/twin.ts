// The network model held in memory for queries: assets by id, one topology per network and a
// spatial index. Built once from the database and rebuilt after the model changes.
import type { Queryable } from '../store/index.ts';
import { loadAssets } from './model-store.ts';
import { SpatialIndex, type Nearby } from './spatial.ts';
import { buildTopologies, TopologyError, type Isolation, type NetworkTopology } from './topology.ts';
import type { Asset, NetworkKind } from './types.ts';

export class NetworkTwin {
  readonly byId: Map<string, Asset>;
  readonly topologies: Map<NetworkKind, NetworkTopology>;
  readonly spatial: SpatialIndex;

  constructor(readonly assets: Asset[]) {
    this.byId = new Map(assets.map((a) => [a.id, a]));
    this.topologies = buildTopologies(assets);
    this.spatial = new SpatialIndex(assets);
  }

  static async load(db: Queryable): Promise<NetworkTwin> {
    return new NetworkTwin(await loadAssets(db));
  }

  private topologyOf(assetId: string): NetworkTopology {
    const asset = this.byId.get(assetId);
    if (!asset) throw new TopologyError(`asset ${assetId} does not exist`);
    return this.topologies.get(asset.network)!;
  }

  isolate(assetId: string): Isolation {
    return this.topologyOf(assetId).isolate(assetId);
  }

  trace(assetId: string, direction: 'upstream' | 'downstream'): string[] {
    return this.topologyOf(assetId).trace(assetId, direction);
  }

  spacesNear(assetId: string, metres: number): Nearby[] {
    const asset = this.byId.get(assetId);
    if (!asset) throw new TopologyError(`asset ${assetId} does not exist`);
    return this.spatial.spacesNear(asset, metres);
  }
}
