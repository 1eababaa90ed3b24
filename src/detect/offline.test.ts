// Offline detection against both stores, including the race between a reading that commits
// and the offline check that finds the sensor silent at the same moment.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoCity } from '../sim/seed.ts';
import { migrate, type Db } from '../store/index.ts';
import { clearOfflineAlarms, OFFLINE_LEVEL, OFFLINE_RULE_ID, openOfflineAlarms } from './offline.ts';
import { storesUnderTest } from '../../test/support/stores.ts';

const T = new Date('2026-11-23T00:00:00Z');
const after = (seconds: number) => new Date(T.getTime() + seconds * 1000);

const stores = await storesUnderTest();

describe.each(stores)('offline detection: $name', (store) => {
  let db: Db;
  let url: string | null;
  let drop: () => Promise<void>;

  const setLatest = (sensorId: string, ts: Date) =>
    db.query(`INSERT INTO latest_readings (sensor_id, ts, value) VALUES ($1, $2, 1)
              ON CONFLICT (sensor_id) DO UPDATE SET ts = EXCLUDED.ts`, [sensorId, ts]);
  const activeOffline = async () =>
    (await db.query<{ sensor_id: string }>(`SELECT sensor_id FROM alarms WHERE rule_id = $1 AND state = 'active' ORDER BY sensor_id`, [OFFLINE_RULE_ID]))
      .map((r) => r.sensor_id);

  beforeAll(async () => {
    if (!store.available) return;
    ({ db, url, drop } = await store.open());
    await migrate(db);
    await seedDemoCity(db);
  });
  afterAll(async () => {
    if (!store.available) return;
    await db.close();
    await drop();
  });

  it.skipIf(!store.available)('raises an alarm after three missed intervals, once, and never for sensors that never reported', async () => {
    await setLatest('GD-001.lel', T); // gas detector: 60 s interval → offline after 180 s
    await setLatest('DL-001.level', T); // drainage level: 900 s interval → offline after 2700 s
    expect(await db.transaction((tx) => openOfflineAlarms(tx, after(179)))).toEqual([]);
    const opened = await db.transaction((tx) => openOfflineAlarms(tx, after(181)));
    expect(opened).toEqual([{ kind: 'open', alarmId: expect.any(String), sensorId: 'GD-001.lel', ruleId: OFFLINE_RULE_ID, level: OFFLINE_LEVEL, category: 'maintenance', ruleKind: 'offline', assetId: null }]);
    expect(await db.transaction((tx) => openOfflineAlarms(tx, after(500)))).toEqual([]);
    const [alarm] = await db.query<{ level: number; last_value: number }>(`SELECT level, last_value FROM alarms WHERE id = $1`, [opened[0]!.alarmId]);
    expect(alarm).toEqual({ level: 4, last_value: 181 });
    expect(await activeOffline()).toEqual(['GD-001.lel']);
  });

  it.skipIf(!store.available)('honours a sensor’s own interval and threshold', async () => {
    await db.query(`UPDATE sensors SET offline_after_s = 30 WHERE id = 'WP-001.p'`);
    await db.query(`UPDATE sensors SET expected_interval_s = 10 WHERE id = 'WP-002.p'`);
    await setLatest('WP-001.p', T);
    await setLatest('WP-002.p', T);
    const opened = await db.transaction((tx) => openOfflineAlarms(tx, after(31)));
    expect(opened.map((c) => c.sensorId)).toEqual(['WP-001.p', 'WP-002.p']);
  });

  it.skipIf(!store.available)('clears when the sensor reports again', async () => {
    const cleared = await db.transaction((tx) => clearOfflineAlarms(tx, ['GD-001.lel', 'GD-002.lel'], after(600)));
    expect(cleared.map((c) => [c.kind, c.sensorId])).toEqual([['clear', 'GD-001.lel']]);
    expect(await activeOffline()).toEqual(['WP-001.p', 'WP-002.p']);
    const [event] = await db.query<{ kind: string }>(`SELECT kind FROM alarm_events WHERE alarm_id = $1 ORDER BY id DESC LIMIT 1`, [cleared[0]!.alarmId]);
    expect(event!.kind).toBe('clear');
  });

  // Only PostgreSQL has concurrent transactions: PGlite runs one at a time, so there is no race to lose.
  if (store.name === 'PostgreSQL') it.skipIf(!store.available)('does not mark a sensor offline whose reading commits while the check runs', async () => {
    await setLatest('GP-001.p', T);
    // A reading's transaction holds the latest-value row...
    const reading = new pg.Client({ connectionString: url! });
    await reading.connect();
    await reading.query('BEGIN');
    await reading.query(`UPDATE latest_readings SET ts = $1 WHERE sensor_id = 'GP-001.p'`, [after(1000)]);
    // ...while the offline check finds the sensor silent by the old value and has to wait for it.
    const check = db.transaction((tx) => openOfflineAlarms(tx, after(1001)));
    await new Promise((r) => setTimeout(r, 300));
    await reading.query('COMMIT');
    await reading.end();
    const opened = await check;
    expect(opened.map((c) => c.sensorId)).not.toContain('GP-001.p');
    expect(await activeOffline()).not.toContain('GP-001.p');
  });
});
