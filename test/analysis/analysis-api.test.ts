// The analysis API on the demo city: the scripted gas leak (replayed over HTTP ingestion) opens
// an incident whose analysis traces the gas to the adjacent spaces, proposes the valves and an
// evacuation radius, and calls it a pipe leak with its reasons; owner units see only their own
// incidents' and assets' analyses; bad input is refused with the field named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentAnalysisDto } from '../../src/api/analysis-routes.ts';
import type { IncidentDto } from '../../src/api/index.ts';
import type { GasSourceDetail } from '../../src/analysis/gas-source.ts';
import type { GasSpreadDetail } from '../../src/analysis/gas-spread.ts';
import type { AnalysisResult } from '../../src/analysis/explain.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { api, USERS, type ApiClient } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { replayDemoLeak } from './demo-leak.ts';

let platform: Platform;
let operator: ApiClient;
let incident: IncidentDto;
const data = tempDir('analysis-api');

beforeAll(async () => {
  platform = await startPlatform({
    port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('analysis'),
    simulate: false, buildWeb: false, log: false, demo: true, auth: 'required', deviceAuth: 'off',
  });
  operator = await api(platform, USERS.operator);
  await replayDemoLeak(platform.url);
  incident = await waitFor('the leak incident', async () => {
    const list = await operator.get<IncidentDto[]>('/api/incidents');
    return list.find((i) => i.assetId === 'AS-02');
  });
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  data.remove();
});

describe('GET /api/incidents/:id/analysis', () => {
  let body: IncidentAnalysisDto;
  let spread: AnalysisResult<GasSpreadDetail>;
  let source: AnalysisResult<GasSourceDetail>;
  beforeAll(async () => {
    body = await operator.get<IncidentAnalysisDto>(`/api/incidents/${incident.id}/analysis`);
    const results = body.analyses.flatMap((a) => a.results);
    spread = results.find((r) => r.kind === 'gas_spread') as AnalysisResult<GasSpreadDetail>;
    source = results.find((r) => r.kind === 'gas_source') as AnalysisResult<GasSourceDetail>;
  });

  it('traces the gas from AS-02, proposes the valves of the nearest main and an evacuation radius', () => {
    expect(body.analyses.map((a) => a.assetId)).toEqual(['AS-02']);
    expect(spread.detail.source).toMatchObject({ assetId: 'AS-02' });
    expect(spread.detail.source.lel).toBeGreaterThanOrEqual(25);
    // AS-02 lies 33 m north of GP03 (GN03 → GN04); the valves at both ends close it.
    expect(spread.detail.isolation).toMatchObject({ pipeId: 'GP03' });
    expect(spread.detail.isolation!.valves.map((v) => v.id)).toEqual(['GN03', 'GN04']);
    expect(spread.detail.evacuation.radiusM).toBeGreaterThanOrEqual(100);
    expect(spread.detail.spaces[0]!.assetId).toBe('AS-02');
    expect(spread.model.name).toBe('gas-spread/attenuation-graph');
    expect(spread.evidence.find((e) => e.key === 'sourceSeries')).toMatchObject({ source: 'GD-002.lel', unit: '%LEL' });
  });

  it('calls it a pipe leak, with the pressure dip at GP-001 and the missing H2S as reasons', () => {
    expect(source.verdict).toBe('pipe_leak');
    expect(source.confidence).toBeGreaterThan(0.9);
    expect(source.detail.pressureDrop).toMatchObject({ sensorId: 'GP-001.p', significant: true });
    expect(source.detail.reasons.map((r) => r.key)).toEqual(expect.arrayContaining(['pressureDrop', 'h2sAbsent']));
    expect(source.evidence.find((e) => e.key === 'h2sPeak')).toMatchObject({ source: 'GD-002.h2s', unit: 'ppm' });
  });

  it('answers 404 to another owner unit and for a missing incident, 401 without a login', async () => {
    const water = await api(platform, USERS.water);
    expect((await water.request('GET', `/api/incidents/${incident.id}/analysis`)).status).toBe(404);
    const gas = await api(platform, USERS.gas);
    expect((await gas.request('GET', `/api/incidents/${incident.id}/analysis`)).status).toBe(200);
    expect((await operator.request('GET', '/api/incidents/999999/analysis')).status).toBe(404);
    expect((await fetch(`${platform.url}/api/incidents/${incident.id}/analysis`)).status).toBe(401);
  });
});

