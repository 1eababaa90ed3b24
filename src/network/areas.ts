// The area hierarchy: city → district (片区) → block (区块), and governance zones (治理分区), one
// per stormwater outfall's catchment. An asset belongs to the city, district and block its
// anchor point lies in; a drainage asset belongs to the zone of the outfall it drains to (the
// trace decides, not the drawn boundary), any other asset to the zone polygon it lies in.
import Flatbush from 'flatbush';
import { anchor, bboxOf, convexHull, expandBBox, pointInPolygon, positions, rectangle } from './geo.ts';
import type { NetworkTopology } from './topology.ts';
import type { Area, AreaKind, Asset, Position } from './types.ts';

class AreaIndex {
  private readonly index: Flatbush | null;
  constructor(private readonly areas: Area[]) {
    this.index = areas.length ? new Flatbush(areas.length) : null;
    for (const a of areas) this.index!.add(...bboxOf(a.geometry));
    this.index?.finish();
  }
  at(p: Position): Area | undefined {
    if (!this.index) return undefined;
    return this.index.search(p[0], p[1], p[0], p[1]).map((i) => this.areas[i]!).find((a) => pointInPolygon(p, a.geometry));
  }
}

/** Area ids per asset id. */
export function assignAreas(assets: readonly Asset[], areas: readonly Area[], drainage?: NetworkTopology): Map<string, string[]> {
  const byKind = new Map<AreaKind, AreaIndex>();
  for (const kind of ['city', 'district', 'block', 'zone'] as const) byKind.set(kind, new AreaIndex(areas.filter((a) => a.kind === kind)));
  const zoneOf = new Map<string, string>();
  if (drainage) {
    for (const zone of areas) {
      if (zone.kind !== 'zone') continue;
      // Most zones have one outfall; where several outfalls share a zone, outfallIds lists them.
      const { outfallId, outfallIds } = zone.attributes;
      const outfalls = [outfallId, ...(Array.isArray(outfallIds) ? outfallIds : [])].filter((o): o is string => typeof o === 'string' && drainage.has(o));
      for (const outfall of outfalls) {
        zoneOf.set(outfall, zone.id);
        for (const id of drainage.trace(outfall, 'upstream')) if (!zoneOf.has(id)) zoneOf.set(id, zone.id);
      }
    }
  }
  const result = new Map<string, string[]>();
  for (const asset of assets) {
    const p = anchor(asset.geometry);
    const ids: string[] = [];
    for (const kind of ['city', 'district', 'block'] as const) {
      const area = byKind.get(kind)!.at(p);
      if (area) ids.push(area.id);
    }
    const zone = zoneOf.get(asset.id) ?? byKind.get('zone')!.at(p)?.id;
    if (zone) ids.push(zone);
    if (ids.length) result.set(asset.id, ids);
  }
  return result;
}

/** One governance zone per outfall: the convex hull of everything its upstream trace reaches. */
export function deriveZones(drainage: NetworkTopology, outfalls: readonly Asset[], parentId: string | null): Area[] {
  return outfalls.filter((o) => drainage.has(o.id)).map((outfall) => {
    const points = [outfall, ...drainage.trace(outfall.id, 'upstream').map((id) => drainage.graph.getNodeAttribute(id, 'asset')!)]
      .flatMap((a) => positions(a.geometry));
    const at = anchor(outfall.geometry);
    return {
      id: `Z-${outfall.id}`, name: `治理分区 ${outfall.name}`, kind: 'zone', parentId,
      geometry: convexHull(points) ?? rectangle(expandBBox([at[0], at[1], at[0], at[1]], 50)),
      attributes: { outfallId: outfall.id, derived: true },
    };
  });
}
