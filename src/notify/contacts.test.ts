import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LoggingNotifier } from './channels.ts';
import { ContactError, normaliseContactAddress } from './contacts.ts';

describe('contact addresses', () => {
  it('keeps a robot URL whole and SMS numbers as one list without repeats', () => {
    expect(normaliseContactAddress('wecom', ' https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc ')).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc');
    expect(normaliseContactAddress('sms', '13800138000，+8613900139000 13800138000')).toBe('13800138000,+8613900139000');
  });

  it('names what is wrong with an address', () => {
    expect(() => normaliseContactAddress('dingtalk', 'oapi.dingtalk.com/robot/send')).toThrow(new ContactError("address: dingtalk needs the group robot's URL"));
    expect(() => normaliseContactAddress('wecom', 'ftp://example.com/x')).toThrow('address: ftp: is not http or https');
    expect(() => normaliseContactAddress('sms', '138-0013-8000')).toThrow('address: 138-0013-8000 is not a phone number');
    expect(() => normaliseContactAddress('sms', ' , ')).toThrow('address: give at least one phone number');
    expect(() => normaliseContactAddress('sms', Array.from({ length: 21 }, (_, i) => `1380013${String(i).padStart(4, '0')}`).join(','))).toThrow('at most 20');
  });
});

describe('a unit\'s phone numbers in the log', () => {
  it('are counted by the logging adapter, never written', async () => {
    let written = '';
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => ((written += chunk.toString()), done()) });
    const outcome = await new LoggingNotifier('sms', pino(sink)).send({ id: 'm1', to: 'gas-co', key: 'incident:1:4', text: '【生命线】测试', phones: ['13800138000', '13900139000'] });
    expect(outcome).toEqual({ status: null, error: null });
    expect(JSON.parse(written)).toMatchObject({ channel: 'sms', to: 'gas-co', phones: 2, messageId: 'm1' });
    expect(written).not.toMatch(/1380013|1390013/);
  });
});
