// Mapbox vector tiles of the network model, cut in memory (geojson-vt) and encoded on request
// (vt-pbf). A city of 120k assets is far too much for one GeoJSON download; tiles carry only what
// a zoom level can show:
//   z ≤ 11  mains (pipes of 300 mm and more, bridges, rivers, tunnels) and facilities, without ids
//           (120k unique id strings would make a city tile a megabyte: the map asks
//           /api/network/nearest on a click at these zooms);
//   z 12–13 every pipe and facilities;
//   z ≥ 14  every pipe and every node (valves, manholes, junctions…).
// Two layers per tile: `pipes` (lines) and `nodes` (points), each feature with `network`,
// `assetType`, `main` (1 for a main, else 0) and, from z 12, `id`. The indexes are built once per
// model load.
import geojsonvt from 'geojson-vt';
import vtpbf from 'vt-pbf';
import type { Asset } from './types.ts';

export const TILE_MAX_ZOOM = 14;
/** Below this zoom only mains and facilities are cut into tiles. */
export const ALL_PIPES_ZOOM = 12;
/** From this zoom on, minor nodes (valves, manholes, junctions…) are in the tiles too. */
export const ALL_NODES_ZOOM = 14;

/** Point asset types that are small and numerous: shown only from ALL_NODES_ZOOM. */
const MINOR_NODE_TYPES = new Set([
  'junction', 'manhole', 'valve', 'service_connection', 'end_cap', 'inlet', 'hydrant', 'meter', 'adjacent_space', 'access_shaft', 'pier', 'monitoring_point',
]);
const PIPE_NETWORKS = new Set(['gas', 'water', 'drainage', 'heating']);

/** A main: what the city-scale view keeps. */
export function isMain(asset: Asset): boolean {
  if (asset.geometry.type === 'Point') return !MINOR_NODE_TYPES.has(asset.assetType);
  if (!PIPE_NETWORKS.has(asset.network)) return true;
  const d = asset.attributes.diameterMm;
  return typeof d === 'number' && d >= 300;
}

type Index = ReturnType<typeof geojsonvt>;

interface TileFeature {
  type: 'Feature';
  geometry: Asset['geometry'];
  properties: { id?: string; network: string; assetType: string; main: number };
}

function collection(assets: Asset[], withIds: boolean) {
  return {
    type: 'FeatureCollection' as const,
    features: assets.map((a): TileFeature => ({
      type: 'Feature',
      geometry: a.geometry,
      properties: { ...(withIds ? { id: a.id } : {}), network: a.network, assetType: a.assetType, main: isMain(a) ? 1 : 0 },
    })),
  };
}

const OPTIONS = { maxZoom: TILE_MAX_ZOOM, indexMaxZoom: 5, indexMaxPoints: 100_000, tolerance: 3, extent: 4096, buffer: 64 };

export interface TileSetInfo {
  /** [minLon, minLat, maxLon, maxLat] of every asset; null for an empty model. */
  bounds: [number, number, number, number] | null;
  minzoom: number;
  maxzoom: number;
  assets: number;
  layers: string[];
  /** Changes whenever the model is reloaded: put it in tile URLs so caches never mix models. */
  version: string;
}

export class NetworkTiles {
  readonly info: TileSetInfo;
  private readonly mainPipes: Index;
  private readonly allPipes: Index;
  private readonly cityFacilities: Index;
  private readonly facilities: Index;
  private readonly allNodes: Index;
  private readonly cache = new Map<string, Uint8Array | null>();
  private static readonly CACHE_SIZE = 4000;

