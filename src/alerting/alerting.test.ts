// Noise control and acknowledgement on PGlite and PostgreSQL, with hand-made cases whose outcome
// is known by construction: a small water network (reservoir → pump station → valves → junctions,
// and a branch the pump station does not feed), alarms written as detection writes them, and a
// clock the test moves.
//
//   R1 ─P1─ PS1 ─P2─ J1 ─P3─ V1 ─P4─ J2 ─P5─ V2 ─P6─ J3          (x = 0 … 6)
//    └─P7─ J9                                                     (the branch, y + 1)
//
// Pressure sensors on PS1, J1, J2, J3, J9; a mains-power sensor on PS1. Area "east" covers J2 and J3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storesUnderTest } from '../../test/support/stores.ts';
import { ensureDefaultRules, type AlarmChange, type WarningLevel } from '../detect/index.ts';
import { createIncident, openIncidentsForAlarms, transitionIncident, type Actor } from '../incidents/index.ts';
import { NetworkTwin, writeModel, type NetworkModel } from '../network/index.ts';
import { migrate, type Db, type Queryable } from '../store/index.ts';
import {
  acknowledgeAlarm, alarmEvents, alertingStates, AlarmRouter, endSilence, groupAlarms, insertSilence, type Routed, type SilenceMatchers,
} from './index.ts';
import { gridPoint, gridSensor, waterGridModel, waterNode, waterPipe } from '../../test/support/water-grid.ts';

