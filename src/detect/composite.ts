// Composite rules across sensors and assets. Each rule anchors on assets of given types (an
// adjacent space, a manhole, a storm outfall); for each anchor the sensors each clause looks at
// are resolved once, from the network twin, when the rule book is built: the anchor's own sensors,
// the sensors on the nearest pipe of a network (and, through the topology, the nearest ones that
// carry the indicator), or the nearest sensor of an indicator within a radius. At evaluation the
// clauses read window aggregates of those sensors' stored readings in one query per batch.
import type { NetworkTwin } from '../network/index.ts';
import type { Asset, Position } from '../network/index.ts';
import type { Queryable } from '../store/index.ts';
import type { CompositeClause, Rule } from './types.ts';

export interface SensorPlacement {
  sensorId: string;
  indicator: string;
  assetId: string;
  /** The asset's type (asset_type): the "asset class" rules can be overridden for. */
  assetClass: string | null;
  location: Position;
}

export interface CompositeAnchor {
  ruleId: string;
  assetId: string;
  /** The anchor's own sensors of the trigger indicator: their readings drive the evaluation. */
  triggerSensors: string[];
  /** Per clause, the sensors it looks at (never empty: an anchor a clause cannot be resolved for is left out). */
  members: string[][];
}

function location(asset: Asset): Position {
  const g = asset.geometry;
  if (g.type === 'Point') return g.coordinates;
  const c = g.coordinates as Position[];
  return c[Math.floor(c.length / 2)]!;
}

/** Sensors on the nearest pipe of the network, else on the vertices nearest to it (breadth first, up to `hops`) that carry the indicator. */
function nearestPipeSensors(twin: NetworkTwin, anchor: Asset, clause: CompositeClause, byAsset: Map<string, SensorPlacement[]>): string[] {
  const network = clause.network ?? anchor.network;
  const [pipe] = twin.spatial.nearest(location(anchor), 1, (a) => a.network === network && a.assetType === 'pipe' && a.status !== 'abandoned');
  const topology = twin.topologies.get(network);
  if (!pipe || !topology?.has(pipe.asset.id)) return [];
  const carrying = (assetId: string) => (byAsset.get(assetId) ?? []).filter((s) => s.indicator === clause.indicator).map((s) => s.sensorId);
  let frontier = [pipe.asset.id];
  const seen = new Set(frontier);
  for (let hop = 0; hop <= (clause.hops ?? 6) && frontier.length > 0; hop++) {
    const found = frontier.flatMap(carrying);
    if (found.length > 0) return found.sort();
    const next: string[] = [];
    for (const v of frontier) {
      topology.graph.forEachNeighbor(v, (n) => {
        if (!seen.has(n)) (seen.add(n), next.push(n));
      });
    }
    frontier = next;
  }
  return [];
}

function nearestSensor(anchor: Asset, clause: CompositeClause, placements: SensorPlacement[]): string[] {
  const at = location(anchor);
  const radius = clause.radiusM ?? 3000;
  let best: { id: string; d: number } | null = null;
  const cosLat = Math.cos((at[1] * Math.PI) / 180);
  for (const s of placements) {
    if (s.indicator !== clause.indicator) continue;
    const dx = (s.location[0] - at[0]) * 111_320 * cosLat;
    const dy = (s.location[1] - at[1]) * 110_574;
    const d = Math.hypot(dx, dy);
    if (d <= radius && (!best || d < best.d)) best = { id: s.sensorId, d };
  }
  return best ? [best.id] : [];
}

/** The anchors of each composite rule in a network, with every clause resolved to sensors. */
export function resolveAnchors(rules: Rule[], twin: NetworkTwin, placements: SensorPlacement[]): CompositeAnchor[] {
  const byAsset = new Map<string, SensorPlacement[]>();
  for (const p of placements) byAsset.set(p.assetId, [...(byAsset.get(p.assetId) ?? []), p]);
  const anchors: CompositeAnchor[] = [];
  // An asset with an override of a composite rule is anchored by the override only.
  const overridden = new Set(rules.filter((r) => r.baseId && r.assetId).map((r) => `${r.baseId}\u0000${r.assetId}`));
  for (const rule of rules) {
    const spec = rule.composite;
    if (!spec) continue;
    const types = new Set(spec.anchorTypes);
    for (const [assetId, sensors] of byAsset) {
      const asset = twin.byId.get(assetId);
      if (!asset || !types.has(asset.assetType) || asset.status === 'abandoned') continue;
      if (spec.anchorSystem && asset.attributes.system !== spec.anchorSystem) continue;
      if (rule.assetId ? rule.assetId !== assetId : overridden.has(`${rule.id}\u0000${assetId}`)) continue;
      const triggerSensors = sensors.filter((s) => s.indicator === spec.trigger.indicator).map((s) => s.sensorId).sort();
      if (triggerSensors.length === 0) continue;
      const members = spec.clauses.map((clause) =>
        clause.relation === 'self' ? sensors.filter((s) => s.indicator === clause.indicator).map((s) => s.sensorId).sort()
          : clause.relation === 'nearest_pipe' ? nearestPipeSensors(twin, asset, clause, byAsset)
            : nearestSensor(asset, clause, placements));
      if (members.some((m) => m.length === 0)) continue;
      anchors.push({ ruleId: rule.id, assetId, triggerSensors, members });
    }
  }
  return anchors;
}

export interface WindowAggregate {
  count: number;
  min: number | null;
  max: number | null;
  latest: number | null;
}

export interface WindowRequest {
  sensorId: string;
  from: Date;
  to: Date;
}

/** min, max, latest and count of each sensor's stored readings in (from, to], one query for all. */
export async function windowAggregates(db: Queryable, requests: WindowRequest[]): Promise<WindowAggregate[]> {
  if (requests.length === 0) return [];
  const rows = await db.query<{ i: string; n: number; lo: number | null; hi: number | null; latest: number | null }>(
    `SELECT q.i::text AS i, count(r.value)::int AS n, min(r.value) AS lo, max(r.value) AS hi,
            (SELECT r2.value FROM readings r2 WHERE r2.sensor_id = q.sensor_id AND r2.ts > q.from_ts AND r2.ts <= q.to_ts ORDER BY r2.ts DESC LIMIT 1) AS latest
       FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS q(sensor_id, from_ts, to_ts, i)
       LEFT JOIN readings r ON r.sensor_id = q.sensor_id AND r.ts > q.from_ts AND r.ts <= q.to_ts
      GROUP BY q.i, q.sensor_id, q.from_ts, q.to_ts`,
    [requests.map((r) => r.sensorId), requests.map((r) => r.from), requests.map((r) => r.to)],
  );
  const out: WindowAggregate[] = requests.map(() => ({ count: 0, min: null, max: null, latest: null }));
  for (const r of rows) out[Number(r.i) - 1] = { count: r.n, min: r.lo, max: r.hi, latest: r.latest };
  return out;
}

/** Whether a clause holds on one sensor's window. */
export function clauseHolds(clause: CompositeClause, w: WindowAggregate): boolean {
  if (w.count === 0 || w.latest === null || w.min === null || w.max === null) return false;
  switch (clause.op) {
    case 'rise': return w.latest - w.min >= clause.value;
    case 'drop': return w.max - w.latest >= clause.value;
    case 'above': return w.latest >= clause.value;
    case 'below': return w.latest <= clause.value;
    case 'max_below': return w.max <= clause.value;
  }
}

export function triggerHolds(rule: Rule, value: number): boolean {
  const trigger = rule.composite!.trigger;
  return trigger.op === 'above' ? value >= trigger.value : value <= trigger.value;
}
