// The demo city carries the sample inspection campaign and the findings registers, so a newcomer
// sees them working: two campaigns over 40 segments, graded; one misconnection already a work order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/drainage/findings/index.ts';
import type { CampaignSummary, Inspection } from '../../src/drainage/inspections/index.ts';
import type { Incident } from '../../src/incidents/index.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { api, USERS, type ApiClient } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

let platform: Platform;
let operator: ApiClient;
const data = tempDir('inspections-demo');

beforeAll(async () => {
  platform = await startPlatform({
    port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('insp-demo'),
    simulate: false, buildWeb: false, log: false, demo: true, auth: 'required',
  });
  operator = await api(platform, USERS.operator);
});

afterAll(async () => {
  await platform?.stop();
  data.remove();
});

describe('the demo city\'s inspection campaign', () => {
  it('holds a CCTV campaign over 35 sewer segments and a QV check of the 5 storm pipes, every grade present', async () => {
    const campaigns = await operator.get<CampaignSummary[]>('/api/inspections/campaigns');
    expect(campaigns.map((c) => [c.id, c.method, c.segments])).toEqual([['DEMO-QV-2026', 'qv', 5], ['DEMO-CCTV-2026', 'cctv', 35]]);
    const cctv = campaigns.find((c) => c.id === 'DEMO-CCTV-2026')!;
    expect(cctv.structuralGrades.reduce((a, b) => a + b, 0)).toBe(35);
    expect(cctv.structuralGrades[3]).toBeGreaterThanOrEqual(1);
    expect(cctv.functionalGrades[3]).toBeGreaterThanOrEqual(1);
    expect(cctv.urgent).toBeGreaterThanOrEqual(2);
    const [collapse] = await operator.get<Inspection[]>('/api/inspections?segment=SWP56');
    // PL4 (10) and SL3 (5) 0.6 m apart: one point, capped at 10: F 10; mucky soil 淤泥质土 (T 8), arterial (K 6),
    // DN800 (E 3): RI = 7 + 0.6 + 0.15 + 1.2 = 8.95.
    expect(collapse).toMatchObject({ structuralGrade: 4, repairGrade: 4, region: 'arterial', soil: 'mucky_soil' });
    expect(collapse!.ri).toBeCloseTo(8.95, 9);
    const [silted] = await operator.get<Inspection[]>('/api/inspections?segment=SWP30');
    expect(silted).toMatchObject({ functionalGrade: 4, maintenanceGrade: 4, assessment: { action: { maintenance: 'maintain_now' } } });
  });

  it('keeps the registers at varied stages, one misconnection turned into a work order for the drainage company', async () => {
    const findings = await operator.get<Finding[]>('/api/findings');
    const count = (kind: string) => findings.filter((f) => f.kind === kind).length;
    expect([count('misconnection'), count('intrusion'), count('leak')]).toEqual([5, 1, 1]);
    expect(new Set(findings.map((f) => f.status))).toEqual(new Set(['found', 'confirmed', 'remediating', 'remediated', 'verified', 'dismissed']));
    const ordered = findings.filter((f) => f.incidentId !== null);
    expect(ordered).toHaveLength(1);
    const incident = await operator.get<Incident>(`/api/incidents/${ordered[0]!.incidentId}`);
    expect(incident).toMatchObject({ kind: 'patrol', assetId: 'DP02', ownerId: 'drain-co' });
    // The leak is the water company's (a water main): only it, not the drainage company, sees it.
    const water = await api(platform, USERS.water);
    expect((await water.get<Finding[]>('/api/findings')).map((f) => f.kind)).toEqual(['leak']);
    const drainage = await api(platform, USERS.drainage);
    expect((await drainage.get<Finding[]>('/api/findings')).map((f) => f.kind).sort()).toEqual(['intrusion', 'misconnection', 'misconnection', 'misconnection', 'misconnection', 'misconnection']);
  });
});
