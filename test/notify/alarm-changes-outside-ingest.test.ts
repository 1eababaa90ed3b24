// Alarm changes made outside the ingest pipeline reach webhook subscribers like detection's: their
// deliveries are written in the transaction that makes the change (the outbox), sent, signed, once.
// Three paths: the leader's drainage timer raising a missed patrol, a patrol check-in clearing it,
// and a silence ended early, which un-mutes the alarm it held back.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SilenceDto } from '../../src/api/alerting-dto.ts';
import type { Facility } from '../../src/drainage/facilities/index.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { api, USERS, type ApiClient } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

interface Received {
  event: { type: string; data: { alarm?: { id?: string; ruleId?: string; sensorId?: string } } };
  signature: string | undefined;
}

let now = new Date('2026-11-23T01:10:00Z');
let platform: Platform;
let admin: ApiClient;
let operator: ApiClient;
let drainage: ApiClient;
const received: Received[] = [];
const receiver = createServer((request: IncomingMessage, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    received.push({ event: JSON.parse(body), signature: request.headers['x-lifeline-signature'] as string | undefined });
    response.writeHead(204).end();
  });
});
const cleanups: (() => Promise<void> | void)[] = [];
const about = (type: string, sensorId: string) => received.filter((r) => r.event.type === type && r.event.data.alarm?.sensorId === sensorId);

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  const data = tempDir('alarm-changes');
  cleanups.push(data.remove);
  platform = await startPlatform({
    port: 0, mqttPort: 0, hj212Port: null, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('acoi'), simulate: false, buildWeb: false,
    log: false, auth: 'required', clock: () => now, drainageCheckMs: 100, webhookCheckMs: 100, timeZone: 'Asia/Shanghai',
  });
  cleanups.push(() => platform.stop());
  admin = await api(platform, USERS.admin);
  operator = await api(platform, USERS.operator);
  drainage = await api(platform, USERS.drainage);
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  expect((await admin.post('/api/webhooks/subscriptions', { url, events: ['alarm.opened', 'alarm.cleared'], description: 'duty screen' })).status).toBe(201);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('alarm changes outside the ingest pipeline', () => {
  const PATROL_SENSOR = 'PATROL-DPS-01.checkin';

  it('delivers the missed-patrol alarm the drainage timer raises, once', async () => {
    // The demo's 2-hourly pump-station patrol, nobody checking in: missed once a round's window closes (as in facilities-patrol.test.ts).
    now = new Date('2026-11-23T04:31:00Z');
    await expect.poll(() => about('alarm.opened', PATROL_SENSOR).length, { timeout: 20_000 }).toBe(1);
    const [delivered] = about('alarm.opened', PATROL_SENSOR);
    expect(delivered!.event.data.alarm?.ruleId).toBe('missed-patrol');
    expect(delivered!.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    // Later timer ticks find nothing new to deliver.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(about('alarm.opened', PATROL_SENSOR)).toHaveLength(1);
  });

  it('delivers the clearing when the owner unit checks in', async () => {
    const facility = (await drainage.get<Facility[]>('/api/drainage/facilities')).find((f) => f.id === 'DPS-01')!;
    const patrol = facility.patrols.find((p) => p.intervalMinutes === 120)!;
    expect((await drainage.post(`/api/drainage/patrols/${patrol.id}/checkins`, {})).status).toBe(201);
    await expect.poll(() => about('alarm.cleared', PATROL_SENSOR).length, { timeout: 20_000 }).toBe(1);
    expect(about('alarm.cleared', PATROL_SENSOR)[0]!.event.data.alarm?.id).toBe(about('alarm.opened', PATROL_SENSOR)[0]!.event.data.alarm?.id);
  });

  it('delivers an alarm a silence held back once the silence ends', async () => {
    // The HTTP ingest stamps readings with the wall clock (the pipeline's own), so the platform's clock follows it here.
    now = new Date();
    operator = await api(platform, USERS.operator); // the earlier session is hours old on the moved clock
    const silence = await operator.post<SilenceDto>('/api/silences', { kind: 'maintenance', matchers: { sensorId: 'GD-002.lel' }, reason: '更换传感器', durationMinutes: 60 });
    expect(silence.status).toBe(201);
    const response = await fetch(`${platform.url}/api/ingest/devices/GD-002`, {
      method: 'POST', headers: { authorization: `Bearer ${platform.deviceCredentials('GD-002')!.password}`, 'content-type': 'application/json' },
      body: JSON.stringify({ values: { lel: 40 } }),
    });
    expect(response.status).toBe(200);
    // Muted: nothing delivered while the silence holds.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(about('alarm.opened', 'GD-002.lel')).toHaveLength(0);
    expect((await operator.post(`/api/silences/${silence.body.id}/expire`, {})).status).toBe(200);
    await expect.poll(() => about('alarm.opened', 'GD-002.lel').length, { timeout: 20_000 }).toBe(1);
  });
});
