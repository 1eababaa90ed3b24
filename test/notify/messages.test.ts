// Messages to people on both stores, sent through the HTTP gateway adapters to a real local HTTP
// server: a WeChat Work robot that fails twice (a 500, then a 200 carrying errcode 45009) and then
// takes the message; an SMS gateway that always answers 503 (given up after the last attempt,
// then sent on an admin's retry once it answers); a DingTalk robot that checks the "加签"
// signature; without a gateway the logging adapter writes the message to the log. Two workers at one queue send each message once; a process without an adapter for a
// channel leaves its messages alone; the alarm outbox writes a red alarm's message in the
// caller's transaction (rolled back with it); an event announced twice is one message per channel.
// On the running platform: a dispatch whose announcement was lost (written straight to the
// database) gets its message from the catch-up, once; only admins read the message log.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmChange } from '../../src/detect/index.ts';
import { createIncident, SYSTEM_ACTOR, transitionIncident } from '../../src/incidents/index.ts';
import {
  AlarmOutbox, HttpGatewayNotifier, listMessages, LoggingNotifier, MESSAGE_MAX_AGE_MS, requeueMessage, sendDueMessages, verifySignature, writeMessages,
  type Notifier, type OutboundEvent, type StoredMessage,
} from '../../src/notify/index.ts';
import { startPlatform } from '../../src/platform/index.ts';
import { migrate, openPostgres, type Db } from '../../src/store/index.ts';
import { api, USERS } from '../support/api.ts';
import { storesUnderTest } from '../support/stores.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

const stores = await storesUnderTest();
const policy = { baseMs: 60_000, capMs: 3_600_000, maxAttempts: 3 };
const DINGTALK_SECRET = 'SEC0123456789abcdef';
const SMS_SECRET = 'sms-gateway-secret-0123456789';

interface Received { path: string; messageId: string; body: Record<string, unknown>; query: URLSearchParams; signature: string | undefined }

const dispatch = (incidentId: string, at: string): OutboundEvent => ({
  type: 'incident.transitioned', key: `incident:${incidentId}:4`, ownerId: 'gas-co', occurredAt: at,
  data: { incident: { id: incidentId, title: '通信井燃气浓度超限', level: 2, ownerId: 'gas-co' }, event: { seq: 4, action: 'dispatch' } },
});

