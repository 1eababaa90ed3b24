// Gas in adjacent underground spaces (相邻地下空间): from the space where combustible gas is
// measured, where can it go, how strong will it be there, which valves stop the supply and how
// far to keep people away. A pure function over the network twin.
//
// Model: an attenuation graph. Vertices are the underground spaces around the source and points
// every `trenchStepM` along the gas pipes there. Gas moves along three kinds of path, each with
// its own decay length L: through a conduit that joins two spaces (a sewer or a tunnel section,
// L = 200 m: the air space above the flow carries gas far), along the bedding of a gas pipe's
// trench (L = 100 m: loose backfill is the classic migration path) and through soil between
// neighbours closer than `soilMaxM` (L = 20 m). The concentration expected at a space is the
// source's times exp(−Σ length/L) over the best path. Risk ranks the spaces by that
// concentration against the 25 %LEL alarm point, their enclosed volume, how close they are to
// the gas pipe (a pipe leak keeps feeding them) and what stands around them.
import { distanceM, lengthM, metresPerDegree, pointToGeometryM } from '../network/geo.ts';
import { SPACE_TYPES } from '../network/schema.ts';
import type { NetworkTwin } from '../network/twin.ts';
import type { Asset, Position } from '../network/types.ts';
import { evidence, message, round, type AnalysisResult, type Evidence } from './explain.ts';
import { MinHeap } from './min-heap.ts';

export type PathKind = 'conduit' | 'trench' | 'soil';

export interface GasSpreadOptions {
  /** Spaces farther than this (straight line) from the source are not considered (m). */
  maxReachM: number;
  /** A space counts as reached when the concentration expected there is at least this (%LEL). */
  reachLel: number;
  /** Soil paths join spaces (and spaces to gas pipes) closer than this (m). */
  soilMaxM: number;
  trenchStepM: number;
  decayM: Record<PathKind, number>;
}

export const GAS_SPREAD_DEFAULTS: GasSpreadOptions = {
  maxReachM: 500,
  reachLel: 1,
  soilMaxM: 60,
  trenchStepM: 20,
  decayM: { conduit: 200, trench: 100, soil: 20 },
};

/** Enclosed volume per type when the asset has no `volumeM3` (m³): a power/telecom chamber, a Ø1 m manhole 3 m deep, a tunnel shaft, a gully. */
export const DEFAULT_VOLUME_M3: Record<string, number> = { adjacent_space: 8, manhole: 2.4, access_shaft: 20, inlet: 0.5 };

/** Buildings and crowded places (schools, markets, stations) near which a space matters more. */
export interface Place {
  id: string;
  name: string;
  kind: 'building' | 'crowded';
  position: Position;
}

export interface GasSpreadInput {
  twin: NetworkTwin;
  /** The space where the gas is measured. */
  sourceId: string;
  /** The concentration measured there (%LEL). */
  lel: number;
  /** Latest %LEL of other spaces' detectors, by asset id: shown beside the expectation. */
  measured?: ReadonlyMap<string, number>;
  places?: readonly Place[];
  options?: Partial<GasSpreadOptions>;
}

export interface RankedSpace {
  assetId: string;
  name: string;
  assetType: string;
  network: string;
  position: Position;
  /** Straight-line distance from the source (m). */
  distanceM: number;
  /** Length of the best path and what it runs through. */
  pathM: number;
  via: PathKind[];
  predictedLel: number;
  measuredLel: number | null;
  volumeM3: number;
  /** Distance to the nearest gas pipe (m); null when none within the search. */
  gasPipeM: number | null;
  /** Nearest place within 50 m and its distance. */
  nearPlace: { name: string; kind: Place['kind']; distanceM: number } | null;
  risk: number;
  riskClass: 'high' | 'medium' | 'low';
  reached: boolean;
}

