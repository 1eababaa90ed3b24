// Webhooks against a real local HTTP receiver: a delivery that fails once is retried and then
// delivered, with the same delivery id and a valid signature each time, and the delivery log
// shows both attempts; a delivery pending when the platform stops is delivered after it restarts
// on the same data directory. Inbound feedback: a signed delivery changes the incident once; a
// replay answers 409, a stale or forged one 401, another unit's incident 404, nothing changes and
// every attempt is logged. A change whose announcement was lost is caught up from the database.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDto } from '../../src/api/dto.ts';
import { createIncident, SYSTEM_ACTOR } from '../../src/incidents/index.ts';
import { signatureHeader, verifySignature, type Delivery, type IntegrationKey, type Subscription } from '../../src/notify/index.ts';
import { startPlatform, type Platform, type PlatformOptions } from '../../src/platform/index.ts';
import { api, USERS, type ApiClient } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

interface Received { id: string; event: string; body: string; signatureValid: boolean; status: number }

/** A receiver answering each request with the next status of `plan` (then 200), verifying signatures with `secret`. */
function receiver() {
  const received: Received[] = [];
  const state = { plan: [] as number[], secret: '' };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const id = String(req.headers['x-lifeline-delivery']);
      const status = state.plan.shift() ?? 200;
      const signatureValid = verifySignature({ header: String(req.headers['x-lifeline-signature']), secret: state.secret, deliveryId: id, body, nowMs: Date.now() }).ok;
      received.push({ id, event: String(req.headers['x-lifeline-event']), body, signatureValid, status });
      res.writeHead(status).end();
    });
  });
  return {
    received, state,
    listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('webhooks and inbound feedback', () => {
  const data = tempDir('webhooks');
  const hook = receiver();
  let url: string;
  let platform: Platform;
  let admin: ApiClient;
  let operator: ApiClient;
  const options = (): PlatformOptions => ({
    port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('webhooks'), simulate: false, buildWeb: false, log: false,
    auth: 'required', webhookCheckMs: 100, webhookRetry: { baseMs: 300, maxAttempts: 5 },
  });
  const login = async () => {
    [admin, operator] = await Promise.all([api(platform, USERS.admin), api(platform, USERS.operator)]);
  };
  const deliveries = () => admin.get<Delivery[]>('/api/webhooks/deliveries');

  beforeAll(async () => {
    // Recent incidents are checked for missing deliveries every half second (default: a minute).
    process.env.WEBHOOK_CATCH_UP_MS = '500';
    url = await hook.listen();
    platform = await startPlatform(options());
    await login();
  });
  afterAll(async () => {
    await platform?.stop();
    await hook.close();
    data.remove();
  }, 20_000);

  let subscription: Subscription & { secret: string };

  it('lets only admins manage subscriptions, and checks what they give', async () => {
    expect((await operator.request('GET', '/api/webhooks/subscriptions')).status).toBe(403);
    const bad = await admin.post<{ error: string }>('/api/webhooks/subscriptions', { url: 'ftp://example.org/x', events: ['incident.opened', 'pizza.delivered'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/url/);
    expect(bad.body.error).toMatch(/events\.1/);
    const created = await admin.post<Subscription & { secret: string }>('/api/webhooks/subscriptions', { url, events: ['incident.opened', 'incident.transitioned'], description: 'test receiver' });
    expect(created.status).toBe(201);
    subscription = created.body;
    expect(subscription.secret).toMatch(/^whsec_/);
    hook.state.secret = subscription.secret;
    expect((await admin.get<Subscription[]>('/api/webhooks/subscriptions')).map((s) => [s.id, 'secret' in s])).toEqual([[subscription.id, false]]);
  });

  it('retries a failed delivery and delivers it, signed, under the same delivery id', async () => {
    hook.state.plan = [500];
    const incident = (await operator.post<IncidentDto>('/api/incidents', { description: '巡查发现井盖破损', assetId: 'AS-01', level: 3 })).body;
    const delivered = await waitFor('the delivery to succeed', async () =>
      (await deliveries()).find((d) => d.state === 'delivered' && d.eventKey === `incident:${incident.id}:1`));
    expect(delivered).toMatchObject({ eventType: 'incident.opened', attempts: 2, lastStatus: 200, lastError: null, subscriptionId: subscription.id });
    expect(delivered.log.map((a) => [a.attempt, a.status, a.error])).toEqual([[1, 500, 'the receiver answered 500'], [2, 200, null]]);
    // The second attempt waited at least the back-off base after the first.
    expect(Date.parse(delivered.log[1]!.at) - Date.parse(delivered.log[0]!.at)).toBeGreaterThanOrEqual(300);
    const mine = hook.received.filter((r) => r.id === delivered.id);
    expect(mine.map((r) => [r.status, r.signatureValid, r.event])).toEqual([[500, true, 'incident.opened'], [200, true, 'incident.opened']]);
    expect(JSON.parse(mine[1]!.body)).toMatchObject({ id: delivered.id, type: 'incident.opened', data: { incident: { id: incident.id, state: 'reported' }, event: { seq: 1, action: 'open' } } });
  });

  it('keeps a pending delivery across a restart and delivers it afterwards', async () => {
    hook.state.plan = [503, 503, 503];
    const incident = (await operator.post<IncidentDto>('/api/incidents', { description: '阀门井积水', assetId: 'AS-02', level: 3 })).body;
    const key = `incident:${incident.id}:1`;
    await waitFor('a failed first attempt', async () => (await deliveries()).find((d) => d.eventKey === key && d.attempts >= 1 && d.state === 'pending'));
    await platform.stop();
    const attemptsBefore = hook.received.length;
    hook.state.plan = [];
    platform = await startPlatform(options());
    await login();
    const delivered = await waitFor('the delivery after the restart', async () => (await deliveries()).find((d) => d.eventKey === key && d.state === 'delivered'));
    expect(delivered.log.at(-1)!.status).toBe(200);
    expect(delivered.log.slice(0, -1).every((a) => a.status === 503)).toBe(true);
    expect(hook.received.slice(attemptsBefore).some((r) => r.id === delivered.id && r.status === 200)).toBe(true);
    // Exactly one delivery per event and subscription, whatever was announced again.
    expect((await deliveries()).filter((d) => d.eventKey === key)).toHaveLength(1);
  });

  it('writes the delivery of a change whose announcement was lost (the catch-up)', async () => {
    hook.state.plan = [];
    // Written straight to the database, as if the process had died between commit and announcement.
    const id = await platform.db.transaction((tx) => createIncident(tx, {
      kind: 'patrol', title: '未通告的事件', description: '直接写入数据库', level: 3, assetId: 'AS-01', ownerId: 'gas-co',
    }, SYSTEM_ACTOR, new Date()));
    const delivered = await waitFor('the caught-up delivery', async () => (await deliveries()).find((d) => d.eventKey === `incident:${id}:1` && d.state === 'delivered'));
    expect(delivered.eventType).toBe('incident.opened');
    expect((await deliveries()).filter((d) => d.eventKey === `incident:${id}:1`)).toHaveLength(1);
  });

  describe('inbound feedback', () => {
    let key: IntegrationKey & { secret: string };
    let incident: IncidentDto;
    const post = async (body: unknown, options: { id?: string; t?: number; secret?: string; keyId?: string } = {}) => {
      const text = JSON.stringify(body);
      const id = options.id ?? randomUUID();
      const t = options.t ?? Math.floor(Date.now() / 1000);
      const response = await fetch(`${platform.url}/api/integrations/${options.keyId ?? key.id}/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-lifeline-delivery': id, 'x-lifeline-signature': signatureHeader(options.secret ?? key.secret, t, id, text) },
        body: text,
      });
      return { status: response.status, body: (await response.json()) as { error?: string; incident?: IncidentDto }, id };
    };
    const stateOf = async (id: string) => (await operator.get<IncidentDto>(`/api/incidents/${id}`)).state;

    beforeAll(async () => {
      const created = await admin.post<IntegrationKey & { secret: string }>('/api/integrations/keys', { id: 'gas-co-erp', name: '燃气公司调度系统', orgId: 'gas-co', role: 'owner_dispatcher' });
      expect(created.status).toBe(201);
      key = created.body;
      incident = (await operator.post<IncidentDto>('/api/incidents', { description: '燃气味', assetId: 'AS-01', level: 2 })).body;
      for (const action of ['verify', 'dispatch']) expect((await operator.post(`/api/incidents/${incident.id}/transitions`, { action })).status).toBe(200);
    });

    it('applies a signed delivery once; a replay answers 409 and changes nothing', async () => {
      const first = await post({ incidentId: incident.id, action: 'accept', externalRef: 'WO-2026-0042' });
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body.incident!.state).toBe('accepted');
      const last = first.body.incident!.events.at(-1)!;
      expect(last).toMatchObject({ action: 'accept', actorId: 'integration:gas-co-erp', actorOrg: 'gas-co', payload: { via: 'integration', deliveryId: first.id, externalRef: 'WO-2026-0042' } });

      const replay = await post({ incidentId: incident.id, action: 'accept', externalRef: 'WO-2026-0042' }, { id: first.id });
      expect(replay.status).toBe(409);
      expect(replay.body.error).toMatch(new RegExp(`delivery ${first.id} was already received at .*: a replay changes nothing`));
      expect(await stateOf(incident.id)).toBe('accepted');
    });

    it('refuses stale, forged and foreign deliveries with the reason, changing nothing', async () => {
      const events = (await operator.get<IncidentDto>(`/api/incidents/${incident.id}`)).events.length;
      const stale = await post({ incidentId: incident.id, action: 'arrive' }, { t: Math.floor(Date.now() / 1000) - 600 });
      expect(stale.status).toBe(401);
      expect(stale.body.error).toMatch(/s old; deliveries are accepted within 300 s/);
      const forged = await post({ incidentId: incident.id, action: 'arrive' }, { secret: 'llik_guessed-secret-value' });
      expect(forged).toMatchObject({ status: 401, body: { error: expect.stringMatching(/signature does not match/) } });
      const unknown = await post({ incidentId: incident.id, action: 'arrive' }, { keyId: 'no-such-key' });
      expect(unknown.status).toBe(401);
      const waterIncident = (await operator.post<IncidentDto>('/api/incidents', { description: '水管渗漏', assetId: 'AS-01', level: 3 })).body;
      await operator.post(`/api/incidents/${waterIncident.id}/transitions`, { action: 'verify' });
      await operator.post(`/api/incidents/${waterIncident.id}/transitions`, { action: 'dispatch', orgId: 'water-co' });
      const foreign = await post({ incidentId: waterIncident.id, action: 'accept' });
      expect(foreign).toMatchObject({ status: 404, body: { error: `incident ${waterIncident.id} does not exist` } });
      const illegal = await post({ incidentId: incident.id, action: 'close' });
      expect(illegal).toMatchObject({ status: 409, body: { error: expect.stringMatching(/is accepted: 'close' is not allowed/) } });
      const badBody = await post({ incidentId: incident.id, action: 'teleport' });
      expect(badBody.status).toBe(400);
      expect(badBody.body.error).toMatch(/^action: /);

      const after = await operator.get<IncidentDto>(`/api/incidents/${incident.id}`);
      expect([after.state, after.events.length]).toEqual(['accepted', events]);
      const log = await admin.get<{ status: number; outcome: string; keyId: string | null }[]>('/api/integrations/attempts');
      // Newest first: the six refusals above, the replay, the accepted delivery.
      expect(log.slice(0, 8).map((a) => a.status)).toEqual([400, 409, 404, 401, 401, 401, 409, 200]);
      expect(log.slice(0, 7).every((a) => a.outcome.startsWith('refused: '))).toBe(true);
      expect(log[7]!.outcome).toBe('accepted: accept');
    });
  });
});