  constructor(assets: readonly Asset[], version = Date.now().toString(36)) {
    const pipes = assets.filter((a) => a.geometry.type === 'LineString' && a.status !== 'abandoned');
    const nodes = assets.filter((a) => a.geometry.type === 'Point' && a.status !== 'abandoned');
    const cut = (list: Asset[], withIds: boolean, maxZoom = TILE_MAX_ZOOM) => geojsonvt(collection(list, withIds) as never, { ...OPTIONS, maxZoom });
    this.mainPipes = cut(pipes.filter(isMain), false, ALL_PIPES_ZOOM - 1);
    this.allPipes = cut(pipes, true);
    this.cityFacilities = cut(nodes.filter(isMain), false, ALL_PIPES_ZOOM - 1);
    this.facilities = cut(nodes.filter(isMain), true);
    this.allNodes = cut(nodes, true);
    let bounds: TileSetInfo['bounds'] = null;
    for (const a of assets) {
      const coords = a.geometry.type === 'Point' ? [a.geometry.coordinates] : a.geometry.coordinates;
      for (const [lon, lat] of coords) {
        if (!bounds) bounds = [lon, lat, lon, lat];
        else {
          if (lon < bounds[0]) bounds[0] = lon;
          if (lat < bounds[1]) bounds[1] = lat;
          if (lon > bounds[2]) bounds[2] = lon;
          if (lat > bounds[3]) bounds[3] = lat;
        }
      }
    }
    this.info = { bounds, minzoom: 0, maxzoom: TILE_MAX_ZOOM, assets: assets.length, layers: ['pipes', 'nodes'], version };
  }

  /** The encoded tile, or null when it holds nothing. Throws RangeError for a tile outside the pyramid. */
  tile(z: number, x: number, y: number): Uint8Array | null {
    if (!Number.isInteger(z) || !Number.isInteger(x) || !Number.isInteger(y) || z < 0 || z > TILE_MAX_ZOOM || x < 0 || y < 0 || x >= 2 ** z || y >= 2 ** z) {
      throw new RangeError(`no tile ${z}/${x}/${y}: z 0–${TILE_MAX_ZOOM}, x and y 0–2^z−1`);
    }
    const key = `${z}/${x}/${y}`;
    if (this.cache.has(key)) return this.cache.get(key)!;
    const pipes = (z < ALL_PIPES_ZOOM ? this.mainPipes : this.allPipes).getTile(z, x, y);
    const nodes = (z < ALL_PIPES_ZOOM ? this.cityFacilities : z < ALL_NODES_ZOOM ? this.facilities : this.allNodes).getTile(z, x, y);
    const layers: Record<string, NonNullable<typeof pipes>> = {};
    if (pipes?.features.length) layers.pipes = pipes;
    if (nodes?.features.length) layers.nodes = nodes;
    const encoded = Object.keys(layers).length ? vtpbf.fromGeojsonVt(layers as never, { version: 2, extent: OPTIONS.extent }) : null;
    if (this.cache.size >= NetworkTiles.CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, encoded);
    return encoded;
  }
}

/** Typical cover depth (m) per network, for assets that record neither depth nor inverts. Bridges sit above ground. */
const TYPICAL_DEPTH_M: Record<string, number> = { gas: 1.2, water: 1.4, drainage: 2.5, heating: 1.5, utility_tunnel: 4, tunnel: 10, river: 0, bridge: -8 };

/**
 * Depth (m below ground, positive down) of an asset's axis: `depthM` (cover) plus half the
 * diameter; else ground elevation minus the mean invert; else the network's typical depth.
 */
export function depthOf(asset: Asset): number {
  const a = asset.attributes;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const radius = (num(a.diameterMm) ?? 0) / 2000;
  const cover = num(a.depthM);
  if (cover !== null) return cover + radius;
  const ground = num(a.groundElevationM);
  const up = num(a.invertUpM);
  const down = num(a.invertDownM);
  if (ground !== null && (up !== null || down !== null)) return ground - ((up ?? down)! + (down ?? up)!) / 2 + radius;
  return (TYPICAL_DEPTH_M[asset.network] ?? 1.5) + (asset.network === 'drainage' ? 2 * radius : radius);
}
