import { describe, expect, it } from 'vitest';
import type { Incident } from '../incidents/index.ts';
import { DEFAULT_RETRY, nextAttemptAt, retryDelayMs } from './backoff.ts';
import { messageFor, readChannels } from './channels.ts';
import { readNotifyConfig } from './config.ts';
import { dingTalkSign } from './gateways.ts';
import { incidentEvents } from './events.ts';
import { signatureHeader, signPayload, verifySignature } from './signature.ts';

const secret = 'whsec_test-secret-of-enough-length';
const body = '{"id":"d-1","type":"incident.opened"}';
const now = Date.parse('2026-11-23T08:00:00Z');
const t = now / 1000;

describe('webhook signatures', () => {
  it('signs <t>.<delivery id>.<body> with HMAC-SHA256 (a value computed independently)', () => {
    // printf '%s' '1795420800.d-1.{"id":"d-1","type":"incident.opened"}' | openssl dgst -sha256 -hmac whsec_test-secret-of-enough-length
    expect(signPayload(secret, t, 'd-1', body)).toBe('c500ca57014c8c22bd44eb2c6d2328a7c10221a3c46375e4ae65e5a8c64f9924');
    expect(signatureHeader(secret, t, 'd-1', body)).toBe('t=1795420800,v1=c500ca57014c8c22bd44eb2c6d2328a7c10221a3c46375e4ae65e5a8c64f9924');
  });

  it('accepts its own signature and refuses any change, another secret, another delivery id', () => {
    const header = signatureHeader(secret, t, 'd-1', body);
    expect(verifySignature({ header, secret, deliveryId: 'd-1', body, nowMs: now })).toEqual({ ok: true, timestamp: t });
    const refused = (v: ReturnType<typeof verifySignature>) => (v.ok ? 'accepted' : v.reason);
    expect(refused(verifySignature({ header, secret, deliveryId: 'd-1', body: body.replace('opened', 'closed'), nowMs: now }))).toMatch(/signature does not match/);
    expect(refused(verifySignature({ header, secret: `${secret}x`, deliveryId: 'd-1', body, nowMs: now }))).toMatch(/signature does not match/);
    expect(refused(verifySignature({ header, secret, deliveryId: 'd-2', body, nowMs: now }))).toMatch(/signature does not match/);
    expect(refused(verifySignature({ header: undefined, secret, deliveryId: 'd-1', body, nowMs: now }))).toMatch(/missing x-lifeline-signature/);
    expect(refused(verifySignature({ header: 'v1=abc', secret, deliveryId: 'd-1', body, nowMs: now }))).toMatch(/must read t=/);
    // Several v1 values (a secret being rotated): one matching is enough.
    const rotated = `${header},v1=${'0'.repeat(64)}`;
    expect(verifySignature({ header: rotated, secret, deliveryId: 'd-1', body, nowMs: now }).ok).toBe(true);
  });

  it('refuses a timestamp more than 5 minutes old or ahead, and accepts one just inside', () => {
    const at = (seconds: number) => verifySignature({ header: signatureHeader(secret, t + seconds, 'd-1', body), secret, deliveryId: 'd-1', body, nowMs: now });
    expect(at(-300).ok).toBe(true);
    expect(at(300).ok).toBe(true);
    expect(at(-301)).toEqual({ ok: false, reason: `timestamp ${t - 301} is 301 s old; deliveries are accepted within 300 s` });
    expect(at(900)).toEqual({ ok: false, reason: `timestamp ${t + 900} is 900 s ahead; deliveries are accepted within 300 s` });
  });
});

describe('retry back-off', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((n) => retryDelayMs(n) / 1000)).toEqual([10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]);
    expect(retryDelayMs(1, { baseMs: 200, capMs: 1000, maxAttempts: 5 })).toBe(200);
    expect(retryDelayMs(4, { baseMs: 200, capMs: 1000, maxAttempts: 5 })).toBe(1000);
  });

  it('gives up after the last attempt: 12 attempts over 3 h 25 min 10 s by default', () => {
    const start = new Date('2026-11-23T00:00:00Z');
    let at = start;
    let attempts = 1;
    for (;;) {
      const next = nextAttemptAt(attempts, at);
      if (!next) break;
      at = next;
      attempts++;
    }
    expect(attempts).toBe(DEFAULT_RETRY.maxAttempts);
    expect((at.getTime() - start.getTime()) / 1000).toBe(12_310);
  });
});

