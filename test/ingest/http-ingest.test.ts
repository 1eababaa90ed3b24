// HTTP batch ingestion: the device or gateway authenticates with its own secret, every payload
// form is accepted, the answer comes after the commit and says item by item what was refused.
// On PGlite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetterDto, ReadingDto } from '../../src/api/index.ts';
import type { AuthCountsDto, DeadLetterCount, IngestResultDto } from '../../src/ingest/index.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { databaseUrlFor } from '../support/postgres.ts';
import { postgresService } from '../support/services.ts';
import { USERS } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';
import { getJson } from '../support/wait.ts';

const postgres = await postgresService();
const variants = [
  { name: 'PGlite', database: 'pglite', available: true },
  { name: 'PostgreSQL', database: 'postgres', available: postgres.available },
] as const;

describe.each(variants)('HTTP ingestion: $name', (variant) => {
  let platform: Platform;
  /** The operator's login session, for the API reads (the devices use their own secrets). */
  let session: string;
  const cleanups: (() => Promise<void> | void)[] = [];
  const iso = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();
  const token = (id: string) => platform.deviceCredentials(id)!.password;

  async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: IngestResultDto & { error?: string } }> {
    const response = await fetch(`${platform.url}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as IngestResultDto & { error?: string } };
  }
  const asDevice = (id: string, body: unknown, headers: Record<string, string> = {}) =>
    post(`/api/ingest/devices/${id}`, body, { authorization: `Bearer ${token(id)}`, ...headers });
  const values = async (sensorId: string) => (await getJson<ReadingDto[]>(`${platform.url}/api/sensors/${sensorId}/readings`, session)).map((r) => r.value);

  beforeAll(async () => {
    if (!variant.available) return;
    const data = tempDir('http-ingest');
    cleanups.push(data.remove);
    const databaseUrl = await databaseUrlFor(variant.database, cleanups);
    platform = await startPlatform({
      port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, databaseUrl, topicPrefix: topicPrefix('http'),
      simulate: false, buildWeb: false, log: false, deviceAuth: 'required',
    });
    cleanups.push(() => platform.stop());
    session = await platform.login(USERS.operator);
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it.skipIf(!variant.available)('refuses a sender without its own secret with 401 and the reason, counting it', async () => {
    const body = { values: { lel: 1 } };
    const cases: [Record<string, string>, string, RegExp][] = [
      [{}, 'GD-001', /^missing credentials/],
      [{ authorization: 'Bearer wrong' }, 'GD-001', /^wrong secret for device 'GD-001'/],
      [{ authorization: `Bearer ${'x'.repeat(20)}` }, 'NO-SUCH-DEVICE', /^unknown device 'NO-SUCH-DEVICE'/],
      // GD-002's secret does not open GD-001's door, nor does the gateway's a device route.
      [{ authorization: `Bearer ${token('GD-002')}` }, 'GD-001', /^wrong secret/],
      [{ authorization: `Bearer ${token('SIM-GW')}` }, 'SIM-GW', /^unknown device 'SIM-GW'/],
    ];
    for (const [headers, id, error] of cases) {
      const response = await post(`/api/ingest/devices/${id}`, body, headers);
      expect(response.status, `${id} ${JSON.stringify(headers)}`).toBe(401);
      expect(response.body.error).toMatch(error);
    }
    expect(await values('GD-001.lel')).toEqual([]);
    const { auth } = await getJson<{ auth: AuthCountsDto }>(`${platform.url}/api/ingest/stats`, session);
    expect(auth.byReason).toEqual({ missing_credentials: 1, wrong_secret: 2, unknown_principal: 2 });
    expect(auth.recent.every((a) => a.transport === 'http')).toBe(true);
  });

  it.skipIf(!variant.available)('stores simple JSON and SenML from a device and answers after the commit', async () => {
    const json = await asDevice('GD-001', { ts: iso(60), values: { lel: 2.5, temp: 16 } });
    expect(json).toEqual({ status: 200, body: { accepted: 2, rejected: 0, rejections: [] } });
    expect(await values('GD-001.lel')).toEqual([2.5]);
    const senml = await asDevice('GD-001', [{ bn: 'GD-001/', bt: Date.now() / 1000 - 30, n: 'lel', u: '%LEL', v: 3 }, { n: 'temp', u: 'Cel', v: 16.5 }], { 'content-type': 'application/senml+json' });
    expect(senml.status).toBe(200);
    expect(await values('GD-001.lel')).toEqual([2.5, 3]);
    expect(await values('GD-001.temp')).toEqual([16, 16.5]);
  });

  it.skipIf(!variant.available)('answers 207 item by item for a partly bad batch and 400 when nothing is usable', async () => {
    const partly = await asDevice('GD-002', [
      { bn: 'GD-002/', n: 'lel', v: 4, t: -20 },
      { n: 'lel', u: 'ppm', v: 800, t: -10 },
      { n: 'lel', v: 250 },
      { n: 'lel', v: 5, t: 7200 },
    ]);
    expect(partly.status).toBe(207);
    expect(partly.body).toMatchObject({ accepted: 1, rejected: 3 });
    expect(partly.body.rejections.map((r) => [r.item, r.code])).toEqual([['[1]', 'wrong_unit'], ['[2]', 'sensor_fault'], ['[3]', 'clock_ahead']]);
    expect(await values('GD-002.lel')).toEqual([4]);

    const bad = await asDevice('GD-002', '{"values": ');
    expect(bad.status).toBe(400);
    expect(bad.body.rejections[0]).toMatchObject({ item: null, deviceId: 'GD-002', code: 'malformed' });

    const letters = await getJson<DeadLetterDto[]>(`${platform.url}/api/dead-letters?deviceId=GD-002`, session);
    expect(letters.map((l) => (l as DeadLetterDto & { code: string }).code)).toEqual(['malformed', 'clock_ahead', 'sensor_fault', 'wrong_unit']);
    expect(letters[0]).toMatchObject({ payload: '{"values": ', source: 'http:/api/ingest/devices/GD-002' });
    const stats = await getJson<{ registered: boolean; hasCredentials: boolean; deadLetters: DeadLetterCount }>(`${platform.url}/api/ingest/devices/GD-002/stats`, session);
    expect(stats).toMatchObject({ registered: true, hasCredentials: true, deadLetters: { total: 4, byCode: { malformed: 1, clock_ahead: 1, sensor_fault: 1, wrong_unit: 1 } } });
  });

  it.skipIf(!variant.available)('takes a gateway batch for its devices and refuses entries for others', async () => {
    const response = await post('/api/ingest/gateways/SIM-GW', { entries: [
      { device: 'WP-001', ts: iso(40), values: { p: 0.33 } },
      { device: 'WF-001', ts: iso(40), values: { q: 400 } },
      { device: 'ELSEWHERE-9', ts: iso(40), values: { p: 0.3 } },
    ] }, { authorization: `Bearer ${token('SIM-GW')}` });
    expect(response.status).toBe(207);
    expect(response.body.rejections).toEqual([
      { item: 'entries[2]', deviceId: 'ELSEWHERE-9', code: 'not_authorised', reason: "gateway 'SIM-GW' is not authorised for device 'ELSEWHERE-9'" },
    ]);
    expect(await values('WP-001.p')).toEqual([0.33]);
    expect(await values('WF-001.q')).toEqual([400]);
    // A device's secret is not a gateway's.
    expect((await post('/api/ingest/gateways/GD-001', { entries: [] }, { authorization: `Bearer ${token('GD-001')}` })).status).toBe(401);
  });

  it.skipIf(!variant.available)('refuses a body over the size limit', async () => {
    const huge = JSON.stringify({ values: { lel: 1 }, pad: 'x'.repeat(1024 * 1024) });
    expect((await asDevice('GD-001', huge)).status).toBe(413);
  });
});

describe('HTTP ingestion with DEVICE_AUTH=off', () => {
  it('takes readings without a token', async () => {
    const data = tempDir('http-ingest-off');
    const platform = await startPlatform({
      port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('http-off'),
      simulate: false, buildWeb: false, log: false, deviceAuth: 'off',
    });
    try {
      const response = await fetch(`${platform.url}/api/ingest/devices/DL-002`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"values":{"level":0.9}}' });
      expect(response.status).toBe(200);
      expect(await getJson<ReadingDto[]>(`${platform.url}/api/sensors/DL-002.level/readings`, await platform.login(USERS.operator))).toHaveLength(1);
    } finally {
      await platform.stop();
      data.remove();
    }
  });
});
