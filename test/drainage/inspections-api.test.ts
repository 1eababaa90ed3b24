// Inspections and findings over the API with accounts on: a good export is imported whole and
// its segments carry the CJJ 181 indices of the worked examples; a bad export is refused with a
// per-row report and writes nothing; owner units see and act on their own segments only; a
// finding becomes a work order (an incident for the segment's owner).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/drainage/findings/index.ts';
import type { CampaignSummary, Inspection, InspectionImportReport } from '../../src/drainage/inspections/index.ts';
import type { Incident } from '../../src/incidents/index.ts';
import type { Asset } from '../../src/network/index.ts';
import { insertAssets, insertOrganisations } from '../../src/network/repository.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import type { Db } from '../../src/store/index.ts';
import { api, type ApiClient } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/inspections');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

const pipe = (id: string, ownerId: string, network: Asset['network'], x: number): Asset => ({
  id, name: `管段 ${id}`, network, assetType: 'pipe', ownerId,
  geometry: { type: 'LineString', coordinates: [[112.23 + x * 0.001, 30.33], [112.2304 + x * 0.001, 30.33]] }, attributes: { diameterMm: 800 },
});

async function seed(db: Db): Promise<void> {
  await insertOrganisations(db, [
    { id: 'centre', name: '监测中心', kind: 'operator' },
    { id: 'drain-co', name: '排水公司', kind: 'owner' }, { id: 'sewer-co', name: '污水公司', kind: 'owner' }, { id: 'gas-co', name: '燃气公司', kind: 'owner' },
  ]);
  await insertAssets(db, [
    pipe('T-P1', 'drain-co', 'drainage', 0), pipe('T-P2', 'drain-co', 'drainage', 1), pipe('T-P3', 'drain-co', 'drainage', 2),
    pipe('T-S1', 'sewer-co', 'drainage', 3), pipe('G-1', 'gas-co', 'gas', 4),
  ]);
  await db.query(`INSERT INTO areas (id, name, kind, parent_id, geometry, attributes, min_lon, min_lat, max_lon, max_lat)
                  VALUES ('D-1', '片区 1', 'district', NULL, '{"type":"Polygon","coordinates":[]}', '{}', 0, 0, 0, 0)`);
  await db.query(`INSERT INTO asset_areas (asset_id, area_id) VALUES ('T-P1', 'D-1'), ('T-P2', 'D-1')`);
}

let platform: Platform;
let admin: ApiClient;
let operator: ApiClient;
let drainCo: ApiClient;
let sewerCo: ApiClient;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  const data = tempDir('inspections');
  cleanups.push(data.remove);
  platform = await startPlatform({
    port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('insp'),
    simulate: false, buildWeb: false, log: false, demo: false, auth: 'required', seed,
  });
  cleanups.push(() => platform.stop());
  admin = await api(platform, 'admin');
  operator = await api(platform, 'centre-operator');
  drainCo = await api(platform, 'drain-co-dispatcher');
  sewerCo = await api(platform, 'sewer-co-dispatcher');
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const campaign = { name: '2026 秋季 CCTV 普查', method: 'cctv' as const, areaId: 'D-1' };