export interface GasSpreadDetail {
  source: { assetId: string; name: string; position: Position; lel: number };
  spaces: RankedSpace[];
  /** Pipe whose isolation is proposed (the gas pipe nearest the source) and its valves. */
  isolation: {
    pipeId: string;
    pipeDistanceM: number;
    valves: { id: string; name: string; position: Position }[];
    inoperableValves: string[];
    customers: number;
    cutOff: number;
  } | null;
  evacuation: { center: Position; radiusM: number; basis: string };
}

const LEL_ALARM = 25;
const ISOLATION_DISTANCE_M = 100;

/** The gas pipes' trenches as points every `step` metres, each knowing its pipe. */
function trenchPoints(pipes: Asset[], step: number): { pipeId: string; at: Position; order: number }[] {
  const out: { pipeId: string; at: Position; order: number }[] = [];
  for (const pipe of pipes) {
    if (pipe.geometry.type !== 'LineString') continue;
    const c = pipe.geometry.coordinates;
    let order = 0;
    for (let i = 1; i < c.length; i++) {
      const a = c[i - 1]!;
      const b = c[i]!;
      const n = Math.max(1, Math.ceil(distanceM(a, b) / step));
      for (let k = i === 1 ? 0 : 1; k <= n; k++) {
        out.push({ pipeId: pipe.id, at: [a[0] + ((b[0] - a[0]) * k) / n, a[1] + ((b[1] - a[1]) * k) / n], order: order++ });
      }
    }
  }
  return out;
}

interface Edge {
  to: number;
  lengthM: number;
  kind: PathKind;
}

/** Dijkstra on Σ length/L; returns cost, path length and the path kinds per vertex. */
function spread(edges: Edge[][], source: number, decay: Record<PathKind, number>) {
  const n = edges.length;
  const cost = new Float64Array(n).fill(Infinity);
  const length = new Float64Array(n);
  const prevKind: (PathKind | null)[] = new Array(n).fill(null);
  const prev = new Int32Array(n).fill(-1);
  cost[source] = 0;
  // Lazy deletion: a vertex may sit in the heap several times; stale entries are skipped.
  const heap = new MinHeap<number>();
  heap.push(0, source);
  for (let top = heap.pop(); top; top = heap.pop()) {
    const [c, v] = top;
    if (c > cost[v]!) continue;
    for (const e of edges[v]!) {
      const nc = c + e.lengthM / decay[e.kind];
      if (nc < cost[e.to]!) {
        cost[e.to] = nc;
        length[e.to] = length[v]! + e.lengthM;
        prev[e.to] = v;
        prevKind[e.to] = e.kind;
        heap.push(nc, e.to);
      }
    }
  }
  const via = (v: number): PathKind[] => {
    const kinds: PathKind[] = [];
    for (let u = v; prev[u]! >= 0; u = prev[u]!) if (kinds[0] !== prevKind[u]) kinds.unshift(prevKind[u]!);
    return kinds;
  };
  return { cost, length, via };
}

