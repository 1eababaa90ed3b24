// Deterministic synthetic city: a road grid cut by rivers, districts and blocks over it, and each
// lifeline laid along the roads the way a city builds them. Storm trunks run along the
// north–south main roads to an outfall on the nearest river bank (one governance zone per
// outfall catchment, a few zones with two); sewage mains run along east–west streets to
// north–south collectors that end at the treatment plants; gas and water form meshes with valves.
// Every network keeps its own offset from the road centreline so networks never share a node.
import { DEMO_ORGANISATIONS } from './demo-city.ts';
import type { CityPreset } from './presets/index.ts';
import type { NetworkModel } from '../network/model-store.ts';
import type { Area, Asset, Device, HealthRecord, NetworkKind, Organisation, Polygon, Position, Sensor } from '../network/index.ts';
import { sensorId } from '../network/index.ts';
import { seededRandom } from './random.ts';

export interface CitySummary {
  preset: string;
  seed: number;
  gasKm: number;
  waterKm: number;
  drainageKm: number;
  districts: number;
  blocks: number;
  zones: number;
  outfalls: number;
  gates: number;
  pumpStations: number;
  treatmentPlants: number;
  riverSections: number;
  bridges: number;
  sensors: number;
  devices: number;
  assets: number;
}

export const CITY_ORGANISATIONS: Organisation[] = [
  ...DEMO_ORGANISATIONS,
  { id: 'bridge-co', name: '荆州市城市桥梁管理处', kind: 'owner' },
  { id: 'river-co', name: '荆州市水利和湖泊局', kind: 'owner' },
  { id: 'tunnel-co', name: '荆州市综合管廊运营公司', kind: 'owner' },
];
const OWNER: Record<NetworkKind, string> = {
  gas: 'gas-co', water: 'water-co', drainage: 'drain-co', heating: 'gas-co', utility_tunnel: 'tunnel-co', bridge: 'bridge-co', tunnel: 'bridge-co', river: 'river-co',
};
const DISTRICT_NAMES = ['河套片区', '御河片区', '新民片区', '四机片区', '西干渠片区', '雷家垱片区'];

/** A straight line in local metres: vertical (x fixed) or horizontal (y fixed). */
interface Run {
  vertical: boolean;
  at: number;
  from: number;
  to: number;
  attributes: Record<string, unknown>;
}

class CityBuilder {
  readonly assets: Asset[] = [];
  readonly sensors: Sensor[] = [];
  readonly devices: Device[] = [];
  readonly health: HealthRecord[] = [];
  private readonly counters = new Map<string, number>();
  private readonly nodes = new Map<string, Asset>();
  private readonly mLon: number;
  private readonly mLat: number;
  readonly random: () => number;

  constructor(readonly preset: CityPreset, seed: number) {
    this.random = seededRandom(seed);
    const R = 6_371_008.8 * (Math.PI / 180);
    this.mLat = R;
    this.mLon = R * Math.cos(preset.origin[1] * (Math.PI / 180));
  }

  pos(x: number, y: number): Position {
    return [Math.round((this.preset.origin[0] + x / this.mLon) * 1e7) / 1e7, Math.round((this.preset.origin[1] + y / this.mLat) * 1e7) / 1e7];
  }

