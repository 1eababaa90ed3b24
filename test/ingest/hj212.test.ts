// HJ 212-2017 over a real TCP socket against a started platform: a station uploads real-time
// data, gets the data response CN=9014 after the commit, its readings are stored and raise the
// COD alarm of the default catalogue; bad packets become dead letters on an open connection;
// a wrong PW is counted and never stored or answered.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmDto, DeadLetterDto, ReadingDto } from '../../src/api/index.ts';
import { DeviceCredentials, type AuthCountsDto } from '../../src/ingest/index.ts';
import { formatBeijingTime, framePacket, parsePacket } from '../../src/ingest/hj212/index.ts';
import { insertAssets, insertDevices, insertOrganisations, insertSensors } from '../../src/network/repository.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import type { Db } from '../../src/store/index.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';
import { getJson, waitFor } from '../support/wait.ts';

const MN = '010000A8900016F000169DC0';
const SECRET = 'station-secret-123456';
let platform: Platform;
const cleanups: (() => Promise<void> | void)[] = [];

async function seedStation(db: Db): Promise<void> {
  await insertOrganisations(db, [{ id: 'river-co', name: '河道管理处', kind: 'owner' }]);
  await insertAssets(db, [{
    id: 'RS-01', name: '荆襄内河 水质站', network: 'river', assetType: 'monitoring_station', ownerId: 'river-co',
    geometry: { type: 'Point', coordinates: [112.24, 30.33] }, attributes: {},
  }]);
  await insertDevices(db, [{ id: MN, name: '水质自动站 HJ 212' }]);
  const channels: [string, string, string][] = [['cod', 'cod', 'mg/L'], ['w21003', 'nh3n', 'mg/L'], ['ph', 'ph', 'pH'], ['do', 'do', 'mg/L']];
  await insertSensors(db, channels.map(([channel, indicator, unit]) => ({
    id: `${MN}.${channel}`, deviceId: MN, channel, assetId: 'RS-01', name: `水质站 ${indicator}`, indicator, unit, location: [112.24, 30.33],
  })));
}

/** A TCP connection to the listener that collects every CR LF-terminated reply. */
async function station(): Promise<{ send(packet: string): void; replies: string[]; closed(): boolean; end(): void }> {
  const socket = net.connect({ host: '127.0.0.1', port: platform.hj212Port! });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const replies: string[] = [];
  let pending = '';
  let closed = false;
  socket.on('data', (chunk) => {
    pending += chunk.toString();
    let end;
    while ((end = pending.indexOf('\r\n')) >= 0) {
      replies.push(pending.slice(0, end + 2));
      pending = pending.slice(end + 2);
    }
  });
  socket.on('close', () => { closed = true; });
  return { send: (packet) => socket.write(packet), replies, closed: () => closed, end: () => socket.destroy() };
}

let qnCounter = 0;
const qn = () => `${formatBeijingTime(new Date())}${String(100 + (qnCounter++ % 900))}`;
const dataTime = (secondsAgo: number) => formatBeijingTime(new Date(Math.floor(Date.now() / 1000 - secondsAgo) * 1000));
const upload = (options: { cp: string; secondsAgo: number; flag?: number; pw?: string; cn?: string; qn?: string }) =>
  framePacket(`QN=${options.qn ?? qn()};ST=21;CN=${options.cn ?? '2011'};PW=${options.pw ?? SECRET};MN=${MN};Flag=${options.flag ?? 5};CP=&&DataTime=${dataTime(options.secondsAgo)};${options.cp}&&`);
const readings = (channel: string) => getJson<ReadingDto[]>(`${platform.url}/api/sensors/${MN}.${channel}/readings`);
const deadLetters = () => getJson<DeadLetterDto[]>(`${platform.url}/api/dead-letters?deviceId=${MN}`);

