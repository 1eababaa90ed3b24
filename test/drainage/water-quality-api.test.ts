// GB 3838-2002 classes per day of a river monitoring station, over the API: readings of three
// days go in through HTTP ingestion, the day rollups' means are classed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceCredentials } from '../../src/ingest/index.ts';
import { insertAssets, insertDevices, insertOrganisations, insertSensors } from '../../src/network/repository.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import type { Db } from '../../src/store/index.ts';
import { api, type ApiClient } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

const STATION = 'WQ-01';
const SECRET = 'wq-station-secret-0001';
let platform: Platform;
/** The lake station's owner unit, and another unit that must not see it. */
let lakeUnit: ApiClient;
let otherUnit: ApiClient;
let admin: ApiClient;
const cleanups: (() => Promise<void> | void)[] = [];

async function seedStation(db: Db): Promise<void> {
  await insertOrganisations(db, [{ id: 'river-co', name: '河道管理处', kind: 'owner' }, { id: 'lake-co', name: '洪湖管理局', kind: 'owner' }]);
  await insertAssets(db, [
    { id: 'RS-01', name: '西干渠 水质站', network: 'river', assetType: 'monitoring_station', ownerId: 'river-co', geometry: { type: 'Point', coordinates: [112.2, 30.3] }, attributes: {} },
    { id: 'LK-01', name: '洪湖 水质站', network: 'river', assetType: 'monitoring_station', ownerId: 'lake-co', geometry: { type: 'Point', coordinates: [113.4, 29.9] }, attributes: { waterbody: 'lake' } },
  ]);
  await insertDevices(db, [{ id: STATION, name: '水质一体机' }, { id: 'WQ-LAKE', name: '湖泊水质站' }]);
  const sensor = (deviceId: string, assetId: string, channel: string, indicator: string, unit: string) =>
    ({ id: `${deviceId}.${channel}`, deviceId, channel, assetId, name: `${deviceId} ${indicator}`, indicator, unit, location: [112.2, 30.3] as [number, number] });
  await insertSensors(db, [
    sensor(STATION, 'RS-01', 'cod', 'cod', 'mg/L'), sensor(STATION, 'RS-01', 'nh3n', 'nh3n', 'mg/L'), sensor(STATION, 'RS-01', 'ph', 'ph', 'pH'),
    sensor(STATION, 'RS-01', 'turb', 'turbidity', 'NTU'), sensor(STATION, 'RS-01', 'tn', 'tn', 'mg/L'),
    sensor('WQ-LAKE', 'LK-01', 'tp', 'tp', 'mg/L'), sensor('WQ-LAKE', 'LK-01', 'tn', 'tn', 'mg/L'),
  ]);
}

// Asia/Shanghai is UTC+8 all year: local midnight is 16:00 UTC the day before.
const dayStart = (daysAgo: number) => Math.floor((Date.now() + 8 * 3_600_000) / 86_400_000) * 86_400_000 - 8 * 3_600_000 - daysAgo * 86_400_000;
const localDate = (daysAgo: number) => new Date(dayStart(daysAgo) + 8 * 3_600_000).toISOString().slice(0, 10);