export function analyseGasSpread(input: GasSpreadInput): AnalysisResult<GasSpreadDetail> {
  const o: GasSpreadOptions = { ...GAS_SPREAD_DEFAULTS, ...input.options, decayM: { ...GAS_SPREAD_DEFAULTS.decayM, ...input.options?.decayM } };
  const { twin } = input;
  const source = twin.byId.get(input.sourceId);
  if (!source || source.geometry.type !== 'Point') throw new RangeError(`${input.sourceId} is not a point asset of the network model`);
  const at = source.geometry.coordinates;

  const isSpace = (a: Asset) => a.geometry.type === 'Point' && SPACE_TYPES.has(a.assetType) && a.status !== 'abandoned';
  const spaces = [source, ...twin.spatial.within(at, o.maxReachM, (a) => isSpace(a) && a.id !== source.id).map((n) => n.asset)];
  const gasPipes = twin.spatial.within(at, o.maxReachM + o.soilMaxM, (a) => a.network === 'gas' && a.assetType === 'pipe' && a.status !== 'abandoned').map((n) => n.asset);
  const trench = trenchPoints(gasPipes, o.trenchStepM).filter((p) => distanceM(p.at, at) <= o.maxReachM + o.soilMaxM);

  // Vertices: spaces first (index = position in `spaces`), then trench points.
  const index = new Map(spaces.map((s, i) => [s.id, i]));
  const pos: Position[] = [...spaces.map((s) => (s.geometry as { coordinates: Position }).coordinates), ...trench.map((p) => p.at)];
  const edges: Edge[][] = pos.map(() => []);
  const link = (a: number, b: number, lengthM: number, kind: PathKind) => {
    edges[a]!.push({ to: b, lengthM, kind });
    edges[b]!.push({ to: a, lengthM, kind });
  };

  // Conduits: a sewer pipe or tunnel section between two spaces of the model (through nodes that
  // are not spaces, such as junctions, adding up the lengths).
  for (const [i, space] of spaces.entries()) {
    const topo = twin.topologies.get(space.network);
    if (!topo?.has(space.id) || space.network === 'gas') continue;
    const seen = new Map<string, number>([[space.id, 0]]);
    const queue: string[] = [space.id];
    while (queue.length > 0) {
      const v = queue.shift()!;
      const d = seen.get(v)!;
      topo.graph.forEachNeighbor(v, (n, attrs) => {
        const step = attrs.link && attrs.asset ? lengthM(attrs.asset.geometry) : 0;
        const nd = d + step;
        if (nd > o.maxReachM || (seen.get(n) ?? Infinity) <= nd) return;
        seen.set(n, nd);
        const j = index.get(n);
        if (j !== undefined) {
          if (j > i) link(i, j, nd, 'conduit');
          return;
        }
        queue.push(n);
      });
    }
  }
  // Soil between neighbouring spaces, and from each space to the nearest trench point of each pipe.
  const m = metresPerDegree(at[1]);
  for (let i = 0; i < spaces.length; i++) {
    for (let j = i + 1; j < spaces.length; j++) {
      const d = distanceM(pos[i]!, pos[j]!);
      if (d <= o.soilMaxM) link(i, j, d, 'soil');
    }
    const nearestPerPipe = new Map<string, [number, number]>();
    trench.forEach((p, k) => {
      const d = Math.hypot((p.at[0] - pos[i]![0]) * m.lon, (p.at[1] - pos[i]![1]) * m.lat);
      if (d <= o.soilMaxM && d < (nearestPerPipe.get(p.pipeId)?.[1] ?? Infinity)) nearestPerPipe.set(p.pipeId, [k, d]);
    });
    for (const [k, d] of nearestPerPipe.values()) link(i, spaces.length + k, d, 'soil');
  }
  // Along each pipe's trench, and across the nodes where pipes meet (their ends coincide).
  const endKey = (p: Position) => `${Math.round(p[0] * 1e6)},${Math.round(p[1] * 1e6)}`;
  const ends = new Map<string, number[]>();
  trench.forEach((p, k) => {
    const next = trench[k + 1];
    if (next && next.pipeId === p.pipeId) link(spaces.length + k, spaces.length + k + 1, distanceM(p.at, next.at), 'trench');
    const first = !trench[k - 1] || trench[k - 1]!.pipeId !== p.pipeId;
    if (first || !next || next.pipeId !== p.pipeId) {
      const key = endKey(p.at);
      for (const other of ends.get(key) ?? []) link(other, spaces.length + k, 0, 'trench');
      ends.set(key, [...(ends.get(key) ?? []), spaces.length + k]);
    }
  });

  const { cost, length, via } = spread(edges, 0, o.decayM);
  const places = input.places ?? [];
  const ranked = spaces.map((s, i): RankedSpace => {
    const p = pos[i]!;
    const predicted = Number.isFinite(cost[i]!) ? input.lel * Math.exp(-cost[i]!) : 0;
    const volume = typeof s.attributes.volumeM3 === 'number' ? s.attributes.volumeM3 : DEFAULT_VOLUME_M3[s.assetType] ?? 3;
    const pipeM = gasPipes.length > 0 ? Math.min(...gasPipes.map((g) => pointToGeometryM(p, g.geometry))) : null;
    const near = places.map((pl) => ({ name: pl.name, kind: pl.kind, distanceM: distanceM(p, pl.position) }))
      .filter((pl) => pl.distanceM <= (pl.kind === 'crowded' ? 50 : 30))
      .sort((a, b) => Number(b.kind === 'crowded') - Number(a.kind === 'crowded') || a.distanceM - b.distanceM)[0] ?? null;
    const volumeFactor = 0.75 + 0.5 * (volume / (volume + 10));
    const pipeFactor = pipeM === null ? 0.75 : 0.75 + 0.5 * Math.exp(-pipeM / 50);
    const exposureFactor = near?.kind === 'crowded' ? 2 : near ? 1.5 : 1;
    const risk = (predicted / LEL_ALARM) * volumeFactor * pipeFactor * exposureFactor;
    return {
      assetId: s.id, name: s.name, assetType: s.assetType, network: s.network, position: p,
      distanceM: round(distanceM(at, p), 1), pathM: round(length[i]!, 1), via: i === 0 ? [] : via(i),
      predictedLel: round(predicted, 2), measuredLel: input.measured?.get(s.id) ?? null, volumeM3: volume,
      gasPipeM: pipeM === null ? null : round(pipeM, 1), nearPlace: near && { ...near, distanceM: round(near.distanceM, 1) },
      risk: round(risk, 3), riskClass: risk >= 1 ? 'high' : risk >= 0.4 ? 'medium' : 'low', reached: predicted >= o.reachLel,
    };
  }).sort((a, b) => b.risk - a.risk || a.distanceM - b.distanceM);
  const reached = ranked.filter((r) => r.reached);

  // Valves: isolate the gas pipe nearest the source.
  let isolation: GasSpreadDetail['isolation'] = null;
  const nearestPipe = gasPipes.map((g) => ({ g, d: pointToGeometryM(at, g.geometry) })).sort((a, b) => a.d - b.d)[0];
  if (nearestPipe) {
    const iso = twin.isolate(nearestPipe.g.id);
    isolation = {
      pipeId: nearestPipe.g.id, pipeDistanceM: round(nearestPipe.d, 1),
      valves: iso.valves.map((id) => {
        const v = twin.byId.get(id)!;
        return { id, name: v.name, position: (v.geometry as { coordinates: Position }).coordinates };
      }),
      inoperableValves: iso.inoperableValves, customers: iso.customers, cutOff: iso.cutOff.length,
    };
  }

  // Evacuation: the 100 m initial isolation distance of ERG Guide 115 (natural gas) once the
  // alarm point is passed, 50 m from 10 %LEL, widened to cover every space expected at ≥ 10 %LEL.
  const base = input.lel >= LEL_ALARM ? ISOLATION_DISTANCE_M : input.lel >= 10 ? 50 : 0;
  const farthestDangerous = Math.max(0, ...ranked.filter((r) => r.predictedLel >= 10).map((r) => r.distanceM + 30));
  const radiusM = base === 0 ? 0 : Math.max(base, farthestDangerous);
  const basis = base === 0
    ? `below 10 %LEL: ventilate and keep monitoring, no evacuation`
    : radiusM > base
      ? `${base} m around the source widened to ${round(radiusM, 0)} m: spaces expected at ≥ 10 %LEL lie up to ${round(radiusM - 30, 0)} m away (+30 m)`
      : `${base} m around the source (${input.lel >= LEL_ALARM ? 'ERG Guide 115 initial isolation distance, ≥ 25 %LEL' : '10–25 %LEL'})`;

  const top = ranked.filter((r) => r.assetId !== source.id)[0];
  const ev: Evidence[] = [
    evidence('sourceLel', `combustible gas in ${source.id}`, input.lel, '%LEL', `${source.id} detector`),
    evidence('spacesConsidered', `underground spaces within ${o.maxReachM} m`, spaces.length, 'spaces', 'network twin (spatial index)'),
    evidence('gasPipesNear', `gas pipes within ${o.maxReachM + o.soilMaxM} m`, gasPipes.length, 'pipes', 'network twin'),
    evidence('spacesReached', `spaces expected at ≥ ${o.reachLel} %LEL`, reached.length, 'spaces', 'attenuation graph'),
  ];
  if (top) ev.push(evidence('topRisk', `highest-risk other space ${top.assetId}: expected ${top.predictedLel} %LEL via ${top.via.join('+') || 'none'}, ${top.pathM} m`, top.risk, 'risk', 'attenuation graph'));
  for (const r of ranked) if (r.measuredLel !== null && r.assetId !== source.id) ev.push(evidence('measuredVsPredicted', `${r.assetId}: measured vs expected ${r.predictedLel} %LEL`, r.measuredLel, '%LEL', `${r.assetId} detector`));
  if (nearestPipe) ev.push(evidence('pipeDistance', `nearest gas pipe ${nearestPipe.g.id}`, nearestPipe.d, 'm', 'network twin'));
  if (isolation) ev.push(evidence('valvesToClose', `valves isolating ${isolation.pipeId}: ${isolation.valves.map((v) => v.id).join(', ') || 'none found'}`, isolation.valves.length, 'valves', 'valve isolation (network topology)'));
  ev.push(evidence('evacuationRadius', `evacuation radius (${basis})`, radiusM, 'm', 'ERG 2024 Guide 115 / model rule'));

  const high = ranked.filter((r) => r.riskClass === 'high').length;
  return {
    kind: 'gas_spread',
    verdict: reached.length > 1 ? 'spreading' : 'contained',
    conclusion: `Gas at ${round(input.lel, 1)} %LEL in ${source.id} can reach ${reached.length - (reached.some((r) => r.assetId === source.id) ? 1 : 0)} other underground space(s) at ≥ ${o.reachLel} %LEL (${high} high risk)`
      + `${isolation ? `; close ${isolation.valves.length} valve(s) (${isolation.valves.map((v) => v.id).join(', ')}) to isolate ${isolation.pipeId}` : ''}`
      + `; evacuate ${round(radiusM, 0)} m around ${source.id}.`,
    message: message(isolation ? 'gasSpread.reachIsolate' : 'gasSpread.reach', {
      source: source.id, lel: round(input.lel, 1), reached: reached.length - (reached.some((r) => r.assetId === source.id) ? 1 : 0), reachLel: o.reachLel, high,
      valveCount: isolation?.valves.length, valves: isolation?.valves.map((v) => v.id).join(', '), pipe: isolation?.pipeId, radius: round(radiusM, 0),
    }),
    // The spread model is a screening model: as sure as its decay lengths, which are generic.
    confidence: 0.6,
    evidence: ev,
    model: {
      name: 'gas-spread/attenuation-graph', version: 1,
      method: 'Best path through conduits, gas-pipe trenches and soil; expected %LEL = source × exp(−Σ length/L); risk = (expected/25 %LEL) × volume × pipe proximity × exposure factors.',
      parameters: {
        maxReachM: o.maxReachM, reachLel: o.reachLel, soilMaxM: o.soilMaxM, trenchStepM: o.trenchStepM,
        decayConduitM: o.decayM.conduit, decayTrenchM: o.decayM.trench, decaySoilM: o.decayM.soil, alarmLel: LEL_ALARM,
      },
    },
    assetIds: [...reached.map((r) => r.assetId), ...(isolation?.valves.map((v) => v.id) ?? [])],
    segmentIds: isolation ? [isolation.pipeId] : [],
    zoneIds: [],
    detail: { source: { assetId: source.id, name: source.name, position: at, lel: round(input.lel, 1) }, spaces: ranked, isolation, evacuation: { center: at, radiusM: round(radiusM, 0), basis } },
  };
}