describe('inspection import', () => {
  it('imports a good export whole, grading each segment as CJJ 181-2012 does', async () => {
    const { status, body } = await admin.post<InspectionImportReport>('/api/inspections/import', { campaignId: 'C-2026-A', csv: fixture('good.csv'), fileName: 'good.csv', campaign });
    expect(status, JSON.stringify(body.rejected)).toBe(201);
    expect(body).toMatchObject({ written: true, campaignId: 'C-2026-A', counts: { rows: 10, inspections: 4, defects: 9 }, rejected: [] });

    // Worked example 1 (docs/inspections.md): F 5 grade III, RI 4.25; G 5 grade III, MI 5.05.
    const [p1] = await admin.get<Inspection[]>('/api/inspections?segment=T-P1');
    expect(p1).toMatchObject({ campaignId: 'C-2026-A', inspectedOn: '2026-10-12', method: 'cctv', lengthM: 40, diameterMm: 800, region: 'arterial',
      structuralGrade: 3, functionalGrade: 3, repairGrade: 3, maintenanceGrade: 3, ownerId: 'drain-co' });
    expect(p1!.ri).toBeCloseTo(4.25, 9);
    expect(p1!.mi).toBeCloseTo(5.05, 9);
    expect(p1!.assessment.action).toEqual({ repair: 'repair_soon', maintenance: 'maintain_soon', priority: 3 });
    expect(p1!.defects.map((d) => [d.code, d.grade, d.score, d.atM])).toEqual([['CJ', 3, 5, 5], ['PL', 3, 5, 12], ['CK', 2, 2, 25], ['SL', 2, 2, 26.3], ['SG', 2, 2, 30]]);
    expect(p1!.defects.find((d) => d.code === 'PL')).toMatchObject({ clock: '0210', remark: '破碎', photoUrl: '/media/T-P1-PL.jpg', videoUrl: 'https://video.example.org/T-P1.mp4#t=72' });
    expect(p1!.location).not.toBeNull();
    // Worked example 2: S 2.2 > Smax 2, F 2.2, silty sand: RI 3.04. Worked example 3: RI 8.3, repair now.
    const [p2] = await admin.get<Inspection[]>('/api/inspections?segment=T-P2');
    expect(p2!.ri).toBeCloseTo(3.04, 9);
    const [s1] = await admin.get<Inspection[]>('/api/inspections?segment=T-S1');
    expect(s1).toMatchObject({ structuralGrade: 4, repairGrade: 4, assessment: { action: { repair: 'repair_now' } } });
    expect(s1!.ri).toBeCloseTo(8.3, 9);
    // A segment inspected without defects; the QV row gives its own method.
    const [p3] = await admin.get<Inspection[]>('/api/inspections?segment=T-P3');
    expect(p3).toMatchObject({ method: 'qv', structuralGrade: 1, functionalGrade: 1, ri: 0, mi: 0, defects: [] });

    // Worst first; by area; defects across the campaign.
    expect((await admin.get<Inspection[]>('/api/inspections?campaign=C-2026-A')).map((i) => i.segmentId)).toEqual(['T-S1', 'T-P1', 'T-P2', 'T-P3']);
    expect((await admin.get<Inspection[]>('/api/inspections?area=D-1')).map((i) => i.segmentId)).toEqual(['T-P1', 'T-P2']);
    const severe = await admin.get<{ code: string; segmentId: string }[]>('/api/inspections/defects?minGrade=3');
    expect(severe.map((d) => `${d.segmentId}:${d.code}`).sort()).toEqual(['T-P1:CJ', 'T-P1:PL', 'T-S1:PL', 'T-S1:SL']);
    const [summary] = await admin.get<CampaignSummary[]>('/api/inspections/campaigns');
    expect(summary).toMatchObject({ id: 'C-2026-A', method: 'cctv', areaId: 'D-1', segments: 4, defects: 9, structuralGrades: [1, 1, 1, 1], urgent: 1 });
    expect(summary!.inspectedKm).toBeCloseTo(0.155, 6);
  });

  it('refuses a bad export with a report per row and writes nothing', async () => {
    const { status, body } = await admin.post<InspectionImportReport>('/api/inspections/import', { campaignId: 'C-2026-A', csv: fixture('bad.csv'), fileName: 'bad.csv' });
    expect(status).toBe(422);
    expect(body.written).toBe(false);
    expect(body.error).toBe('8 row(s) rejected; nothing was written (fix them and import the file again)');
    expect(body.rejected.map((r) => [r.line, r.field])).toEqual([
      [2, 'code'], [3, 'grade'], [4, 'segment'], [6, 'code'], [7, 'distance'], [8, 'segment'], [9, 'photo'], [10, 'segment'],
    ]);
    const reasons = body.rejected.map((r) => r.reason);
    expect(reasons[0]).toMatch(/unknown defect code "XX"/);
    expect(reasons[1]).toBe('FS (腐蚀) has grades 1–3, not 4');
    expect(reasons[2]).toBe('segment T-NOPE does not exist in the network');
    expect(reasons[3]).toBe('duplicate record: PL at 7 m on T-P1 already on line 5');
    expect(reasons[4]).toBe('45 m lies beyond the inspected length 40 m');
    expect(reasons[5]).toMatch(/^T-P2 inspected on 2026-10-12 is already recorded in this campaign \(inspection \d+\)$/);
    expect(reasons[7]).toBe('G-1 is a gas pipe, not a drainage pipe or channel');
    // Lines 5 and 11 were valid, and still nothing of the file was written.
    expect((await admin.get<Inspection[]>('/api/inspections?campaign=C-2026-A')).length).toBe(4);
    expect(await admin.get<Inspection[]>('/api/inspections?segment=T-P3')).toHaveLength(1);
  });

  it('takes an Excel export as base64, reporting bad rows by their row in the sheet', async () => {
    const xlsxBase64 = readFileSync(path.join(FIXTURES, 'bad.xlsx')).toString('base64');
    const { status, body } = await admin.post<InspectionImportReport>('/api/inspections/import', { campaignId: 'C-2026-A', xlsxBase64, fileName: 'bad.xlsx' });
    expect(status).toBe(422);
    expect(body.rejected.map((r) => [r.line, r.field])).toEqual([[4, 'code'], [5, 'date']]);
    expect((await admin.post<{ error: string }>('/api/inspections/import', { campaignId: 'C-2026-A', xlsxBase64, csv: 'x' })).body.error)
      .toBe('csv: give the export as csv (text) or xlsxBase64, one of them');
  });

  it('refuses an unknown campaign, and bad bodies, naming what is wrong', async () => {
    const unknown = await admin.post<InspectionImportReport>('/api/inspections/import', { campaignId: 'C-NONE', csv: fixture('good.csv') });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatch(/campaign C-NONE does not exist/);
    expect((await admin.post<{ error: string }>('/api/inspections/import', { campaignId: 'C-2026-A' })).body.error).toMatch(/^csv: /);
    expect((await admin.post<{ error: string }>('/api/inspections/campaigns', { id: 'C-X', name: 'x', method: 'laser' })).body.error).toMatch(/^method: /);
    expect((await admin.post('/api/inspections/campaigns', { id: 'C-2026-A', name: 'again', method: 'qv' })).status).toBe(409);
  });
});

