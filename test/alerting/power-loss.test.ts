// The catalogue's power-loss rule and the pump-station inhibition, end to end on both stores: a
// pump station's mains-power relay reports 0 through the ingest pipeline, the default rule
// (src/detect/catalogue.ts, no rule of the test's own) opens the power-loss alarm, the offline
// check later finds the station's and downstream sensors silent and their offline alarms are
// muted by it, the sensor on a branch the station does not feed is not; power back, they count again.
//
//   R1 ─P1─ PS1 ─P2─ J1          mains power and pressure on PS1, pressure on J1
//    └─P7─ J9                    pressure on J9 (not fed by PS1)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertingStates, AlarmRouter } from '../../src/alerting/index.ts';
import { ensureDefaultRules, loadRuleBook, openOfflineAlarms, type AlarmChange, type RuleBook } from '../../src/detect/index.ts';
import { IngestPipeline } from '../../src/ingest/index.ts';
import { NetworkTwin, SensorRegistry, writeModel, type NetworkModel } from '../../src/network/index.ts';
import { migrate, PartitionKeeper, type Db } from '../../src/store/index.ts';
import { storesUnderTest } from '../support/stores.ts';
import { gridPoint, gridSensor, waterGridModel, waterNode, waterPipe } from '../support/water-grid.ts';

const stores = await storesUnderTest();
const T0 = Date.now() - 3_600_000;
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const x = gridPoint;
const node = waterNode;
const pipe = waterPipe;

function model(): NetworkModel {
  const sensor = gridSensor;
  const sensors = [
    sensor('D-PS1.power', 'PS1', 'mains_power', x(1)), sensor('D-PS1.p', 'PS1', 'water_pressure', x(1)),
    sensor('D-J1.p', 'J1', 'water_pressure', x(2)), sensor('D-J9.p', 'J9', 'water_pressure', x(1, 1)),
  ];
  return waterGridModel([
    node('R1', 'reservoir', 0), node('PS1', 'pump_station', 1), node('J1', 'junction', 2), node('J9', 'junction', 1, 1),
    pipe('P1', 'R1', 'PS1', x(0), x(1)), pipe('P2', 'PS1', 'J1', x(1), x(2)), pipe('P7', 'R1', 'J9', x(0), x(1, 1)),
  ], sensors);
}

describe.each(stores)('pump station power loss, end to end: $name', (store) => {
  let db: Db;
  let drop: () => Promise<void>;
  let now = at(0);
  let router: AlarmRouter;
  let pipeline: IngestPipeline;
  let rules: RuleBook;
  const handled: AlarmChange[] = [];

  const report = (device: string, minutes: number, values: Record<string, number>) => {
    now = at(minutes);
    return pipeline.submit({ source: `test:${device}`, deviceId: device, receivedAt: now, payload: JSON.stringify({ ts: now.toISOString(), values }) });
  };
  const muteRef = async (sensorId: string, ruleId: string) => {
    const [alarm] = await db.query<{ id: string }>(`SELECT id::text AS id FROM alarms WHERE sensor_id = $1 AND rule_id = $2 AND state = 'active'`, [sensorId, ruleId]);
    return alarm ? ((await alertingStates(db, [alarm.id])).get(alarm.id)!.muted?.ref ?? null) : 'no active alarm';
  };

  beforeAll(async () => {
    if (!store.available) return;
    ({ db, drop } = await store.open());
    await migrate(db);
    await ensureDefaultRules(db);
    await writeModel(db, model(), { mode: 'upsert', source: 'test', format: 'test', rejected: 0, findings: 0 });
    const sensors = new SensorRegistry();
    await sensors.load(db);
    rules = await loadRuleBook(db);
    router = new AlarmRouter({
      twin: (q) => NetworkTwin.load(q), incidentLevel: 2,
      context: (change) => ({ title: `${change.sensorId} ${change.ruleId}`, assetId: sensors.get(change.sensorId)!.assetId, ownerId: 'water-co' }),
    });
    pipeline = new IngestPipeline({
      db, sensors, rules: () => rules, partitions: new PartitionKeeper(db), incidentLevel: 2, alerting: router, clock: () => now,
      onCommitted: (_fresh, _changes, routed) => void handled.push(...(routed?.handled ?? [])),
    });
  });
  afterAll(async () => {
    if (!store.available) return;
    await db.close();
    await drop();
  });

  it.skipIf(!store.available)('the default power-loss rule fires on the relay\'s 0 and mutes the offline alarms of the station and downstream', async () => {
    expect(rules.rule('power-loss')).toMatchObject({ indicator: 'mains_power', direction: 'below', thresholds: { 2: 0.5 } });
    await Promise.all([
      report('D-PS1', 0, { power: 1, p: 0.3 }), report('D-J1', 0, { p: 0.3 }), report('D-J9', 0, { p: 0.3 }),
    ]);
    expect(handled).toEqual([]);
    // The mains fail; the station's RTU, on its UPS, reports it and then keeps reporting 0.
    await report('D-PS1', 1, { power: 0 });
    expect(handled.map((c) => [c.kind, c.sensorId, c.ruleId, c.level])).toEqual([['open', 'D-PS1.power', 'power-loss', 2]]);
    const powerAlarm = handled[0]!.alarmId;
    await report('D-PS1', 19, { power: 0 });

    // 20 min: every pressure sensor has been silent for more than 3 × 5 min.
    const routed = await db.transaction(async (tx) => router.route(tx, await openOfflineAlarms(tx, at(20)), at(20)));
    const ref = `pump-station-power-loss:alarm:${powerAlarm}`;
    expect(await muteRef('D-PS1.p', 'offline')).toBe(ref);
    expect(await muteRef('D-J1.p', 'offline')).toBe(ref);
    expect(await muteRef('D-J9.p', 'offline')).toBeNull();
    expect(routed.handled.map((c) => c.sensorId)).toEqual(['D-J9.p']);
    expect(await muteRef('D-PS1.power', 'power-loss')).toBeNull();

    // Mains back: the power-loss alarm clears and the sensors still silent count again.
    handled.length = 0;
    await report('D-PS1', 21, { power: 1 });
    expect(handled.filter((c) => c.ruleId === 'power-loss').map((c) => c.kind)).toEqual(['clear']);
    expect(handled.filter((c) => c.ruleId === 'offline').map((c) => c.sensorId).sort()).toEqual(['D-J1.p', 'D-PS1.p']);
    expect(await muteRef('D-J1.p', 'offline')).toBeNull();
  });
});
