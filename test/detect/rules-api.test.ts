// The rules API on a running platform: the catalogue with its sources, a per-sensor override as
// versions with history (centre operator only, validated), the override in force for the next
// reading, the alarm recording the rule version that fired it, and owner-unit scoping.
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmDto, ThresholdRuleDto } from '../../src/api/dto.ts';
import type { AlarmTimelineDto, RuleCatalogueDto, RuleDto } from '../../src/api/rule-dto.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { api, USERS, type ApiClient } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

const T0 = Date.now() - 60_000;
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

describe('rules API', () => {
  const data = tempDir('rules-api');
  let platform: Platform;
  let operator: ApiClient;
  let gas: ApiClient;
  let water: ApiClient;
  const clients: MqttClient[] = [];

  const publish = async (deviceId: string, payload: unknown) => {
    const client = await connectAsync(platform.mqttUrl, { ...platform.deviceCredentials(deviceId), clientId: `rules-api-${deviceId}-${process.pid}` });
    clients.push(client);
    await client.publishAsync(`${platform.topicPrefix}/devices/${deviceId}/up`, JSON.stringify(payload), { qos: 1 });
    await client.endAsync();
  };
  const activeAlarms = (sensorId: string) => operator.get<AlarmDto[]>('/api/alarms').then((list) => list.filter((a) => a.sensorId === sensorId));

  beforeAll(async () => {
    platform = await startPlatform({
      port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('rules-api'), simulate: false, buildWeb: false, log: false, auth: 'required',
    });
    [operator, gas, water] = await Promise.all([api(platform, USERS.operator), api(platform, USERS.gas), api(platform, USERS.water)]);
  }, 60_000);
  afterAll(async () => {
    await platform?.stop();
    data.remove();
  }, 20_000);

  it('lists the indicator catalogue and every rule with its source and first version', async () => {
    const catalogue = await gas.get<RuleCatalogueDto>('/api/rules');
    expect(catalogue.indicators.find((i) => i.indicator === 'o2')).toMatchObject({ lifeline: 'tunnel', unit: '%vol', range: [0, 30] });
    const lel = catalogue.rules.find((r) => r.id === 'methane-lel')!;
    expect(lel).toMatchObject({ kind: 'threshold', category: 'emergency', scope: 'indicator', version: 1, recovery: 3 });
    expect(lel.source).toContain('GB/T 50493-2019');
    expect(lel.history.map((h) => [h.version, h.changedBy])).toEqual([[1, 'catalogue']]);
    expect(catalogue.rules.find((r) => r.id === 'gas-leak-suspected')).toMatchObject({ kind: 'composite', thresholds: [{ level: 1, value: 1 }] });
    expect(catalogue.rules.find((r) => r.id === 'range-methane_lel')).toMatchObject({ kind: 'range', category: 'maintenance' });
  });

  it('changes a rule for one sensor as versions, for the centre only, with input checked', async () => {
    const path = '/api/rules/methane-lel/versions';
    expect((await gas.post(path, { scope: 'sensor', target: 'GD-001.lel', thresholds: { 4: 8 } })).status).toBe(403);
    const bad = await operator.post<{ error: string }>(path, { scope: 'sensor', target: 'GD-001.lel', thresholds: { 4: 'high' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('thresholds.4');
    const unordered = await operator.post<{ error: string }>(path, { scope: 'sensor', target: 'GD-001.lel', thresholds: { 4: 30 } });
    expect(unordered.status).toBe(400);
    expect(unordered.body.error).toContain('level 3 must be more severe than level 4');
    expect((await operator.post(path, { scope: 'sensor', target: 'NOPE.lel', thresholds: { 4: 8 } })).status).toBe(404);
    expect((await operator.post(path, { scope: 'sensor', target: 'WP-001.p', thresholds: { 4: 8 } })).status).toBe(400);

    const first = await operator.post<RuleDto>(path, { scope: 'sensor', target: 'GD-001.lel', thresholds: { 4: 8 }, note: '通信井本底偏高' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ id: 'methane-lel@sensor:GD-001.lel', baseId: 'methane-lel', scope: 'sensor', target: 'GD-001.lel', version: 1 });
    const second = await operator.post<RuleDto>(path, { scope: 'sensor', target: 'GD-001.lel', thresholds: { 3: 12 } });
    expect(second.body.version).toBe(2);
    expect(second.body.thresholds).toEqual([{ level: 1, value: 50 }, { level: 2, value: 25 }, { level: 3, value: 12 }, { level: 4, value: 8 }]);
    expect(second.body.history.map((h) => [h.version, h.changedBy, h.note])).toEqual([[1, USERS.operator, '通信井本底偏高'], [2, USERS.operator, null]]);
    // The catalogue rule itself is untouched.
    expect((await operator.get<RuleDto>('/api/rules/methane-lel')).version).toBe(1);
    expect((await gas.get<ThresholdRuleDto[]>('/api/sensors/GD-001.lel/rules')).map((r) => [r.id, r.version, r.scope])).toEqual([['methane-lel@sensor:GD-001.lel', 2, 'sensor']]);
  });

  it('applies the override to the next reading and records the version that fired', async () => {
    // 6 %LEL: level 4 by the catalogue (GD-002), nothing under the override (GD-001, level 4 from 8).
    await publish('GD-002', { ts: at(1), values: { lel: 6 } });
    await publish('GD-001', { ts: at(1), values: { lel: 6 } });
    const other = await waitFor('the catalogue alarm', async () => (await activeAlarms('GD-002.lel'))[0]);
    expect(other).toMatchObject({ ruleId: 'methane-lel', level: 4, category: 'emergency', occurrences: 1 });
    expect(await activeAlarms('GD-001.lel')).toEqual([]);
    await publish('GD-001', { ts: at(2), values: { lel: 9 } });
    const alarm = await waitFor('the override alarm', async () => (await activeAlarms('GD-001.lel'))[0]);
    expect(alarm).toMatchObject({ ruleId: 'methane-lel@sensor:GD-001.lel', level: 4, category: 'emergency' });
    const timeline = await gas.get<AlarmTimelineDto>(`/api/alarms/${alarm.id}/timeline`);
    expect(timeline).toMatchObject({ ruleVersion: 2, occurrences: 1, events: [{ kind: 'open', level: 4, value: 9, at: at(2) }] });
  });

  it('shows an owner unit only the overrides of its own sensors', async () => {
    const ids = (await water.get<RuleCatalogueDto>('/api/rules')).rules.map((r) => r.id);
    expect(ids).toContain('methane-lel');
    expect(ids).not.toContain('methane-lel@sensor:GD-001.lel');
    expect((await water.request('GET', '/api/rules/methane-lel@sensor:GD-001.lel')).status).toBe(404);
    const alarm = (await activeAlarms('GD-001.lel'))[0]!;
    expect((await water.request('GET', `/api/alarms/${alarm.id}/timeline`)).status).toBe(404);
  });
});