describe('owner scoping', () => {
  it('shows an owner unit its own segments only; another unit\'s record answers 404', async () => {
    const own = await drainCo.get<Inspection[]>('/api/inspections');
    expect(own.map((i) => i.segmentId).sort()).toEqual(['T-P1', 'T-P2', 'T-P3']);
    expect((await sewerCo.get<Inspection[]>('/api/inspections')).map((i) => i.segmentId)).toEqual(['T-S1']);
    const [s1] = await admin.get<Inspection[]>('/api/inspections?segment=T-S1');
    expect((await drainCo.request('GET', `/api/inspections/${s1!.id}`)).status).toBe(404);
    expect((await sewerCo.request('GET', `/api/inspections/${s1!.id}`)).status).toBe(200);
    const [summary] = await drainCo.get<CampaignSummary[]>('/api/inspections/campaigns');
    expect(summary).toMatchObject({ id: 'C-2026-A', segments: 3, defects: 7 });
    expect((await drainCo.get<{ segmentId: string }[]>('/api/inspections/defects')).every((d) => d.segmentId !== 'T-S1')).toBe(true);
  });

  it('lets an owner unit import only its own segments: another unit\'s is reported missing', async () => {
    const csv = 'segment,date,code,grade,distance_m\nT-P3,2026-11-02,SL,1,3\nT-S1,2026-11-02,SL,1,3\n';
    const refused = await drainCo.post<InspectionImportReport>('/api/inspections/import', { campaignId: 'C-DRAIN-1', csv, campaign: { name: '排水公司 QV 抽查', method: 'qv' } });
    expect(refused.status).toBe(422);
    expect(refused.body.rejected).toEqual([{ line: 3, field: 'segment', reason: 'segment T-S1 does not exist in the network', segmentId: 'T-S1' }]);
    const ok = await drainCo.post<InspectionImportReport>('/api/inspections/import', { campaignId: 'C-DRAIN-1', csv: csv.split('\n').slice(0, 2).join('\n'), campaign: { name: '排水公司 QV 抽查', method: 'qv' } });
    expect(ok.status).toBe(201);
    expect((await drainCo.get<CampaignSummary>('/api/inspections/campaigns/C-DRAIN-1')).ownerId).toBe('drain-co');
    expect((await sewerCo.request('GET', '/api/inspections/campaigns/C-DRAIN-1')).status).toBe(404);
  });
});

