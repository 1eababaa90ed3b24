// The spine end to end over real parts: a device publishes over MQTT, readings land in the
// database, a rule raises an alarm, an incident opens for the owner, and the operator moves
// it through the workflow over HTTP. Run against PGlite and PostgreSQL, the embedded broker
// and Mosquitto.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmDto, DeadLetterDto, DeviceHealthDto, IncidentDto, ReadingDto, SensorDto, ThresholdRuleDto } from '../src/api/index.ts';
import { startPlatform, type Platform } from '../src/platform/index.ts';
import { databaseUrlFor } from './support/postgres.ts';
import { MOSQUITTO_URL, mosquittoService, postgresService } from './support/services.ts';
import { tempDir, topicPrefix } from './support/tmp.ts';
import { getJson, postJson, waitFor } from './support/wait.ts';

const postgres = await postgresService();
const mosquitto = await mosquittoService();

const variants = [
  { name: 'PGlite + embedded broker', database: 'pglite', broker: 'embedded', available: true },
  { name: 'PostgreSQL + embedded broker', database: 'postgres', broker: 'embedded', available: postgres.available },
  { name: 'PGlite + Mosquitto', database: 'pglite', broker: 'mosquitto', available: mosquitto.available },
  { name: 'PostgreSQL + Mosquitto', database: 'postgres', broker: 'mosquitto', available: postgres.available && mosquitto.available },
] as const;