const stores = await storesUnderTest();
const T0 = new Date('2026-11-23T08:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const operator: Actor = { userId: 'centre-operator', name: '值班员', orgId: 'centre', orgKind: 'operator', roles: ['centre_operator'] };
const INCIDENT_LEVEL = 2;

const x = gridPoint;
const node = waterNode;
const pipe = waterPipe;

function model(): NetworkModel {
  const sensor = gridSensor;
  const sensors = [
    sensor('D-PS1.power', 'PS1', 'mains_power', x(1)), sensor('D-PS1.p', 'PS1', 'water_pressure', x(1)),
    sensor('D-J1.p', 'J1', 'water_pressure', x(2)), sensor('D-J2.p', 'J2', 'water_pressure', x(4)),
    sensor('D-J3.p', 'J3', 'water_pressure', x(6)), sensor('D-J9.p', 'J9', 'water_pressure', x(1, 1)),
  ];
  return waterGridModel([
    node('R1', 'reservoir', 0), node('PS1', 'pump_station', 1), node('J1', 'junction', 2), node('V1', 'valve', 3), node('J2', 'junction', 4),
    node('V2', 'valve', 5), node('J3', 'junction', 6), node('J9', 'junction', 1, 1),
    pipe('P1', 'R1', 'PS1', x(0), x(1)), pipe('P2', 'PS1', 'J1', x(1), x(2)), pipe('P3', 'J1', 'V1', x(2), x(3)), pipe('P4', 'V1', 'J2', x(3), x(4)),
    pipe('P5', 'J2', 'V2', x(4), x(5)), pipe('P6', 'V2', 'J3', x(5), x(6)), pipe('P7', 'R1', 'J9', x(0), x(1, 1)),
  ], sensors, {
    extraOwners: [{ id: 'gas-co', name: '燃气', kind: 'owner' }],
    areas: [{
      id: 'east', name: 'east', kind: 'district', parentId: null, attributes: {},
      geometry: { type: 'Polygon', coordinates: [[[112.0035, 29.999], [112.0065, 29.999], [112.0065, 30.0005], [112.0035, 30.0005], [112.0035, 29.999]]] },
    }],
  });
}

describe.each(stores)('alerting on $name', (store) => {
  let db: Db;
  let drop: () => Promise<void>;
  let router: AlarmRouter;

  /** Opens an alarm as detection does (row + timeline) and returns its change. */
  const open = async (sensorId: string, ruleId: string, level: WarningLevel, minutes: number): Promise<AlarmChange> => {
    const [row] = await db.query<{ id: string }>(
      `INSERT INTO alarms (sensor_id, rule_id, rule_version, level, peak_level, state, opened_at, updated_at, trigger_value, last_value, category)
       VALUES ($1, $2, 1, $3, $3, 'active', $4, $4, 0.12, 0.12, $5) RETURNING id::text AS id`,
      [sensorId, ruleId, level, at(minutes), ruleId === 'offline' ? 'maintenance' : 'emergency'],
    );
    await db.query(`INSERT INTO alarm_events (alarm_id, kind, level, value, at) VALUES ($1, 'open', $2, 0.12, $3)`, [row!.id, level, at(minutes)]);
    return { kind: 'open', alarmId: row!.id, sensorId, ruleId, level };
  };
  const clear = async (change: AlarmChange, minutes: number): Promise<AlarmChange> => {
    await db.query(`UPDATE alarms SET state = 'cleared', cleared_at = $2, updated_at = $2 WHERE id = $1`, [change.alarmId, at(minutes)]);
    await db.query(`INSERT INTO alarm_events (alarm_id, kind, level, value, at) VALUES ($1, 'clear', $2, 0.3, $3)`, [change.alarmId, change.level, at(minutes)]);
    return { ...change, kind: 'clear' };
  };
  const escalate = async (change: AlarmChange, level: WarningLevel, minutes: number): Promise<AlarmChange> => {
    await db.query('UPDATE alarms SET level = $2, peak_level = LEAST(peak_level, $2), updated_at = $3 WHERE id = $1', [change.alarmId, level, at(minutes)]);
    await db.query(`INSERT INTO alarm_events (alarm_id, kind, level, value, at) VALUES ($1, 'escalate', $2, 0.05, $3)`, [change.alarmId, level, at(minutes)]);
    return { ...change, kind: 'escalate', level };
  };
  /** What the ingest pipeline does: route inside the transaction, then open incidents for what is handled. */
  const route = (changes: AlarmChange[], minutes: number): Promise<Routed> => db.transaction(async (tx) => {
    const routed = await router.route(tx, changes, at(minutes));
    await openIncidentsForAlarms(tx, routed.handled, INCIDENT_LEVEL, context, at(minutes));
    return routed;
  });
  /** What the platform's 5 s timer does: re-decide when something may have changed since its last check. */
  const reconcile = (minutes: number) => db.transaction((tx) => router.reconcileIfDue(tx, at(minutes)));
  const muteOf = async (id: string) => (await alertingStates(db, [id])).get(id)!.muted;
  const incidentOf = async (id: string) => (await db.query<{ id: string }>('SELECT incident_id::text AS id FROM incident_alarms WHERE alarm_id = $1', [id]))[0]?.id ?? null;
  const silence = (matchers: SilenceMatchers, from: number, to: number, orgId: string | null = null) =>
    db.transaction((tx) => insertSilence(tx, { kind: 'maintenance', matchers, reason: 'pump overhaul', createdBy: 'centre-operator', orgId, startsAt: at(from), endsAt: at(to) }, at(from)));
  /** Clears every active alarm and ends every silence, so cases do not see each other. */
  const reset = async () => {
    await db.query(`UPDATE alarms SET state = 'cleared', cleared_at = opened_at WHERE state = 'active'`);
    await db.query(`UPDATE silences SET ended_at = starts_at WHERE ended_at IS NULL`);
    await db.query(`UPDATE incidents SET state = 'closed' WHERE state <> 'closed'`);
  };
  let sensorAsset: Map<string, string>;
  const context = (change: AlarmChange) => ({ title: `${change.sensorId} ${change.ruleId}`, assetId: sensorAsset.get(change.sensorId)!, ownerId: 'water-co' });

  beforeAll(async () => {
    if (!store.available) return;
    ({ db, drop } = await store.open());
    await migrate(db);
    await ensureDefaultRules(db);
    await writeModel(db, model(), { mode: 'upsert', source: 'test', format: 'test', rejected: 0, findings: 0 });
    sensorAsset = new Map(model().sensors.map((s) => [s.id, s.assetId]));
    router = new AlarmRouter({ twin: (q) => NetworkTwin.load(q), incidentLevel: INCIDENT_LEVEL, context });
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it.skipIf(!store.available)('a silence mutes a matching alarm (no incident, no notice); when it expires the alarm un-mutes and opens its incident', async () => {
    await reset();
    const s = await silence({ sensorId: 'D-J1.p' }, 0, 60);
    const j1 = await open('D-J1.p', 'water-pressure-low', 2, 5);
    const j9 = await open('D-J9.p', 'water-pressure-low', 2, 5);
    const routed = await route([j1, j9], 5);
    expect(await muteOf(j1.alarmId)).toEqual({ by: 'silence', ref: s.id, reason: 'pump overhaul' });
    expect(await muteOf(j9.alarmId)).toBeNull();
    expect(routed.handled.map((c) => c.alarmId)).toEqual([j9.alarmId]);
    expect(routed.notices).toEqual([{ alarmId: j9.alarmId, reason: 'raised' }]);
    expect(await incidentOf(j1.alarmId)).toBeNull();
    expect(await incidentOf(j9.alarmId)).not.toBeNull();

    // Still in force at 59 min: nothing changes. Expired at 60 min: un-muted and handled.
    expect((await reconcile(59)).alarmIds).toEqual([]);
    const later = await reconcile(60);
    expect(later.alarmIds).toEqual([j1.alarmId]);
    expect(later.notices).toEqual([{ alarmId: j1.alarmId, reason: 'unmuted' }]);
    expect(await muteOf(j1.alarmId)).toBeNull();
    expect(await incidentOf(j1.alarmId)).not.toBeNull();
    expect((await alarmEvents(db, j1.alarmId)).map((e) => e.kind)).toEqual(['open', 'mute', 'unmute']);
  });

  it.skipIf(!store.available)('a silence created, or ended early, while an alarm is active mutes and un-mutes it; matchers by area and owner unit', async () => {
    await reset();
    const j1 = await open('D-J1.p', 'water-pressure-low', 3, 100);
    const j2 = await open('D-J2.p', 'water-pressure-low', 3, 100);
    const j3 = await open('D-J3.p', 'water-pressure-low', 3, 100);
    await route([j1, j2, j3], 100);
    const east = await silence({ areaId: 'east', ruleId: 'water-pressure-low' }, 101, 200);
    await silence({ network: 'water' }, 101, 200, 'gas-co'); // another unit's silence never reaches water-co's alarms
    expect((await reconcile(101)).alarmIds.sort()).toEqual([j2.alarmId, j3.alarmId].sort());
    expect(await muteOf(j1.alarmId)).toBeNull();
    expect((await muteOf(j3.alarmId))?.ref).toBe(east.id);
    await db.transaction((tx) => endSilence(tx, east.id, 'centre-operator', null, at(110)));
    const after = await reconcile(110);
    expect(after.alarmIds.sort()).toEqual([j2.alarmId, j3.alarmId].sort());
    expect(await muteOf(j2.alarmId)).toBeNull();
  });

  it.skipIf(!store.available)('a pump station power loss mutes the offline alarms of its own and downstream sensors, not of the branch it does not feed', async () => {
    await reset();
    const power = await open('D-PS1.power', 'power-loss', 3, 200);
    const offline = await Promise.all(['D-PS1.p', 'D-J1.p', 'D-J2.p', 'D-J3.p', 'D-J9.p'].map((s) => open(s, 'offline', 4, 200)));
    const routed = await route([power, ...offline], 200);
    const mutes = await alertingStates(db, offline.map((o) => o.alarmId));
    const ref = `pump-station-power-loss:alarm:${power.alarmId}`;
    expect(offline.map((o) => mutes.get(o.alarmId)!.muted?.ref ?? null)).toEqual([ref, ref, ref, ref, null]);
    expect(await muteOf(power.alarmId)).toBeNull();
    expect(routed.notices.map((n) => n.alarmId).sort()).toEqual([power.alarmId, offline[4]!.alarmId].sort());
    // Power back: the sensors still silent are handled normally again (offline is level 4: no incident).
    const back = await route([await clear(power, 210)], 210);
    expect(back.handled.map((c) => c.alarmId).sort()).toEqual([power.alarmId, ...offline.slice(0, 4).map((o) => o.alarmId)].sort());
    expect(back.notices.filter((n) => n.reason === 'unmuted')).toHaveLength(4);
    // Re-raised in their own category: an offline alarm stays a maintenance matter.
    expect(back.handled.filter((c) => c.ruleId === 'offline').map((c) => (c as { category?: string }).category)).toEqual(Array(4).fill('maintenance'));
    expect(await muteOf(offline[0]!.alarmId)).toBeNull();
  });

  it.skipIf(!store.available)('a power loss reported after the sensors went offline mutes them then', async () => {
    await reset();
    const j1 = await open('D-J1.p', 'offline', 4, 300);
    await route([j1], 300);
    expect(await muteOf(j1.alarmId)).toBeNull();
    const power = await open('D-PS1.power', 'power-loss', 3, 302);
    const routed = await route([power], 302);
    expect(routed.alarmIds.sort()).toEqual([power.alarmId, j1.alarmId].sort());
    expect((await muteOf(j1.alarmId))?.by).toBe('inhibition');
  });

  it.skipIf(!store.available)('a confirmed pipe burst mutes low-pressure alarms in its isolation segment and downstream, not upstream; unconfirmed it mutes nothing', async () => {
    await reset();
    const burst = await db.transaction((tx) => createIncident(tx, { kind: 'patrol', title: 'P4 爆管', level: 1, assetId: 'P4', ownerId: 'water-co' }, operator, at(400)));
    const [j1, j2, j3] = await Promise.all(['D-J1.p', 'D-J2.p', 'D-J3.p'].map((s) => open(s, 'water-pressure-low', 2, 401)));
    await route([j1!, j2!, j3!], 401);
    expect(await muteOf(j2!.alarmId)).toBeNull(); // reported, not yet verified
    await db.transaction((tx) => transitionIncident(tx, burst, 'verify', operator, {}, at(402)));
    await reconcile(402);
    const ref = `pipe-burst-low-pressure:incident:${burst}`;
    expect([await muteOf(j1!.alarmId), (await muteOf(j2!.alarmId))?.ref, (await muteOf(j3!.alarmId))?.ref]).toEqual([null, ref, ref]);
    // A new low-pressure alarm inside the segment opens muted: no incident of its own.
    await db.query(`UPDATE alarms SET state = 'cleared', cleared_at = $2 WHERE id = $1`, [j3!.alarmId, at(403)]);
    const again = await open('D-J3.p', 'water-pressure-low', 1, 404);
    const routed = await route([again], 404);
    expect(routed.handled).toEqual([]);
    expect(await incidentOf(again.alarmId)).toBeNull();
    // Closed: the inhibition lifts and the standing alarm opens its incident.
    await db.query(`UPDATE incidents SET state = 'closed', updated_at = $2 WHERE id = $1`, [burst, at(419)]);
    const lifted = await reconcile(420);
    expect(lifted.alarmIds.sort()).toEqual([j2!.alarmId, again.alarmId].sort());
    expect(await incidentOf(again.alarmId)).not.toBeNull();
  });

  it.skipIf(!store.available)('an alarm opening a 5th time within 30 minutes is flapping: notified once, muted, and stands after a whole window', async () => {
    await reset();
    const reasons: string[][] = [];
    let last: AlarmChange | null = null;
    // Opens at 500, 505, 510, 515, 520, 525 (each cleared 2 min later except the last).
    for (let i = 0; i < 6; i++) {
      const change = await open('D-J9.p', 'water-pressure-low', 3, 500 + i * 5);
      const routed = await route([change], 500 + i * 5);
      reasons.push(routed.notices.map((n) => n.reason));
      last = change;
      if (i < 5) await route([await clear(change, 502 + i * 5)], 502 + i * 5);
    }
    expect(reasons).toEqual([['raised'], ['raised'], ['raised'], ['raised'], ['flapping'], []]);
    expect(await muteOf(last!.alarmId)).toMatchObject({ by: 'flapping', ref: 'D-J9.p/water-pressure-low' });
    expect((await alertingStates(db, [last!.alarmId])).get(last!.alarmId)!.flapping).toBe(true);
    // Active since 525: at 554 still muted, at 555 (a whole window) it stands and is handled.
    expect((await reconcile(554)).alarmIds).toEqual([]);
    expect((await reconcile(555)).notices).toEqual([{ alarmId: last!.alarmId, reason: 'unmuted' }]);
    // Calm for a window: the next opening is an ordinary one.
    await route([await clear(last!, 560)], 560);
    const calm = await open('D-J9.p', 'water-pressure-low', 3, 600);
    expect((await route([calm], 600)).notices).toEqual([{ alarmId: calm.alarmId, reason: 'raised' }]);
    expect((await alertingStates(db, [calm.alarmId])).get(calm.alarmId)!.flapping).toBe(false);
  });

  it.skipIf(!store.available)('acknowledgement: with user and comment in the timeline, once, reset by an escalation; cleared alarms too', async () => {
    await reset();
    const j1 = await open('D-J1.p', 'water-pressure-low', 3, 700);
    await route([j1], 700);
    const ack = (minutes: number, comment: string) => db.transaction((tx) => acknowledgeAlarm(tx, j1.alarmId, 'centre-operator', comment, at(minutes)));
    expect(await ack(701, '已通知水务巡检')).toEqual({ ok: true });
    expect((await ack(702, 'again')).ok).toBe(false);
    expect((await alertingStates(db, [j1.alarmId])).get(j1.alarmId)!.ack).toEqual({ by: 'centre-operator', at: at(701).toISOString(), comment: '已通知水务巡检' });
    const routed = await route([await escalate(j1, 1, 703)], 703);
    expect(routed.alarmIds).toEqual([j1.alarmId]);
    expect((await alertingStates(db, [j1.alarmId])).get(j1.alarmId)!.ack).toBeNull();
    await route([await clear(j1, 704)], 704);
    expect(await ack(705, '压力已恢复')).toEqual({ ok: true });
    // The condition comes back and the episode re-opens: a new activation, acknowledged anew.
    await db.query(`UPDATE alarms SET state = 'active', cleared_at = NULL WHERE id = $1`, [j1.alarmId]);
    await db.query(`INSERT INTO alarm_events (alarm_id, kind, level, value, at) VALUES ($1, 'reopen', 1, 0.05, $2)`, [j1.alarmId, at(706)]);
    await route([{ ...j1, kind: 'reopen', level: 1 }], 706);
    expect((await alertingStates(db, [j1.alarmId])).get(j1.alarmId)!.ack).toBeNull();
    const events = await alarmEvents(db, j1.alarmId);
    expect(events.map((e) => [e.kind, e.actor, e.note])).toEqual([
      ['open', null, null], ['ack', 'centre-operator', '已通知水务巡检'], ['escalate', null, null],
      ['unack', 'system', 'escalated to level 1: acknowledge again'], ['clear', null, null], ['ack', 'centre-operator', '压力已恢复'],
      ['reopen', null, null], ['unack', 'system', 're-opened: acknowledge again'],
    ]);
    expect(await db.transaction((tx) => acknowledgeAlarm(tx, '999999', 'centre-operator', 'x', at(707)))).toMatchObject({ ok: false, reason: 'not_found' });
  });
});

describe('grouping', () => {
  it('groups by asset, area and network, most severe group first; muted members do not set the level', () => {
    const alarm = (id: string, level: WarningLevel, assetId: string, areaId: string | null, muted = false) => ({ id, level, assetId, network: 'water', areaId, muted });
    const alarms = [alarm('1', 3, 'J1', 'west'), alarm('2', 1, 'J2', 'east', true), alarm('3', 2, 'J2', 'east'), alarm('4', 4, 'J3', null)];
    expect(groupAlarms(alarms, 'asset', (a) => a).map((g) => [g.key, g.level, g.muted, g.members.map((m) => m.id)])).toEqual([
      ['J2', 2, 1, ['2', '3']], ['J1', 3, 0, ['1']], ['J3', 4, 0, ['4']],
    ]);
    expect(groupAlarms(alarms, 'area', (a) => a).map((g) => g.key)).toEqual(['east', 'west', 'none']);
    expect(groupAlarms(alarms, 'network', (a) => a)).toMatchObject([{ key: 'water', level: 2, muted: 1 }]);
  });
});
