// Water-environment alarms from stored data, on PGlite and PostgreSQL: a station's last complete
// day below its target class and worse than the day before opens a water-class alarm, a good day
// clears it; a rain gauge's 12 h / 24 h totals open, escalate and clear a rain-class alarm.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localMidnight } from '../../src/drainage/facilities/index.ts';
import { checkRain, checkWaterClasses, listStations, rainStates, stationSamples } from '../../src/drainage/water-env/index.ts';
import { insertAssets, insertDevices, insertOrganisations, insertSensors } from '../../src/network/repository.ts';
import { migrate, PartitionKeeper, type Db } from '../../src/store/index.ts';
import { storesUnderTest } from '../support/stores.ts';

const TZ = 'Asia/Shanghai';
const stores = await storesUnderTest();

for (const store of stores) {
  describe.skipIf(!store.available && process.env.CI !== 'true')(`water-environment alarms (${store.name})`, () => {
    let db: Db;
    let drop: () => Promise<void>;

    beforeAll(async () => {
      ({ db, drop } = await store.open());
      await migrate(db);
      await insertOrganisations(db, [{ id: 'river-co', name: '河道管理处', kind: 'owner' }]);
      await insertAssets(db, [
        { id: 'RS-X', name: '测试断面', network: 'river', assetType: 'monitoring_station', ownerId: 'river-co', geometry: { type: 'Point', coordinates: [112.2, 30.3] }, attributes: { river: '测试河', targetClass: 'III' } },
        { id: 'RG-X', name: '雨量站', network: 'drainage', assetType: 'inlet', ownerId: 'river-co', geometry: { type: 'Point', coordinates: [112.2, 30.3] }, attributes: {} },
      ]);
      await insertDevices(db, [{ id: 'WQ-X', name: '水质站' }, { id: 'RG-X', name: '雨量计' }]);
      const sensor = (deviceId: string, assetId: string, channel: string, indicator: string, unit: string) =>
        ({ id: `${deviceId}.${channel}`, deviceId, channel, assetId, name: `${deviceId} ${indicator}`, indicator, unit, location: [112.2, 30.3] as [number, number] });
      await insertSensors(db, [sensor('WQ-X', 'RS-X', 'cod', 'cod', 'mg/L'), sensor('WQ-X', 'RS-X', 'nh3n', 'nh3n', 'mg/L'), sensor('RG-X', 'RG-X', 'rain', 'rainfall', 'mm/h')]);
    });

    afterAll(async () => {
      await db?.close();
      await drop?.();
    });

    const day = async (date: string, means: Record<string, number>) => {
      for (const [channel, mean] of Object.entries(means)) {
        await db.query('INSERT INTO readings_1d (sensor_id, bucket, min, max, sum, count) VALUES ($1, $2, $3, $3, $4, 4)', [`WQ-X.${channel}`, localMidnight(date, TZ), mean, mean * 4]);
      }
    };
    const active = async (ruleId: string) => db.query<{ sensor_id: string; level: number; last_value: number }>(
      `SELECT sensor_id, level, last_value FROM alarms WHERE rule_id = $1 AND state = 'active'`, [ruleId]);

    it('class IV after class III, below target III: a yellow alarm; a class III day clears it', async () => {
      await day('2026-11-20', { cod: 18, nh3n: 0.4 }); // III
      await day('2026-11-21', { cod: 28, nh3n: 0.4 }); // IV
      // 2026-11-22 10:00 in Shanghai: the last complete day is the 21st.
      const first = await checkWaterClasses(db, new Date('2026-11-22T02:00:00Z'), TZ);
      expect(first.found).toMatchObject([{ stationId: 'RS-X', sensorId: 'WQ-X.cod', date: '2026-11-21', class: 'IV', previousClass: 'III', reasons: ['below_target', 'worse_than_previous_day'], level: 3 }]);
      expect(first.changes).toMatchObject([{ kind: 'open', sensorId: 'WQ-X.cod', ruleId: 'water-class', level: 3 }]);
      // On COD, the item that set class IV, with its daily mean.
      expect(await active('water-class')).toEqual([{ sensor_id: 'WQ-X.cod', level: 3, last_value: 28 }]);
      // Checked again the same day: nothing new.
      expect((await checkWaterClasses(db, new Date('2026-11-22T03:00:00Z'), TZ)).changes).toEqual([]);
      await day('2026-11-22', { cod: 16, nh3n: 0.3 }); // III
      const next = await checkWaterClasses(db, new Date('2026-11-23T02:00:00Z'), TZ);
      expect(next.changes).toMatchObject([{ kind: 'clear', sensorId: 'WQ-X.cod' }]);
      expect(await active('water-class')).toEqual([]);
    });

    it('each sample classed on its own: the items reported at one instant', async () => {
      await new PartitionKeeper(db).ensure([new Date('2026-11-21T00:00:00Z')]);
      const put = (ts: string, channel: string, value: number) => db.query('INSERT INTO readings (sensor_id, ts, value) VALUES ($1, $2, $3)', [`WQ-X.${channel}`, new Date(ts), value]);
      await put('2026-11-21T01:00:00Z', 'cod', 14);
      await put('2026-11-21T01:00:00Z', 'nh3n', 0.15);
      await put('2026-11-21T02:00:00Z', 'cod', 41);
      await put('2026-11-21T02:00:00Z', 'nh3n', 0.3);
      const [station] = await listStations(db);
      const samples = await stationSamples(db, station!, new Date('2026-11-21T00:00:00Z'), new Date('2026-11-22T00:00:00Z'));
      expect(samples.map((x) => [x.ts, x.class, x.limiting])).toEqual([
        ['2026-11-21T01:00:00.000Z', 'I', []],
        ['2026-11-21T02:00:00.000Z', '劣V', ['cod']],
      ]);
    });

    it('rain: 暴雨 over 12 h opens level 3, 大暴雨 over 24 h escalates to level 2, dry weather clears', async () => {
      const start = new Date('2026-11-22T00:00:00Z');
      const hour = 3_600_000;
      await new PartitionKeeper(db).ensure([start]);
      // 12 hourly reports of 3 mm/h: 12 h = 36 mm (暴雨), 24 h = mean 3 × 24 = 72 mm (暴雨).
      for (let h = 1; h <= 12; h++) await db.query('INSERT INTO readings (sensor_id, ts, value) VALUES ($1, $2, $3)', ['RG-X.rain', new Date(start.getTime() + h * hour), 3]);
      const at12 = new Date(start.getTime() + 12 * hour);
      expect(await rainStates(db, at12)).toMatchObject([{ sensorId: 'RG-X.rain', oneHourMm: 3, twelveHourMm: 36, dayMm: 72, class: '暴雨' }]);
      expect(await checkRain(db, at12)).toMatchObject([{ kind: 'open', ruleId: 'rain-class', level: 3 }]);
      // Six more hours of 12 mm/h: 12 h = (6×3 + 6×12) = 90 mm (大暴雨) → level 2.
      for (let h = 13; h <= 18; h++) await db.query('INSERT INTO readings (sensor_id, ts, value) VALUES ($1, $2, $3)', ['RG-X.rain', new Date(start.getTime() + h * hour), 12]);
      const at18 = new Date(start.getTime() + 18 * hour);
      expect((await rainStates(db, at18))[0]!.twelveHourMm).toBe(90);
      expect(await checkRain(db, at18)).toMatchObject([{ kind: 'escalate', level: 2 }]);
      expect((await active('rain-class'))[0]!.level).toBe(2);
      // Two days later nothing in the window: cleared.
      expect(await checkRain(db, new Date(start.getTime() + 48 * hour))).toMatchObject([{ kind: 'clear' }]);
      expect(await active('rain-class')).toEqual([]);
    });
  });
}
