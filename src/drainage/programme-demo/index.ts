// The demo city's sample drainage campaign, so a newcomer sees the programme working: areas with
// served population, two treatment plants with 60 days of influent records (BOD5 rising as in the
// brief), a lift pump station and a gate with telemetry, a duty roster and a 2-hourly patrol, two
// river stations (荆襄内河 dipped below its target class three days ago, alarmed and recovered),
// a waterlogging point with a water gauge and a rain gauge, and remediation projects of the six
// action types in the demo's governance zones with progress, photos and before/after indicators.
import { insertAssets, insertDevices, insertSensors, type Area, type Asset, type Sensor } from '../../network/index.ts';
import { refreshAssetAreas } from '../../network/model-store.ts';
import type { Queryable } from '../../store/index.ts';
import { clearAlarm, raiseAlarm, WATER_CLASS_RULE_ID } from '../alarms/index.ts';
import { addMaintenance, addShifts, createPatrol, dayRoster, localMidnight } from '../facilities/index.ts';
import { setPlantService, setServedPopulation, upsertInfluentDays, type InfluentDay } from '../kpi/index.ts';
import { addProgress, createProject, type Action } from '../remediation/index.ts';
import { localDate } from '../water-env/index.ts';

const DAY_MS = 86_400_000;
const rect = (w: number, s: number, e: number, n: number) => ({ type: 'Polygon' as const, coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] as [number, number][][] });

export const DEMO_AREAS: Area[] = [
  { id: 'JZ', name: '荆州中心城区（示范）', kind: 'city', parentId: null, geometry: rect(112.222, 30.324, 112.26, 30.348), attributes: {} },
  { id: 'JZ-D1', name: '荆州片区', kind: 'district', parentId: 'JZ', geometry: rect(112.222, 30.324, 112.24, 30.348), attributes: {} },
  { id: 'JZ-D2', name: '沙市片区', kind: 'district', parentId: 'JZ', geometry: rect(112.24, 30.324, 112.26, 30.348), attributes: {} },
  { id: 'JZ-B1', name: '东门区块', kind: 'block', parentId: 'JZ-D1', geometry: rect(112.222, 30.324, 112.24, 30.348), attributes: {} },
  { id: 'JZ-B2', name: '荆襄河区块', kind: 'block', parentId: 'JZ-D2', geometry: rect(112.24, 30.324, 112.26, 30.348), attributes: {} },
  { id: 'Z-W', name: '治理分区 西干渠', kind: 'zone', parentId: 'JZ-B1', geometry: rect(112.222, 30.324, 112.24, 30.348), attributes: {} },
  { id: 'Z-DO-01', name: '治理分区 雨水排口 DO-01', kind: 'zone', parentId: 'JZ-B2', geometry: rect(112.24, 30.324, 112.26, 30.336), attributes: { outfallId: 'DO-01' } },
  { id: 'Z-EN', name: '治理分区 荆襄内河北', kind: 'zone', parentId: 'JZ-B2', geometry: rect(112.24, 30.336, 112.26, 30.348), attributes: {} },
];

const point = (lon: number, lat: number) => ({ type: 'Point' as const, coordinates: [lon, lat] as [number, number] });
const asset = (id: string, name: string, network: Asset['network'], assetType: string, lon: number, lat: number, attributes: Record<string, unknown> = {}, ownerId = 'drain-co'): Asset =>
  ({ id, name, network, assetType, ownerId, geometry: point(lon, lat), attributes });

