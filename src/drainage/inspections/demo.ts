// The demo city's sample inspection campaign, so a newcomer sees the registers working: a sewer
// network of 58 segments along three streets (东门片区), a CCTV campaign over 35 of them and a QV
// check of the 5 storm pipes, with defects drawn from a seeded generator (most segments sound, a
// few serious), a misconnection, intrusion and leak register at varied stages, one misconnection
// already turned into a work order. Photo links point at media.example.org: placeholders for the
// contractor's media server, which a real import names.
import type { Actor } from '../../incidents/index.ts';
import { insertAssets, type Asset, type Position } from '../../network/index.ts';
import { lengthM } from '../../network/geo.ts';
import { refreshAssetAreas } from '../../network/model-store.ts';
import { seededRandom } from '../../sim/random.ts';
import type { Queryable } from '../../store/index.ts';
import { createFinding, createWorkOrder, transitionFinding, type NewFinding } from '../findings/index.ts';
import { DEFECT_TYPES, type DefectCode, type RegionClass, type SoilClass } from './grading.ts';
import { insertInspection, type ParsedDefect } from './import.ts';
import { createCampaign } from './repository.ts';

const DAY_MS = 86_400_000;
const OWNER = 'drain-co';

interface Run {
  points: Position[];
  diameterMm: number;
  material: string;
  installYear: number;
  region: RegionClass;
  soil: SoilClass;
}

const range = (n: number, f: (k: number) => number) => Array.from({ length: n }, (_, k) => Number(f(k).toFixed(6)));
// North street (A), middle street (C) flowing east into the east street (B), which runs south towards 荆襄内河.
const RUNS: Run[] = [
  { points: [...range(23, (k) => 112.2287 + k * 0.001), 112.2517].map((lon) => [lon, 30.3417] as Position), diameterMm: 400, material: 'HDPE 双壁波纹管', installYear: 2009, region: 'road', soil: 'general' },
  { points: [...range(23, (k) => 112.2287 + k * 0.001), 112.2517].map((lon) => [lon, 30.3357] as Position), diameterMm: 600, material: '钢筋混凝土', installYear: 1998, region: 'arterial', soil: 'general' },
  { points: range(13, (k) => 30.3417 - k * 0.001).map((lat) => [112.2517, lat] as Position), diameterMm: 800, material: '钢筋混凝土', installYear: 1996, region: 'arterial', soil: 'mucky_soil' },
];

/** The demo sewer network (污水管网, drain-co): manholes and the pipes between them. */
export function demoSewerAssets(): Asset[] {
  const assets: Asset[] = [];
  const nodes = new Map<string, string>();
  const nodeAt = (p: Position) => {
    const key = p.join(',');
    let id = nodes.get(key);
    if (!id) {
      id = `SWN${String(nodes.size + 1).padStart(2, '0')}`;
      nodes.set(key, id);
      assets.push({ id, name: `污水检查井 ${id}`, network: 'drainage', assetType: 'manhole', ownerId: OWNER, geometry: { type: 'Point', coordinates: p }, attributes: { system: 'sewage' } });
    }
    return id;
  };
  let n = 0;
  for (const run of RUNS) {
    for (let i = 1; i < run.points.length; i++) {
      const from = nodeAt(run.points[i - 1]!);
      const to = nodeAt(run.points[i]!);
      const id = `SWP${String(++n).padStart(2, '0')}`;
      assets.push({
        id, name: `污水管 ${id}`, network: 'drainage', assetType: 'pipe', ownerId: OWNER,
        geometry: { type: 'LineString', coordinates: [run.points[i - 1]!, run.points[i]!] },
        attributes: { system: 'sewage', diameterMm: run.diameterMm, material: run.material, installYear: run.installYear, region: run.region, soil: run.soil, from, to },
      });
    }
  }
  return assets;
}

const CODE_WEIGHTS: [DefectCode, number][] = [
  ['CJ', 20], ['SL', 10], ['TJ', 10], ['PL', 8], ['CK', 8], ['SG', 6], ['JG', 6], ['ZW', 5], ['AJ', 5], ['FS', 4], ['QF', 4], ['FZ', 4], ['CR', 3], ['TL', 3], ['BX', 2], ['CQ', 2],
];
const REMARKS: Partial<Record<DefectCode, string>> = {
  CJ: '管底沉积泥沙', SL: '接口渗水', TJ: '接口脱开', PL: '管壁裂缝', CK: '接口错位', SG: '树根从接口侵入', JG: '管壁结垢', ZW: '管内建筑垃圾',
  AJ: '支管暗接', FS: '管顶腐蚀', QF: '管道起伏积水', FZ: '水面浮渣', CR: '异物穿入', TL: '胶圈脱落', BX: '管道变形', CQ: '封堵残墙',
};
const CLOCKS = ['0012', '0210', '0309', '0606', '1002', '0903'];

