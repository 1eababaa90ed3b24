// Small WGS84 helpers. Distances use a local equirectangular projection around the points:
// within a city (tens of km) its error is far below survey accuracy, and it is cheap enough to
// run over every pipe of a city.
import type { Geometry, Polygon, Position } from './types.ts';

const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

export type BBox = [number, number, number, number];

export function metresPerDegree(lat: number): { lon: number; lat: number } {
  return { lon: EARTH_RADIUS_M * RAD * Math.cos(lat * RAD), lat: EARTH_RADIUS_M * RAD };
}

export function distanceM(a: Position, b: Position): number {
  const m = metresPerDegree((a[1] + b[1]) / 2);
  return Math.hypot((a[0] - b[0]) * m.lon, (a[1] - b[1]) * m.lat);
}

export function lengthM(geometry: Geometry): number {
  if (geometry.type === 'Point') return 0;
  let total = 0;
  for (let i = 1; i < geometry.coordinates.length; i++) total += distanceM(geometry.coordinates[i - 1]!, geometry.coordinates[i]!);
  return total;
}

export function positions(geometry: Geometry | Polygon): Position[] {
  if (geometry.type === 'Point') return [geometry.coordinates];
  if (geometry.type === 'LineString') return geometry.coordinates;
  return geometry.coordinates.flat();
}

export function bboxOf(geometry: Geometry | Polygon): BBox {
  let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
  for (const [lon, lat] of positions(geometry)) {
    if (lon < minLon) minLon = lon;
    if (lat < minLat) minLat = lat;
    if (lon > maxLon) maxLon = lon;
    if (lat > maxLat) maxLat = lat;
  }
  return [minLon, minLat, maxLon, maxLat];
}

/** A representative point: the point itself, or the middle vertex-pair midpoint of a line. */
export function anchor(geometry: Geometry): Position {
  if (geometry.type === 'Point') return geometry.coordinates;
  const c = geometry.coordinates;
  const i = Math.floor((c.length - 1) / 2);
  return [(c[i]![0] + c[i + 1]![0]) / 2, (c[i]![1] + c[i + 1]![1]) / 2];
}

/** Shortest distance in metres from a point to a line (or point) geometry. */
export function pointToGeometryM(p: Position, geometry: Geometry): number {
  if (geometry.type === 'Point') return distanceM(p, geometry.coordinates);
  const m = metresPerDegree(p[1]);
  let best = Infinity;
  const c = geometry.coordinates;
  for (let i = 1; i < c.length; i++) {
    const ax = (c[i - 1]![0] - p[0]) * m.lon, ay = (c[i - 1]![1] - p[1]) * m.lat;
    const bx = (c[i]![0] - p[0]) * m.lon, by = (c[i]![1] - p[1]) * m.lat;
    const dx = bx - ax, dy = by - ay;
    const len2 = dx * dx + dy * dy;
    const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
    best = Math.min(best, Math.hypot(ax + t * dx, ay + t * dy));
  }
  return best;
}

/** Grows a bbox by `metres` on every side. */
export function expandBBox([minLon, minLat, maxLon, maxLat]: BBox, metres: number): BBox {
  const m = metresPerDegree((minLat + maxLat) / 2);
  const dLon = metres / m.lon, dLat = metres / m.lat;
  return [minLon - dLon, minLat - dLat, maxLon + dLon, maxLat + dLat];
}

/** Ray casting over the outer ring (holes are not used by areas). */
export function pointInPolygon([x, y]: Position, polygon: Polygon): boolean {
  const ring = polygon.coordinates[0] ?? [];
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!, [xj, yj] = ring[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Convex hull (Andrew's monotone chain) as a closed polygon; null for fewer than 3 distinct points. */
export function convexHull(points: Position[]): Polygon | null {
  const sorted = [...new Map(points.map((p) => [`${p[0]},${p[1]}`, p])).values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (sorted.length < 3) return null;
  const cross = (o: Position, a: Position, b: Position) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (list: Position[]) => {
    const out: Position[] = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2]!, out[out.length - 1]!, p) <= 0) out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  const ring = [...half(sorted), ...half([...sorted].reverse())];
  if (ring.length < 3) return null;
  return { type: 'Polygon', coordinates: [[...ring, ring[0]!]] };
}

export function rectangle([minLon, minLat, maxLon, maxLat]: BBox): Polygon {
  return { type: 'Polygon', coordinates: [[[minLon, minLat], [maxLon, minLat], [maxLon, maxLat], [minLon, maxLat], [minLon, minLat]]] };
}
