// Acknowledgement and silences over HTTP on the running demo platform, with accounts: who may
// acknowledge (the centre; an owner unit only its own alarms), the timeline, a silence that mutes
// a sensor's next alarm (stored, listed as muted, no incident, no notification) and, expired,
// lets it open its incident; owner units silence only their own equipment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { AlarmDto, AlarmEventDto, AlarmGroupDto, IncidentDto, LiveMessage, SilenceDto } from '../../src/api/index.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { api, USERS, type ApiClient } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

describe('alerting over HTTP', () => {
  const data = tempDir('alerting-api');
  let platform: Platform;
  let operator: ApiClient;
  let water: ApiClient;
  let gas: ApiClient;
  let supervisor: ApiClient;
  const live: LiveMessage[] = [];
  let socket: WebSocket;

  const report = async (device: string, values: Record<string, number>) => {
    const response = await fetch(`${platform.url}/api/ingest/devices/${device}`, {
      method: 'POST', headers: { authorization: `Bearer ${platform.deviceCredentials(device)!.password}`, 'content-type': 'application/json' },
      body: JSON.stringify({ values }),
    });
    expect(response.status).toBe(200);
  };
  const alarmOf = async (sensorId: string) => (await operator.get<AlarmDto[]>('/api/alarms')).find((a) => a.sensorId === sensorId);

  beforeAll(async () => {
    platform = await startPlatform({
      port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('alerting'), simulate: false, buildWeb: false, log: false, auth: 'required',
    });
    operator = await api(platform, USERS.operator);
    water = await api(platform, USERS.water);
    gas = await api(platform, USERS.gas);
    supervisor = await api(platform, USERS.supervisor);
    socket = operator.ws();
    socket.on('message', (raw) => live.push(JSON.parse(raw.toString()) as LiveMessage));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  });
  afterAll(async () => {
    socket?.close();
    await platform?.stop();
    data.remove();
  }, 20_000);

  it('acknowledges with a comment: the centre or the owning unit, once; recorded in the timeline', async () => {
    await report('WP-001', { p: 0.05 }); // water pressure, level 1
    const alarm = await waitFor('the water alarm', () => alarmOf('WP-001.p'));
    expect(alarm).toMatchObject({ level: 1, ack: null, muted: null, flapping: false });
    const notice = await waitFor('its notification', () => live.find((m) => m.type === 'notification' && m.notification.alarms.some((a) => a.id === alarm.id)));
    expect(notice).toMatchObject({ type: 'notification', notification: { groupBy: 'asset', ownerId: 'water-co', reasons: { [alarm.id]: 'raised' } } });

    const path = `/api/alarms/${alarm.id}/ack`;
    expect((await gas.post<{ error: string }>(path, { comment: 'not ours' })).status).toBe(404);
    expect((await supervisor.post<{ error: string }>(path, { comment: 'x' })).status).toBe(403);
    expect((await water.post<{ error: string }>(path, { comment: '  ' })).body.error).toMatch(/^comment: a comment is required/);
    const acked = await water.post<AlarmDto>(path, { comment: '已派人关阀检查' });
    expect(acked.status).toBe(200);
    expect(acked.body.ack).toMatchObject({ by: USERS.water, comment: '已派人关阀检查' });
    expect((await operator.post<{ error: string }>(path, { comment: 'again' })).status).toBe(409);
    const events = await operator.get<AlarmEventDto[]>(`/api/alarms/${alarm.id}/events`);
    expect(events.map((e) => [e.kind, e.actor, e.note])).toEqual([['open', null, null], ['ack', USERS.water, '已派人关阀检查']]);
    expect((await gas.request('GET', `/api/alarms/${alarm.id}/events`)).status).toBe(404);
    await waitFor('the acknowledgement on the live feed', () => live.find((m) => m.type === 'alarm' && m.alarm.id === alarm.id && m.alarm.ack));
  });

  it('a silence mutes the sensor\'s next alarm: stored and listed as muted, no incident, no notification; expired, the alarm opens its incident', async () => {
    const created = await operator.post<SilenceDto>('/api/silences', {
      kind: 'maintenance', matchers: { sensorId: 'GD-002.lel' }, reason: '更换传感器', durationMinutes: 60,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'maintenance', createdBy: USERS.operator, orgId: null, active: true, muting: 0 });

    await report('GD-002', { lel: 40 }); // level 2: would open an incident for the gas company
    const alarm = await waitFor('the muted alarm', () => alarmOf('GD-002.lel'));
    expect(alarm.muted).toEqual({ by: 'silence', ref: created.body.id, reason: '更换传感器' });
    expect(alarm.incidentId).toBeNull();
    expect((await operator.get<AlarmDto[]>('/api/alarms?muted=exclude')).map((a) => a.sensorId)).not.toContain('GD-002.lel');
    expect((await operator.get<AlarmDto[]>('/api/alarms?muted=only')).map((a) => a.id)).toEqual([alarm.id]);
    expect((await operator.get<SilenceDto[]>('/api/silences')).find((s) => s.id === created.body.id)?.muting).toBe(1);
    const groups = await operator.get<AlarmGroupDto[]>('/api/alarms/groups?by=network');
    expect(groups.find((g) => g.key === 'gas')).toMatchObject({ count: 1, muted: 1, level: 2 });
    expect(live.some((m) => m.type === 'notification' && m.notification.alarms.some((a) => a.id === alarm.id))).toBe(false);
    expect((await operator.get<IncidentDto[]>('/api/incidents')).some((i) => i.ownerId === 'gas-co')).toBe(false);

    const expired = await operator.post<SilenceDto>(`/api/silences/${created.body.id}/expire`, {});
    expect(expired.body).toMatchObject({ active: false, endedBy: USERS.operator });
    const unmuted = await alarmOf('GD-002.lel');
    expect(unmuted).toMatchObject({ muted: null });
    expect(unmuted!.incidentId).not.toBeNull();
    await waitFor('the un-mute notification', () => live.find((m) => m.type === 'notification' && m.notification.reasons[alarm.id] === 'unmuted'));
  });

  it('owner units silence only their own equipment, and see only their own silences', async () => {
    const foreign = await gas.post<{ error: string }>('/api/silences', { matchers: { sensorId: 'WP-001.p' }, reason: 'x', durationMinutes: 10 });
    expect(foreign.status).toBe(404);
    const broad = await gas.post<SilenceDto>('/api/silences', { matchers: { network: 'water' }, reason: '测试', durationMinutes: 10 });
    expect(broad.status).toBe(201);
    expect(broad.body.orgId).toBe('gas-co');
    expect((await alarmOf('WP-001.p'))?.muted).toBeNull(); // another unit's silence does not reach water-co's alarm
    expect((await water.get<SilenceDto[]>('/api/silences')).map((s) => s.id)).not.toContain(broad.body.id);
    expect((await water.post(`/api/silences/${broad.body.id}/expire`, {})).status).toBe(404);
    expect((await gas.post<{ error: string }>('/api/silences', { matchers: {}, reason: 'x', durationMinutes: 10 })).body.error).toMatch(/^matchers: give at least one of/);
    expect((await gas.post<{ error: string }>('/api/silences', { matchers: { network: 'gas' }, reason: 'x' })).body.error).toMatch(/^endsAt: give either endsAt or durationMinutes/);
  });
});
