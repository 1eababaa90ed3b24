// The KPIs, the remediation programme and the water environment over the API, on the demo city's
// sample campaign, with hand-computed KPI cases on records posted for two days of 2020, and who
// may read and change what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KpiReport } from '../../src/drainage/kpi/index.ts';
import type { DashboardArea, Project } from '../../src/drainage/remediation/index.ts';
import type { AlarmDto } from '../../src/api/dto.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { api, USERS, type ApiClient } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

let platform: Platform;
let operator: ApiClient;
let supervisor: ApiClient;
let drainage: ApiClient;
let gas: ApiClient;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  const data = tempDir('kpi');
  cleanups.push(data.remove);
  platform = await startPlatform({
    port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('kpi'), simulate: false, buildWeb: false, log: false,
    auth: 'required', drainageCheckMs: 3_600_000,
  });
  cleanups.push(() => platform.stop());
  operator = await api(platform, USERS.operator);
  supervisor = await api(platform, USERS.supervisor);
  drainage = await api(platform, USERS.drainage);
  gas = await api(platform, USERS.gas);
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('KPIs', () => {
  it('hand-computed: collection rate by the pollutant-load method and flow-weighted influent BOD5, per district and city', async () => {
    // DT-01 serves 荆州片区 (55,000 people → 55,000 × 45 g = 2,475 kg/d):
    //   day 1: 20,000 m³ × 100 mg/L = 2,000 kg − 100 industrial = 1,900; day 2: 30,000 × 80 = 2,400 − 100 = 2,300 → mean 2,100 kg/d.
    // DT-02 serves 沙市片区 (35,000 → 1,575 kg/d): day 1 only: 15,000 × 70 = 1,050 − 50 = 1,000 kg/d.
    const posted = await operator.post('/api/drainage/kpi/influent', { plantId: 'DT-01', days: [
      { day: '2020-01-01', flowM3: 20_000, bod5MgL: 100, industrialBod5Kg: 100 }, { day: '2020-01-02', flowM3: 30_000, bod5MgL: 80, industrialBod5Kg: 100 },
    ] });
    expect(posted.status).toBe(201);
    expect((await drainage.post('/api/drainage/kpi/influent', { plantId: 'DT-02', days: [{ day: '2020-01-01', flowM3: 15_000, bod5MgL: 70, industrialBod5Kg: 50 }] })).status).toBe(201);
    const report = await supervisor.get<KpiReport>('/api/drainage/kpi?from=2020-01-01&to=2020-01-02');
    expect(report.perCapitaBod5G).toBe(45);
    const area = (id: string) => report.areas.find((a) => a.areaId === id)!;
    expect(area('JZ-D1').collection).toMatchObject({ collectedKgPerDay: 2100, producedKgPerDay: 2475, plants: 1, days: 2 });
    expect(area('JZ-D1').collection!.rate).toBeCloseTo(2100 / 2475, 12);
    expect(area('JZ-D2').collection!.rate).toBeCloseTo(1000 / 1575, 12);
    // City: (2,100 + 1,000) ÷ (90,000 × 45 g = 4,050 kg/d) = 0.7654…
    expect(area('JZ').collection!.rate).toBeCloseTo(3100 / 4050, 12);
    // Flow-weighted BOD5: (20,000×100 + 30,000×80 + 15,000×70) ÷ 65,000 = 83.846… mg/L.
    expect(area('JZ').influentBod5MgL).toBeCloseTo(5_450_000 / 65_000, 12);
    expect(area('JZ').months).toHaveLength(1);
  });

  it('the demo campaign: 60 days of records, the collection rate and influent BOD5 rising month on month', async () => {
    const report = await operator.get<KpiReport>('/api/drainage/kpi');
    const city = report.areas.find((a) => a.areaId === 'JZ')!;
    expect(city.servedPopulation).toBe(90_000);
    expect(city.months.length).toBeGreaterThanOrEqual(2);
    const first = city.months[0]!;
    const last = city.months.at(-1)!;
    expect(last.collectionRate!).toBeGreaterThan(first.collectionRate!);
    expect(last.influentBod5MgL!).toBeGreaterThan(first.influentBod5MgL!);
    expect(city.totals.misconnectionsResolved).toBe(70);
    expect(city.totals.outfallsRemediated).toBe(1);
    expect(city.totals.extraneousWaterM3d).toBe(5400);
  });

  it('CSV export: a row per area and month, with a header and a BOM', async () => {
    const response = await fetch(`${platform.url}/api/drainage/kpi?from=2020-01-01&to=2020-01-02&format=csv`, { headers: supervisor.headers });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toContain('drainage-kpi-2020-01-01-2020-01-02.csv');
    const text = await response.text();
    const lines = text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toMatch(/^area_id,area_name,kind,month,served_population,per_capita_bod5_g,collected_bod5_kg_d/);
    // BOD5 (20,000×100 + 30,000×80) ÷ 50,000 = 88 mg/L; 25,000 m³/d on average.
    // Expected sewage 55,000 × 0.18 m³ × 0.9 = 8,910 m³/d, so 25,000 − 8,910 = 16,090 m³/d extraneous; no findings in 2020.
    expect(lines.find((l) => l.startsWith('JZ-D1,'))).toBe('JZ-D1,荆州片区,district,2020-01,55000,45,2100,2475,0.848485,88,25000,0,0,0,8910,16090,0,0,0,0');
  });

  it('access: owner units may not read the city KPIs, only the supervisor sets served population', async () => {
    expect((await gas.request('GET', '/api/drainage/kpi')).status).toBe(403);
    expect((await drainage.request('GET', '/api/drainage/kpi')).status).toBe(403);
    expect((await operator.post('/api/drainage/kpi/population', { areaId: 'JZ', servedPopulation: 1, asOf: '2026-01-01' })).status).toBe(403);
    expect((await supervisor.post('/api/drainage/kpi/population', { areaId: 'nowhere', servedPopulation: 1, asOf: '2026-01-01' })).status).toBe(400);
    expect((await gas.post('/api/drainage/kpi/influent', { plantId: 'DT-01', days: [{ day: '2020-01-03', flowM3: 1, bod5MgL: 1 }] })).status).toBe(404);
    const bad = await operator.post<{ error: string }>('/api/drainage/kpi/influent', { plantId: 'DT-01', days: [{ day: '2020-1-3', flowM3: -1, bod5MgL: 1 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/days\.0\.day: .*days\.0\.flowM3: /s);
  });
});

describe('remediation programme', () => {
  it('the dashboard by area and action type', async () => {
    const { areas } = await operator.get<{ areas: DashboardArea[] }>('/api/drainage/remediation/dashboard');
    const city = areas.find((a) => a.areaId === 'JZ')!;
    expect(city.total.projects).toBe(6);
    expect(city.total.completed).toBe(2);
    expect(Object.keys(city.byAction).sort()).toEqual(['capacity', 'dredging', 'end', 'front', 'middle', 'smart']);
    const zone = areas.find((a) => a.areaId === 'Z-DO-01')!;
    // end: 3,200,000 at 100 %, smart: 900,000 at 50 % → (320,000,000 + 45,000,000) ÷ 4,100,000 = 89.02… %.
    expect(zone.total.percent).toBeCloseTo(365_000_000 / 4_100_000, 9);
  });

  it('the centre plans a project, the owner reports progress with photos; another unit sees nothing', async () => {
    const created = await operator.post<Project>('/api/drainage/remediation/projects', {
      name: '御河片区雨污分流', zoneId: 'Z-EN', action: 'front', ownerId: 'drain-co', budgetYuan: 2_000_000,
      indicators: [{ indicator: '混错接点', unit: '处', before: 20, after: null }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'planned', percent: 0, zoneName: '治理分区 荆襄内河北' });
    const id = created.body.id;
    const progress = await drainage.post<Project>(`/api/drainage/remediation/projects/${id}/progress`, {
      percent: 40, spentYuan: 500_000, note: '完成 8 处', photos: ['https://lifeline.example/p/a.jpg'], location: [112.25, 30.34], misconnectionsResolved: 8,
    });
    expect(progress.status).toBe(201);
    expect(progress.body).toMatchObject({ status: 'in_progress', percent: 40, spentYuan: 500_000 });
    expect(progress.body.progress[0]).toMatchObject({ photos: ['https://lifeline.example/p/a.jpg'], location: [112.25, 30.34], misconnectionsResolved: 8 });
    const after = await drainage.post<Project>(`/api/drainage/remediation/projects/${id}/indicators`, { indicator: '混错接点', unit: '处', before: 20, after: 12 });
    expect(after.body.indicators).toEqual([{ indicator: '混错接点', unit: '处', before: 20, after: 12 }]);

    expect(await gas.get<Project[]>('/api/drainage/remediation/projects')).toEqual([]);
    expect((await gas.request('GET', `/api/drainage/remediation/projects/${id}`)).status).toBe(404);
    expect((await gas.post(`/api/drainage/remediation/projects/${id}/progress`, { percent: 50 })).status).toBe(404);
    expect((await drainage.post('/api/drainage/remediation/projects', { name: 'x', zoneId: 'Z-EN', action: 'end', ownerId: 'drain-co', budgetYuan: 1 })).status).toBe(403);
    const badZone = await operator.post<{ error: string }>('/api/drainage/remediation/projects', { name: 'x', zoneId: 'Z-none', action: 'end', ownerId: 'drain-co', budgetYuan: 1 });
    expect(badZone.status).toBe(400);
    expect(badZone.body.error).toContain('zoneId');
    const badPhoto = await drainage.post<{ error: string }>(`/api/drainage/remediation/projects/${id}/progress`, { percent: 120, photos: ['not a link'] });
    expect(badPhoto.status).toBe(400);
    expect(badPhoto.body.error).toMatch(/percent: .*photos\.0: /s);
  });
});

describe('water environment', () => {
  interface WaterDto {
    stations: { id: string; river: string; targetClass: string; days: { date: string; class: string }[] }[];
    rivers: Record<string, { date: string; class: string }[]>;
    waterlogging: { id: string; rainClass: string | null }[];
  }

  it('station classes per day and the trend by river; the demo\'s class V day below target IV was alarmed and cleared', async () => {
    const water = await operator.get<WaterDto>('/api/drainage/water-environment');
    const station = water.stations.find((s) => s.id === 'RS-01')!;
    expect(station).toMatchObject({ river: '荆襄内河', targetClass: 'IV' });
    const classes = station.days.map((d) => d.class);
    expect(classes.filter((c) => c === 'V')).toHaveLength(1);
    expect(classes.filter((c) => c === 'IV').length).toBeGreaterThan(20);
    expect(water.rivers['荆襄内河']!.map((d) => d.class)).toEqual(classes);
    expect(Object.keys(water.rivers).sort()).toEqual(['荆襄内河', '西干渠']);
    expect(water.waterlogging).toMatchObject([{ id: 'WLP-01', rainClass: null }]);
    const alarms = (await operator.get<AlarmDto[]>('/api/alarms?state=all')).filter((a) => a.ruleId === 'water-class');
    expect(alarms).toMatchObject([{ sensorId: 'WQ-001.cod', state: 'cleared', level: 3 }]);
    expect((await gas.get<WaterDto>('/api/drainage/water-environment')).stations).toEqual([]);
    // Samples: the demo keeps daily means only, so none in the last day; another unit's station is missing.
    expect(await operator.get('/api/drainage/water-environment/stations/RS-01/samples')).toMatchObject({ stationId: 'RS-01', waterbody: 'river', samples: [] });
    expect((await gas.request('GET', '/api/drainage/water-environment/stations/RS-01/samples')).status).toBe(404);
  });
});
