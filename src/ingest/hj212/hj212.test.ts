import { describe, expect, it } from 'vitest';
import type { RegisteredSensor } from '../../network/registry.ts';
import { decodeUplink, type SensorLookup } from '../codec.ts';
import { beijingIso, dataResponse, formatBeijingTime, framePacket, hj212Crc, parseBeijingTime, parsePacket, wantsReply } from './packet.ts';

// Examples printed in HJ 212-2017 and used by open-source implementations (IceCoffee.HJ212's
// test, hj212 parsers on GitHub); their CRCs were computed by the standard's algorithm.
const STANDARD_1062 = '##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n';
const ICECOFFEE_2061 = '##0285QN=20190925181031464;ST=22;CN=2061;PW=BF470F88957588DE902D1A52;MN=Z13401000010301;Flag=5;CP=&&DataTime=20190924220000;'
  + 'a34006-Avg=2.69700,a34006-Flag=N;a34007-Avg=7.96600,a34007-Flag=N;a34048-Avg=3.30600,a34048-Flag=N;a34047-Avg=7.35700,a34047-Flag=N;a34049-Avg=10.66300,a34049-Flag=N&&C181\r\n';

const MN = '010000A8900016F000169DC0';
const CHANNELS: Record<string, [string, string]> = {
  cod: ['cod', 'mg/L'], w21003: ['nh3n', 'mg/L'], ph: ['ph', 'pH'], drain_flow: ['drain_flow', 'm³/h'], tp: ['tp', 'mg/L'],
};
const sensor = (deviceId: string, channel: string): RegisteredSensor => ({
  id: `${deviceId}.${channel}`, deviceId, channel, assetId: 'A', name: 'n', indicator: CHANNELS[channel]![0], unit: CHANNELS[channel]![1],
  location: [0, 0], network: 'river', ownerId: 'o',
});
const lookup: SensorLookup = {
  hasDevice: (d) => d === MN,
  channel: (d, c) => (d === MN && c in CHANNELS ? sensor(d, c) : undefined),
};
// 2026-11-23 16:05 Beijing time = 08:05 UTC.
const now = new Date('2026-11-23T08:05:00Z');
const decode = (packet: string, deviceId = MN) => decodeUplink({ source: 'test', form: 'hj212', deviceId, payload: Buffer.from(packet), receivedAt: now }, lookup);
const realtime = (cp: string, flag = 5) => framePacket(`QN=20261123160000123;ST=21;CN=2011;PW=123456;MN=${MN};Flag=${flag};CP=&&DataTime=20261123160000;${cp}&&`);