describe.each(stores)('messages to people: $name', (store) => {
  let db: Db;
  let second: Db;
  let drop: () => Promise<void>;
  let now = Date.parse('2026-11-23T08:00:00Z');
  const clock = () => new Date(now);
  const received: Received[] = [];
  let wecomCalls = 0;
  let smsUp = false;
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://gateway');
      received.push({
        path: url.pathname, messageId: String(req.headers['x-lifeline-message']), body: JSON.parse(text) as Record<string, unknown>, query: url.searchParams,
        signature: req.headers['x-lifeline-signature'] as string | undefined,
      });
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (url.pathname === '/cgi-bin/webhook/send') {
        wecomCalls += 1;
        if (wecomCalls === 1) return json(500, { error: 'upstream' });
        if (wecomCalls === 2) return json(200, { errcode: 45009, errmsg: 'api freq out of limit' });
        return json(200, { errcode: 0, errmsg: 'ok' });
      }
      if (url.pathname === '/robot/send') {
        // DingTalk's check, written out here independently of the adapter: HMAC-SHA256 over "timestamp\nsecret", base64.
        const timestamp = url.searchParams.get('timestamp') ?? '';
        const expected = createHmac('sha256', DINGTALK_SECRET).update(`${timestamp}\n${DINGTALK_SECRET}`).digest('base64');
        return json(200, url.searchParams.get('sign') === expected ? { errcode: 0, errmsg: 'ok' } : { errcode: 310000, errmsg: 'sign not match' });
      }
      if (url.pathname === '/sms') return smsUp ? json(202, { accepted: true }) : json(503, { error: 'busy' });
      return json(404, {});
    });
  });
  let notifiers: Notifier[];
  const byId = async (id: string) => (await listMessages(db)).find((m) => m.id === id)!;
  const ofChannel = async (channel: string): Promise<StoredMessage> => (await listMessages(db)).find((m) => m.channel === channel && m.eventKey === 'incident:17:4')!;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    if (!store.available) return;
    const opened = await store.open();
    ({ db, drop } = opened);
    await migrate(db);
    second = opened.url ? await openPostgres(opened.url) : db;
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    notifiers = [
      new HttpGatewayNotifier({ channel: 'wecom', url: `${base}/cgi-bin/webhook/send?key=wecom-key` }, clock),
      new HttpGatewayNotifier({ channel: 'sms', url: `${base}/sms`, secret: SMS_SECRET }, clock),
      new HttpGatewayNotifier({ channel: 'dingtalk', url: `${base}/robot/send?access_token=ding-token`, secret: DINGTALK_SECRET }, clock),
    ];
  });
  afterAll(async () => {
    if (second && second !== db) await second.close();
    await db?.close();
    await drop?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it.skipIf(!store.available)('stores one message per event and channel, however often the event is announced, and none for a stale event', async () => {
    const channels = notifiers.map((n) => n.channel);
    expect(await writeMessages(db, [dispatch('17', clock().toISOString())], channels, clock())).toBe(3);
    expect(await writeMessages(second, [dispatch('17', clock().toISOString())], channels, clock())).toBe(0);
    expect(await writeMessages(db, [dispatch('18', new Date(now - MESSAGE_MAX_AGE_MS - 1).toISOString())], channels, clock())).toBe(0);
    const messages = await listMessages(db);
    expect(messages.map((m) => [m.channel, m.recipient, m.incidentId, m.alarmId, m.state, m.attempts, m.nextAttemptAt]).sort()).toEqual([
      ['dingtalk', 'gas-co', '17', null, 'pending', 0, clock().toISOString()],
      ['sms', 'gas-co', '17', null, 'pending', 0, clock().toISOString()],
      ['wecom', 'gas-co', '17', null, 'pending', 0, clock().toISOString()],
    ]);
    expect(messages[0]!.text).toBe('【生命线】2级事件 #17「通信井燃气浓度超限」已派遣给贵单位，请及时接收处置。');
  });

  it.skipIf(!store.available)('leaves the messages of a channel it has no adapter for to another process', async () => {
    const dingtalkOnly = notifiers.filter((n) => n.channel === 'dingtalk');
    expect(await sendDueMessages(second, clock, dingtalkOnly, { policy, timeoutMs: 5_000, batch: 10 })).toBe(1);
    const dingtalk = await ofChannel('dingtalk');
    expect(dingtalk).toMatchObject({ state: 'sent', attempts: 1, lastStatus: 200, lastError: null, nextAttemptAt: null });
    const [request] = received;
    expect(request!.path).toBe('/robot/send');
    expect(request!.messageId).toBe(dingtalk.id);
    expect(request!.query.get('access_token')).toBe('ding-token');
    expect(Number(request!.query.get('timestamp'))).toBe(now);
    expect(request!.body).toEqual({ msgtype: 'text', text: { content: dingtalk.text } });
    expect((await ofChannel('wecom')).attempts).toBe(0);
  });

  it.skipIf(!store.available)('sends each due message once with two workers at it, and retries the failures with the back-off', async () => {
    received.length = 0;
    const options = { policy, timeoutMs: 5_000, batch: 10 };
    const [a, b] = await Promise.all([sendDueMessages(db, clock, notifiers, options), sendDueMessages(second, clock, notifiers, options)]);
    expect(a + b).toBe(2);
    expect(received.map((r) => r.path).sort()).toEqual(['/cgi-bin/webhook/send', '/sms']);
    const sms = received.find((r) => r.path === '/sms')!;
    expect(sms.body).toEqual({ id: sms.messageId, to: 'gas-co', text: (await ofChannel('sms')).text });
    expect(verifySignature({ header: sms.signature!, secret: SMS_SECRET, deliveryId: sms.messageId, body: JSON.stringify(sms.body), nowMs: now }).ok).toBe(true);
    expect(await ofChannel('wecom')).toMatchObject({ state: 'pending', attempts: 1, lastStatus: 500, lastError: 'the receiver answered 500', nextAttemptAt: new Date(now + 60_000).toISOString() });

    now += 59_999;
    expect(await sendDueMessages(second, clock, notifiers, options)).toBe(0);
    now += 1;
    expect(await sendDueMessages(second, clock, notifiers, options)).toBe(2);
    expect(await ofChannel('wecom')).toMatchObject({
      state: 'pending', attempts: 2, lastStatus: 200, lastError: 'the robot refused: errcode 45009 api freq out of limit', nextAttemptAt: new Date(now + 120_000).toISOString(),
    });
    now += 120_000;
    expect(await sendDueMessages(db, clock, notifiers, options)).toBe(2);

    const wecom = await ofChannel('wecom');
    expect(wecom).toMatchObject({ state: 'sent', attempts: 3, lastStatus: 200, lastError: null, nextAttemptAt: null, finishedAt: clock().toISOString() });
    expect(wecom.log.map((l) => [l.attempt, l.status, l.error])).toEqual([
      [1, 500, 'the receiver answered 500'], [2, 200, 'the robot refused: errcode 45009 api freq out of limit'], [3, 200, null],
    ]);
    expect(new Set(received.filter((r) => r.path === '/cgi-bin/webhook/send').map((r) => r.messageId))).toEqual(new Set([wecom.id]));
    expect(received.filter((r) => r.path === '/cgi-bin/webhook/send')[0]!.body).toEqual({ msgtype: 'text', text: { content: wecom.text } });
    expect(received.filter((r) => r.path === '/cgi-bin/webhook/send')[0]!.query.get('key')).toBe('wecom-key');

    const smsMessage = await ofChannel('sms');
    expect(smsMessage).toMatchObject({ state: 'failed', attempts: 3, lastStatus: 503, lastError: 'the receiver answered 503', nextAttemptAt: null });
    expect(smsMessage.log.map((l) => l.status)).toEqual([503, 503, 503]);
    now += 3_600_000;
    expect(await sendDueMessages(db, clock, notifiers, options)).toBe(0);
  });

  it.skipIf(!store.available)('sends a failed message again when an admin retries it, and only a failed one', async () => {
    const sms = await ofChannel('sms');
    expect(await requeueMessage(db, (await ofChannel('wecom')).id, clock())).toBe(false);
    smsUp = true;
    expect(await requeueMessage(db, sms.id, clock())).toBe(true);
    expect(await byId(sms.id)).toMatchObject({ state: 'pending', nextAttemptAt: clock().toISOString() });
    expect(await sendDueMessages(second, clock, notifiers, { policy, timeoutMs: 5_000, batch: 10 })).toBe(1);
    expect(await byId(sms.id)).toMatchObject({ state: 'sent', attempts: 4, lastStatus: 202, lastError: null });
    expect(await requeueMessage(db, sms.id, clock())).toBe(false);
  });

  it.skipIf(!store.available)('writes a red alarm\'s message in the caller\'s transaction, and none when it rolls back', async () => {
    // No webhook subscription exists: the outbox writes the messages alone.
    const outbox = new AlarmOutbox(() => ({ ownerId: 'water-co', assetId: 'WP-01' }), notifiers.map((n) => n.channel));
    const red: AlarmChange = { kind: 'open', alarmId: '41', sensorId: 'PT-01.pressure', ruleId: 'pressure-low', level: 1 };
    await expect(db.transaction(async (tx) => {
      expect(await outbox.record(tx, [red], clock())).toBe(3);
      throw new Error('the ingest batch failed');
    })).rejects.toThrow('the ingest batch failed');
    expect((await listMessages(db)).filter((m) => m.alarmId === '41')).toEqual([]);

    expect(await db.transaction((tx) => outbox.record(tx, [red, { ...red, alarmId: '42', level: 3 }], clock()))).toBe(3);
    const written = (await listMessages(db)).filter((m) => m.alarmId !== null);
    expect(written.map((m) => [m.channel, m.recipient, m.alarmId, m.eventType, m.state]).sort()).toEqual([
      ['dingtalk', 'water-co', '41', 'alarm.opened', 'pending'], ['sms', 'water-co', '41', 'alarm.opened', 'pending'], ['wecom', 'water-co', '41', 'alarm.opened', 'pending'],
    ]);
    expect(written[0]!.text).toBe('【生命线】1级报警：监测点 PT-01.pressure（报警 #41）。');
  });

  it.skipIf(!store.available)('writes a message to the log and counts it sent when its channel has no gateway', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>), done()) });
    const logging = new LoggingNotifier('sms', pino(sink));
    await writeMessages(db, [dispatch('19', clock().toISOString())], ['sms'], clock());
    expect(await sendDueMessages(db, clock, [logging], { policy, timeoutMs: 5_000, batch: 10 })).toBe(2); // this one and alarm 41's SMS
    const logged = (await listMessages(db, { channel: 'sms', state: 'sent' })).find((m) => m.incidentId === '19')!;
    expect(logged).toMatchObject({ attempts: 1, lastStatus: null, lastError: null });
    expect(lines.find((l) => l.messageId === logged.id)).toMatchObject({ msg: 'notification (logging adapter)', channel: 'sms', to: 'gas-co', text: logged.text });
  });
});