function pick<T>(random: () => number, weighted: [T, number][]): T {
  let r = random() * weighted.reduce((s, [, w]) => s + w, 0);
  for (const [value, w] of weighted) if ((r -= w) < 0) return value;
  return weighted.at(-1)![0];
}

/** Seeded defects for one segment: most segments have none or a few light ones. */
function drawDefects(random: () => number, segmentId: string, length: number): Omit<ParsedDefect, 'line'>[] {
  const count = pick(random, [[0, 35], [1, 30], [2, 20], [3, 10], [4, 5]]);
  const defects: Omit<ParsedDefect, 'line'>[] = [];
  for (let i = 0; i < count; i++) {
    const code = pick(random, CODE_WEIGHTS);
    const grades = DEFECT_TYPES[code].scores.length;
    const grade = pick(random, ([[1, 45], [2, 30], [3, 17], [4, 8]] as [number, number][]).filter(([g]) => g <= grades));
    const continuous = ['CJ', 'JG', 'FS'].includes(code) && random() < 0.5;
    const extent = continuous ? Math.round((2 + random() * 12) * 10) / 10 : 0;
    const at = Math.round(random() * Math.max(0, length - extent - 0.5) * 10) / 10;
    defects.push({
      code, grade, atM: at, lengthM: extent, clock: CLOCKS[Math.floor(random() * CLOCKS.length)]!, remark: REMARKS[code] ?? null,
      photoUrl: grade >= 3 ? `https://media.example.org/jingzhou/cctv/${segmentId}-${i + 1}.jpg` : null, videoUrl: null,
    });
  }
  return defects;
}

/** Hand-placed serious cases, so the demo shows every grade and action. */
const NOTABLE: Record<string, Omit<ParsedDefect, 'line'>[]> = {
  // Near the river in muck: a collapse with gushing infiltration (structural IV, repair now).
  SWP56: [
    { code: 'PL', grade: 4, atM: 41.2, lengthM: 0, clock: '1002', remark: '管顶坍塌', photoUrl: 'https://media.example.org/jingzhou/cctv/SWP56-1.jpg', videoUrl: 'https://media.example.org/jingzhou/cctv/SWP56.mp4#t=148' },
    { code: 'SL', grade: 3, atM: 41.8, lengthM: 0, clock: '0903', remark: '涌漏，带泥沙', photoUrl: 'https://media.example.org/jingzhou/cctv/SWP56-2.jpg', videoUrl: null },
  ],
  // Commercial street: grease and deposits over most of the segment (functional IV, maintain now).
  SWP30: [
    { code: 'CJ', grade: 4, atM: 8, lengthM: 61.5, clock: '0606', remark: '沉积物厚度超过管径 50%', photoUrl: 'https://media.example.org/jingzhou/cctv/SWP30-1.jpg', videoUrl: null },
    { code: 'ZW', grade: 3, atM: 75.4, lengthM: 0, clock: '0606', remark: '砖块堵塞', photoUrl: 'https://media.example.org/jingzhou/cctv/SWP30-2.jpg', videoUrl: null },
  ],
};

/** The centre's operator on duty, who runs the campaign and opens the work order. */
const OPERATOR: Actor = { userId: 'centre-operator', name: '监测中心 值班员', orgId: 'centre', orgKind: 'operator', roles: ['centre_operator'] };

const FINDINGS: (NewFinding & { steps: ('confirm' | 'start_remediation' | 'complete' | 'verify' | 'dismiss' | 'work_order')[]; note?: string })[] = [
  { kind: 'misconnection', subtype: 'sewage_into_storm', assetId: 'DP02', upstreamSource: '东门小区 12 栋 阳台洗衣废水接入雨水立管', sourceKind: 'residential', address: '东门路 东门小区北侧', steps: ['confirm', 'work_order'] },
  { kind: 'misconnection', subtype: 'sewage_into_storm', assetId: 'DP04', upstreamSource: '红星路沿街餐饮店 3 家 厨房排水', sourceKind: 'commercial', address: '红星路 88–96 号', steps: [] },
  { kind: 'misconnection', subtype: 'storm_into_sewage', assetId: 'SWP27', upstreamSource: '荆州中学 教学楼雨水立管', sourceKind: 'institution', address: '荆州中学 东门', steps: ['confirm', 'start_remediation', 'complete'] },
  { kind: 'misconnection', subtype: 'combined_into_separate', assetId: 'DP05', upstreamSource: '纺机宿舍 合流管', sourceKind: 'residential', address: '江津路 纺机宿舍', steps: ['confirm', 'start_remediation', 'complete', 'verify'] },
  { kind: 'misconnection', subtype: 'sewage_into_storm', assetId: 'DP01', upstreamSource: '洗车店', sourceKind: 'commercial', address: '北京路 洗车店', steps: ['dismiss'], note: '复核：为雨水口错标，非混接' },
  { kind: 'intrusion', subtype: 'river_backflow', assetId: 'DO-01', upstreamSource: '荆襄内河 高水位经排口倒灌', sourceKind: null, description: '闸门关闭不严，内河水位高于排口底标高 0.4 m', steps: ['confirm'] },
  { kind: 'leak', subtype: 'water_main', assetId: 'WP05', upstreamSource: 'DN300 供水管 接口漏水进入污水管', sourceKind: 'municipal', description: '夜间污水管流量异常，检测余氯 0.3 mg/L，判定为自来水', steps: [] },
];

