// The topology of each network as a graphology graph. The graph is bipartite over assets: every
// point asset is a vertex, every line asset (pipe, pump or valve link, span, river section) is a
// vertex too, joined to the two vertices at its ends. A line end with no point asset there gets
// a virtual vertex keyed by its coordinate, so pipes digitised without nodes still connect.
// Treating links as vertices lets one breadth-first search cross pipes and nodes alike and stop
// at valves whether the GIS drew them as points (utility GIS) or as links (EPANET).
import { DirectedGraph, UndirectedGraph } from 'graphology';
import { bfsFromNode } from 'graphology-traversal';
import { SINK_TYPES, SOURCE_TYPES } from './schema.ts';
import type { Asset, NetworkKind, Position } from './types.ts';

export interface VertexAttributes {
  /** null for a virtual vertex (a line end with no point asset). */
  asset: Asset | null;
  link: boolean;
}

export type FindingKind = 'dangling_end' | 'duplicate_node' | 'unknown_node' | 'isolated_node' | 'flow_direction' | 'no_outlet';

/** Something an import should tell the user about the network, without refusing it. */
export interface Finding {
  kind: FindingKind;
  network: NetworkKind;
  assetId: string | null;
  /** WGS84 position of the problem, for the map. */
  at: Position;
  message: string;
}

/** Assets that stand beside a network rather than in it: no connectivity finding for them. */
const STANDALONE = new Set(['adjacent_space', 'monitoring_point', 'monitoring_station', 'pier', 'bridge', 'hydrant', 'meter']);

