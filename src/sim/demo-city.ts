import type { Asset, Device, NetworkKind, Organisation, Position, Sensor } from '../network/index.ts';
import { sensorId } from '../network/index.ts';
import { ANALYSIS_DEMO_BRIDGE, ANALYSIS_DEMO_SPACES } from './analysis-demo.ts';

// A small preset of central Jingzhou: the three parties of the brief, a gas, a water and a
// drainage network laid along a few streets, and the sensors a lifeline project puts on them.
// Coordinates are WGS84. The city-scale generator is the network-twin issue's.

export interface DemoCity {
  organisations: Organisation[];
  assets: Asset[];
  devices: Device[];
  sensors: Sensor[];
}

export const DEMO_ORGANISATIONS: Organisation[] = [
  { id: 'bureau', name: '荆州市住房和城市更新局', kind: 'bureau' },
  { id: 'centre', name: '湖北省城市生命线公司荆州监测中心', kind: 'operator' },
  { id: 'gas-co', name: '荆州市燃气公司', kind: 'owner' },
  { id: 'water-co', name: '荆州市自来水公司', kind: 'owner' },
  { id: 'drain-co', name: '荆州市排水公司', kind: 'owner' },
];

type PipeNetwork = Extract<NetworkKind, 'gas' | 'water' | 'drainage'>;
const OWNER: Record<PipeNetwork, string> = { gas: 'gas-co', water: 'water-co', drainage: 'drain-co' };

// Street grid: three east–west and three north–south streets around the old city's east gate.
const LONS = [112.228, 112.236, 112.244, 112.252];
const LATS = [30.33, 30.336, 30.342];

interface Line {
  network: PipeNetwork;
  prefix: string;
  /** Chinese names of the line's nodes and pipes (the demo's other names are Chinese too, zh-CN is the default). */
  names: { node: string; pipe: string };
  /** Each street as a run of vertices; one pipe per consecutive pair, one node per vertex. */
  runs: Position[][];
  pipe: Record<string, unknown>;
  nodeType: string;
  offset: [number, number];
}

const shift = ([lon, lat]: Position, [dx, dy]: [number, number]): Position => [
  Number((lon + dx).toFixed(6)),
  Number((lat + dy).toFixed(6)),
];

const LINES: Line[] = [
  {
    network: 'gas', prefix: 'G', names: { node: '燃气阀门', pipe: '燃气管道' }, nodeType: 'valve', offset: [0, 0.0002],
    pipe: { material: 'PE100', diameterMm: 200, pressureClass: 'medium-A', installYear: 2012 },
    runs: [LONS.map((lon) => [lon, LATS[1]!] as Position), LATS.map((lat) => [LONS[1]!, lat] as Position)],
  },
  {
    network: 'water', prefix: 'W', names: { node: '供水管网节点', pipe: '供水管道' }, nodeType: 'junction', offset: [0, -0.0002],
    pipe: { material: 'ductile iron', diameterMm: 300, installYear: 2008 },
    runs: [LONS.map((lon) => [lon, LATS[0]!] as Position), LATS.map((lat) => [LONS[2]!, lat] as Position), LONS.map((lon) => [lon, LATS[2]!] as Position)],
  },
  {
    network: 'drainage', prefix: 'D', names: { node: '雨水检查井', pipe: '雨水管道' }, nodeType: 'manhole', offset: [0.0002, 0],
    pipe: { material: 'concrete', diameterMm: 800, system: 'storm', installYear: 2015 },
    runs: [LATS.map((lat) => [LONS[0]!, lat] as Position).reverse(), LONS.map((lon) => [lon, LATS[0]!] as Position)],
  },
];

function networkAssets(line: Line): Asset[] {
  const assets: Asset[] = [];
  const nodes = new Map<string, string>();
  const nodeAt = (p: Position): string => {
    const key = p.join(',');
    let id = nodes.get(key);
    if (!id) {
      id = `${line.prefix}N${String(nodes.size + 1).padStart(2, '0')}`;
      nodes.set(key, id);
      assets.push({
        id, name: `${line.names.node} ${id}`, network: line.network, assetType: line.nodeType,
        ownerId: OWNER[line.network], geometry: { type: 'Point', coordinates: p }, attributes: {},
      });
    }
    return id;
  };
  let pipeNo = 0;
  for (const run of line.runs) {
    const points = run.map((p) => shift(p, line.offset));
    for (let i = 1; i < points.length; i++) {
      const from = nodeAt(points[i - 1]!);
      const to = nodeAt(points[i]!);
      pipeNo++;
      const id = `${line.prefix}P${String(pipeNo).padStart(2, '0')}`;
      assets.push({
        id, name: `${line.names.pipe} ${id}`, network: line.network, assetType: 'pipe', ownerId: OWNER[line.network],
        geometry: { type: 'LineString', coordinates: [points[i - 1]!, points[i]!] }, attributes: { ...line.pipe, from, to },
      });
    }
  }
  return assets;
}

export interface DemoSensorSpec {
  deviceId: string;
  channel: string;
  assetId: string;
  name: string;
  indicator: string;
  unit: string;
  /** Normal operating value the simulator wanders around. */
  baseline: number;
  noise: number;
}

// Adjacent underground spaces (telecom and power manholes beside the gas main) where leaked gas collects.
const ADJACENT_SPACES: Asset[] = [
  { id: 'AS-01', name: '通信井 AS-01', network: 'gas', assetType: 'adjacent_space', ownerId: 'gas-co', geometry: { type: 'Point', coordinates: [112.2395, 30.3365] }, attributes: { utility: 'telecom' } },
  { id: 'AS-02', name: '电力井 AS-02', network: 'gas', assetType: 'adjacent_space', ownerId: 'gas-co', geometry: { type: 'Point', coordinates: [112.2485, 30.3365] }, attributes: { utility: 'power' } },
];
const OUTFALL: Asset = {
  id: 'DO-01', name: '雨水排口 DO-01', network: 'drainage', assetType: 'outfall', ownerId: 'drain-co',
  geometry: { type: 'Point', coordinates: [112.2545, 30.3296] }, attributes: { receivingWater: '荆襄内河' },
};