const FACILITIES: Asset[] = [
  asset('DT-01', '城南污水处理厂', 'drainage', 'treatment_plant', 112.2262, 30.3268, { capacityM3d: 30000, standard: 'GB 18918-2002 一级A' }),
  asset('DT-02', '荆襄污水处理厂', 'drainage', 'treatment_plant', 112.2575, 30.3262, { capacityM3d: 20000, standard: 'GB 18918-2002 一级A' }),
  asset('DPS-01', '东门污水提升泵站', 'drainage', 'pump_station', 112.2365, 30.3318, { pumps: 3, ratedKw: 55 }),
  asset('DG-01', '荆襄内河排口闸门', 'drainage', 'gate', 112.2548, 30.3292, { outfallId: 'DO-01' }),
  asset('DW-01', '易涝点 东门下穿通道', 'drainage', 'inlet', 112.2442, 30.3385, { waterlogging: true }),
  asset('RS-01', '荆襄内河 水质站', 'river', 'monitoring_station', 112.2555, 30.3305, { river: '荆襄内河', targetClass: 'IV' }, 'drain-co'),
  asset('RS-02', '西干渠 水质站', 'river', 'monitoring_station', 112.2255, 30.3395, { river: '西干渠', targetClass: 'IV' }, 'drain-co'),
];

interface DemoSensor { device: string; channel: string; assetId: string; name: string; indicator: string; unit: string; latest?: number }
const SENSORS: DemoSensor[] = [
  { device: 'TP-001', channel: 'q', assetId: 'DT-01', name: '城南污水厂 进水流量', indicator: 'drain_flow', unit: 'm³/h', latest: 1060 },
  { device: 'TP-001', channel: 'bod5', assetId: 'DT-01', name: '城南污水厂 进水BOD5', indicator: 'bod5', unit: 'mg/L', latest: 74.2 },
  { device: 'TP-001', channel: 'cod', assetId: 'DT-01', name: '城南污水厂 进水COD', indicator: 'influent_cod', unit: 'mg/L', latest: 182 },
  { device: 'TP-001', channel: 'eff_cod', assetId: 'DT-01', name: '城南污水厂 出水COD', indicator: 'effluent_cod', unit: 'mg/L', latest: 21 },
  { device: 'TP-002', channel: 'q', assetId: 'DT-02', name: '荆襄污水厂 进水流量', indicator: 'drain_flow', unit: 'm³/h', latest: 640 },
  { device: 'TP-002', channel: 'bod5', assetId: 'DT-02', name: '荆襄污水厂 进水BOD5', indicator: 'bod5', unit: 'mg/L', latest: 71.5 },
  { device: 'PS-001', channel: 'level', assetId: 'DPS-01', name: '东门泵站 前池液位', indicator: 'drain_level', unit: 'm', latest: 1.4 },
  { device: 'PS-001', channel: 'q', assetId: 'DPS-01', name: '东门泵站 出水流量', indicator: 'drain_flow', unit: 'm³/h', latest: 820 },
  { device: 'PS-001', channel: 'run', assetId: 'DPS-01', name: '东门泵站 运行泵数', indicator: 'pumps_running', unit: '台', latest: 2 },
  { device: 'PS-001', channel: 'kw', assetId: 'DPS-01', name: '东门泵站 功率', indicator: 'power', unit: 'kW', latest: 96 },
  { device: 'GT-001', channel: 'open', assetId: 'DG-01', name: '排口闸门 开度', indicator: 'gate_opening', unit: '%', latest: 0 },
  { device: 'GT-001', channel: 'level', assetId: 'DG-01', name: '排口闸门 内河水位', indicator: 'drain_level', unit: 'm', latest: 1.1 },
  { device: 'WL-001', channel: 'depth', assetId: 'DW-01', name: '易涝点水位计 东门下穿', indicator: 'waterlogging_depth', unit: 'm' },
  { device: 'RG-001', channel: 'rain', assetId: 'DW-01', name: '雨量计 东门', indicator: 'rainfall', unit: 'mm/h' },
  ...['RS-01', 'RS-02'].flatMap((station, i) => [['cod', 'mg/L'], ['nh3n', 'mg/L'], ['tp', 'mg/L'], ['do', 'mg/L']].map(([indicator, unit]) => ({
    device: `WQ-00${i + 1}`, channel: indicator!, assetId: station, name: `${station === 'RS-01' ? '荆襄内河' : '西干渠'}水质站 ${indicator!.toUpperCase()}`, indicator: indicator!, unit: unit!,
  }))),
];

