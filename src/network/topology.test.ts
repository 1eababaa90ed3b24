// Hand-made networks whose answers are known by construction.
import { describe, expect, it } from 'vitest';
import { metresPerDegree } from './geo.ts';
import { SpatialIndex } from './spatial.ts';
import { NetworkTopology, TopologyError, buildTopologies } from './topology.ts';
import type { Asset, NetworkKind, Position } from './types.ts';

const LON0 = 112.0;
const LAT0 = 30.0;
const STEP = 0.001;
const at = (x: number, y: number): Position => [LON0 + x * STEP, LAT0 + y * STEP];

function node(network: NetworkKind, id: string, assetType: string, p: Position, attributes: Record<string, unknown> = {}): Asset {
  return { id, name: id, network, assetType, ownerId: 'o', geometry: { type: 'Point', coordinates: p }, attributes };
}
function pipe(network: NetworkKind, id: string, a: Position, b: Position, attributes: Record<string, unknown> = {}): Asset {
  return { id, name: id, network, assetType: 'pipe', ownerId: 'o', geometry: { type: 'LineString', coordinates: [a, b] }, attributes };
}

//  S ─P1─ V1 ─P2─ J1 ─P3─ V2 ─P4─ J2 ─P5─ C1
//                  │
//                  P6
//                  │
//                  V3 ─P7─ J3 ─P8─ C2
function gasNetwork(overrides: Record<string, Record<string, unknown>> = {}): Asset[] {
  const n = (id: string, type: string, p: Position) => node('gas', id, type, p, overrides[id] ?? {});
  return [
    n('S', 'gate_station', at(0, 0)), n('V1', 'valve', at(1, 0)), n('J1', 'junction', at(2, 0)), n('V2', 'valve', at(3, 0)),
    n('J2', 'junction', at(4, 0)), n('C1', 'service_connection', at(5, 0)), n('V3', 'valve', at(2, -1)),
    n('J3', 'junction', at(3, -1)), n('C2', 'service_connection', at(4, -1)),
    pipe('gas', 'P1', at(0, 0), at(1, 0)), pipe('gas', 'P2', at(1, 0), at(2, 0)), pipe('gas', 'P3', at(2, 0), at(3, 0)),
    pipe('gas', 'P4', at(3, 0), at(4, 0)), pipe('gas', 'P5', at(4, 0), at(5, 0)), pipe('gas', 'P6', at(2, 0), at(2, -1)),
    pipe('gas', 'P7', at(2, -1), at(3, -1)), pipe('gas', 'P8', at(3, -1), at(4, -1)),
  ];
}

describe('valve isolation', () => {
  it('closes the valves around the pipe and cuts off what lies beyond them', () => {
    const gas = new NetworkTopology('gas', gasNetwork());
    expect(gas.findings).toEqual([]);
    const result = gas.isolate('P2');
    expect(result.valves).toEqual(['V1', 'V2', 'V3']);
    expect(result.segment).toEqual(['J1', 'P2', 'P3', 'P6']);
    expect(result.cutOff).toEqual(['C1', 'C2', 'J2', 'J3', 'P4', 'P5', 'P7', 'P8']);
    expect(result.customers).toBe(2);
  });

  it('needs one valve for a branch that ends at a customer', () => {
    const result = new NetworkTopology('gas', gasNetwork()).isolate('P5');
    expect(result.valves).toEqual(['V2']);
    expect(result.segment).toEqual(['C1', 'J2', 'P4', 'P5']);
    expect(result.cutOff).toEqual([]);
    expect(result.customers).toBe(1);
  });

  it('crosses an inoperable valve and reports it', () => {
    const result = new NetworkTopology('gas', gasNetwork({ V2: { operable: false } })).isolate('P5');
    expect(result.inoperableValves).toEqual(['V2']);
    expect(result.valves).toEqual(['V1', 'V3']);
  });

  it('does not list a valve that is already closed, nor cut off what it already cut off', () => {
    const result = new NetworkTopology('gas', gasNetwork({ V3: { operatingState: 'closed' } })).isolate('P2');
    expect(result.valves).toEqual(['V1', 'V2']);
    expect(result.cutOff).toEqual(['C1', 'J2', 'P4', 'P5']);
  });

  it('refuses a valve or an unknown asset', () => {
    const gas = new NetworkTopology('gas', gasNetwork());
    expect(() => gas.isolate('V1')).toThrow(TopologyError);
    expect(() => gas.isolate('nope')).toThrow(/not part of the gas network/);
  });

  it('treats EPANET-style valve links like valve points', () => {
    const assets = [
      node('water', 'R', 'reservoir', at(0, 0)), node('water', 'A', 'junction', at(1, 0)), node('water', 'B', 'junction', at(2, 0)),
      node('water', 'C', 'junction', at(3, 0)),
      pipe('water', 'L1', at(0, 0), at(1, 0)), { ...pipe('water', 'VL', at(1, 0), at(2, 0)), assetType: 'valve' },
      pipe('water', 'L2', at(2, 0), at(3, 0)),
    ];
    const result = new NetworkTopology('water', assets).isolate('L2');
    expect(result.valves).toEqual(['VL']);
    expect(result.segment).toEqual(['B', 'C', 'L2']);
  });
});