describe('events and messages', () => {
  const incident = {
    id: '17', kind: 'alarm', title: '通信井燃气浓度超限', state: 'dispatched', level: 2, ownerId: 'gas-co', ownerName: '燃气公司', assetId: 'AS-01',
    location: null, dueStage: 'accept', dueAt: null,
    events: [
      { seq: 1, action: 'open', fromState: null, toState: 'reported', actor: 'system', actorId: 'system', actorOrg: null, note: null, payload: {}, at: '2026-11-23T08:00:00.000Z', hash: 'a' },
      { seq: 2, action: 'attach_alarm', fromState: 'reported', toState: 'reported', actor: 'system', actorId: 'system', actorOrg: null, note: null, payload: {}, at: '2026-11-23T08:01:00.000Z', hash: 'b' },
      { seq: 3, action: 'verify', fromState: 'reported', toState: 'verified', actor: '郑', actorId: 'op', actorOrg: 'centre', note: null, payload: {}, at: '2026-11-23T08:02:00.000Z', hash: 'c' },
      { seq: 4, action: 'dispatch', fromState: 'verified', toState: 'dispatched', actor: '郑', actorId: 'op', actorOrg: 'centre', note: null, payload: { orgId: 'gas-co' }, at: '2026-11-23T08:03:00.000Z', hash: 'd' },
    ],
  } as unknown as Incident;

  it('turns audit rows into one keyed event each (alarm attachments are not announced)', () => {
    const events = incidentEvents(incident);
    expect(events.map((e) => [e.type, e.key])).toEqual([
      ['incident.opened', 'incident:17:1'], ['incident.transitioned', 'incident:17:3'], ['incident.transitioned', 'incident:17:4'],
    ]);
    expect(events[2]!.ownerId).toBe('gas-co');
  });

  it('tells the assigned unit of a dispatch, and nobody of a verification', () => {
    const [, verified, dispatched] = incidentEvents(incident);
    expect(messageFor(verified!)).toBeNull();
    expect(messageFor(dispatched!)).toEqual({ to: 'gas-co', key: 'incident:17:4', text: '【生命线】2级事件 #17「通信井燃气浓度超限」已派遣给贵单位，请及时接收处置。' });
  });

  it('reads NOTIFY_CHANNELS', () => {
    expect(readChannels('sms, dingtalk,sms')).toEqual(['sms', 'dingtalk']);
    expect(readChannels(undefined)).toEqual([]);
    expect(() => readChannels('sms,fax')).toThrow(/fax is not one of sms, wecom, dingtalk/);
  });
});

describe('channel gateways', () => {
  it('signs for a DingTalk robot as DingTalk computes it (value from openssl dgst -sha256 -hmac … -binary | base64)', () => {
    expect(dingTalkSign('SEC0123456789abcdef', 1795420800000)).toBe('0pydQKBta3XgBb6Olvajl4kVzWmmCI/udt9rNMHvicw=');
  });

  it('reads each channel\'s gateway: logging without a URL, HTTP with one, a URL for a channel not in use refused', () => {
    expect(readNotifyConfig({ NOTIFY_CHANNELS: 'sms,wecom' }).channels).toEqual([
      { channel: 'sms', url: null, secret: null }, { channel: 'wecom', url: null, secret: null },
    ]);
    expect(readNotifyConfig({
      NOTIFY_CHANNELS: 'dingtalk,wecom', NOTIFY_DINGTALK_URL: 'https://oapi.dingtalk.com/robot/send?access_token=t', NOTIFY_DINGTALK_SECRET: 'SECx',
      NOTIFY_WECOM_URL: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k',
    }).channels).toEqual([
      { channel: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=t', secret: 'SECx' },
      { channel: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', secret: null },
    ]);
    expect(() => readNotifyConfig({ NOTIFY_SMS_URL: 'http://sms.local/send' })).toThrow('NOTIFY_SMS_URL is set but NOTIFY_CHANNELS does not include sms');
    expect(() => readNotifyConfig({ NOTIFY_CHANNELS: 'sms', NOTIFY_SMS_URL: 'sms.local/send' })).toThrow('NOTIFY_SMS_URL=sms.local/send: expected an http:// or https:// URL');
    expect(() => readNotifyConfig({ NOTIFY_CHANNELS: 'wecom', NOTIFY_WECOM_URL: 'http://[bad' })).toThrow('NOTIFY_WECOM_URL=http://[bad: expected an http:// or https:// URL');
  });
});