describe.each(variants)('reading → alarm → incident: $name', (variant) => {
  let platform: Platform;
  let device: MqttClient;
  const cleanups: (() => Promise<void> | void)[] = [];
  // Set when the variant starts, not when the file loads: a variant that runs minutes later would
  // otherwise send readings old enough for the offline check to flag the sensor first.
  let t0 = 0;
  const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();

  const publish = (deviceId: string, payload: unknown) =>
    device.publishAsync(`${platform.topicPrefix}/devices/${deviceId}/up`, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 });
  const api = <T>(path: string) => getJson<T>(`${platform.url}${path}`);
  const activeAlarm = (sensorId: string) => api<AlarmDto[]>('/api/alarms').then((list) => list.find((a) => a.sensorId === sensorId));

  beforeAll(async () => {
    if (!variant.available) return;
    const data = tempDir('pipeline');
    cleanups.push(data.remove);
    const databaseUrl = await databaseUrlFor(variant.database, cleanups);
    platform = await startPlatform({
      port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, databaseUrl,
      mqttUrl: variant.broker === 'mosquitto' ? MOSQUITTO_URL : undefined,
      topicPrefix: topicPrefix('pipeline'), simulate: false, buildWeb: false, log: false, offlineCheckMs: 200,
      // Accounts off, honestly: this file is about the reading → alarm → incident path over four
      // store × broker combinations, and its workflow steps name their actor in the body. Logins,
      // roles and owner scoping are tested in test/auth/gate.test.ts.
      auth: 'off',
    });
    cleanups.push(() => platform.stop());
    // The simulator's gateway may publish on every demo device's topic (Mosquitto ignores the login).
    device = await mqtt.connectAsync(platform.mqttUrl, { ...platform.deviceCredentials('SIM-GW'), clientId: `device-${platform.topicPrefix}` });
    cleanups.push(() => device.endAsync());
    t0 = Date.now() - 60_000;
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it.skipIf(!variant.available)('opens a level-1 alarm and an incident for the gas company', async () => {
    await publish('GD-001', { ts: at(1), values: { lel: 62 } });
    const alarm = await waitFor('the gas alarm', () => activeAlarm('GD-001.lel'));
    expect(alarm).toMatchObject({ level: 1, state: 'active', ruleId: 'methane-lel', lastValue: 62, network: 'gas' });
    const incident = await waitFor('its incident', async () => (await api<IncidentDto[]>('/api/incidents')).find((i) => i.alarmId === alarm.id));
    // A level-1 (red) alarm skips verification: it starts in the dispatch queue.
    expect(incident).toMatchObject({ state: 'verified', level: 1, ownerId: 'gas-co', assetId: 'AS-01', nextActions: ['reject', 'dispatch'], alarmIds: [alarm.id] });
    expect(incident.dueStage).toBe('verify');
    const sensor = (await api<SensorDto[]>('/api/sensors')).find((s) => s.id === 'GD-001.lel');
    expect(sensor).toMatchObject({ state: 'alarm', level: 1, latest: { value: 62, ts: at(1) } });
    expect(await api<ThresholdRuleDto[]>('/api/sensors/GD-001.lel/rules')).toEqual([{
      id: 'methane-lel', name: '可燃气体浓度', version: 1, direction: 'above', recovery: 3, scope: 'indicator',
      thresholds: [{ level: 1, value: 50 }, { level: 2, value: 25 }, { level: 3, value: 10 }, { level: 4, value: 5 }],
    }]);
  });

  it.skipIf(!variant.available)('escalates one alarm, holds it inside the hysteresis band, clears it at recovery', async () => {
    await publish('WP-001', { ts: at(10), values: { p: 0.19 } }); // level 4 (≤ 0.20 MPa)
    const first = await waitFor('the level-4 alarm', () => activeAlarm('WP-001.p'));
    expect(first.level).toBe(4);
    expect((await api<IncidentDto[]>('/api/incidents')).some((i) => i.alarmId === first.id)).toBe(false);

    await publish('WP-001', { ts: at(11), values: { p: 0.13 } }); // level 2 (≤ 0.14 MPa)
    const escalated = await waitFor('the escalation', async () => {
      const a = await activeAlarm('WP-001.p');
      return a?.level === 2 ? a : undefined;
    });
    expect(escalated.id).toBe(first.id);
    expect(escalated.peakLevel).toBe(2);
    await waitFor('the incident at level 2', async () => (await api<IncidentDto[]>('/api/incidents')).find((i) => i.alarmId === first.id && i.ownerId === 'water-co'));

    await publish('WP-001', { ts: at(12), values: { p: 0.21 } }); // above every threshold, below recovery 0.22
    await waitFor('the reading', async () => ((await api<ReadingDto[]>('/api/sensors/WP-001.p/readings')).length === 3 ? true : undefined));
    expect((await activeAlarm('WP-001.p'))?.id).toBe(first.id);

    await publish('WP-001', { ts: at(13), values: { p: 0.3 } });
    await waitFor('the alarm to clear', async () => ((await activeAlarm('WP-001.p')) === undefined ? true : undefined));
    const all = (await api<AlarmDto[]>('/api/alarms?state=all')).filter((a) => a.sensorId === 'WP-001.p');
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ state: 'cleared', peakLevel: 2, lastValue: 0.3, clearedAt: at(13) });
  });

  it.skipIf(!variant.available)('moves an incident verified → dispatched → accepted → on site → disposed → closed and refuses illegal steps', async () => {
    const incident = (await api<IncidentDto[]>('/api/incidents')).find((i) => i.ownerId === 'gas-co')!;
    const url = `${platform.url}/api/incidents/${incident.id}/transitions`;
    const illegal = await postJson<{ error: string }>(url, { action: 'close', actor: 'operator' });
    expect(illegal.status).toBe(409);
    expect(illegal.body.error).toContain("'close' is not allowed");
    expect((await postJson<{ error: string }>(url, { action: 'fly', actor: 'x' })).status).toBe(400);
    expect((await postJson<{ error: string }>(`${platform.url}/api/incidents/999999/transitions`, { action: 'dispatch', actor: 'x' })).status).toBe(404);

    // Accounts are off here: the body names the actor, and the gas company's crew acts "as" its unit.
    const crew = { name: '燃气抢修 李', role: 'field_crew', orgId: 'gas-co' };
    const steps = [
      ['dispatch', 'dispatched', { actor: '值班员 王' }], ['accept', 'accepted', { as: crew }], ['arrive', 'on_site', { as: crew }],
      ['dispose', 'disposed', { as: crew, note: 'dispose note', location: { lon: 112.2395, lat: 30.3365 }, readings: [{ name: 'lel', value: 0, unit: '%LEL' }] }],
      ['close', 'closed', { actor: '值班员 王' }],
    ] as const;
    for (const [action, state, extra] of steps) {
      const step = await postJson<IncidentDto>(url, { action, ...extra });
      expect(step.status, action).toBe(200);
      expect(step.body.state).toBe(state);
    }
    const [closed] = (await api<IncidentDto[]>('/api/incidents')).filter((i) => i.id === incident.id);
    expect(closed!.events.map((e) => [e.action, e.toState, e.actor])).toEqual([
      ['open', 'verified', 'system'], ['dispatch', 'dispatched', '值班员 王'], ['accept', 'accepted', '燃气抢修 李'],
      ['arrive', 'on_site', '燃气抢修 李'], ['dispose', 'disposed', '燃气抢修 李'], ['close', 'closed', '值班员 王'],
    ]);
    expect(closed!.events[4]!.payload).toMatchObject({ location: { lon: 112.2395, lat: 30.3365 }, readings: [{ name: 'lel', value: 0, unit: '%LEL' }] });
    expect(closed!.nextActions).toEqual(['reopen']);
    expect(closed!.dueAt).toBeNull();
  });

  it.skipIf(!variant.available)('keeps bad input aside with a reason and loses nothing valid', async () => {
    await publish('GD-001', '{"values": {"lel": 1');
    if (variant.broker === 'embedded') {
      // The embedded broker authenticates devices: an unknown one cannot even log in, and is counted, not stored.
      await expect(mqtt.connectAsync(platform.mqttUrl, { username: 'NO-SUCH-DEVICE', password: 'guess', reconnectPeriod: 0 })).rejects.toThrow(/Bad username or password/i);
      expect((await api<{ auth: { byReason: Record<string, number> } }>('/api/ingest/stats')).auth.byReason.unknown_principal).toBe(1);
    } else {
      await publish('NO-SUCH-DEVICE', { ts: at(20), values: { lel: 1 } });
    }
    await publish('GD-001', { ts: at(21), values: { lel: 'high', temp: 19.5 } });
    await publish('GD-001', { ts: at(22), values: { lel: 0.4 } });
    const expected = variant.broker === 'embedded' ? 2 : 3;
    const letters = await waitFor('the dead letters', async () => {
      const list = await api<DeadLetterDto[]>('/api/dead-letters');
      return list.length >= expected ? list : undefined;
    });
    const reasons = letters.map((l) => l.reason);
    expect(reasons.some((r) => r.startsWith('malformed JSON'))).toBe(true);
    expect(reasons).toContain(`channel 'lel': value "high" is not a finite number`);
    if (variant.broker === 'mosquitto') {
      expect(reasons).toContain("unknown device 'NO-SUCH-DEVICE'");
      expect(letters.find((l) => l.deviceId === 'NO-SUCH-DEVICE')?.payload).toContain('"lel":1');
    }
    // The valid channel of the half-bad message and the next message are both stored.
    expect(await api<ReadingDto[]>('/api/sensors/GD-001.temp/readings')).toEqual([{ ts: at(21), value: 19.5 }]);
    await waitFor('the later valid reading', async () =>
      (await api<ReadingDto[]>('/api/sensors/GD-001.lel/readings')).some((r) => r.ts === at(22)) ? true : undefined);
    expect((await getJson<{ status: string }>(`${platform.url}/api/health`)).status).toBe('ok');
  });

  it.skipIf(!variant.available)('stores a duplicate once and a late reading without moving the latest value', async () => {
    await publish('DL-001', { ts: at(30), values: { level: 0.7 } });
    await publish('DL-001', { ts: at(30), values: { level: 0.7 } });
    await publish('DL-001', { ts: at(25), values: { level: 0.5 } }); // late: older than what the sensor reported
    await publish('DL-001', { ts: at(31), values: { level: 0.8 } });
    const readings = await waitFor('three readings', async () => {
      const list = await api<ReadingDto[]>('/api/sensors/DL-001.level/readings');
      return list.some((r) => r.ts === at(31)) ? list : undefined;
    });
    expect(readings).toEqual([{ ts: at(25), value: 0.5 }, { ts: at(30), value: 0.7 }, { ts: at(31), value: 0.8 }]);
    const sensor = (await api<SensorDto[]>('/api/sensors')).find((s) => s.id === 'DL-001.level');
    expect(sensor?.latest).toEqual({ ts: at(31), value: 0.8 });
  });

  it.skipIf(!variant.available)('marks a silent sensor offline and clears it when it reports again', async () => {
    // GD-002's first reading is already older than its threshold (3 × 60 s): the next check finds it silent.
    await publish('GD-002', { ts: new Date(Date.now() - 200_000).toISOString(), values: { lel: 0.3 } });
    const offline = await waitFor('the offline alarm', () => activeAlarm('GD-002.lel'));
    expect(offline).toMatchObject({ ruleId: 'offline', level: 4, state: 'active' });
    expect(offline.lastValue).toBeGreaterThanOrEqual(180);
    expect((await api<SensorDto[]>('/api/sensors')).find((s) => s.id === 'GD-002.lel')?.state).toBe('offline');

    await publish('GD-002', { ts: new Date().toISOString(), values: { lel: 0.4 } });
    await waitFor('the offline alarm to clear', async () => ((await activeAlarm('GD-002.lel')) === undefined ? true : undefined));
    expect((await api<SensorDto[]>('/api/sensors')).find((s) => s.id === 'GD-002.lel')?.state).toBe('normal');
    const history = (await api<AlarmDto[]>('/api/alarms?state=all')).filter((a) => a.sensorId === 'GD-002.lel');
    expect(history.map((a) => [a.ruleId, a.state])).toEqual([['offline', 'cleared']]);
  });

  it.skipIf(!variant.available)('shows device health from battery and signal channels, and alarms on a low battery', async () => {
    await publish('DL-001', { ts: at(40), values: { battery: 76, rssi: -92 } });
    await publish('DL-002', { ts: at(40), values: { battery: 14, rssi: -109 } });
    const health = await waitFor('both gauges in the health view', async () => {
      const list = await api<DeviceHealthDto[]>('/api/devices/health');
      return list.find((d) => d.id === 'DL-002')?.battery === 14 && list.find((d) => d.id === 'DL-001')?.battery === 76 ? list : undefined;
    });
    const byId = Object.fromEntries(health.map((d) => [d.id, d]));
    expect(byId['DL-001']).toMatchObject({ status: 'ok', battery: 76, signal: -92, offline: false, lastSeen: at(40) });
    expect(byId['DL-002']).toMatchObject({ status: 'low_battery', battery: 14, signal: -109, name: '窨井液位计 DL-002' });
    expect(byId['GP-001']).toMatchObject({ status: 'silent', lastSeen: null, battery: null });
    expect(byId['GD-001']!.deadLetters24h).toBeGreaterThanOrEqual(2);
    expect(await activeAlarm('DL-002.battery')).toMatchObject({ ruleId: 'battery-low', level: 4 });
  });
});