describe('on-demand analyses', () => {
  it('analyses an asset over a window', async () => {
    const body = await operator.get<{ results: AnalysisResult[] }>('/api/analysis/assets/AS-02');
    expect(body.results.map((r) => r.kind)).toEqual(['gas_spread', 'gas_source']);
  });

  it('runs the gas-spread what-if, and names the bad field', async () => {
    const what = await operator.get<AnalysisResult<GasSpreadDetail>>('/api/analysis/gas-spread?assetId=AS-01&lel=60');
    expect(what.detail.source).toMatchObject({ assetId: 'AS-01', lel: 60 });
    const bad = await operator.request<{ error: string }>('GET', '/api/analysis/gas-spread?assetId=AS-01&lel=abc');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('lel');
    const notPoint = await operator.request<{ error: string }>('GET', '/api/analysis/gas-spread?assetId=GP03&lel=30');
    expect(notPoint.status).toBe(422);
    const water = await api(platform, USERS.water);
    expect((await water.request('GET', '/api/analysis/gas-spread?assetId=AS-01&lel=60')).status).toBe(404);
  });

  it('diagnoses a drainage manhole against the level monitor downstream, saying what it lacked', async () => {
    const body = await operator.get<{ results: AnalysisResult[]; skipped: string[] }>('/api/analysis/assets/DN02');
    const blockage = body.results.find((r) => r.model.name === 'drainage/blockage-level-trends')!;
    expect(blockage.assetIds).toEqual(['DN02', 'DN04']);
    expect(blockage.segmentIds).toEqual([]);
    // The rain in the window comes from the demo's rain gauge, or the result says there is none.
    const rain = blockage.evidence.find((e) => e.key === 'rain')!;
    expect(rain.source === 'no rain gauge: taken as dry' ? body.skipped.some((s) => s.includes('no rain gauge')) : rain.source.includes('.')).toBe(true);
  });

  it('rates overflow risk under a rainfall input, owner units seeing their own pipes only', async () => {
    const result = await operator.get<AnalysisResult>('/api/analysis/drainage/overflow?rainfall=150');
    expect(result.kind).toBe('drainage_diagnosis');
    expect(result.segmentIds.length).toBeGreaterThan(0);
    // Every drainage pipe is the drainage company's: it sees them all, the water company none.
    const drainage = await api(platform, USERS.drainage);
    expect((await drainage.get<AnalysisResult>('/api/analysis/drainage/overflow?rainfall=150')).segmentIds).toEqual(result.segmentIds);
    const water = await api(platform, USERS.water);
    expect((await water.get<AnalysisResult>('/api/analysis/drainage/overflow?rainfall=150')).segmentIds).toEqual([]);
    const bad = await operator.request<{ error: string }>('GET', '/api/analysis/drainage/overflow?rainfall=-3');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('rainfall');
  });

  it('reads the minimum night flow of a meter, for its owner unit only', async () => {
    const water = await api(platform, USERS.water);
    const result = await water.get<AnalysisResult>('/api/analysis/night-flow/WF-001.q?days=3');
    expect(result).toMatchObject({ kind: 'night_flow', model: { name: 'night-flow/minimum-night-flow' } });
    const gas = await api(platform, USERS.gas);
    expect((await gas.request('GET', '/api/analysis/night-flow/WF-001.q')).status).toBe(404);
  });
});