const key = ([lon, lat]: Position) => `${Math.round(lon * 1e6)},${Math.round(lat * 1e6)}`;

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export class NetworkTopology {
  readonly graph = new UndirectedGraph<VertexAttributes>();
  readonly findings: Finding[] = [];
  /** Drainage only: direction of flow, link → downstream end, upstream end → link. */
  readonly flow = new DirectedGraph();
  readonly sources: string[] = [];

  constructor(
    readonly network: NetworkKind,
    assets: Asset[],
  ) {
    const byKey = new Map<string, string>();
    const nodes = new Map<string, Asset>();
    for (const asset of assets) {
      if (asset.status === 'abandoned' || asset.geometry.type !== 'Point') continue;
      const k = key(asset.geometry.coordinates);
      const first = byKey.get(k);
      if (first && !STANDALONE.has(asset.assetType)) {
        this.finding('duplicate_node', asset.id, asset.geometry.coordinates, `${asset.id} lies on ${first} (same position within 0.1 m)`);
        nodes.set(asset.id, asset);
        continue;
      }
      if (!STANDALONE.has(asset.assetType)) byKey.set(k, asset.id);
      nodes.set(asset.id, asset);
      this.graph.addNode(asset.id, { asset, link: false });
      if (SOURCE_TYPES[network]?.has(asset.assetType)) this.sources.push(asset.id);
    }
    // A duplicate takes part through the node it duplicates.
    const resolveNode = (id: string): string => (this.graph.hasNode(id) ? id : byKey.get(key((nodes.get(id)!.geometry as { coordinates: Position }).coordinates))!);

    for (const asset of assets) {
      if (asset.status === 'abandoned' || asset.geometry.type !== 'LineString') continue;
      const coords = asset.geometry.coordinates;
      const end = (field: 'from' | 'to', p: Position): string => {
        const declared = asset.attributes[field];
        if (typeof declared === 'string') {
          if (nodes.has(declared)) return resolveNode(declared);
          this.finding('unknown_node', asset.id, p, `${asset.id}.${field} names ${declared}, which is not a ${network} node; connected by position instead`);
        }
        const k = key(p);
        const found = byKey.get(k);
        if (found) return found;
        const virtual = `~${k}`;
        if (!this.graph.hasNode(virtual)) this.graph.addNode(virtual, { asset: null, link: false });
        return virtual;
      };
      const from = end('from', coords[0]!);
      const to = end('to', coords[coords.length - 1]!);
      this.graph.addNode(asset.id, { asset, link: true });
      this.graph.mergeEdge(asset.id, from);
      this.graph.mergeEdge(asset.id, to);
      if (network === 'drainage') this.addFlow(asset, from, to);
    }
    this.checkEnds();
  }

  private finding(kind: FindingKind, assetId: string | null, at: Position, message: string): void {
    this.findings.push({ kind, network: this.network, assetId, at, message });
  }

  /** Invert elevations decide the direction; without them the digitised direction (from → to) does. */
  private addFlow(link: Asset, from: string, to: string): void {
    const up = num(link.attributes.invertUpM);
    const down = num(link.attributes.invertDownM);
    let [upstream, downstream] = [from, to];
    if (up !== null && down !== null && up < down) {
      [upstream, downstream] = [to, from];
      const c = (link.geometry as { coordinates: Position[] }).coordinates;
      this.finding('flow_direction', link.id, c[0]!, `${link.id}: invert rises from ${up} m to ${down} m along its drawn direction; flow taken as ${downstream} → ${upstream} reversed (check survey or digitising)`);
    }
    for (const v of [upstream, link.id, downstream]) if (!this.flow.hasNode(v)) this.flow.addNode(v);
    this.flow.mergeEdge(upstream, link.id);
    this.flow.mergeEdge(link.id, downstream);
  }

  private checkEnds(): void {
    this.graph.forEachNode((id, { asset, link }) => {
      if (link) return;
      const degree = this.graph.degree(id);
      const type = asset?.assetType ?? null;
      if (type && STANDALONE.has(type)) return;
      const at: Position = asset ? (asset.geometry as { coordinates: Position }).coordinates : (id.slice(1).split(',').map((n) => Number(n) / 1e6) as Position);
      if (degree === 0) this.finding('isolated_node', id, at, `${id} (${type}) connects to no line`);
      else if (degree === 1 && !asset) {
        // A head manhole or a dead-end main is normal; a line end that meets no node is not.
        const pipe = this.graph.neighbors(id)[0]!;
        this.finding('dangling_end', pipe, at, `${pipe} ends at [${at.join(', ')}] where there is no node and no other line`);
      }
      if (this.network === 'drainage' && this.flow.hasNode(id) && this.flow.outDegree(id) === 0 && this.flow.inDegree(id) > 0 && !(type && SINK_TYPES.has(type)) && degree > 1) {
        this.finding('no_outlet', asset ? id : null, at, `${asset ? id : `junction at [${at.join(', ')}]`}: every connected pipe flows in, none flows out`);
      }
    });
  }

  has(assetId: string): boolean {
    return this.graph.hasNode(assetId);
  }

  private assetIds(vertices: Iterable<string>): string[] {
    const out: string[] = [];
    for (const v of vertices) if (this.graph.hasNode(v) && this.graph.getNodeAttribute(v, 'asset')) out.push(v);
    return out.sort();
  }

  /** Vertices reachable from `starts` without entering `blocked`. */
  private reach(starts: Iterable<string>, blocked: ReadonlySet<string>): Set<string> {
    const seen = new Set<string>();
    const queue: string[] = [];
    for (const s of starts) if (!blocked.has(s) && !seen.has(s)) (seen.add(s), queue.push(s));
    while (queue.length > 0) {
      const v = queue.pop()!;
      this.graph.forEachNeighbor(v, (n) => {
        if (!seen.has(n) && !blocked.has(n)) (seen.add(n), queue.push(n));
      });
    }
    return seen;
  }

  private fedCache: Set<string> | null = null;

  /** Vertices a source reaches through the network as it is (normally closed valves closed). */
  private fed(): Set<string> {
    if (!this.fedCache) {
      const closed = new Set<string>();
      this.graph.forEachNode((v, { asset }) => {
        if (asset?.assetType === 'valve' && asset.attributes.operatingState === 'closed') closed.add(v);
      });
      this.fedCache = this.reach(this.sources, closed);
    }
    return this.fedCache;
  }

  /**
   * What lies beyond the closed valves and no longer reaches any source. Each region outside the
   * valves is searched until it meets a source (then it is still fed, and the search stops early)
   * or runs out (then all of it is cut off), so a query costs the size of the cut-off part plus
   * the way to the nearest source, not the whole network.
   */
  private cutOffBeyond(valves: string[], blocked: ReadonlySet<string>): string[] {
    const fedBefore = this.fed();
    const sources = new Set(this.sources);
    const region = new Map<string, boolean>(); // vertex → its region still reaches a source
    const cutOff: string[] = [];
    for (const valve of valves) {
      for (const start of this.graph.neighbors(valve)) {
        if (blocked.has(start) || region.has(start) || !fedBefore.has(start)) continue;
        const seen = [start];
        const members = new Set(seen);
        let stillFed = false;
        for (let i = 0; i < seen.length && !stillFed; i++) {
          const v = seen[i]!;
          if (sources.has(v) || region.get(v) === true) stillFed = true;
          else {
            this.graph.forEachNeighbor(v, (n) => {
              if (!members.has(n) && !blocked.has(n)) (members.add(n), seen.push(n));
            });
          }
        }
        for (const v of seen) region.set(v, stillFed);
        if (!stillFed) cutOff.push(...seen);
      }
    }
    return cutOff;
  }

  /**
   * Drainage: everything the water passes through below (downstream) or comes from above
   * (upstream) the asset, by invert-derived flow direction. Pressurised networks: upstream is the
   * shortest path back to the nearest source; downstream is what loses every source when the
   * asset is taken out.
   */
  trace(assetId: string, direction: 'upstream' | 'downstream'): string[] {
    if (!this.has(assetId)) throw new TopologyError(`${assetId} is not part of the ${this.network} network`);
    if (this.network === 'drainage' || this.sources.length === 0) {
      const graph: DirectedGraph | UndirectedGraph<VertexAttributes> = this.network === 'drainage' ? this.flow : this.graph;
      if (!graph.hasNode(assetId)) return [];
      const seen: string[] = [];
      bfsFromNode(graph, assetId, (v) => void seen.push(v), { mode: direction === 'upstream' ? 'inbound' : 'outbound' });
      return this.assetIds(seen.filter((v) => v !== assetId));
    }
    if (direction === 'downstream') {
      const before = this.reach(this.sources, new Set());
      const after = this.reach(this.sources, new Set([assetId]));
      return this.assetIds([...before].filter((v) => v !== assetId && !after.has(v)));
    }
    const parent = new Map<string, string | null>([[assetId, null]]);
    const sources = new Set(this.sources);
    const queue = [assetId];
    for (let i = 0; i < queue.length; i++) {
      const v = queue[i]!;
      if (sources.has(v) && v !== assetId) {
        const path: string[] = [];
        for (let p: string | null = v; p !== null && p !== assetId; p = parent.get(p) ?? null) path.push(p);
        return this.assetIds(path);
      }
      this.graph.forEachNeighbor(v, (n) => {
        if (!parent.has(n)) (parent.set(n, v), queue.push(n));
      });
    }
    return [];
  }

  /**
   * Valve isolation: search outward from the asset across pipes and nodes, stopping at operable
   * valves; the valves met are the ones to close. A valve already closed bounds the search
   * without being listed; an inoperable one is crossed (and reported), widening the shutdown.
   * `cutOff` are the assets outside the closed valves that lose every source as a result.
   */
  isolate(assetId: string): Isolation {
    if (!this.has(assetId)) throw new TopologyError(`${assetId} is not part of the ${this.network} network`);
    const start = this.graph.getNodeAttributes(assetId).asset;
    if (start?.assetType === 'valve') throw new TopologyError(`${assetId} is a valve: isolate the pipe beside it`);
    const valves: string[] = [];
    const inoperable: string[] = [];
    const closedAlready = new Set<string>();
    const segment: string[] = [];
    bfsFromNode(this.graph, assetId, (v, { asset }) => {
      if (asset?.assetType === 'valve' && v !== assetId) {
        if (asset.attributes.operatingState === 'closed') return (closedAlready.add(v), true);
        if (asset.attributes.operable !== false) return (valves.push(v), true);
        inoperable.push(v);
      }
      segment.push(v);
      return false;
    });
    const blocked = new Set([...segment, ...valves, ...closedAlready]);
    const cutOff = this.sources.length > 0 ? this.cutOffBeyond(valves, blocked) : [];
    const affected = [...this.assetIds(segment), ...this.assetIds(cutOff)];
    let customers = 0;
    for (const id of affected) {
      const a = this.graph.getNodeAttribute(id, 'asset')!;
      customers += num(a.attributes.customers) ?? (a.assetType === 'service_connection' ? 1 : 0);
    }
    return {
      assetId, network: this.network, valves: valves.sort(), inoperableValves: inoperable.sort(),
      segment: this.assetIds(segment), cutOff: this.assetIds(cutOff), customers, sources: this.sources.length,
    };
  }
}

export interface Isolation {
  assetId: string;
  network: NetworkKind;
  /** The minimal set of valves to close. */
  valves: string[];
  /** Valves met that cannot be operated; the search went through them. */
  inoperableValves: string[];
  /** Assets between the closed valves (including the asset itself). */
  segment: string[];
  /** Assets outside the valves that lose supply once they are closed. */
  cutOff: string[];
  /** Customers in segment + cutOff (attribute `customers`, or 1 per service connection). */
  customers: number;
  /** Sources the network has (0: cutOff cannot be judged). */
  sources: number;
}

export class TopologyError extends Error {}

/** One topology per network present in `assets`. */
export function buildTopologies(assets: Asset[]): Map<NetworkKind, NetworkTopology> {
  const groups = new Map<NetworkKind, Asset[]>();
  for (const a of assets) {
    let list = groups.get(a.network);
    if (!list) groups.set(a.network, (list = []));
    list.push(a);
  }
  return new Map([...groups].map(([network, list]) => [network, new NetworkTopology(network, list)]));
}
