// Per-unit addresses for messages to people, on both stores, against a real local HTTP server:
// the gas company's messages go to its own WeChat Work robot and its own DingTalk robot (signed
// with that robot's secret), the water company's to the deployment-wide robot; an SMS to a unit
// with numbers carries them to the gateway; a contact changed while a message waits applies to it.
// On the running platform: admins set, list and remove contacts; the list never shows a robot's
// key or a whole phone number; bad input is refused with what is wrong; others get 403.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HttpGatewayNotifier, listContacts, listMessages, removeContact, sendDueMessages, setContact, writeMessages, type Contact, type Notifier, type OutboundEvent,
} from '../../src/notify/index.ts';
import { startPlatform } from '../../src/platform/index.ts';
import { migrate, type Db } from '../../src/store/index.ts';
import { api, USERS } from '../support/api.ts';
import { storesUnderTest } from '../support/stores.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

const stores = await storesUnderTest();
const policy = { baseMs: 60_000, capMs: 3_600_000, maxAttempts: 3 };
const GAS_DING_SECRET = 'SECgas0123456789';

const dispatch = (incidentId: string, ownerId: string, at: Date): OutboundEvent => ({
  type: 'incident.transitioned', key: `incident:${incidentId}:4`, ownerId, occurredAt: at.toISOString(),
  data: { incident: { id: incidentId, title: '检查井燃气浓度超限', level: 2, ownerId }, event: { seq: 4, action: 'dispatch' } },
});

interface Received { path: string; query: URLSearchParams; body: Record<string, unknown> }

function robotServer() {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://robot');
      received.push({ path: url.pathname, query: url.searchParams, body: JSON.parse(text) as Record<string, unknown> });
      let answer = { errcode: 0, errmsg: 'ok' };
      if (url.pathname === '/gas-ding') {
        const expected = createHmac('sha256', GAS_DING_SECRET).update(`${url.searchParams.get('timestamp') ?? ''}\n${GAS_DING_SECRET}`).digest('base64');
        if (url.searchParams.get('sign') !== expected) answer = { errcode: 310000, errmsg: 'sign not match' };
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  return { server, received, start: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))), stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe.each(stores)('per-unit contacts for messages to people: $name', (store) => {
  let db: Db;
  let drop: () => Promise<void>;
  const now = new Date('2026-11-23T08:00:00Z');
  const clock = () => now;
  const robots = robotServer();
  let base = '';
  let notifiers: Notifier[];

  beforeAll(async () => {
    base = await robots.start();
    if (!store.available) return;
    ({ db, drop } = await store.open());
    await migrate(db);
    await db.query(`INSERT INTO organisations (id, name, kind) VALUES ('gas-co', '燃气公司', 'owner'), ('water-co', '供水公司', 'owner')`);
    notifiers = [
      new HttpGatewayNotifier({ channel: 'wecom', url: `${base}/default-wecom?key=city` }, clock),
      new HttpGatewayNotifier({ channel: 'dingtalk', url: `${base}/default-ding?access_token=city` }, clock),
      new HttpGatewayNotifier({ channel: 'sms', url: `${base}/sms` }, clock),
    ];
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
    await robots.stop();
  });

  it.skipIf(!store.available)("sends a unit's messages to its own robots and numbers, and the others' to the deployment's", async () => {
    await setContact(db, 'gas-co', 'wecom', `${base}/gas-wecom?key=gas-secret-key`, null, now);
    await setContact(db, 'gas-co', 'dingtalk', `${base}/gas-ding?access_token=gas-token`, GAS_DING_SECRET, now);
    await setContact(db, 'gas-co', 'sms', '13800138000, 13900139000', null, now);
    expect(await writeMessages(db, [dispatch('31', 'gas-co', now), dispatch('32', 'water-co', now)], ['wecom', 'dingtalk', 'sms'], now)).toBe(6);
    expect(await sendDueMessages(db, clock, notifiers, { policy, timeoutMs: 5_000, batch: 10 })).toBe(6);
    expect((await listMessages(db)).map((m) => [m.recipient, m.channel, m.state, m.lastError]).sort()).toEqual([
      ['gas-co', 'dingtalk', 'sent', null], ['gas-co', 'sms', 'sent', null], ['gas-co', 'wecom', 'sent', null],
      ['water-co', 'dingtalk', 'sent', null], ['water-co', 'sms', 'sent', null], ['water-co', 'wecom', 'sent', null],
    ]);
    const about = (incident: string) => robots.received.filter((r) => JSON.stringify(r.body).includes(`#${incident}`)).map((r) => r.path).sort();
    expect(about('31')).toEqual(['/gas-ding', '/gas-wecom', '/sms']);
    expect(about('32')).toEqual(['/default-ding', '/default-wecom', '/sms']);
    const sms = robots.received.filter((r) => r.path === '/sms');
    expect(sms.find((r) => r.body.to === 'gas-co')!.body.phones).toEqual(['13800138000', '13900139000']);
    expect(sms.find((r) => r.body.to === 'water-co')!.body).not.toHaveProperty('phones');
    expect(robots.received.find((r) => r.path === '/gas-wecom')!.query.get('key')).toBe('gas-secret-key');
  });

  it.skipIf(!store.available)('reads the contact when it sends, so a change applies to a message still waiting', async () => {
    robots.received.length = 0;
    expect(await writeMessages(db, [dispatch('33', 'water-co', now)], ['wecom'], now)).toBe(1);
    await setContact(db, 'water-co', 'wecom', `${base}/water-wecom?key=water`, null, now);
    expect(await sendDueMessages(db, clock, notifiers, { policy, timeoutMs: 5_000, batch: 10 })).toBe(1);
    expect(robots.received.map((r) => r.path)).toEqual(['/water-wecom']);
    expect(await removeContact(db, 'water-co', 'wecom')).toBe(true);
    expect(await removeContact(db, 'water-co', 'wecom')).toBe(false);
  });

  it.skipIf(!store.available)('lists contacts without the robot keys and with the numbers masked', async () => {
    const contacts = await listContacts(db);
    expect(contacts.map((c) => [c.orgId, c.channel, c.target, c.signed])).toEqual([
      ['gas-co', 'dingtalk', base, true], ['gas-co', 'sms', '*******8000, *******9000', false], ['gas-co', 'wecom', base, false],
    ]);
    expect(JSON.stringify(contacts)).not.toMatch(/gas-secret-key|gas-token|SECgas|13800138000/);
  });
});

