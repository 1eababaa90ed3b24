// The demo's storm and its bridge overload, replayed over HTTP ingestion, open incidents whose
// analysis has results: a blockage check in DN02 (the storm fills it past level 2) and the
// bridge checks on BS-01 (deflection and strain overload, first natural frequency drifted 6 %).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentAnalysisDto } from '../../src/api/analysis-routes.ts';
import type { IncidentDto } from '../../src/api/dto.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { api, USERS, type ApiClient } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { replayDemoStormAndBridge } from './demo-storm-bridge.ts';

let platform: Platform;
let operator: ApiClient;
const data = tempDir('analysis-storm-bridge');

beforeAll(async () => {
  platform = await startPlatform({
    port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('analysis-storm'),
    simulate: false, buildWeb: false, log: false, demo: true, auth: 'required', deviceAuth: 'off',
  });
  operator = await api(platform, USERS.operator);
  await replayDemoStormAndBridge(platform.url);
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  data.remove();
});

const analysisOf = async (assetId: string) => {
  const incident = await waitFor(`an incident on ${assetId}`, async () => (await operator.get<IncidentDto[]>('/api/incidents')).find((i) => i.assetId === assetId));
  return operator.get<IncidentAnalysisDto>(`/api/incidents/${incident.id}/analysis`);
};

describe('analysis of the demo storm and bridge incidents', () => {
  it('checks DN02 for a blockage against the level downstream', async () => {
    const body = await analysisOf('DN02');
    const results = body.analyses.flatMap((a) => a.results);
    const blockage = results.find((r) => r.kind === 'drainage_diagnosis' && r.model.name === 'drainage/blockage-level-trends');
    expect(blockage).toBeDefined();
    // Both manholes fill in the storm: no blockage signature.
    expect(blockage!.verdict).toBe('normal');
    expect(blockage!.message.key).toBe('drainage.noBlockage');
  });

  it('runs the bridge checks on BS-01: overloads and the frequency drift', async () => {
    const body = await analysisOf('BS-01');
    const results = body.analyses.flatMap((a) => a.results).filter((r) => r.kind === 'bridge');
    const byModel = new Map(results.map((r) => [r.model.name, r]));
    expect(byModel.get('bridge/overload-deflection')!.verdict).toBe('overload');
    expect(byModel.get('bridge/overload-strain')!.verdict).toBe('overload');
    const frequency = byModel.get('bridge/frequency-drift')!;
    expect(frequency.verdict).toBe('frequency_drift');
    expect(frequency.message.key).toBe('bridge.frequencyDrift');
    expect((frequency.detail as { frequencyHz: number }).frequencyHz).toBeCloseTo(3.0, 1);
  });
});
