// The KPIs' misconnections and outfalls come from the findings register: hand-computed cases per
// area and local month (Asia/Shanghai), driven through the findings workflow over the API with a
// clock the test moves; extraneous water per area; the plant-service and population inputs and who
// may change them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AreaKpi, KpiInputs, KpiReport } from '../../src/drainage/kpi/index.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { api, USERS, type ApiClient } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

let platform: Platform;
let now = new Date('2026-06-01T04:00:00Z');
let operator: ApiClient;
let supervisor: ApiClient;
let admin: ApiClient;
let drainage: ApiClient;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  const data = tempDir('kpi-findings');
  cleanups.push(data.remove);
  platform = await startPlatform({
    port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('kpi-findings'), simulate: false, buildWeb: false, log: false,
    auth: 'required', drainageCheckMs: 3_600_000, clock: () => now,
  });
  cleanups.push(() => platform.stop());
  await logIn();
});

/** Sessions end after 12 idle hours of the platform's clock, so every move of the clock logs in again. */
async function logIn(): Promise<void> {
  operator = await api(platform, USERS.operator);
  supervisor = await api(platform, USERS.supervisor);
  admin = await api(platform, USERS.admin);
  drainage = await api(platform, USERS.drainage);
}

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function at(iso: string): Promise<void> {
  now = new Date(iso);
  await logIn();
}
async function register(assetId: string, iso: string): Promise<string> {
  await at(iso);
  const created = await operator.post<{ id: string }>('/api/findings', { kind: 'misconnection', subtype: 'sewage_into_storm', assetId });
  expect(created.status).toBe(201);
  return created.body.id;
}
async function step(id: string, action: string, iso: string, note?: string): Promise<void> {
  await at(iso);
  const done = await operator.post(`/api/findings/${id}/transitions`, { action, ...(note ? { note } : {}) });
  expect(done.status, JSON.stringify(done.body)).toBeLessThan(300);
}
const report = async (from: string, to: string) => {
  const r = await supervisor.get<KpiReport>(`/api/drainage/kpi?from=${from}&to=${to}`);
  return (id: string): AreaKpi => r.areas.find((a) => a.areaId === id)!;
};
const month = (m: string, found = 0, resolved = 0, verified = 0, outfalls = 0) =>
  ({ month: m, misconnectionsFound: found, misconnectionsResolved: resolved, misconnectionsVerified: verified, outfallsRemediated: outfalls });