/** Plant-owned telemetry reports hourly (SCADA summaries and HJ 212 hourly data): offline after 3 h of silence. */
const TELEMETRY_INTERVAL_S = 3600;

/** Station daily means: class IV water (COD 26, NH3-N 1.2, TP 0.25, DO 4) with a class V day for 荆襄内河 three days ago. */
function stationMean(station: string, indicator: string, daysAgo: number): number {
  const wobble = Math.sin(daysAgo * 1.7 + indicator.length) * 0.04;
  const base: Record<string, number> = station === 'RS-01' ? { cod: 26, nh3n: 1.2, tp: 0.25, do: 4 } : { cod: 18, nh3n: 0.8, tp: 0.15, do: 5.6 };
  if (station === 'RS-01' && daysAgo === 3) return { cod: 36, nh3n: 1.8, tp: 0.32, do: 2.6 }[indicator]!;
  return Number((base[indicator]! * (1 + wobble)).toFixed(3));
}

export async function seedDrainageProgramme(tx: Queryable, now: Date, timeZone: string): Promise<void> {
  for (const a of DEMO_AREAS) {
    const [w, s] = a.geometry.coordinates[0]![0]!;
    const [e, n] = a.geometry.coordinates[0]![2]!;
    await tx.query(
      `INSERT INTO areas (id, name, kind, parent_id, geometry, attributes, min_lon, min_lat, max_lon, max_lat) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [a.id, a.name, a.kind, a.parentId, JSON.stringify(a.geometry), JSON.stringify(a.attributes), w, s, e, n],
    );
  }
  await insertAssets(tx, FACILITIES);
  const devices = [...new Map(SENSORS.map((s) => [s.device, { id: s.device, name: s.name }])).values()];
  await insertDevices(tx, devices);
  const byId = new Map(FACILITIES.map((f) => [f.id, f]));
  const sensors: Sensor[] = SENSORS.map((s) => ({
    id: `${s.device}.${s.channel}`, deviceId: s.device, channel: s.channel, assetId: s.assetId, name: s.name, indicator: s.indicator, unit: s.unit,
    location: (byId.get(s.assetId)!.geometry as { coordinates: [number, number] }).coordinates,
  }));
  await insertSensors(tx, sensors);
  await tx.query('UPDATE sensors SET expected_interval_s = $2 WHERE id = ANY($1::text[])', [sensors.map((s) => s.id), TELEMETRY_INTERVAL_S]);
  for (const s of SENSORS.filter((x) => x.latest !== undefined)) {
    await tx.query('INSERT INTO latest_readings (sensor_id, ts, value) VALUES ($1, $2, $3)', [`${s.device}.${s.channel}`, now, s.latest]);
  }
  await refreshAssetAreas(tx);

  // KPI inputs: served population, which district each plant serves, 60 days of influent.
  const today = localDate(now, timeZone);
  await setServedPopulation(tx, 'JZ', 90_000, today);
  await setServedPopulation(tx, 'JZ-D1', 55_000, today);
  await setServedPopulation(tx, 'JZ-D2', 35_000, today);
  await setPlantService(tx, 'DT-01', 'JZ-D1');
  await setPlantService(tx, 'DT-02', 'JZ-D2');
  const influent: InfluentDay[] = [];
  for (let i = 60; i >= 1; i--) {
    const day = localDate(new Date(now.getTime() - i * DAY_MS), timeZone);
    const t = (60 - i) / 59; // 0 on the first day, 1 on yesterday
    const weekly = Math.sin(i * 0.9) * 0.02;
    influent.push({ plantId: 'DT-01', day, flowM3: Math.round(25_000 * (1.04 - 0.06 * t + weekly)), bod5MgL: Number((58 + 17 * t).toFixed(2)), industrialBod5Kg: 100 });
    influent.push({ plantId: 'DT-02', day, flowM3: Math.round(15_000 * (1.03 - 0.05 * t - weekly)), bod5MgL: Number((60 + 12 * t).toFixed(2)), industrialBod5Kg: 50 });
  }
  await upsertInfluentDays(tx, influent, 'demo');

  // River stations: daily means for 60 complete days in the day rollup.
  for (let i = 60; i >= 1; i--) {
    const bucket = localMidnight(localDate(new Date(now.getTime() - i * DAY_MS), timeZone), timeZone);
    for (const s of SENSORS.filter((x) => x.assetId.startsWith('RS-'))) {
      const mean = stationMean(s.assetId, s.indicator, i);
      await tx.query('INSERT INTO readings_1d (sensor_id, bucket, min, max, sum, count) VALUES ($1, $2, $3, $3, $4, 24)', [`${s.device}.${s.channel}`, bucket, mean, mean * 24]);
    }
  }
  // The class V day alarmed the morning after (below target IV, worse than the day before) and cleared the next.
  const alarmDay = localMidnight(localDate(new Date(now.getTime() - 2 * DAY_MS), timeZone), timeZone);
  await raiseAlarm(tx, 'WQ-001.cod', WATER_CLASS_RULE_ID, 3, stationMean('RS-01', 'cod', 3), new Date(alarmDay.getTime() + 15 * 60_000));
  await clearAlarm(tx, 'WQ-001.cod', WATER_CLASS_RULE_ID, stationMean('RS-01', 'cod', 2), new Date(alarmDay.getTime() + DAY_MS + 15 * 60_000));
  await tx.query('INSERT INTO waterlogging_points (id, name, lon, lat, gauge_sensor_id, rain_sensor_id, area_id) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    ['WLP-01', '东门下穿通道', 112.2442, 30.3385, 'WL-001.depth', 'RG-001.rain', 'Z-EN']);

  // Facilities: today's and tomorrow's duty roster, a patrol every 2 hours from the next even hour, health records.
  for (const [i, facility] of (['DPS-01', 'DT-01'] as const).entries()) {
    const staff = i === 0 ? ['张伟', '李娜', '王强'] : ['刘洋', '陈静', '赵磊'];
    const shifts = [0, 1].flatMap((d) => dayRoster(localDate(new Date(now.getTime() + d * DAY_MS), timeZone), timeZone, staff, 8, d));
    await addShifts(tx, shifts.map((s) => ({ ...s, facilityId: facility })));
  }
  const nextEvenHour = new Date(Math.ceil(now.getTime() / (2 * 3_600_000)) * 2 * 3_600_000);
  await createPatrol(tx, { facilityId: 'DPS-01', name: '泵站巡检（每2小时）', intervalMinutes: 120, windowMinutes: 30, startsAt: nextEvenHour });
  await createPatrol(tx, { facilityId: 'DG-01', name: '闸门巡查（每日）', intervalMinutes: 1440, windowMinutes: 120, startsAt: localMidnight(localDate(new Date(now.getTime() + DAY_MS), timeZone), timeZone) });
  await tx.query(`INSERT INTO asset_health (asset_id, commissioned_on, run_hours) VALUES ('DPS-01', '2016-05-01', 61840), ('DG-01', '2019-09-15', NULL), ('DT-01', '2008-12-01', NULL)`);
  await addMaintenance(tx, 'DPS-01', { at: new Date(now.getTime() - 20 * DAY_MS), kind: 'repair', description: '2号泵机械密封更换', runHours: 61500 });
  await addMaintenance(tx, 'DPS-01', { at: new Date(now.getTime() - 5 * DAY_MS), kind: 'inspection', description: '格栅清捞、备用泵试运行', runHours: 61790 });
  await addMaintenance(tx, 'DG-01', { at: new Date(now.getTime() - 12 * DAY_MS), kind: 'repair', description: '闸门止水橡胶更换（渗漏整治）' });

  // Remediation projects, one per action type, with progress over the 60 days.
  const projects: { name: string; zoneId: string; action: Action; budget: number; steps: { daysAgo: number; percent: number; spent: number; note: string; misconnections?: number; outfalls?: number; water?: number }[]; indicators: [string, string, number, number | null][] }[] = [
    { name: 'DO-01 排口截污与闸门改造', zoneId: 'Z-DO-01', action: 'end', budget: 3_200_000,
      steps: [{ daysAgo: 50, percent: 30, spent: 900_000, note: '截流井施工' }, { daysAgo: 25, percent: 80, spent: 1_700_000, note: '闸门更换完成', water: 1200 }, { daysAgo: 6, percent: 100, spent: 400_000, note: '通水验收', outfalls: 1, water: 600 }],
      indicators: [['旱天排口出流', 'm³/d', 1800, 0], ['内河COD', 'mg/L', 34, 26]] },
    { name: '西干渠沿线混错接改造', zoneId: 'Z-W', action: 'middle', budget: 5_600_000,
      steps: [{ daysAgo: 45, percent: 20, spent: 1_000_000, note: 'CCTV检测 8.2 km', misconnections: 12 }, { daysAgo: 20, percent: 55, spent: 1_900_000, note: '改造混错接点', misconnections: 31, water: 2500 }, { daysAgo: 3, percent: 70, spent: 700_000, note: '新建污水管 0.6 km', misconnections: 9, water: 800 }],
      indicators: [['混错接点', '处', 64, 12], ['外水量', 'm³/d', 6200, null]] },
    { name: '东门片区老旧小区雨污分流', zoneId: 'Z-W', action: 'front', budget: 8_400_000,
      steps: [{ daysAgo: 40, percent: 15, spent: 1_200_000, note: '3个小区开工' }, { daysAgo: 10, percent: 45, spent: 2_600_000, note: '5个小区完成分流', misconnections: 18 }],
      indicators: [['完成分流小区', '个', 0, 5]] },
    { name: '荆襄内河北清淤', zoneId: 'Z-EN', action: 'dredging', budget: 2_100_000,
      steps: [{ daysAgo: 30, percent: 60, spent: 1_200_000, note: '清淤 2.4 万 m³' }, { daysAgo: 8, percent: 100, spent: 800_000, note: '清淤 4 万 m³ 完成', water: 300 }],
      indicators: [['淤积深度', 'm', 0.9, 0.2]] },
    { name: '泵站闸门远程监控', zoneId: 'Z-DO-01', action: 'smart', budget: 900_000,
      steps: [{ daysAgo: 35, percent: 50, spent: 400_000, note: '泵站、闸门接入平台' }],
      indicators: [['远程监控设施', '座', 0, 2]] },
    { name: '城南污水厂扩容', zoneId: 'Z-W', action: 'capacity', budget: 12_000_000, steps: [], indicators: [['处理能力', 'm³/d', 30000, null]] },
  ];
  for (const p of projects) {
    const id = await createProject(tx, {
      name: p.name, zoneId: p.zoneId, action: p.action, ownerId: 'drain-co', budgetYuan: p.budget, status: 'planned',
      startsOn: localDate(new Date(now.getTime() - 55 * DAY_MS), timeZone), dueOn: localDate(new Date(now.getTime() + 120 * DAY_MS), timeZone),
      indicators: p.indicators.map(([indicator, unit, before, after]) => ({ indicator, unit, before, after })),
    }, 'demo', new Date(now.getTime() - 58 * DAY_MS));
    for (const [k, s] of p.steps.entries()) {
      await addProgress(tx, id, {
        at: new Date(now.getTime() - s.daysAgo * DAY_MS).toISOString(), percent: s.percent, spentYuan: s.spent, note: s.note,
        photos: [`https://lifeline.example/demo/photos/project-${id}-${k + 1}.jpg`],
        misconnectionsResolved: s.misconnections ?? 0, outfallsRemediated: s.outfalls ?? 0, extraneousWaterM3d: s.water ?? 0,
      }, 'demo', now);
    }
  }
}