async function send(device: string, secret: string, minutesAfterDayStart: number, daysAgo: number, values: Record<string, number>): Promise<void> {
  const ts = new Date(dayStart(daysAgo) + minutesAfterDayStart * 60_000).toISOString();
  const response = await fetch(`${platform.url}/api/ingest/devices/${device}`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body: JSON.stringify({ ts, values }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

interface ClassesDto {
  assetId: string;
  waterbody: string;
  sensors: { sensorId: string; indicator: string }[];
  days: { date: string; start: string; class: string | null; limiting: string[]; items: Record<string, string>; means: Record<string, number> }[];
}

beforeAll(async () => {
  const data = tempDir('water-quality');
  cleanups.push(data.remove);
  platform = await startPlatform({
    port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('wq'),
    simulate: false, buildWeb: false, log: false, demo: false, auth: 'required', seed: seedStation,
  });
  cleanups.push(() => platform.stop());
  admin = await api(platform, 'admin');
  lakeUnit = await api(platform, 'lake-co-dispatcher');
  otherUnit = await api(platform, 'river-co-dispatcher');
  const credentials = new DeviceCredentials(platform.db);
  await credentials.setDeviceSecret(STATION, SECRET);
  await credentials.setDeviceSecret('WQ-LAKE', SECRET);
  // Two days ago: clean (COD mean 15 = class I limit, NH3-N 0.15 = class I limit).
  await send(STATION, SECRET, 60, 2, { cod: 14, nh3n: 0.1, ph: 7.2, turb: 12, tn: 3 });
  await send(STATION, SECRET, 120, 2, { cod: 16, nh3n: 0.2, ph: 7.4 });
  // Yesterday: a COD peak, daily mean 42 (worse than V).
  await send(STATION, SECRET, 60, 1, { cod: 44, nh3n: 0.4, ph: 7.0 });
  await send(STATION, SECRET, 120, 1, { cod: 40, nh3n: 0.4 });
  // Today: COD 25 and NH3-N 1.2 both class IV.
  await send(STATION, SECRET, 1, 0, { cod: 25, nh3n: 1.2, ph: 8.1 });
  // The lake: TP 0.15 is class V for a lake (it would be III in a river); TN 0.9 class III.
  await send('WQ-LAKE', SECRET, 1, 0, { tp: 0.15, tn: 0.9 });
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('GET /api/water-quality/stations/:assetId/classes', () => {
  it('classes each day of a river station from its daily means, naming the limiting items', async () => {
    const from = new Date(dayStart(3)).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const body = await admin.get<ClassesDto>(`/api/water-quality/stations/RS-01/classes?from=${from}&to=${to}`);
    expect(body.waterbody).toBe('river');
    // Turbidity has no GB 3838 class; TN counts for lakes only.
    expect(body.sensors.map((s) => s.indicator)).toEqual(['cod', 'nh3n', 'ph']);
    expect(body.days.map((d) => [d.date, d.class, d.limiting, d.means])).toEqual([
      [localDate(2), 'I', [], { cod: 15, nh3n: 0.15, ph: 7.3 }],
      [localDate(1), '劣V', ['cod'], { cod: 42, nh3n: 0.4, ph: 7 }],
      [localDate(0), 'IV', ['cod', 'nh3n'], { cod: 25, nh3n: 1.2, ph: 8.1 }],
    ]);
    expect(body.days[1]!.items).toEqual({ cod: '劣V', nh3n: 'II', ph: 'I' });
    expect(body.days[0]!.start).toBe(new Date(dayStart(2)).toISOString());
  });

  it('uses the lake limits for a lake station (TP, and TN counts)', async () => {
    const body = await lakeUnit.get<ClassesDto>('/api/water-quality/stations/LK-01/classes');
    expect(body.waterbody).toBe('lake');
    expect(body.days.map((d) => [d.class, d.limiting, d.items])).toEqual([['V', ['tp'], { tn: 'III', tp: 'V' }]]);
    const asRiver = await admin.get<ClassesDto>('/api/water-quality/stations/LK-01/classes?waterbody=river');
    expect(asRiver.days.map((d) => [d.class, d.limiting])).toEqual([['III', ['tp']]]);
  });

  it("needs a login, hides another unit's station as missing, and answers 400 for a bad period", async () => {
    expect((await fetch(`${platform.url}/api/water-quality/stations/RS-01/classes`)).status).toBe(401);
    expect((await admin.request('GET', '/api/water-quality/stations/NOPE/classes')).status).toBe(404);
    const hidden = await otherUnit.request<{ error: string }>('GET', '/api/water-quality/stations/LK-01/classes');
    expect(hidden).toEqual({ status: 404, body: { error: 'station LK-01 does not exist' } });
    expect((await otherUnit.request('GET', '/api/water-quality/stations/RS-01/classes')).status).toBe(200);
    expect((await admin.request('GET', '/api/water-quality/stations/RS-01/classes?from=yesterday')).status).toBe(400);
    const inverted = await admin.request('GET', '/api/water-quality/stations/RS-01/classes?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z');
    expect(inverted.status).toBe(400);
  });
});