describe('contacts through the API', () => {
  it('lets admins set, list and remove them, refuses bad input with the reason, and others get 403', async () => {
    const data = tempDir('notify-contacts');
    const platform = await startPlatform({
      port: 0, mqttPort: 0, hj212Port: null, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('contacts'), simulate: false,
      buildWeb: false, log: false, auth: 'required', notifyChannels: [{ channel: 'wecom', url: null }],
    });
    try {
      const admin = await api(platform, USERS.admin);
      const operator = await api(platform, USERS.operator);
      const put = (client: typeof admin, org: string, channel: string, body: unknown) => client.request('PUT', `/api/notifications/contacts/${org}/${channel}`, body);
      expect((await put(operator, 'gas-co', 'wecom', { address: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1' })).status).toBe(403);
      expect((await operator.request('GET', '/api/notifications/contacts')).status).toBe(403);

      const set = await put(admin, 'gas-co', 'wecom', { address: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1' });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ orgId: 'gas-co', channel: 'wecom', target: 'https://qyapi.weixin.qq.com', signed: false });
      expect(await admin.get<Contact[]>('/api/notifications/contacts')).toMatchObject([{ orgId: 'gas-co', channel: 'wecom', target: 'https://qyapi.weixin.qq.com' }]);

      expect(await put(admin, 'gas-co', 'fax', { address: '123' })).toMatchObject({ status: 400, body: { error: 'channel: fax is not one of sms, wecom, dingtalk' } });
      expect(await put(admin, 'no-such-unit', 'sms', { address: '13800138000' })).toMatchObject({ status: 400, body: { error: 'orgId: no-such-unit is not an organisation' } });
      expect(await put(admin, 'gas-co', 'sms', { address: '13800138000 8000x' })).toMatchObject({ status: 400, body: { error: 'address: 8000x is not a phone number (digits, optionally after +)' } });
      expect(await put(admin, 'gas-co', 'wecom', { address: 'https://example.com/r', secret: 'a-secret-of-some-length' })).toMatchObject({ status: 400, body: { error: 'secret: only a DingTalk robot takes a signing secret, not wecom' } });
      expect((await put(admin, 'gas-co', 'sms', {})).status).toBe(400);

      expect((await admin.request('DELETE', '/api/notifications/contacts/gas-co/wecom')).status).toBe(204);
      expect(await admin.request('DELETE', '/api/notifications/contacts/gas-co/wecom')).toMatchObject({ status: 404, body: { error: 'gas-co has no contact on wecom' } });
      expect(await admin.get<Contact[]>('/api/notifications/contacts')).toEqual([]);
    } finally {
      await platform.stop();
      data.remove();
    }
  });
});