describe('findings registers', () => {
  it('registers a misconnection, walks its status and turns it into a work order for the segment\'s owner', async () => {
    const created = await drainCo.post<Finding>('/api/findings', {
      kind: 'misconnection', subtype: 'sewage_into_storm', assetId: 'T-P1', upstreamSource: '幸福小区 3 栋阳台废水', sourceKind: 'residential',
      address: '红星路 12 号', campaignId: 'C-2026-A',
    });
    expect(created.status).toBe(201);
    const finding = created.body;
    expect(finding).toMatchObject({ kind: 'misconnection', status: 'found', ownerId: 'drain-co', assetId: 'T-P1', incidentId: null, canCreateWorkOrder: true });
    expect(finding.allowedActions).toEqual(['confirm']);
    // Another unit neither sees nor acts on it; its own asset is not the other unit's to register on.
    expect((await sewerCo.request('GET', `/api/findings/${finding.id}`)).status).toBe(404);
    expect((await sewerCo.post(`/api/findings/${finding.id}/transitions`, { action: 'confirm' })).status).toBe(404);
    expect((await sewerCo.post<{ error: string }>('/api/findings', { kind: 'leak', subtype: 'water_main', assetId: 'T-P1' })).body.error).toBe('assetId: asset T-P1 does not exist');
    expect((await drainCo.post<{ error: string }>('/api/findings', { kind: 'misconnection', subtype: 'river_backflow', assetId: 'T-P1' })).body.error)
      .toBe('subtype: misconnection is one of sewage_into_storm, storm_into_sewage, combined_into_separate, not river_backflow');

    const confirmed = await drainCo.post<Finding>(`/api/findings/${finding.id}/transitions`, { action: 'confirm', note: 'CCTV 复核' });
    expect(confirmed.body.status).toBe('confirmed');
    expect((await drainCo.post(`/api/findings/${finding.id}/transitions`, { action: 'verify' })).status).toBe(409);
    expect((await drainCo.post(`/api/findings/${finding.id}/transitions`, { action: 'dismiss', note: 'x' })).status).toBe(403);

    const order = await operator.post<{ incidentId: string; finding: Finding }>(`/api/findings/${finding.id}/work-order`, { level: 3, note: '限期整改' });
    expect(order.status).toBe(201);
    expect(order.body.finding).toMatchObject({ status: 'remediating', incidentId: order.body.incidentId, canCreateWorkOrder: false });
    const incident = await drainCo.get<Incident>(`/api/incidents/${order.body.incidentId}`);
    expect(incident).toMatchObject({ kind: 'patrol', assetId: 'T-P1', ownerId: 'drain-co', level: 3, title: `混错接整改 #${finding.id} T-P1` });
    expect(incident.description).toContain('幸福小区 3 栋阳台废水');
    expect((await sewerCo.request('GET', `/api/incidents/${order.body.incidentId}`)).status).toBe(404);
    expect((await operator.post<{ error: string }>(`/api/findings/${finding.id}/work-order`, {})).status).toBe(409);

    // Remediated by the owner, verified by the centre.
    expect((await drainCo.post<Finding>(`/api/findings/${finding.id}/transitions`, { action: 'complete' })).body.status).toBe('remediated');
    expect((await drainCo.post(`/api/findings/${finding.id}/transitions`, { action: 'verify' })).status).toBe(403);
    const verified = await operator.post<Finding>(`/api/findings/${finding.id}/transitions`, { action: 'verify' });
    expect(verified.body.status).toBe('verified');
    expect(verified.body.history.map((h) => h.action)).toEqual(['create', 'confirm', 'work_order', 'complete', 'verify']);
  });

  it('keeps intrusion and leak registers apart, and corrects descriptive fields without touching the status', async () => {
    const intrusion = await operator.post<Finding>('/api/findings', { kind: 'intrusion', subtype: 'river_backflow', assetId: 'T-S1', description: '闸门关闭不严，河水倒灌' });
    const leak = await operator.post<Finding>('/api/findings', { kind: 'leak', subtype: 'water_main', location: { lon: 112.231, lat: 30.331 }, ownerId: 'drain-co' });
    expect([intrusion.status, leak.status]).toEqual([201, 201]);
    expect(intrusion.body.ownerId).toBe('sewer-co');
    expect((await operator.get<Finding[]>('/api/findings?kind=intrusion')).map((f) => f.id)).toEqual([intrusion.body.id]);
    expect((await operator.get<Finding[]>('/api/findings?kind=leak')).map((f) => f.id)).toEqual([leak.body.id]);
    expect((await sewerCo.get<Finding[]>('/api/findings')).map((f) => f.id)).toEqual([intrusion.body.id]);
    const patched = await operator.request<Finding>('PATCH', `/api/findings/${leak.body.id}`, { address: '北京路与红星路口', description: '夜间最小流量异常' });
    expect(patched.body).toMatchObject({ address: '北京路与红星路口', description: '夜间最小流量异常', status: 'found' });
    expect((await operator.request('PATCH', `/api/findings/${leak.body.id}`, { status: 'verified' })).status).toBe(400);
    expect((await operator.post<{ error: string }>('/api/findings', { kind: 'leak', subtype: 'water_main' })).body.error).toBe('ownerId: name the owner unit, or an assetId');
  });
});