  id(kind: string, width = 5): string {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return `${this.preset.prefix}-${kind}${String(n).padStart(width, '0')}`;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)]!;
  }

  add(network: NetworkKind, assetType: string, kind: string, geometry: Asset['geometry'], attributes: Record<string, unknown> = {}, name?: string): Asset {
    const id = this.id(kind);
    const asset: Asset = { id, name: name ?? id, network, assetType, ownerId: OWNER[network], geometry, attributes };
    this.assets.push(asset);
    return asset;
  }

  /** The node of `network` at local (x, y), created as `assetType` on first use. */
  node(network: NetworkKind, x: number, y: number, assetType: string, kind: string, attributes: Record<string, unknown> = {}): Asset {
    const key = `${network}:${Math.round(x * 10)},${Math.round(y * 10)}`;
    let node = this.nodes.get(key);
    if (!node) {
      node = this.add(network, assetType, kind, { type: 'Point', coordinates: this.pos(x, y) }, attributes);
      this.nodes.set(key, node);
    }
    return node;
  }

  nodeAt(network: NetworkKind, x: number, y: number): Asset | undefined {
    return this.nodes.get(`${network}:${Math.round(x * 10)},${Math.round(y * 10)}`);
  }

  pipe(network: NetworkKind, a: Asset, b: Asset, attributes: Record<string, unknown>): Asset {
    const [pa, pb] = [a, b].map((n) => (n.geometry as { coordinates: Position }).coordinates) as [Position, Position];
    return this.add(network, 'pipe', 'P', { type: 'LineString', coordinates: [pa, pb] }, { ...attributes, from: a.id, to: b.id });
  }

  sensor(deviceKind: string, asset: Asset, channels: [channel: string, indicator: string, unit: string][], name: string): void {
    const deviceId = this.id(deviceKind, 4);
    const location = asset.geometry.type === 'Point' ? asset.geometry.coordinates : midpoint(asset.geometry.coordinates);
    this.devices.push({ id: deviceId, name: `${name} ${deviceId}` });
    for (const [channel, indicator, unit] of channels) {
      this.sensors.push({ id: sensorId(deviceId, channel), deviceId, channel, assetId: asset.id, name: `${name} ${deviceId}`, indicator, unit, location });
    }
  }

  healthFor(asset: Asset, dutyCycle: number): void {
    const year = 1998 + Math.floor(this.random() * 24);
    const month = 1 + Math.floor(this.random() * 12);
    const commissionedOn = `${year}-${String(month).padStart(2, '0')}-01`;
    const hours = Math.round((2026 - year) * 8760 * dutyCycle);
    const maintenance = Array.from({ length: 1 + Math.floor(this.random() * 3) }, (_, i) => ({
      at: `${2023 + i}-${String(1 + Math.floor(this.random() * 12)).padStart(2, '0')}-15T02:00:00.000Z`,
      kind: this.pick(['inspection', 'repair', 'cleaning', 'calibration'] as const),
      description: this.pick(['季度巡检', '更换密封件', '清淤', '仪表校准', '电机保养']),
      runHours: Math.round(hours - (3 - i) * 2000 * dutyCycle),
    }));
    this.health.push({ assetId: asset.id, commissionedOn, runHours: hours, maintenance });
  }
}

function midpoint(c: Position[]): Position {
  const i = Math.floor((c.length - 1) / 2);
  return [round7((c[i]![0] + c[i + 1]![0]) / 2), round7((c[i]![1] + c[i + 1]![1]) / 2)];
}

const km = (runs: Run[]) => runs.reduce((s, r) => s + Math.abs(r.to - r.from), 0) / 1000;

/** Takes runs in order until `targetKm`; the run that would overshoot is cut to fit, around `centre` when given. */
function fill(runs: Run[], targetKm: number, centre?: (r: Run) => number): Run[] {
  const out: Run[] = [];
  let left = targetKm * 1000;
  for (const r of runs) {
    if (left < 1) break;
    const len = r.to - r.from;
    if (len <= left) {
      out.push(r);
      left -= len;
    } else {
      const c = centre ? Math.min(Math.max(centre(r), r.from + left / 2), r.to - left / 2) : r.from + left / 2;
      out.push({ ...r, from: c - left / 2, to: c + left / 2 });
      left = 0;
    }
  }
  return out;
}

function shuffle<T>(list: T[], random: () => number): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