describe('trace', () => {
  it('pressurised: downstream is what loses supply, upstream the path back to the source', () => {
    const gas = new NetworkTopology('gas', gasNetwork());
    expect(gas.trace('P3', 'downstream')).toEqual(['C1', 'J2', 'P4', 'P5', 'V2']);
    expect(gas.trace('J2', 'upstream')).toEqual(['J1', 'P1', 'P2', 'P3', 'P4', 'S', 'V1', 'V2']);
  });

  //  M1 ─D1→ M2 ─D2→ M3 ─D3→ O1        M4 ─D4→ M2
  const drainage = (): Asset[] => [
    node('drainage', 'M1', 'manhole', at(0, 0)), node('drainage', 'M2', 'manhole', at(1, 0)), node('drainage', 'M3', 'manhole', at(2, 0)),
    node('drainage', 'O1', 'outfall', at(3, 0)), node('drainage', 'M4', 'manhole', at(1, 1)),
    pipe('drainage', 'D1', at(0, 0), at(1, 0), { invertUpM: 10, invertDownM: 9.5 }),
    pipe('drainage', 'D2', at(1, 0), at(2, 0), { invertUpM: 9.5, invertDownM: 9 }),
    pipe('drainage', 'D3', at(2, 0), at(3, 0), { invertUpM: 9, invertDownM: 8.5 }),
    // drawn from M2 to M4 but its inverts say the water runs M4 → M2
    pipe('drainage', 'D4', at(1, 0), at(1, 1), { invertUpM: 9.6, invertDownM: 10.2 }),
  ];

  it('drainage: follows the inverts, reversing a pipe drawn against the flow and reporting it', () => {
    const topo = new NetworkTopology('drainage', drainage());
    expect(topo.trace('M1', 'downstream')).toEqual(['D1', 'D2', 'D3', 'M2', 'M3', 'O1']);
    expect(topo.trace('M3', 'upstream')).toEqual(['D1', 'D2', 'D4', 'M1', 'M2', 'M4']);
    expect(topo.findings.map((f) => [f.kind, f.assetId])).toEqual([['flow_direction', 'D4']]);
  });
});

describe('findings on import', () => {
  it('reports dangling ends, duplicate nodes, unknown nodes and sinks without outlet as data', () => {
    const assets = [
      node('drainage', 'M1', 'manhole', at(0, 0)), node('drainage', 'M2', 'manhole', at(1, 0)),
      node('drainage', 'M2b', 'manhole', at(1, 0)), node('drainage', 'M9', 'manhole', at(5, 5)),
      node('drainage', 'O1', 'outfall', at(2, 0)),
      pipe('drainage', 'D1', at(0, 0), at(1, 0), { invertUpM: 10, invertDownM: 9 }),
      pipe('drainage', 'D2', at(2, 0), at(1, 0), { invertUpM: 10, invertDownM: 9 }),
      pipe('drainage', 'D3', at(1, 0), at(1, 2), { from: 'M2', to: 'NOPE', invertUpM: 10, invertDownM: 9.5 }),
    ];
    const { findings } = new NetworkTopology('drainage', assets);
    const kinds = findings.map((f) => `${f.kind}:${f.assetId}`).sort();
    expect(kinds).toEqual([
      'dangling_end:D3', 'duplicate_node:M2b', 'isolated_node:M9', 'unknown_node:D3',
    ]);
  });

  it('reports a junction where every pipe flows in', () => {
    const assets = [
      node('drainage', 'A', 'end_cap', at(0, 0)), node('drainage', 'B', 'manhole', at(1, 0)), node('drainage', 'C', 'end_cap', at(2, 0)),
      pipe('drainage', 'D1', at(0, 0), at(1, 0), { invertUpM: 10, invertDownM: 9 }),
      pipe('drainage', 'D2', at(2, 0), at(1, 0), { invertUpM: 10, invertDownM: 9 }),
    ];
    const { findings } = new NetworkTopology('drainage', assets);
    expect(findings.map((f) => `${f.kind}:${f.assetId}`)).toEqual(['no_outlet:B']);
  });

  it('groups assets into one topology per network', () => {
    const topologies = buildTopologies([...gasNetwork(), node('water', 'W1', 'junction', at(9, 9))]);
    expect([...topologies.keys()].sort()).toEqual(['gas', 'water']);
  });
});

describe('spaces near a gas pipe', () => {
  const north = (p: Position, metres: number): Position => [p[0], p[1] + metres / metresPerDegree(p[1]).lat];
  it('finds the chambers within the distance, nearest first', () => {
    const mid = at(1.5, 0);
    const assets = [
      ...gasNetwork(),
      node('gas', 'AS1', 'adjacent_space', north(mid, 5), { utility: 'telecom' }),
      node('gas', 'AS2', 'adjacent_space', north(mid, 20), { utility: 'power' }),
      node('drainage', 'MH', 'manhole', north(mid, -8)),
      node('water', 'WJ', 'junction', north(mid, 2)),
    ];
    const index = new SpatialIndex(assets);
    const p2 = assets.find((a) => a.id === 'P2')!;
    const found = index.spacesNear(p2, 10);
    expect(found.map((n) => n.asset.id)).toEqual(['AS1', 'MH']);
    expect(found[0]!.distanceM).toBeCloseTo(5, 1);
    expect(index.spacesNear(p2, 25).map((n) => n.asset.id)).toEqual(['AS1', 'MH', 'AS2']);
  });

  it('answers bbox and nearest queries', () => {
    const index = new SpatialIndex(gasNetwork());
    expect(index.search([at(3.9, -0.1)[0], at(3.9, -0.1)[1], at(5.1, 0.1)[0], at(5.1, 0.1)[1]]).map((a) => a.id).sort()).toEqual(['C1', 'J2', 'P4', 'P5']);
    expect(index.nearest(at(4, -0.9), 1, (a) => a.geometry.type === 'Point').map((n) => n.asset.id)).toEqual(['C2']);
  });
});
