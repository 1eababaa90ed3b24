// Alarms raised by the leader's drainage timer (here a missed patrol) reach webhook subscribers
// like any other alarm: their delivery is written with the routing and sent, signed, once.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { api, USERS, type ApiClient } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

let now = new Date('2026-11-23T01:10:00Z');
let platform: Platform;
let admin: ApiClient;
const received: { event: { type: string; data: { alarm?: { ruleId?: string; sensorId?: string } } }; signature: string | undefined }[] = [];
const receiver = createServer((request: IncomingMessage, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    received.push({ event: JSON.parse(body), signature: request.headers['x-lifeline-signature'] as string | undefined });
    response.writeHead(204).end();
  });
});
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  const data = tempDir('drainage-webhook');
  cleanups.push(data.remove);
  platform = await startPlatform({
    port: 0, mqttPort: 0, hj212Port: null, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('dwh'), simulate: false, buildWeb: false,
    log: false, auth: 'required', clock: () => now, drainageCheckMs: 100, webhookCheckMs: 100, timeZone: 'Asia/Shanghai',
  });
  cleanups.push(() => platform.stop());
  admin = await api(platform, USERS.admin);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('drainage timer alarms and webhooks', () => {
  it('delivers the missed-patrol alarm the timer raises, once', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    expect((await admin.post('/api/webhooks/subscriptions', { url, events: ['alarm.opened'], description: 'duty screen' })).status).toBe(201);
    // The demo's 2-hourly pump-station patrol, nobody checking in: missed once a round's window closes (as in facilities-patrol.test.ts).
    now = new Date('2026-11-23T04:31:00Z');
    await expect.poll(() => received.filter((r) => r.event.data.alarm?.ruleId === 'missed-patrol').length, { timeout: 20_000 }).toBe(1);
    const delivered = received.find((r) => r.event.data.alarm?.ruleId === 'missed-patrol')!;
    expect(delivered.event.type).toBe('alarm.opened');
    expect(delivered.event.data.alarm?.sensorId).toBe('PATROL-DPS-01.checkin');
    expect(delivered.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    // Later timer ticks find nothing new to deliver.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(received.filter((r) => r.event.data.alarm?.ruleId === 'missed-patrol')).toHaveLength(1);
  });
});
