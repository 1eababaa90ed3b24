// Deadlines per incident type and level on a controllable clock: the type is derived (asset
// network, Open311 service, alarm indicator) or given; the table is versioned, so a new version
// changes the deadlines of incidents opened after it and never those already running; the
// overdue check escalates each stage once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDto } from '../../src/api/index.ts';
import { incidentTypeOf, type SlaTable, type SlaVersion } from '../../src/incidents/index.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { api, USERS, type ApiClient } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';
import { postJson, waitFor } from '../support/wait.ts';

const T0 = Date.parse('2026-11-23T08:00:00Z');
const minutes = (m: number) => new Date(T0 + m * 60_000).toISOString();

describe('SLA by incident type, versioned', () => {
  const data = tempDir('sla-types');
  let now = new Date(T0);
  let platform: Platform;
  let operator: ApiClient;
  let supervisor: ApiClient;
  let gas: ApiClient;

  beforeAll(async () => {
    platform = await startPlatform({
      port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('sla-types'), simulate: false, buildWeb: false, log: false,
      clock: () => now, slaCheckMs: 50, auth: 'required',
    });
    [operator, supervisor, gas] = await Promise.all([api(platform, USERS.operator), api(platform, USERS.supervisor), api(platform, USERS.gas)]);
  });
  afterAll(async () => {
    await platform?.stop();
    data.remove();
  }, 20_000);

  const report = async (body: Record<string, unknown>) => {
    const created = await operator.post<IncidentDto>('/api/incidents', { description: '巡查发现', ...body });
    expect(created.status).toBe(201);
    return created.body;
  };
  const act = async (id: string, client: ApiClient, action: string, note?: string) => {
    const answer = await client.post<IncidentDto>(`/api/incidents/${id}/transitions`, { action, note });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  };

  it('derives the type from the alarm indicator and rule, the Open311 service, or the asset network', () => {
    expect(incidentTypeOf({ kind: 'alarm', ruleId: 'methane-lel', indicator: 'methane_lel', network: 'gas' })).toBe('gas_leak');
    expect(incidentTypeOf({ kind: 'alarm', ruleId: 'water-pressure-low', indicator: 'water_pressure', network: 'water' })).toBe('water_burst');
    expect(incidentTypeOf({ kind: 'alarm', ruleId: 'drain-level-high', indicator: 'drain_level', network: 'drainage' })).toBe('drainage_overflow');
    expect(incidentTypeOf({ kind: 'alarm', ruleId: 'offline', indicator: 'methane_lel', network: 'gas' })).toBe('sensor_fault');
    expect(incidentTypeOf({ kind: 'alarm', ruleId: 'battery-low', indicator: 'battery', network: 'drainage' })).toBe('sensor_fault');
    expect(incidentTypeOf({ kind: 'alarm', ruleId: 'x', indicator: 'deflection', network: 'bridge' })).toBe('bridge_structural');
    expect(incidentTypeOf({ kind: 'alarm', ruleId: 'x', indicator: 'cod', network: 'drainage' })).toBe('water_quality');
    expect(incidentTypeOf({ kind: 'citizen', serviceCode: 'waterlogging' })).toBe('drainage_overflow');
    expect(incidentTypeOf({ kind: 'citizen', serviceCode: 'other' })).toBe('citizen_report');
    expect(incidentTypeOf({ kind: 'patrol', network: 'water' })).toBe('water_burst');
    expect(incidentTypeOf({ kind: 'patrol', network: 'heating' })).toBe('other');
  });

  it('serves version 1: the level table of before plus the type rows', async () => {
    const sla = await operator.get<{ current: SlaVersion; versions: { version: number }[]; types: { type: string; zh: string }[] }>('/api/incidents/sla');
    expect(sla.current.version).toBe(1);
    expect(sla.current.table.levels[3]).toEqual({ verify: 30, accept: 120, arrive: 240, dispose: 1440 });
    expect(sla.current.table.types.gas_leak?.[3]).toEqual({ arrive: 60, dispose: 480 });
    expect(sla.versions.map((v) => v.version)).toEqual([1]);
    expect(sla.types.find((t) => t.type === 'sensor_fault')?.zh).toBe('设备故障');
  });

  let running: IncidentDto;

  it('runs a gas leak on its own arrival and disposal allowances, a sensor fault on maintenance ones', async () => {
    running = await report({ assetId: 'AS-01', level: 3 });
    expect(running).toMatchObject({ type: 'gas_leak', slaVersion: 1, dueStage: 'verify', dueAt: minutes(30) });
    now = new Date(T0 + 10 * 60_000);
    await act(running.id, operator, 'verify');
    expect(await act(running.id, operator, 'dispatch')).toMatchObject({ dueStage: 'accept', dueAt: minutes(10 + 120) });
    expect(await act(running.id, gas, 'accept')).toMatchObject({ dueStage: 'arrive', dueAt: minutes(10 + 60) }); // 240 for other types

    const fault = await report({ assetId: 'AS-02', level: 1, type: 'sensor_fault' });
    expect(fault).toMatchObject({ type: 'sensor_fault', dueAt: minutes(10 + 240) }); // a level-1 report of another type: 5 min

    const citizen = await postJson<{ service_request_id: string }[]>(`${platform.url}/open311/v2/requests.json`, {
      service_code: 'waterlogging', lat: 30.3365, long: 112.2395, description: '路口积水',
    });
    expect(citizen.status).toBe(201);
    expect(await operator.get<IncidentDto>(`/api/incidents/${citizen.body[0]!.service_request_id}`)).toMatchObject({ type: 'drainage_overflow', kind: 'citizen' });
  });

  const table: SlaTable = {
    levels: {
      1: { verify: 5, accept: 15, arrive: 30, dispose: 240 }, 2: { verify: 10, accept: 30, arrive: 60, dispose: 480 },
      3: { verify: 20, accept: 120, arrive: 240, dispose: 1440 }, 4: { verify: 120, accept: 480, arrive: 1440, dispose: 4320 },
    },
    types: { gas_leak: { 3: { arrive: 45, dispose: 480 } } },
  };

  it('lets the supervisor save a new version, refuses others and bad tables with the place named', async () => {
    expect((await operator.request('PUT', '/api/incidents/sla', table)).status).toBe(403);
    expect((await gas.request('PUT', '/api/incidents/sla', table)).status).toBe(403);
    const { 4: _dropped, ...threeLevels } = table.levels;
    const bad = await supervisor.request<{ error: string }>('PUT', '/api/incidents/sla', { ...table, levels: threeLevels });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^levels\.4: /);
    const negative = await supervisor.request<{ error: string }>('PUT', '/api/incidents/sla', { ...table, types: { gas_leak: { 3: { arrive: 0 } } } });
    expect(negative).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^types\.gas_leak\.3\.arrive: /) } });
    const unknownType = await supervisor.request<{ error: string }>('PUT', '/api/incidents/sla', { ...table, types: { meteor: {} } });
    expect(unknownType.status).toBe(400);
    const saved = await supervisor.request<SlaVersion>('PUT', '/api/incidents/sla', { ...table, note: '燃气三级到场 45 分钟' });
    expect(saved).toMatchObject({ status: 201, body: { version: 2, createdBy: USERS.supervisor, note: '燃气三级到场 45 分钟', table } });
  });

  it('keeps running incidents on the version they started with and opens new ones on the new version', async () => {
    now = new Date(T0 + 20 * 60_000);
    // Opened on version 1: arrival allowance stays 60 min, disposal 480 min from arrival.
    expect(await act(running.id, gas, 'arrive')).toMatchObject({ slaVersion: 1, dueStage: 'dispose', dueAt: minutes(20 + 480) });
    const later = await report({ assetId: 'AS-01', level: 3 });
    expect(later).toMatchObject({ type: 'gas_leak', slaVersion: 2, dueAt: minutes(20 + 20) });
    await act(later.id, operator, 'verify');
    await act(later.id, operator, 'dispatch');
    expect(await act(later.id, gas, 'accept')).toMatchObject({ dueStage: 'arrive', dueAt: minutes(20 + 45) });

    // The clock passes the new incident's arrival deadline: escalated once, to the supervisor.
    now = new Date(T0 + 66 * 60_000);
    const escalated = await waitFor('the arrival escalation', async () => {
      const i = await supervisor.get<IncidentDto>(`/api/incidents/${later.id}`);
      return i.overdue ? i : undefined;
    });
    expect(escalated.events.filter((e) => e.action === 'escalate').map((e) => e.payload)).toEqual([
      { stage: 'arrive', dueAt: minutes(65), escalatedTo: 'bureau_supervisor', ownerId: 'gas-co' },
    ]);
    expect((await supervisor.get<IncidentDto>(`/api/incidents/${running.id}`)).overdue).toBe(false);
    const versions = await operator.get<{ versions: { version: number; createdBy: string }[] }>('/api/incidents/sla');
    expect(versions.versions.map((v) => [v.version, v.createdBy])).toEqual([[1, 'migration 011'], [2, USERS.supervisor]]);
  });
});
