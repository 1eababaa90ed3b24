// Facilities over the API with a controllable clock: the demo's 2-hourly patrol at the lift pump
// station, a check-in inside the window, a missed patrol raising an alarm in the alarm list
// (once), a late check-in clearing it; duty rosters; owner scoping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmDto } from '../../src/api/dto.ts';
import { runDrainageChecks } from '../../src/drainage/checks.ts';
import type { Facility, Patrol } from '../../src/drainage/facilities/index.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { api, USERS, type ApiClient } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

let now = new Date('2026-11-23T01:10:00Z');
let platform: Platform;
let operator: ApiClient;
let drainage: ApiClient;
let gas: ApiClient;
const cleanups: (() => Promise<void> | void)[] = [];
const PATROL_SENSOR = 'PATROL-DPS-01.checkin';

beforeAll(async () => {
  const data = tempDir('facilities');
  cleanups.push(data.remove);
  platform = await startPlatform({
    port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('fac'), simulate: false, buildWeb: false, log: false,
    auth: 'required', clock: () => now, drainageCheckMs: 3_600_000, timeZone: 'Asia/Shanghai',
  });
  cleanups.push(() => platform.stop());
  operator = await api(platform, USERS.operator);
  drainage = await api(platform, USERS.drainage);
  gas = await api(platform, USERS.gas);
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const pumpPatrol = async (client: ApiClient) => (await client.get<Facility[]>('/api/drainage/facilities')).find((f) => f.id === 'DPS-01')!.patrols.find((p) => p.intervalMinutes === 120)!;
const activePatrolAlarms = async (client: ApiClient) => (await client.get<AlarmDto[]>('/api/alarms')).filter((a) => a.ruleId === 'missed-patrol');

describe('facilities, duty and patrols', () => {
  it('lists the demo facilities with telemetry, roster and health record; another unit sees none', async () => {
    const facilities = await operator.get<Facility[]>('/api/drainage/facilities');
    expect(facilities.map((f) => f.id).sort()).toEqual(['DG-01', 'DPS-01', 'DT-01', 'DT-02']);
    const pump = facilities.find((f) => f.id === 'DPS-01')!;
    expect(pump.telemetry.find((t) => t.indicator === 'pumps_running')?.value).toBe(2);
    // 01:10 UTC is 09:10 in Shanghai: the 08–16 shift of the first day's roster (rotation 张伟, 李娜, 王强).
    expect(pump.onDuty.map((s) => s.staff)).toEqual(['李娜']);
    expect(pump.health.runHours).toBe(61840);
    expect(pump.health.maintenance[0]!.description).toContain('格栅');
    expect(await gas.get<Facility[]>('/api/drainage/facilities')).toEqual([]);
  });

  it('the patrol is due every 2 hours from the next even hour', async () => {
    const patrol = await pumpPatrol(operator);
    expect(patrol.startsAt).toBe('2026-11-23T02:00:00.000Z');
    expect(patrol.nextDueAt).toBe('2026-11-23T02:00:00.000Z');
  });

  it('a check-in inside the window: no alarm when the window closes', async () => {
    now = new Date('2026-11-23T02:10:00Z');
    const patrol = await pumpPatrol(drainage);
    const checked = await drainage.post<Patrol>(`/api/drainage/patrols/${patrol.id}/checkins`, { note: '泵房正常', photo: 'https://lifeline.example/p/1.jpg' });
    expect(checked.status).toBe(201);
    expect(checked.body.lastCheckin).toMatchObject({ at: '2026-11-23T02:10:00.000Z', by: USERS.drainage, note: '泵房正常' });
    expect(await runDrainageChecks(platform.db, new Date('2026-11-23T02:30:00Z'), 'Asia/Shanghai')).toEqual([]);
    expect(await activePatrolAlarms(operator)).toEqual([]);
  });

  it('another unit cannot check in: 404 as for a missing patrol', async () => {
    const patrol = await pumpPatrol(operator);
    expect((await gas.post(`/api/drainage/patrols/${patrol.id}/checkins`, {})).status).toBe(404);
    expect((await gas.post('/api/drainage/patrols/999999/checkins', {})).status).toBe(404);
  });

  it('the 04:00 patrol missed: one alarm when its window closes at 04:30, in the alarm list of the centre and the owner', async () => {
    now = new Date('2026-11-23T04:29:00Z');
    expect(await runDrainageChecks(platform.db, now, 'Asia/Shanghai')).toEqual([]);
    now = new Date('2026-11-23T04:30:00Z');
    const changes = await runDrainageChecks(platform.db, now, 'Asia/Shanghai');
    expect(changes).toMatchObject([{ kind: 'open', sensorId: PATROL_SENSOR, ruleId: 'missed-patrol', level: 3 }]);
    const [alarm] = await activePatrolAlarms(operator);
    expect(alarm).toMatchObject({ sensorId: PATROL_SENSOR, level: 3, state: 'active', lastValue: 1 });
    expect((await activePatrolAlarms(drainage)).map((a) => a.id)).toEqual([alarm!.id]);
    expect(await activePatrolAlarms(gas)).toEqual([]);
    // Checked again later: the same miss is not counted twice, the alarm stays one.
    now = new Date('2026-11-23T04:35:00Z');
    expect(await runDrainageChecks(platform.db, now, 'Asia/Shanghai')).toEqual([]);
    const patrol = await pumpPatrol(operator);
    expect(patrol.missed24h).toBe(1);
    expect(patrol.alarmId).toBe(alarm!.id);
  });

  it('a check-in clears the missed-patrol alarm', async () => {
    now = new Date('2026-11-23T04:40:00Z');
    const patrol = await pumpPatrol(drainage);
    expect((await drainage.post(`/api/drainage/patrols/${patrol.id}/checkins`, {})).status).toBe(201);
    expect(await activePatrolAlarms(operator)).toEqual([]);
    const history = (await operator.get<AlarmDto[]>('/api/alarms?state=all')).filter((a) => a.ruleId === 'missed-patrol');
    expect(history.map((a) => a.state)).toEqual(['cleared']);
  });

  it('duty roster: 24 h in three 8-hour shifts from local midnight; bad input is refused with where', async () => {
    const made = await drainage.post<{ added: number; shifts: { startsAt: string; staff: string }[] }>('/api/drainage/facilities/DG-01/shifts', { date: '2026-11-25', staff: ['甲', '乙', '丙'] });
    expect(made.status).toBe(201);
    expect(made.body.added).toBe(3);
    expect(made.body.shifts.map((s) => [s.startsAt, s.staff])).toEqual([
      ['2026-11-24T16:00:00.000Z', '甲'], ['2026-11-25T00:00:00.000Z', '乙'], ['2026-11-25T08:00:00.000Z', '丙'],
    ]);
    const bad = await drainage.post<{ error: string }>('/api/drainage/facilities/DG-01/shifts', { date: '25.11.2026', staff: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/date: .*staff: /s);
    expect((await gas.post('/api/drainage/facilities/DG-01/shifts', { date: '2026-11-25', staff: ['x'] })).status).toBe(404);
  });

  it('a new patrol schedule and a maintenance entry', async () => {
    const made = await operator.post<Patrol>('/api/drainage/facilities/DT-01/patrols', { name: '厂区巡检', intervalMinutes: 240, windowMinutes: 60, startsAt: '2026-11-23T00:00:00Z' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ facilityId: 'DT-01', sensorId: 'PATROL-DT-01.checkin', nextDueAt: '2026-11-23T08:00:00.000Z' });
    const tooWide = await operator.post<{ error: string }>('/api/drainage/facilities/DT-01/patrols', { name: 'x', intervalMinutes: 60, windowMinutes: 90, startsAt: '2026-11-23T00:00:00Z' });
    expect(tooWide.status).toBe(400);
    const health = await drainage.post<Facility['health']>('/api/drainage/facilities/DPS-01/maintenance', { kind: 'cleaning', description: '前池清淤', runHours: 62000 });
    expect(health.status).toBe(201);
    expect(health.body.runHours).toBe(62000);
    expect((await gas.post('/api/drainage/facilities/DPS-01/maintenance', { kind: 'cleaning', description: 'x' })).status).toBe(404);
  });
});