/** Breakpoints of a run: its ends, crossings with perpendicular runs, extra points, then no gap above maxM. */
function breakpoints(run: Run, across: Run[], extra: number[], maxM: number): number[] {
  const points = new Set<number>([run.from, run.to, ...extra.filter((v) => v > run.from && v < run.to)]);
  for (const c of across) if (c.at >= run.from && c.at <= run.to && run.at >= c.from && run.at <= c.to) points.add(c.at);
  const sorted = [...points].sort((a, b) => a - b);
  const out: number[] = [sorted[0]!];
  for (let i = 1; i < sorted.length; i++) {
    const gap = sorted[i]! - sorted[i - 1]!;
    const parts = Math.ceil(gap / maxM - 1e-9);
    for (let k = 1; k < parts; k++) out.push(sorted[i - 1]! + (gap * k) / parts);
    out.push(sorted[i]!);
  }
  return out;
}

export function generateCity(preset: CityPreset, seed: number): { model: NetworkModel; summary: CitySummary } {
  const b = new CityBuilder(preset, seed);
  const { widthM: W, heightM: H } = preset;
  const roadX = Array.from({ length: preset.mainRoads }, (_, i) => (W * i) / (preset.mainRoads - 1));
  const streetY = Array.from({ length: Math.floor(H / preset.streetSpacingM) + 1 }, (_, j) => j * preset.streetSpacingM);
  const riverY = preset.rivers.map((r) => r.at * H);
  const bank = 15;

  // Gas: a mesh along every road, then second mains on streets, up to the preset's length.
  const gasRuns = fill([
    ...roadX.map((x) => ({ vertical: true, at: x + 8, from: 0, to: H, attributes: { pressureClass: 'medium-A', diameterMm: 300, material: 'PE100' } })),
    ...shuffle(streetY.map((y) => ({ vertical: false, at: y + 8, from: 0, to: W, attributes: { pressureClass: 'medium-B', diameterMm: 160, material: 'PE100' } })), b.random),
    ...shuffle(streetY.map((y) => ({ vertical: false, at: y - 20, from: 0, to: W, attributes: { pressureClass: 'sub-high-B', diameterMm: 250, material: 'steel' } })), b.random),
  ], preset.gasKm);
  const waterRuns = fill([
    ...roadX.map((x) => ({ vertical: true, at: x - 8, from: 0, to: H, attributes: { diameterMm: 400, material: 'ductile iron' } })),
    ...shuffle(streetY.filter((_, j) => j % 2 === 0).map((y) => ({ vertical: false, at: y - 8, from: 0, to: W, attributes: { diameterMm: 200, material: 'PE100' } })), b.random),
  ], preset.waterKm);
  const pressurised = (network: 'gas' | 'water', runs: Run[], valveShare: number) => {
    const vertical = runs.filter((r) => r.vertical);
    const horizontal = runs.filter((r) => !r.vertical);
    for (const run of runs) {
      const points = breakpoints(run, run.vertical ? horizontal : vertical, [], 200);
      const at = (v: number) => (run.vertical ? [run.at, v] : [v, run.at]) as [number, number];
      for (let i = 1; i < points.length; i++) {
        const a = b.node(network, ...at(points[i - 1]!), 'junction', 'N');
        const z = b.node(network, ...at(points[i]!), 'junction', 'N');
        const attributes = { ...run.attributes, installYear: 1990 + Math.floor(b.random() * 34), depthM: Math.round((1 + b.random()) * 10) / 10 };
        if (b.random() < valveShare) {
          const v = b.node(network, ...at((points[i - 1]! + points[i]!) / 2), 'valve', 'V', { operable: b.random() > 0.03 });
          b.pipe(network, a, v, attributes);
          b.pipe(network, v, z, attributes);
        } else b.pipe(network, a, z, attributes);
      }
    }
  };
  // Most street sections get a valve, so a shutdown stays within a few blocks.
  pressurised('gas', gasRuns, 0.85);
  pressurised('water', waterRuns, 0.8);

  // Supply enters at line ends on the west edge: gas gate stations and water works.
  const westEnds = (network: 'gas' | 'water', runs: Run[]) => runs.filter((r) => !r.vertical && r.from === 0).map((r) => b.nodeAt(network, 0, r.at)!).filter(Boolean);
  const gasWest = westEnds('gas', gasRuns);
  const gateStations = [gasWest[0], gasWest[Math.floor(gasWest.length / 2)]].filter((n): n is Asset => !!n);
  for (const [i, n] of gateStations.entries()) Object.assign(n, { assetType: 'gate_station', name: `燃气门站 ${i + 1}` });
  const waterWorks = [0, 1, 2].map((k) => westEnds('water', waterRuns)[k * 2]).filter((n): n is Asset => !!n);
  for (const [i, n] of waterWorks.entries()) Object.assign(n, { assetType: 'treatment_plant', name: `水厂 ${i + 1}` });
  const gasJunctions = b.assets.filter((a) => a.network === 'gas' && a.assetType === 'junction');
  const regulators = shuffle([...gasJunctions], b.random).slice(0, Math.max(2, Math.round(preset.gasKm / 85)));
  for (const [i, n] of regulators.entries()) Object.assign(n, { assetType: 'regulator_station', name: `调压站 ${i + 1}` });

  // Storm: one trunk per main road and river side, flowing to an outfall on the bank.
  const summits = [0, ...riverY.slice(0, -1).map((y, i) => (y + riverY[i + 1]!) / 2), H];
  interface Trunk { outfall: Asset; x: number; y0: number; y1: number }
  const trunks: Trunk[] = [];
  riverY.forEach((yr, r) => {
    for (const side of [-1, 1] as const) {
      const far = side < 0 ? summits[r]! + (r > 0 ? 10 : 0) : summits[r + 1]! - (r < riverY.length - 1 ? 10 : 0);
      const yOut = yr + side * bank;
      roadX.forEach((x0) => {
        const x = x0 + 3;
        const run: Run = { vertical: true, at: x, from: Math.min(far, yOut), to: Math.max(far, yOut), attributes: {} };
        const points = breakpoints(run, [], [yOut + side * 5], 100);
        const seq = side < 0 ? points : points.reverse(); // upstream (far end) first
        const invert = (y: number) => round3(24 + 0.002 * Math.abs(y - yOut));
        const last = seq.length - 1;
        const nodes = seq.map((y, i) => b.node('drainage', x, y, i === last ? 'outfall' : 'manhole', i === last ? 'O' : 'M', i === last ? { receivingWater: preset.rivers[r]!.sections[0] } : {}));
        const diameter = 600 + 200 * Math.floor(b.random() * 4);
        for (let i = 1; i < nodes.length; i++) {
          b.pipe('drainage', nodes[i - 1]!, nodes[i]!, {
            system: 'storm', diameterMm: diameter, material: 'concrete', invertUpM: invert(seq[i - 1]!), invertDownM: invert(seq[i]!),
            installYear: 1995 + Math.floor(b.random() * 28),
          });
        }
        trunks.push({ outfall: nodes[nodes.length - 1]!, x: x0, y0: Math.min(far, yOut), y1: Math.max(far, yOut) });
      });
    }
  });
  const outfalls = trunks.map((t) => t.outfall);
  outfalls.forEach((o, i) => (o.name = `雨水排口 ${i + 1}`));
  const gates: Asset[] = [];
  for (const t of shuffle([...trunks], b.random).slice(0, preset.gates)) {
    // The node 5 m above the outfall becomes its gate.
    const last = b.assets.find((a) => a.network === 'drainage' && a.attributes.to === t.outfall.id)!;
    const gate = b.assets.find((a) => a.id === last.attributes.from)!;
    Object.assign(gate, { assetType: 'gate', name: `排口闸门 ${gates.length + 1}` });
    gates.push(gate);
  }

  // Sewage: collectors along a few main roads to the treatment plants, mains along streets to the nearest collector.
  const collectorX = Array.from({ length: preset.treatmentPlants }, (_, k) => roadX[Math.min(roadX.length - 1, Math.round(((k + 0.5) * roadX.length) / preset.treatmentPlants - 0.5))]! - 3);
  const stormKm = b.assets.filter((a) => a.network === 'drainage' && a.assetType === 'pipe').reduce((s, a) => s + lengthOf(a), 0) / 1000;
  const collectorRuns: Run[] = collectorX.map((x) => ({ vertical: true, at: x, from: 20, to: H, attributes: {} }));
  const nearest = (x: number) => collectorX.reduce((best, c) => (Math.abs(c - x) < Math.abs(best - x) ? c : best), collectorX[0]!);
  const mainRuns = fill(
    shuffle(streetY.filter((y) => y > 0 && y < H && riverY.every((yr) => Math.abs(y - yr) > 40)).map((y) => ({ vertical: false, at: y - 3, from: 0, to: W, attributes: {} })), b.random),
    Math.max(0, preset.drainageKm - stormKm - km(collectorRuns)),
    (r) => nearest((r.from + r.to) / 2),
  );
  const collectorInvert = (y: number) => 18 + 0.001 * y;
  const splitX = collectorX.slice(1).map((x, k) => (x + collectorX[k]!) / 2);
  const plants: Asset[] = [];
  for (const run of collectorRuns) {
    const points = breakpoints(run, mainRuns, [], 100).reverse();
    const nodes = points.map((y, i) => b.node('drainage', run.at, y, i === points.length - 1 ? 'treatment_plant' : 'manhole', i === points.length - 1 ? 'T' : 'M'));
    plants.push(nodes[nodes.length - 1]!);
    for (let i = 1; i < nodes.length; i++) {
      b.pipe('drainage', nodes[i - 1]!, nodes[i]!, { system: 'sewage', diameterMm: 1200, material: 'concrete', invertUpM: round3(collectorInvert(points[i - 1]!)), invertDownM: round3(collectorInvert(points[i]!)), installYear: 2000 + Math.floor(b.random() * 20) });
    }
  }
  plants.forEach((p, i) => Object.assign(p, { name: `污水处理厂 ${i + 1}`, attributes: { ...p.attributes, capacityM3d: 25_000 + 5_000 * Math.floor(b.random() * 6) } }));
  for (const run of mainRuns) {
    const points = breakpoints(run, collectorRuns, splitX, 100);
    const invert = (x: number) => round3(collectorInvert(run.at) + 0.5 + 0.0015 * Math.abs(x - nearest(x)));
    for (let i = 1; i < points.length; i++) {
      let [xa, xb] = [points[i - 1]!, points[i]!];
      if (invert(xa) < invert(xb)) [xa, xb] = [xb, xa];
      const a = b.node('drainage', xa, run.at, 'manhole', 'M');
      const z = b.node('drainage', xb, run.at, 'manhole', 'M');
      b.pipe('drainage', a, z, { system: 'sewage', diameterMm: 500, material: 'HDPE', invertUpM: invert(xa), invertDownM: invert(xb), installYear: 2005 + Math.floor(b.random() * 18) });
    }
  }
  const crossings = collectorRuns.flatMap((c) => mainRuns.filter((m) => c.at >= m.from && c.at <= m.to).map((m) => b.nodeAt('drainage', c.at, m.at)!));
  const pumpStations = shuffle(crossings.filter(Boolean), b.random).slice(0, preset.pumpStations);
  pumpStations.forEach((p, i) => Object.assign(p, { assetType: 'pump_station', name: `污水提升泵站 ${i + 1}` }));

  // Rivers: sections with a monitoring station each.
  const riverSections: Asset[] = [];
  preset.rivers.forEach((river, r) => {
    const n = river.sections.length;
    river.sections.forEach((name, s) => {
      const [x0, x1] = [(W * s) / n, (W * (s + 1)) / n];
      const [ja, jb] = [x0, x1].map((x) => b.node('river', x, riverY[r]!, 'junction', 'RJ')) as [Asset, Asset];
      const section = b.add('river', 'section', 'R', { type: 'LineString', coordinates: [b.pos(x0, riverY[r]!), b.pos(x1, riverY[r]!)] }, { widthM: bank * 2, from: ja.id, to: jb.id }, `${name} 第${s + 1}段`);
      riverSections.push(section);
      const station = b.add('river', 'monitoring_station', 'RS', { type: 'Point', coordinates: b.pos((x0 + x1) / 2, riverY[r]! + bank + 2) }, {}, `${name} 监测站 ${s + 1}`);
      b.sensor('RW', station, [['level', 'river_level', 'm'], ['cod', 'cod', 'mg/L'], ['nh3n', 'nh3n', 'mg/L'], ['ph', 'ph', 'pH']], '河道水位水质站');
    });
  });

  // The viaduct along the street nearest mid-city, with spans and monitoring points.
  const bridges: Asset[] = [];
  if (preset.viaductM > 0) {
    const y = streetY.reduce((best, s) => (Math.abs(s - H / 2) < Math.abs(best - H / 2) ? s : best), streetY[0]!);
    const [x0, x1] = [W * 0.2, Math.min(W, W * 0.2 + preset.viaductM)];
    const bridge = b.add('bridge', 'bridge', 'BR', { type: 'LineString', coordinates: [b.pos(x0, y), b.pos(x1, y)] }, { spanM: 40, installYear: 2019 }, '复兴大道高架桥');
    bridges.push(bridge);
    for (let x = x0; x < x1 - 1; x += 40) b.add('bridge', 'span', 'BS', { type: 'LineString', coordinates: [b.pos(x, y), b.pos(Math.min(x + 40, x1), y)] }, { spanM: Math.min(40, x1 - x) });
    const points = Math.max(2, Math.round(preset.viaductM / 900));
    for (let k = 0; k < points; k++) {
      const p = b.add('bridge', 'monitoring_point', 'BM', { type: 'Point', coordinates: b.pos(x0 + ((k + 0.5) * (x1 - x0)) / points, y) }, {});
      b.sensor('BH', p, [['strain', 'strain', 'με'], ['deflection', 'deflection', 'mm'], ['vibration', 'vibration', 'mm/s']], '桥梁结构监测');
    }
  }
  if (preset.utilityTunnelM > 0) {
    const x = roadX[Math.floor(roadX.length / 2)]! + 14;
    const shafts = Math.max(2, Math.round(preset.utilityTunnelM / 200) + 1);
    const ys = Array.from({ length: shafts }, (_, i) => H * 0.15 + (i * Math.min(preset.utilityTunnelM, H * 0.8)) / (shafts - 1));
    const nodes = ys.map((y) => b.node('utility_tunnel', x, y, 'access_shaft', 'UT'));
    for (let i = 1; i < nodes.length; i++) {
      const [pa, pb] = [nodes[i - 1]!, nodes[i]!].map((n) => (n.geometry as { coordinates: Position }).coordinates) as [Position, Position];
      b.add('utility_tunnel', 'section', 'US', { type: 'LineString', coordinates: [pa, pb] }, { from: nodes[i - 1]!.id, to: nodes[i]!.id, compartments: 3 });
    }
  }

  // Sensors as a lifeline project places them.
  const gasPipes = b.assets.filter((a) => a.network === 'gas' && a.assetType === 'pipe');
  const gasKm = gasPipes.reduce((s, a) => s + lengthOf(a), 0) / 1000;
  for (const pipe of shuffle([...gasPipes], b.random).slice(0, Math.round(gasKm / preset.gasKmPerDetector))) {
    const [a, z] = (pipe.geometry as { coordinates: Position[] }).coordinates as [Position, Position];
    const vertical = Math.abs(a[0] - z[0]) < Math.abs(a[1] - z[1]);
    const m = midpoint([a, z]);
    const offset = 3 / (vertical ? 96_000 : 111_000);
    const space = b.add('gas', 'adjacent_space', 'AS', { type: 'Point', coordinates: vertical ? [round7(m[0] + offset), m[1]] : [m[0], round7(m[1] + offset)] }, { utility: b.pick(['telecom', 'power', 'heat']) });
    space.name = `${space.attributes.utility === 'telecom' ? '通信井' : space.attributes.utility === 'power' ? '电力井' : '热力井'} ${space.id}`;
    b.sensor('GD', space, [['lel', 'methane_lel', '%LEL'], ['temp', 'temperature', '°C']], '可燃气体监测仪');
  }
  for (const r of [...regulators, ...gateStations]) {
    b.sensor('GP', r, [['p', 'gas_pressure', 'MPa']], '燃气压力监测');
    b.healthFor(r, 1);
  }
  const waterPipes = b.assets.filter((a) => a.network === 'water' && a.assetType === 'pipe');
  const waterKm = waterPipes.reduce((s, a) => s + lengthOf(a), 0) / 1000;
  const waterJunctions = b.assets.filter((a) => a.network === 'water' && a.assetType === 'junction');
  for (const j of shuffle([...waterJunctions], b.random).slice(0, Math.round(waterKm / preset.waterKmPerPressure))) b.sensor('WP', j, [['p', 'water_pressure', 'MPa']], '供水压力监测');
  for (const w of waterWorks) {
    const outlet = waterPipes.find((p) => p.attributes.from === w.id || p.attributes.to === w.id);
    if (outlet) b.sensor('WF', outlet, [['q', 'water_flow', 'm³/h']], '供水流量计');
    b.healthFor(w, 1);
  }
  const manholes = b.assets.filter((a) => a.network === 'drainage' && a.assetType === 'manhole');
  for (const [i, m] of manholes.entries()) if (i % preset.manholesPerLevel === 0) b.sensor('DL', m, [['level', 'drain_level', 'm']], '窨井液位计');
  for (const o of outfalls) b.sensor('OL', o, [['level', 'drain_level', 'm']], '排口液位计');
  for (const g of gates) {
    b.sensor('GT', g, [['opening', 'gate_opening', '%']], '闸门开度');
    b.healthFor(g, 0.05);
  }
  for (const p of pumpStations) {
    b.sensor('PF', p, [['q', 'drain_flow', 'm³/h'], ['level', 'drain_level', 'm']], '泵站流量液位');
    b.healthFor(p, 0.4);
  }
  for (const p of plants) {
    b.sensor('TP', p, [['q', 'drain_flow', 'm³/h'], ['bod5', 'bod5', 'mg/L'], ['cod', 'cod', 'mg/L']], '污水厂进水监测');
    b.healthFor(p, 1);
  }

  const areas = buildAreas(b, trunks, roadX);
  const drainageKm = b.assets.filter((a) => a.network === 'drainage' && a.assetType === 'pipe').reduce((s, a) => s + lengthOf(a), 0) / 1000;
  const round1 = (v: number) => Math.round(v * 10) / 10;
  const summary: CitySummary = {
    preset: preset.name, seed, gasKm: round1(gasKm), waterKm: round1(waterKm), drainageKm: round1(drainageKm),
    districts: areas.filter((a) => a.kind === 'district').length, blocks: areas.filter((a) => a.kind === 'block').length,
    zones: areas.filter((a) => a.kind === 'zone').length, outfalls: outfalls.length, gates: gates.length, pumpStations: pumpStations.length,
    treatmentPlants: plants.length, riverSections: riverSections.length, bridges: bridges.length, sensors: b.sensors.length,
    devices: b.devices.length, assets: b.assets.length,
  };
  return { model: { organisations: CITY_ORGANISATIONS, assets: b.assets, areas, devices: b.devices, sensors: b.sensors, health: b.health }, summary };
}