beforeAll(async () => {
  const data = tempDir('hj212');
  cleanups.push(data.remove);
  platform = await startPlatform({
    port: 0, mqttPort: 0, hj212Port: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('hj212'),
    simulate: false, buildWeb: false, log: false, demo: false, deviceAuth: 'required', auth: 'off', seed: seedStation,
  });
  cleanups.push(() => platform.stop());
  await new DeviceCredentials(platform.db).setDeviceSecret(MN, SECRET);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('HJ 212-2017 over TCP', () => {
  it('stores real-time data (CN=2011), answers 9014 with the QN after the commit, and raises the COD alarm', async () => {
    expect(platform.hj212Port).toBeGreaterThan(0);
    const client = await station();
    try {
      const sentQn = qn();
      client.send(upload({ qn: sentQn, secondsAgo: 120, cp: 'w01018-Rtd=45.2,w01018-Flag=N;w21003-Rtd=0.52,w21003-Flag=N;w01001-Rtd=7.31,w01001-Flag=N;w01009-Rtd=6.8,w01009-Flag=N' }));
      const reply = await waitFor('the data response', () => client.replies[0]);
      const parsed = parsePacket(reply);
      expect(parsed).toMatchObject({ ok: true, packet: { qn: sentQn, st: '91', cn: '9014', mn: MN, flag: 4 } });
      // The reply came after the commit: the readings are there at once.
      expect((await readings('cod')).map((r) => r.value)).toEqual([45.2]);
      expect((await readings('w21003')).map((r) => r.value)).toEqual([0.52]);
      expect((await readings('ph')).map((r) => r.value)).toEqual([7.31]);
      expect((await readings('do')).map((r) => r.value)).toEqual([6.8]);
      const alarm = await waitFor('the COD alarm', async () => (await getJson<AlarmDto[]>(`${platform.url}/api/alarms`)).find((a) => a.sensorId === `${MN}.cod`));
      expect(alarm).toMatchObject({ ruleId: 'cod-high', level: 2, lastValue: 45.2, network: 'river', assetId: 'RS-01' });
    } finally {
      client.end();
    }
  });

  it('keeps the connection open through bad packets, dead-lettering each with the raw packet and the reason', async () => {
    const client = await station();
    try {
      const good = upload({ secondsAgo: 100, cp: 'w01018-Rtd=30.5,w01018-Flag=N' });
      const badCrc = good.replace('30.5', '39.5');
      const badLength = `##0007${good.slice(6)}`;
      const flagged = upload({ secondsAgo: 90, cp: 'w01018-Rtd=88,w01018-Flag=D;w21003-Rtd=0.6,w21003-Flag=N' });
      client.send(badCrc + badLength + 'garbage\r\n');
      client.send(flagged);
      await waitFor('the reply to the flagged packet', () => client.replies[0]);
      client.send(good);
      await waitFor('the reply to the good packet', () => client.replies[1]);
      expect(client.closed()).toBe(false);
      // Only parseable uploads are answered: one for the flagged packet, one for the good one.
      expect(client.replies.map((r) => { const p = parsePacket(r); return p.ok ? p.packet.cn : p.reason; })).toEqual(['9014', '9014']);
      expect((await readings('cod')).map((r) => r.value)).toEqual([45.2, 30.5]);
      expect((await readings('w21003')).map((r) => r.value)).toEqual([0.52, 0.6]);
      const letters = (await deadLetters()).reverse();
      expect(letters.map((l) => [l.code, l.reason])).toEqual([
        ['malformed', expect.stringMatching(/^HJ 212 packet refused: CRC mismatch: packet says [0-9A-F]{4}, data segment gives [0-9A-F]{4}$/)],
        ['malformed', expect.stringMatching(/^HJ 212 packet refused: declared data length 7 does not match the data segment's \d+ bytes$/)],
        ['malformed', 'HJ 212 packet refused: packet does not start with "##" and a 4-digit length'],
        ['instrument_flag', 'w01018-Flag=D: instrument fault (故障); w01018-Rtd=88 is not a valid measurement'],
      ]);
      expect(letters[0]).toMatchObject({ deviceId: MN, payload: badCrc, source: expect.stringMatching(/^hj212:127\.0\.0\.1:\d+$/) });
      expect(letters[1]!.payload).toBe(badLength);
      expect(letters[2]!.payload).toBe('garbage\r\n');
    } finally {
      client.end();
    }
  });

  it('answers only when the Flag asks, and stores minute data (CN=2051) from xxx-Avg', async () => {
    const client = await station();
    try {
      client.send(upload({ secondsAgo: 80, flag: 4, cn: '2051', cp: 'w01018-Min=20,w01018-Avg=21.5,w01018-Max=23,w01018-Flag=N' }));
      await waitFor('the minute value', async () => ((await readings('cod')).length === 3 ? true : undefined));
      expect((await readings('cod')).at(-1)!.value).toBe(21.5);
      await new Promise((r) => setTimeout(r, 200));
      expect(client.replies).toEqual([]);
    } finally {
      client.end();
    }
  });

  it('takes a backlog of packets in one write and answers each in order', async () => {
    const client = await station();
    try {
      const qns = Array.from({ length: 50 }, (_, i) => `${formatBeijingTime(new Date())}${String(i).padStart(3, '0')}`);
      client.send(qns.map((q, i) => upload({ qn: q, secondsAgo: 3000 - i * 30, cp: `w01009-Rtd=${(7 + i / 100).toFixed(2)},w01009-Flag=N` })).join(''));
      await waitFor('50 replies', () => (client.replies.length === 50 ? true : undefined));
      expect(client.replies.map((r) => { const p = parsePacket(r); return p.ok ? p.packet.qn : p.reason; })).toEqual(qns);
      expect((await readings('do')).length).toBe(51);
    } finally {
      client.end();
    }
  });

  it('refuses a wrong PW or an unknown MN: counted, never stored, never answered', async () => {
    const before = (await getJson<{ auth: AuthCountsDto }>(`${platform.url}/api/ingest/stats`)).auth;
    const lettersBefore = (await deadLetters()).length;
    const client = await station();
    try {
      client.send(upload({ secondsAgo: 70, pw: 'wrong', cp: 'w01018-Rtd=99,w01018-Flag=N' }));
      client.send(framePacket(`QN=${qn()};ST=21;CN=2011;PW=x;MN=NO-SUCH-STATION;Flag=5;CP=&&DataTime=${dataTime(60)};w01018-Rtd=1,w01018-Flag=N&&`));
      client.send('##0010garbage!!\r\n');
      const after = await waitFor('the refusals to be counted', async () => {
        const auth = (await getJson<{ auth: AuthCountsDto }>(`${platform.url}/api/ingest/stats`)).auth;
        return auth.total >= before.total + 3 ? auth : undefined;
      });
      expect(after.recent.slice(0, 3).map((a) => [a.transport, a.reason, a.principal])).toEqual([
        ['hj212', 'missing_credentials', null], ['hj212', 'unknown_principal', 'NO-SUCH-STATION'], ['hj212', 'wrong_secret', MN],
      ]);
      expect(client.replies).toEqual([]);
      expect(client.closed()).toBe(false);
      expect((await readings('cod')).map((r) => r.value)).not.toContain(99);
      expect((await deadLetters()).length).toBe(lettersBefore);
    } finally {
      client.end();
    }
  });
});