export const DEMO_SENSORS: DemoSensorSpec[] = [
  { deviceId: 'GD-001', channel: 'lel', assetId: 'AS-01', name: '可燃气体监测仪 GD-001', indicator: 'methane_lel', unit: '%LEL', baseline: 0.5, noise: 0.3 },
  { deviceId: 'GD-001', channel: 'temp', assetId: 'AS-01', name: '可燃气体监测仪 GD-001 温度', indicator: 'temperature', unit: '°C', baseline: 18, noise: 0.4 },
  { deviceId: 'GD-002', channel: 'lel', assetId: 'AS-02', name: '可燃气体监测仪 GD-002', indicator: 'methane_lel', unit: '%LEL', baseline: 0.4, noise: 0.3 },
  // GD-002 also measures H2S: sewer biogas carries it, pipeline gas does not (src/analysis/gas-source.ts).
  { deviceId: 'GD-002', channel: 'h2s', assetId: 'AS-02', name: '可燃气体监测仪 GD-002 硫化氢', indicator: 'h2s', unit: 'ppm', baseline: 0.2, noise: 0.1 },
  { deviceId: 'GP-001', channel: 'p', assetId: 'GN02', name: '燃气压力监测 GP-001', indicator: 'gas_pressure', unit: 'MPa', baseline: 0.38, noise: 0.005 },
  { deviceId: 'WP-001', channel: 'p', assetId: 'WN02', name: '供水压力监测 WP-001', indicator: 'water_pressure', unit: 'MPa', baseline: 0.32, noise: 0.006 },
  { deviceId: 'WP-002', channel: 'p', assetId: 'WN06', name: '供水压力监测 WP-002', indicator: 'water_pressure', unit: 'MPa', baseline: 0.3, noise: 0.006 },
  { deviceId: 'WF-001', channel: 'q', assetId: 'WP01', name: '供水流量计 WF-001', indicator: 'water_flow', unit: 'm³/h', baseline: 420, noise: 15 },
  { deviceId: 'DL-001', channel: 'level', assetId: 'DN02', name: '窨井液位计 DL-001', indicator: 'drain_level', unit: 'm', baseline: 0.6, noise: 0.05 },
  { deviceId: 'DL-002', channel: 'level', assetId: 'DN04', name: '窨井液位计 DL-002', indicator: 'drain_level', unit: 'm', baseline: 0.8, noise: 0.05 },
  // The NB-IoT level gauges also report their battery and signal; DL-002's battery is nearly spent.
  { deviceId: 'DL-001', channel: 'battery', assetId: 'DN02', name: '窨井液位计 DL-001 电量', indicator: 'battery', unit: '%', baseline: 76, noise: 0.2 },
  { deviceId: 'DL-001', channel: 'rssi', assetId: 'DN02', name: '窨井液位计 DL-001 信号', indicator: 'signal', unit: 'dBm', baseline: -92, noise: 2 },
  { deviceId: 'DL-002', channel: 'battery', assetId: 'DN04', name: '窨井液位计 DL-002 电量', indicator: 'battery', unit: '%', baseline: 14, noise: 0.2 },
  { deviceId: 'DL-002', channel: 'rssi', assetId: 'DN04', name: '窨井液位计 DL-002 信号', indicator: 'signal', unit: 'dBm', baseline: -109, noise: 2 },
  // Bridge BS-01 (src/sim/analysis-demo.ts): strain and deflection, and an accelerometer uploading waveform records.
  { deviceId: 'BM-001', channel: 'strain', assetId: 'BS-01', name: '桥梁应变计 BM-001', indicator: 'strain', unit: 'με', baseline: 120, noise: 6 },
  { deviceId: 'BM-001', channel: 'defl', assetId: 'BS-01', name: '桥梁挠度计 BM-001', indicator: 'deflection', unit: 'mm', baseline: 4, noise: 0.3 },
  { deviceId: 'BA-001', channel: 'acc', assetId: 'BS-01', name: '桥梁加速度计 BA-001', indicator: 'acceleration', unit: 'm/s²', baseline: 0, noise: 0.005 },
];

export function demoCity(): DemoCity {
  const assets = [...LINES.flatMap(networkAssets), ...ADJACENT_SPACES, OUTFALL, ...ANALYSIS_DEMO_SPACES, ANALYSIS_DEMO_BRIDGE];
  const byId = new Map(assets.map((a) => [a.id, a]));
  const sensors: Sensor[] = DEMO_SENSORS.map((s) => {
    const asset = byId.get(s.assetId);
    if (!asset) throw new Error(`demo sensor ${s.deviceId} is placed on missing asset ${s.assetId}`);
    const g = asset.geometry;
    const location = g.type === 'Point' ? g.coordinates : g.coordinates[0]!;
    return { id: sensorId(s.deviceId, s.channel), deviceId: s.deviceId, channel: s.channel, assetId: s.assetId, name: s.name, indicator: s.indicator, unit: s.unit, location };
  });
  // A device is named after its first channel (the measurement it is installed for), not its battery or signal.
  const devices = new Map<string, Device>();
  for (const s of DEMO_SENSORS) if (!devices.has(s.deviceId)) devices.set(s.deviceId, { id: s.deviceId, name: s.name });
  return { organisations: DEMO_ORGANISATIONS, assets, devices: [...devices.values()], sensors };
}