describe('misconnections and outfalls from the findings register', () => {
  it('the demo register: JZ-D1 has DP02 (remediating), SWP27 (remediated) and DP01 (dismissed); JZ-D2 has DP04 (found) and DP05 (verified)', async () => {
    const area = await report('2026-07-01', '2026-09-30');
    expect(area('JZ-D1').register.misconnections).toEqual({ registered: 2, open: 1, resolved: 1, verified: 0, resolvedRate: 0.5 });
    expect(area('JZ-D2').register.misconnections).toEqual({ registered: 2, open: 1, resolved: 1, verified: 1, resolvedRate: 0.5 });
    // DO-01 carries the demo's river-backflow intrusion, confirmed only.
    expect(area('JZ-D2').register.outfalls).toEqual({ withFindings: 1, remediated: 0 });
    expect(area('JZ').register.months).toEqual([]);
  });

  it('hand-computed per area and local month, July–September 2026', async () => {
    // JZ-D1 (zone Z-W):
    //   A SWP01: found 07-03, fixed 07-20, verified 2026-07-31T17:00Z = 08-01 01:00 in Shanghai → verified in August.
    //   B SWP02: found 07-10, fixed 08-05, sent back 08-06, fixed again 09-02 → resolved in September (the fix that held).
    //   C SWP03: found 08-12, still open.  D SWP04: found 08-15, dismissed 08-16 → not counted anywhere.
    const a = await register('SWP01', '2026-07-03T02:00:00Z');
    await step(a, 'confirm', '2026-07-04T02:00:00Z');
    await step(a, 'start_remediation', '2026-07-05T02:00:00Z');
    await step(a, 'complete', '2026-07-20T02:00:00Z');
    await step(a, 'verify', '2026-07-31T17:00:00Z');
    const b = await register('SWP02', '2026-07-10T02:00:00Z');
    await step(b, 'confirm', '2026-07-11T02:00:00Z');
    await step(b, 'start_remediation', '2026-07-12T02:00:00Z');
    await step(b, 'complete', '2026-08-05T02:00:00Z');
    await step(b, 'send_back', '2026-08-06T02:00:00Z', '闭水试验不合格');
    await step(b, 'complete', '2026-09-02T02:00:00Z');
    await register('SWP03', '2026-08-12T02:00:00Z');
    const d = await register('SWP04', '2026-08-15T02:00:00Z');
    await step(d, 'dismiss', '2026-08-16T02:00:00Z', '误判');
    // JZ-D2:
    //   E SWP12 (zone Z-EN): found 07-05, fixed 07-25.
    //   F DO-01 (the outfall, zone Z-DO-01): found 07-06, fixed 08-20, verified 09-10;
    //   the demo's intrusion at DO-01: remediation started 07-07, fixed 08-25, verified 09-15 →
    //   every finding at DO-01 verified on 09-15: one outfall remediated in September.
    const e = await register('SWP12', '2026-07-05T02:00:00Z');
    await step(e, 'confirm', '2026-07-05T03:00:00Z');
    await step(e, 'start_remediation', '2026-07-05T04:00:00Z');
    await step(e, 'complete', '2026-07-25T02:00:00Z');
    const f = await register('DO-01', '2026-07-06T02:00:00Z');
    await step(f, 'confirm', '2026-07-06T03:00:00Z');
    await step(f, 'start_remediation', '2026-07-06T04:00:00Z');
    const [intrusion] = (await operator.get<{ id: string; assetId: string; kind: string }[]>('/api/findings?kind=intrusion')).filter((x) => x.assetId === 'DO-01');
    await step(intrusion!.id, 'start_remediation', '2026-07-07T02:00:00Z');
    await step(f, 'complete', '2026-08-20T02:00:00Z');
    await step(intrusion!.id, 'complete', '2026-08-25T02:00:00Z');
    await step(f, 'verify', '2026-09-10T02:00:00Z');
    // Between the two verifications DO-01 still has an unverified finding: not remediated yet.
    expect((await report('2026-07-01', '2026-09-30'))('JZ-D2').register.outfalls).toEqual({ withFindings: 1, remediated: 0 });
    await step(intrusion!.id, 'verify', '2026-09-15T02:00:00Z');

    const area = await report('2026-07-01', '2026-09-30');
    expect(area('JZ-D1').register.months).toEqual([month('2026-07', 2, 1, 0), month('2026-08', 1, 0, 1), month('2026-09', 0, 1, 0)]);
    expect(area('JZ-D1').register.period).toEqual({ misconnectionsFound: 3, misconnectionsResolved: 2, misconnectionsVerified: 1, outfallsRemediated: 0 });
    // Now: demo (DP02 open, SWP27 resolved) + A verified, B resolved, C open → 5 registered, 2 open, 3 resolved, 1 verified; 3 ÷ 5.
    expect(area('JZ-D1').register.misconnections).toEqual({ registered: 5, open: 2, resolved: 3, verified: 1, resolvedRate: 0.6 });
    expect(area('JZ-D2').register.months).toEqual([month('2026-07', 2, 1, 0), month('2026-08', 0, 1, 0), month('2026-09', 0, 0, 1, 1)]);
    // Now: demo (DP04 open, DP05 verified) + E resolved, F verified → 4, 1 open, 3 resolved, 2 verified.
    expect(area('JZ-D2').register.misconnections).toEqual({ registered: 4, open: 1, resolved: 3, verified: 2, resolvedRate: 0.75 });
    expect(area('JZ-D2').register.outfalls).toEqual({ withFindings: 1, remediated: 1 });
    // The zones: Z-EN has E only; Z-DO-01 has F and the outfall.
    expect(area('Z-EN').register.months).toEqual([month('2026-07', 1, 1, 0)]);
    expect(area('Z-DO-01').register.months).toEqual([month('2026-07', 1, 0, 0), month('2026-08', 0, 1, 0), month('2026-09', 0, 0, 1, 1)]);
    // The city is the sum of its two districts.
    expect(area('JZ').register.months).toEqual([month('2026-07', 4, 2, 0), month('2026-08', 1, 1, 1), month('2026-09', 0, 1, 1, 1)]);
    expect(area('JZ').register.misconnections).toEqual({ registered: 9, open: 3, resolved: 6, verified: 3, resolvedRate: 6 / 9 });

    // A period of August only: the months outside drop out, the figures of "now" stay.
    const august = await report('2026-08-01', '2026-08-31');
    expect(august('JZ-D1').register.months).toEqual([month('2026-08', 1, 0, 1)]);
    expect(august('JZ-D1').register.misconnections.resolved).toBe(3);

    // The CSV carries the register's figures per area and month.
    const response = await fetch(`${platform.url}/api/drainage/kpi?from=2026-07-01&to=2026-09-30&format=csv`, { headers: supervisor.headers });
    const lines = (await response.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    const header = lines[0]!.split(',');
    const row = lines.find((l) => l.startsWith('JZ-D2,') && l.includes(',2026-09,'))!.split(',');
    expect(row[header.indexOf('register_misconnections_verified')]).toBe('1');
    expect(row[header.indexOf('register_outfalls_remediated')]).toBe('1');
  });
});

describe('extraneous water', () => {
  it('hand-computed: influent less served population × 180 L × 0.9', async () => {
    await at('2026-10-01T02:00:00Z');
    // 荆州片区 serves 55,000 people → 55,000 × 0.18 m³ × 0.9 = 8,910 m³/d expected sewage.
    // DT-01: 20,000 and 30,000 m³ on two days → 25,000 m³/d → 16,090 m³/d extraneous, 64.36 % of the influent.
    expect((await operator.post('/api/drainage/kpi/influent', { plantId: 'DT-01', days: [
      { day: '2021-03-01', flowM3: 20_000, bod5MgL: 100 }, { day: '2021-03-02', flowM3: 30_000, bod5MgL: 80 },
    ] })).status).toBe(201);
    // DT-02 (沙市片区, 35,000 people → 5,670 m³/d): one day of 15,000 m³ → 9,330 m³/d.
    expect((await operator.post('/api/drainage/kpi/influent', { plantId: 'DT-02', days: [{ day: '2021-03-01', flowM3: 15_000, bod5MgL: 70 }] })).status).toBe(201);
    const area = await report('2021-03-01', '2021-03-31');
    expect(area('JZ-D1').extraneous).toMatchObject({ influentM3PerDay: 25_000, perCapitaWaterL: 180, returnCoefficient: 0.9 });
    expect(area('JZ-D1').extraneous!.expectedSewageM3PerDay).toBeCloseTo(8_910, 9);
    expect(area('JZ-D1').extraneous!.extraneousM3PerDay).toBeCloseTo(16_090, 9);
    expect(area('JZ-D1').extraneous!.share).toBeCloseTo(16_090 / 25_000, 12);
    expect(area('JZ-D2').extraneous!.extraneousM3PerDay).toBeCloseTo(9_330, 9);
    // City: each plant's mean day (25,000 + 15,000) less 90,000 × 0.162 = 14,580 → 25,420 m³/d.
    expect(area('JZ').extraneous!.extraneousM3PerDay).toBeCloseTo(25_420, 9);
    expect(area('JZ').months[0]!.extraneous!.extraneousM3PerDay).toBeCloseTo(25_420, 9);
  });
});

describe('KPI inputs: the area a plant serves, served population', () => {
  it('the supervisor and the admin set them; others get 403; bad input gets 400 naming the field', async () => {
    const inputs = await supervisor.get<KpiInputs>('/api/drainage/kpi/inputs');
    expect(inputs.plants.filter((p) => p.id.startsWith('DT-'))).toMatchObject([{ id: 'DT-01', areaId: 'JZ-D1' }, { id: 'DT-02', areaId: 'JZ-D2' }]);
    expect(inputs.areas.find((a) => a.id === 'JZ-D1')).toMatchObject({ servedPopulation: 55_000, kind: 'district' });

    for (const client of [operator, drainage]) {
      expect((await client.request('GET', '/api/drainage/kpi/inputs')).status).toBe(403);
      expect((await client.post('/api/drainage/kpi/plant-service', { plantId: 'DT-02', areaId: 'JZ' })).status).toBe(403);
    }
    const unknownPlant = await supervisor.post<{ error: string }>('/api/drainage/kpi/plant-service', { plantId: 'DP01', areaId: 'JZ' });
    expect(unknownPlant.status).toBe(400);
    expect(unknownPlant.body.error).toMatch(/^plantId: /);
    const unknownArea = await supervisor.post<{ error: string }>('/api/drainage/kpi/plant-service', { plantId: 'DT-02', areaId: 'nowhere' });
    expect(unknownArea.status).toBe(400);
    expect(unknownArea.body.error).toMatch(/^areaId: /);
    const malformed = await admin.post<{ error: string }>('/api/drainage/kpi/plant-service', { plantId: '', areaId: 3 });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/plantId: .*areaId: /s);
    const badPopulation = await admin.post<{ error: string }>('/api/drainage/kpi/population', { areaId: 'JZ-D2', servedPopulation: -5, asOf: '2026-13-01' });
    expect(badPopulation.status).toBe(400);
    expect(badPopulation.body.error).toMatch(/servedPopulation: /);

    // DT-02 moved to serve 荆州片区 too, by the admin; 沙市片区's population set by the supervisor.
    expect((await admin.post('/api/drainage/kpi/plant-service', { plantId: 'DT-02', areaId: 'JZ-D1' })).status).toBe(201);
    expect((await supervisor.post('/api/drainage/kpi/population', { areaId: 'JZ-D2', servedPopulation: 40_000, asOf: '2026-06-01' })).status).toBe(201);
    const after = await supervisor.get<KpiInputs>('/api/drainage/kpi/inputs');
    expect(after.plants.find((p) => p.id === 'DT-02')!.areaId).toBe('JZ-D1');
    expect(after.areas.find((a) => a.id === 'JZ-D2')).toMatchObject({ servedPopulation: 40_000, populationAsOf: '2026-06-01' });
    // The report follows: 荆州片区 now counts both plants (2021-03: 25,000 + 15,000 m³/d), 沙市片区 none.
    const area = await report('2021-03-01', '2021-03-31');
    expect(area('JZ-D1').plantIds.sort()).toEqual(['DT-01', 'DT-02']);
    expect(area('JZ-D1').extraneous!.influentM3PerDay).toBe(40_000);
    expect(area('JZ-D2').extraneous).toBeNull();
  });
});
