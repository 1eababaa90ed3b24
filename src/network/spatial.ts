// In-process spatial index over asset bounding boxes (flatbush): the one code path for bbox,
// nearest and "within a distance" queries, since PGlite has no PostGIS.
import Flatbush from 'flatbush';
import { bboxOf, expandBBox, metresPerDegree, pointToGeometryM, type BBox } from './geo.ts';
import { SPACE_TYPES } from './schema.ts';
import type { Asset, Position } from './types.ts';

export interface Nearby {
  asset: Asset;
  distanceM: number;
}

export class SpatialIndex {
  private readonly index: Flatbush | null;

  constructor(readonly assets: readonly Asset[]) {
    if (assets.length === 0) {
      this.index = null;
      return;
    }
    this.index = new Flatbush(assets.length);
    for (const a of assets) {
      const [minX, minY, maxX, maxY] = bboxOf(a.geometry);
      this.index.add(minX, minY, maxX, maxY);
    }
    this.index.finish();
  }

  /** Assets whose bounding box meets the bbox [minLon, minLat, maxLon, maxLat]. */
  search(bbox: BBox, filter?: (asset: Asset) => boolean): Asset[] {
    if (!this.index) return [];
    return this.index.search(...bbox).map((i) => this.assets[i]!).filter((a) => !filter || filter(a));
  }

  /** Assets within `metres` of a point, nearest first. */
  within(point: Position, metres: number, filter?: (asset: Asset) => boolean): Nearby[] {
    return this.search(expandBBox([point[0], point[1], point[0], point[1]], metres), filter)
      .map((asset) => ({ asset, distanceM: pointToGeometryM(point, asset.geometry) }))
      .filter((n) => n.distanceM <= metres)
      .sort((a, b) => a.distanceM - b.distanceM);
  }

  /** The k nearest assets to a point (by true distance in metres, not degrees). */
  nearest(point: Position, k: number, filter?: (asset: Asset) => boolean): Nearby[] {
    if (!this.index) return [];
    // flatbush ranks in degrees, which stretch east–west; over-fetch, then rank in metres.
    const m = metresPerDegree(point[1]);
    const stretch = m.lat / m.lon;
    const candidates = this.index.neighbors(point[0], point[1], Math.ceil(k * stretch * 2) + 4, Infinity, (i) => !filter || filter(this.assets[i]!));
    return candidates
      .map((i) => ({ asset: this.assets[i]!, distanceM: pointToGeometryM(point, this.assets[i]!.geometry) }))
      .sort((a, b) => a.distanceM - b.distanceM)
      .slice(0, k);
  }

  /**
   * Underground spaces (adjacent-space chambers, other utilities' manholes and shafts) within
   * `metres` of a line or point asset: where gas leaking from it would collect.
   */
  spacesNear(asset: Asset, metres: number): Nearby[] {
    const filter = (a: Asset) => a.id !== asset.id && a.geometry.type === 'Point' && SPACE_TYPES.has(a.assetType);
    return this.search(expandBBox(bboxOf(asset.geometry), metres), filter)
      .map((space) => ({ asset: space, distanceM: pointToGeometryM((space.geometry as { coordinates: Position }).coordinates, asset.geometry) }))
      .filter((n) => n.distanceM <= metres)
      .sort((a, b) => a.distanceM - b.distanceM || a.asset.id.localeCompare(b.asset.id));
  }
}