describe('HJ 212-2017 CRC and framing', () => {
  it('computes the standard CRC on its examples, and it is not CRC-16/MODBUS', () => {
    expect(hj212Crc('QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&')).toBe('1C80');
    expect(parsePacket(STANDARD_1062)).toMatchObject({ ok: true, packet: { qn: '20160801085857223', st: '32', cn: '1062', pw: '100000', mn: MN, flag: 5, cp: { RtdInterval: '30' } } });
    const hour = parsePacket(ICECOFFEE_2061);
    expect(hour.ok && hour.packet.pollutants.get('a34049')).toEqual({ Avg: '10.66300', Flag: 'N' });
    // CRC-16/MODBUS of "123456789" is 4B37; the standard's variant gives another value.
    expect(hj212Crc('123456789')).not.toBe('4B37');
  });

  it('frames a segment and parses it back (CRC both ways)', () => {
    const packet = realtime('w01018-Rtd=12.5,w01018-Flag=N');
    expect(packet).toMatch(/^##\d{4}QN=.*&&[0-9A-F]{4}\r\n$/);
    expect(Number(packet.slice(2, 6))).toBe(packet.length - 12);
    expect(parsePacket(packet)).toMatchObject({ ok: true, packet: { cn: '2011', mn: MN } });
    const corrupted = packet.replace('12.5', '92.5');
    expect(parsePacket(corrupted)).toMatchObject({ ok: false, crcOk: false, reason: expect.stringMatching(/^CRC mismatch: packet says [0-9A-F]{4}, data segment gives [0-9A-F]{4}$/) });
  });

  it('names what is wrong with a bad packet', () => {
    const good = realtime('w01018-Rtd=12.5,w01018-Flag=N');
    expect(parsePacket('QN=1;ST=21')).toMatchObject({ ok: false, reason: 'packet does not start with "##" and a 4-digit length' });
    expect(parsePacket(`##01x2${good.slice(6)}`)).toMatchObject({ ok: false, reason: 'data length "01x2" is not 4 decimal digits' });
    expect(parsePacket(`##0999${good.slice(6)}`)).toMatchObject({ ok: false, reason: expect.stringMatching(/^declared data length 999 does not match the data segment's \d+ bytes$/) });
    expect(parsePacket(`${good.slice(0, -6)}ZZZZ\r\n`)).toMatchObject({ ok: false, reason: 'CRC "ZZZZ" is not 4 hex digits' });
    expect(parsePacket(framePacket('QN=20261123160000123;ST=21;CN=2011;MN=X;Flag=5'))).toMatchObject({ ok: false, crcOk: true, reason: 'data segment has no "CP=&&…&&"' });
    expect(parsePacket(framePacket('ST=21;CN=2011;Flag=5;CP=&&&&'))).toMatchObject({ ok: false, reason: 'header field MN is missing' });
    expect(parsePacket(framePacket('QN=2026;ST=21;CN=2011;MN=X;CP=&&&&'))).toMatchObject({ ok: false, reason: 'QN "2026" is not YYYYMMDDhhmmsszzz' });
  });

  it('reads the reply flag and answers with the data response CN=9014, QN echoed', () => {
    const parsed = parsePacket(realtime('w01018-Rtd=1,w01018-Flag=N'));
    expect(parsed.ok && wantsReply(parsed.packet)).toBe(true);
    const noReply = parsePacket(realtime('w01018-Rtd=1,w01018-Flag=N', 4));
    expect(noReply.ok && wantsReply(noReply.packet)).toBe(false);
    const reply = dataResponse({ qn: '20261123160000123', pw: '123456', mn: MN });
    expect(reply).toBe(framePacket(`QN=20261123160000123;ST=91;CN=9014;PW=123456;MN=${MN};Flag=4;CP=&&&&`));
    expect(parsePacket(reply)).toMatchObject({ ok: true, packet: { qn: '20261123160000123', st: '91', cn: '9014', flag: 4 } });
  });

  it('reads times as Beijing time', () => {
    expect(parseBeijingTime('20261123160000')?.toISOString()).toBe('2026-11-23T08:00:00.000Z');
    expect(parseBeijingTime('20261123160000123')?.toISOString()).toBe('2026-11-23T08:00:00.123Z');
    expect(parseBeijingTime('20260231120000')).toBeNull();
    expect(formatBeijingTime(new Date('2026-11-23T16:30:00Z'))).toBe('20261124003000');
    expect(beijingIso(new Date('2026-11-23T08:00:00Z'))).toBe('2026-11-23T16:00:00+08:00');
  });
});

describe('HJ 212-2017 decoding into readings', () => {
  it('stores real-time data (CN=2011) by pollutant code or indicator channel, at DataTime', () => {
    const result = decode(realtime('w01018-Rtd=45.2,w01018-Flag=N;w21003-Rtd=0.52,w21003-Flag=N;w01001-Rtd=7.31,w01001-Flag=N;w00000-Rtd=10,w00000-Flag=N'));
    expect(result.rejections).toEqual([]);
    expect(result.readings.map((r) => [r.sensor.id, r.ts.toISOString(), r.value])).toEqual([
      [`${MN}.cod`, '2026-11-23T08:00:00.000Z', 45.2],
      [`${MN}.w21003`, '2026-11-23T08:00:00.000Z', 0.52],
      [`${MN}.ph`, '2026-11-23T08:00:00.000Z', 7.31],
      // w00000 comes in L/s (the standard's unit); the sensor counts m³/h.
      [`${MN}.drain_flow`, '2026-11-23T08:00:00.000Z', 36],
    ]);
  });

  it('stores minute, hour and day data (2051, 2061, 2031) from xxx-Avg', () => {
    for (const cn of ['2051', '2061', '2031']) {
      const packet = framePacket(`QN=20261123160000123;ST=21;CN=${cn};PW=1;MN=${MN};Flag=4;CP=&&DataTime=20261123150000;w01018-Min=10,w01018-Avg=12,w01018-Max=14,w01018-Flag=N&&`);
      const result = decode(packet);
      expect(result.rejections).toEqual([]);
      expect(result.readings.map((r) => [r.sensor.id, r.ts.toISOString(), r.value])).toEqual([[`${MN}.cod`, '2026-11-23T07:00:00.000Z', 12]]);
    }
  });

  it('refuses values whose instrument flag is not N, naming the flag; the others are kept', () => {
    const result = decode(realtime('w01018-Rtd=55,w01018-Flag=D;w21003-Rtd=0.4,w21003-Flag=N;w01001-Rtd=7,w01001-Flag=C;w21011-Rtd=0.1,w21011-Flag=M'));
    expect(result.readings.map((r) => r.sensor.id)).toEqual([`${MN}.w21003`]);
    expect(result.rejections.map((r) => [r.code, r.item, r.reason])).toEqual([
      ['instrument_flag', 'CP.w01018', 'w01018-Flag=D: instrument fault (故障); w01018-Rtd=55 is not a valid measurement'],
      ['instrument_flag', 'CP.w01001', 'w01001-Flag=C: instrument being calibrated (校准); w01001-Rtd=7 is not a valid measurement'],
      ['instrument_flag', 'CP.w21011', 'w21011-Flag=M: instrument under maintenance (维护); w21011-Rtd=0.1 is not a valid measurement'],
    ]);
    for (const flag of ['F', 'S', 'T', 'B']) {
      expect(decode(realtime(`w01018-Rtd=1,w01018-Flag=${flag}`)).rejections[0]!.reason).toMatch(new RegExp(`^w01018-Flag=${flag}: `));
    }
  });

  it('dead-letters bad packets whole, with the raw packet and the reason', () => {
    const bad = realtime('w01018-Rtd=12.5,w01018-Flag=N').replace('12.5', '99.9');
    const result = decode(bad);
    expect(result.readings).toEqual([]);
    expect(result.rejections).toEqual([{ deviceId: MN, code: 'malformed', reason: expect.stringMatching(/^HJ 212 packet refused: CRC mismatch/), payload: bad }]);
    expect(decode(framePacket(`QN=20261123160000123;ST=21;CN=2011;PW=1;MN=${MN};Flag=5;CP=&&w01018-Rtd=1&&`)).rejections[0]!.reason)
      .toBe('HJ 212 real-time data (CN=2011) has no DataTime');
    expect(decode(framePacket(`QN=20261123160000123;ST=21;CN=9021;PW=1;MN=${MN};Flag=5;CP=&&&&`)).rejections[0]!.reason)
      .toBe('HJ 212 command CN=9021 carries no data Lifeline stores (accepted: 2011, 2031, 2051, 2061)');
  });

  it('refuses unknown pollutants, values that are not numbers, missing value fields and stale times', () => {
    const result = decode(realtime('w99999-Rtd=1,w99999-Flag=N;w01018-Rtd=abc,w01018-Flag=N;w21003-Avg=1,w21003-Flag=N'));
    expect(result.rejections.map((r) => [r.code, r.reason])).toEqual([
      ['unknown_channel', `unknown channel 'w99999' on device '${MN}'`],
      ['not_a_number', `channel 'cod': value "abc" is not a finite number`],
      ['malformed', 'w21003: CN=2011 (real-time data) carries values in w21003-Rtd, which is missing'],
    ]);
    const old = framePacket(`QN=20261123160000123;ST=21;CN=2011;PW=1;MN=${MN};Flag=5;CP=&&DataTime=20200101000000;w01018-Rtd=1,w01018-Flag=N&&`);
    expect(decode(old).rejections[0]!.code).toBe('too_old');
  });

  it('refuses a packet whose MN is not the authenticated station', () => {
    const result = decode(realtime('w01018-Rtd=1,w01018-Flag=N'), 'OTHER-STATION');
    expect(result.rejections.map((r) => r.code)).toEqual(['not_authorised']);
  });
});