/** Loads the sample campaign (assets included) into the demo city; `now` dates it. */
export async function seedDemoInspections(tx: Queryable, now: Date): Promise<void> {
  const sewer = demoSewerAssets();
  await insertAssets(tx, sewer);
  const day = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY_MS).toISOString().slice(0, 10);
  await createCampaign(tx, { id: 'DEMO-CCTV-2026', name: '东门片区污水管网 CCTV 检测', method: 'cctv', contractor: '中国电建 管网检测项目部', startedOn: day(40), endedOn: day(26) });
  await createCampaign(tx, { id: 'DEMO-QV-2026', name: '东门路雨水管 QV 快速检测', method: 'qv', contractor: '排水公司 管网所', startedOn: day(21), endedOn: day(21) });
  const random = seededRandom(181);
  // Middle street (C) and east street (B): SWP24–SWP58.
  const inspected = sewer.filter((a) => a.assetType === 'pipe' && Number(a.id.slice(3)) >= 24);
  for (const [i, pipe] of inspected.entries()) {
    const length = Math.round(lengthM(pipe.geometry) * 10) / 10;
    const defects = NOTABLE[pipe.id] ?? drawDefects(random, pipe.id, length);
    const a = pipe.attributes;
    await insertInspection(tx, 'DEMO-CCTV-2026', {
      segmentId: pipe.id, ownerId: OWNER, inspectedOn: day(40 - Math.floor(i / 3)), method: 'cctv', lengthM: length, diameterMm: a.diameterMm as number,
      region: a.region as RegionClass, soil: a.soil as SoilClass, videoUrl: `https://media.example.org/jingzhou/cctv/${pipe.id}.mp4`, defects,
    }, 'demo');
  }
  for (const id of ['DP01', 'DP02', 'DP03', 'DP04', 'DP05']) {
    const [row] = await tx.query<{ geometry: Asset['geometry']; attributes: Record<string, unknown> }>('SELECT geometry, attributes FROM assets WHERE id = $1', [id]);
    if (!row) continue;
    const length = Math.round(lengthM(row.geometry) * 10) / 10;
    await insertInspection(tx, 'DEMO-QV-2026', {
      segmentId: id, ownerId: OWNER, inspectedOn: day(21), method: 'qv', lengthM: length, diameterMm: Number(row.attributes.diameterMm) || null,
      region: null, soil: null, videoUrl: null, defects: drawDefects(random, id, length),
    }, 'demo');
  }
  for (const [i, f] of FINDINGS.entries()) {
    const { steps, note, ...input } = f;
    const [asset] = await tx.query('SELECT 1 FROM assets WHERE id = $1', [input.assetId]);
    if (!asset) continue;
    const at = new Date(now.getTime() - (30 - i * 3) * DAY_MS);
    const id = await createFinding(tx, { ...input, campaignId: input.kind === 'misconnection' && input.assetId?.startsWith('DP') ? 'DEMO-QV-2026' : 'DEMO-CCTV-2026', foundOn: day(30 - i * 3) }, OPERATOR, at, null);
    for (const [k, step] of steps.entries()) {
      const when = new Date(at.getTime() + (k + 1) * DAY_MS);
      // The work order is opened now, so its deadlines run from the demo's start.
      if (step === 'work_order') await createWorkOrder(tx, id, OPERATOR, { level: 3, note: '限期 30 日内完成雨污分流改造' }, now, null);
      else await transitionFinding(tx, id, step, OPERATOR, step === 'dismiss' ? note ?? null : null, when, null);
    }
  }
  // The sewer segments join the district, block and zone they lie in, so inspections can be listed by area.
  await refreshAssetAreas(tx);
}