function lengthOf(a: Asset): number {
  if (a.geometry.type !== 'LineString') return 0;
  const [p, q] = [a.geometry.coordinates[0]!, a.geometry.coordinates[a.geometry.coordinates.length - 1]!];
  const mLat = 6_371_008.8 * (Math.PI / 180);
  return Math.hypot((p[0] - q[0]) * mLat * Math.cos(p[1] * (Math.PI / 180)), (p[1] - q[1]) * mLat);
}
const round3 = (v: number) => Math.round(v * 1000) / 1000;
const round7 = (v: number) => Math.round(v * 1e7) / 1e7;

function buildAreas(b: CityBuilder, trunks: { outfall: Asset; x: number; y0: number; y1: number }[], roadX: number[]): Area[] {
  const { widthM: W, heightM: H, prefix } = b.preset;
  const rect = (x0: number, y0: number, x1: number, y1: number): Polygon => {
    const [a, c] = [b.pos(x0, y0), b.pos(x1, y1)];
    return { type: 'Polygon', coordinates: [[a, [c[0], a[1]], c, [a[0], c[1]], a]] };
  };
  const city: Area = { id: `${prefix}-CITY`, name: '荆州市中心城区', kind: 'city', parentId: null, geometry: rect(-50, -50, W + 50, H + 50), attributes: {} };
  const areas: Area[] = [city];
  const [cols, rows] = b.preset.districts;
  const count = cols * rows;
  let blockNo = 0;
  for (let d = 0; d < count; d++) {
    const [c, r] = [d % cols, Math.floor(d / cols)];
    const [x0, x1, y0, y1] = [(W * c) / cols, (W * (c + 1)) / cols, (H * r) / rows, (H * (r + 1)) / rows];
    const pad = (v: number, lo: number, hi: number) => (v === lo ? lo - 50 : v === hi ? hi + 50 : v);
    const [px0, px1, py0, py1] = [pad(x0, 0, W), pad(x1, 0, W), pad(y0, 0, H), pad(y1, 0, H)];
    const district: Area = { id: `${prefix}-D${d + 1}`, name: DISTRICT_NAMES[d] ?? `片区 ${d + 1}`, kind: 'district', parentId: city.id, geometry: rect(px0, py0, px1, py1), attributes: {} };
    areas.push(district);
    // Blocks: two rows of strips, the lower row one wider when the count is odd.
    const n = Math.floor(b.preset.blocks / count) + (d < b.preset.blocks % count ? 1 : 0);
    const lower = Math.ceil(n / 2);
    const upper = n - lower;
    const ym = upper > 0 ? (py0 + py1) / 2 : py1;
    for (const [k, total, ya, yb] of [[lower, lower, py0, ym], [upper, upper, ym, py1]] as const) {
      for (let i = 0; i < k; i++) {
        blockNo++;
        areas.push({ id: `${prefix}-B${String(blockNo).padStart(3, '0')}`, name: `区块 ${blockNo}`, kind: 'block', parentId: district.id, geometry: rect(px0 + ((px1 - px0) * i) / total, ya, px0 + ((px1 - px0) * (i + 1)) / total, yb), attributes: {} });
      }
    }
  }
  // Zones: each outfall's catchment strip; adjacent strips pair up where there are fewer zones than outfalls.
  const half = (roadX[1]! - roadX[0]!) / 2;
  const perInterface = roadX.length;
  const interfaces = trunks.length / perInterface;
  let doubles = Math.max(0, trunks.length - b.preset.zones);
  let zoneNo = 0;
  for (let f = 0; f < interfaces; f++) {
    const list = trunks.slice(f * perInterface, (f + 1) * perInterface);
    const d = Math.min(Math.floor(list.length / 2), Math.ceil(doubles / (interfaces - f)));
    doubles -= d;
    const pairStarts = new Set(Array.from({ length: d }, (_, j) => Math.floor((j * list.length) / d)));
    for (let i = 0; i < list.length; i++) {
      const group = pairStarts.has(i) && i + 1 < list.length ? [list[i]!, list[++i]!] : [list[i]!];
      zoneNo++;
      const first = group[0]!, last = group[group.length - 1]!;
      areas.push({
        id: `${prefix}-Z${String(zoneNo).padStart(3, '0')}`, name: `治理分区 ${zoneNo}`, kind: 'zone', parentId: city.id,
        geometry: rect(first.x - half, first.y0, last.x + half, first.y1),
        attributes: group.length === 1 ? { outfallId: first.outfall.id } : { outfallIds: group.map((t) => t.outfall.id) },
      });
    }
  }
  return areas;
}