describe('messages on the running platform', () => {
  const data = tempDir('person-messages');
  const robot: { messageId: string; content: string }[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      robot.push({ messageId: String(req.headers['x-lifeline-message']), content: (JSON.parse(text) as { text: { content: string } }).text.content });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
    });
  });
  afterAll(async () => {
    delete process.env.WEBHOOK_CATCH_UP_MS;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    data.remove();
  });

  it('sends the message of a dispatch whose announcement was lost (the catch-up), once, and shows the log to admins only', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // Recent incidents are checked for missing rows every half second (default: a minute).
    process.env.WEBHOOK_CATCH_UP_MS = '500';
    const platform = await startPlatform({
      port: 0, mqttPort: 0, hj212Port: null, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('person-messages'), simulate: false,
      buildWeb: false, log: false, auth: 'required', webhookCheckMs: 100,
      notifyChannels: [{ channel: 'wecom', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cgi-bin/webhook/send?key=k` }],
    });
    try {
      // Written straight to the database, as if the process had died between the commit and the announcement.
      const id = await platform.db.transaction(async (tx) => {
        const created = await createIncident(tx, { kind: 'patrol', title: '未通告的派遣', description: '直接写入数据库', level: 2, assetId: 'AS-01', ownerId: 'gas-co' }, SYSTEM_ACTOR, new Date());
        await transitionIncident(tx, created, 'verify', SYSTEM_ACTOR, {}, new Date());
        await transitionIncident(tx, created, 'dispatch', SYSTEM_ACTOR, { orgId: 'gas-co' }, new Date());
        return created;
      });
      const admin = await api(platform, USERS.admin);
      const messages = () => admin.get<StoredMessage[]>('/api/notifications/messages');
      await expect.poll(async () => (await messages()).map((m) => [m.incidentId, m.recipient, m.channel, m.state]), { interval: 100 }).toEqual([[id, 'gas-co', 'wecom', 'sent']]);
      const [sent] = await messages();
      expect(robot).toEqual([{ messageId: sent!.id, content: `【生命线】2级事件 #${id}「未通告的派遣」已派遣给贵单位，请及时接收处置。` }]);
      // Later catch-up passes find the message written: nothing more is sent.
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect(robot).toHaveLength(1);
      expect(await admin.get('/api/notifications/channels')).toEqual([{ channel: 'wecom', target: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }]);
      const operator = await api(platform, USERS.operator);
      expect((await operator.request('GET', '/api/notifications/messages')).status).toBe(403);
      expect((await operator.request('POST', `/api/notifications/messages/${sent!.id}/retry`)).status).toBe(403);
      expect((await admin.request('POST', `/api/notifications/messages/${sent!.id}/retry`)).status).toBe(409);
    } finally {
      await platform.stop();
    }
  });
});
