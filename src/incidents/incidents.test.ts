// The incident store on PGlite and PostgreSQL: the hash-chained audit log (and a tampered row
// found), the overdue check with a controllable clock and two processes at once, alarm linking,
// merge, and migration 007 over incidents of the old four-state workflow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storesUnderTest } from '../../test/support/stores.ts';
import { ensureDefaultRules } from '../detect/index.ts';
import { seedDemoCity } from '../sim/index.ts';
import { migrate, openPostgres, type Db, type Queryable } from '../store/index.ts';
import {
  backfillAudit, createIncident, escalateOverdue, IncidentError, listIncidents, mergeIncident, openIncidentsForAlarms,
  transitionIncident, verifyAudit, type Actor,
} from './index.ts';

const stores = await storesUnderTest();
const T0 = new Date('2026-11-23T08:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const operator: Actor = { userId: 'u-op', name: '值班员 王', orgId: 'centre', orgKind: 'operator', roles: ['centre_operator'] };
const crew: Actor = { userId: 'u-crew', name: '抢修 李', orgId: 'gas-co', orgKind: 'owner', roles: ['field_crew'] };
const admin: Actor = { userId: 'u-admin', name: 'admin', orgId: 'centre', orgKind: 'operator', roles: ['admin'] };

async function newAlarm(db: Queryable, sensorId: string, level: number): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO alarms (sensor_id, rule_id, rule_version, level, peak_level, state, opened_at, updated_at, trigger_value, last_value)
     VALUES ($1, 'methane-lel', 1, $2, $2, 'active', $3, $3, 30, 30) RETURNING id::text AS id`,
    [sensorId, level, T0],
  );
  return row!.id;
}

describe.each(stores)('incidents on $name', (store) => {
  let db: Db;
  let url: string | null;
  let drop: () => Promise<void>;
  const report = (level: 1 | 2 | 3 | 4 = 2, minutes = 0) => db.transaction((tx) => createIncident(tx, {
    kind: 'patrol', title: 'patrol report', description: 'smell of gas', level, assetId: 'AS-01', ownerId: 'gas-co',
  }, operator, at(minutes)));
  const step = (id: string, action: Parameters<typeof transitionIncident>[2], actor: Actor, minutes: number, reason?: string) =>
    db.transaction((tx) => transitionIncident(tx, id, action, actor, { reason }, at(minutes)));

  beforeAll(async () => {
    if (!store.available) return;
    ({ db, url, drop } = await store.open());
    await migrate(db);
    await ensureDefaultRules(db);
    await seedDemoCity(db);
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it.skipIf(!store.available)('chains every transition and finds a tampered, a removed and a truncated row', async () => {
    const id = await report();
    await step(id, 'verify', operator, 1);
    await step(id, 'dispatch', operator, 2);
    await step(id, 'accept', crew, 3);
    const [incident] = await listIncidents(db, { ids: [id] });
    expect(incident!.events.map((e) => [e.seq, e.action, e.fromState, e.toState, e.actor])).toEqual([
      [1, 'open', null, 'reported', '值班员 王'], [2, 'verify', 'reported', 'verified', '值班员 王'],
      [3, 'dispatch', 'verified', 'dispatched', '值班员 王'], [4, 'accept', 'dispatched', 'accepted', '抢修 李'],
    ]);
    expect(incident!.events[2]!.payload).toMatchObject({ orgId: 'gas-co', deadline: { stage: 'accept', dueAt: at(32).toISOString() } });
    expect(await verifyAudit(db, [id])).toEqual({ ok: true, incidents: 1, entries: 4, problems: [] });

    // The product cannot change history: the trigger refuses it.
    await expect(db.query(`UPDATE incident_audit SET reason = 'x' WHERE incident_id = $1`, [id])).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(db.query(`DELETE FROM incident_audit WHERE incident_id = $1`, [id])).rejects.toThrow(/append-only: DELETE refused/);
    await expect(db.exec('TRUNCATE incident_audit')).rejects.toThrow(/append-only: TRUNCATE refused/);

    // Someone with the database's owner rights disables the trigger and rewrites a row.
    await db.exec('ALTER TABLE incident_audit DISABLE TRIGGER incident_audit_no_change');
    try {
      await db.query(`UPDATE incident_audit SET actor_name = '别人' WHERE incident_id = $1 AND seq = 3`, [id]);
      let report = await verifyAudit(db);
      expect(report.ok).toBe(false);
      expect(report.problems).toEqual([{ incidentId: id, seq: 3, problem: 'row content does not match its hash (edited)' }]);
      await db.query(`UPDATE incident_audit SET actor_name = '值班员 王' WHERE incident_id = $1 AND seq = 3`, [id]);
      expect((await verifyAudit(db, [id])).ok).toBe(true);

      await db.query(`DELETE FROM incident_audit WHERE incident_id = $1 AND seq = 4`, [id]);
      report = await verifyAudit(db, [id]);
      expect(report.problems).toEqual([{ incidentId: id, seq: null, problem: expect.stringContaining('the chain has 3') }]);
      await db.query(`DELETE FROM incident_audit WHERE incident_id = $1 AND seq = 2`, [id]);
      expect((await verifyAudit(db, [id])).problems[0]).toMatchObject({ seq: 3, problem: expect.stringContaining('a row is missing') });
    } finally {
      await db.exec('ALTER TABLE incident_audit ENABLE TRIGGER incident_audit_no_change');
    }
  });

  it.skipIf(!store.available)('refuses illegal, unauthorised and reason-less steps and changes nothing', async () => {
    const id = await report();
    const before = await db.query('SELECT state, audit_seq, due_at FROM incidents WHERE id = $1', [id]);
    await expect(step(id, 'close', operator, 1)).rejects.toMatchObject({ code: 'illegal_transition', message: expect.stringContaining("allowed: verify, reject") });
    await expect(step(id, 'verify', crew, 1)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(step(id, 'reject', operator, 1)).rejects.toMatchObject({ code: 'invalid', message: "'reject' needs a reason" });
    await expect(step(id, 'reject', operator, 1, '   ')).rejects.toBeInstanceOf(IncidentError);
    await expect(step('999999', 'verify', operator, 1)).rejects.toMatchObject({ code: 'not_found' });
    expect(await db.query('SELECT state, audit_seq, due_at FROM incidents WHERE id = $1', [id])).toEqual(before);
    await step(id, 'reject', operator, 1, 'false alarm: a painter’s solvent');
    expect((await listIncidents(db, { ids: [id] }))[0]).toMatchObject({ state: 'rejected', dueAt: null, nextActions: ['reopen'] });
  });

  it.skipIf(!store.available)('escalates an overdue stage once, on the clock it is given, also with two processes at once', async () => {
    const id = await report(1, 100);
    const [fresh] = await listIncidents(db, { ids: [id] });
    expect(fresh).toMatchObject({ dueStage: 'verify', dueAt: at(105).toISOString(), overdue: false });
    expect(await escalateOverdue(db, at(104.9))).not.toContain(id);

    let escalated: string[][];
    if (url) {
      // A second process: its own connection pool on the same database, checking at the same moment.
      const other = await openPostgres(url);
      try {
        escalated = await Promise.all([
          db.transaction((tx) => escalateOverdue(tx, at(106))), other.transaction((tx) => escalateOverdue(tx, at(106))),
          db.transaction((tx) => escalateOverdue(tx, at(106))), other.transaction((tx) => escalateOverdue(tx, at(106))),
        ]);
      } finally {
        await other.close();
      }
    } else {
      escalated = await Promise.all([1, 2, 3].map(() => db.transaction((tx) => escalateOverdue(tx, at(106)))));
    }
    expect(escalated.flat().filter((x) => x === id)).toEqual([id]);
    expect(await db.transaction((tx) => escalateOverdue(tx, at(200)))).not.toContain(id);
    const [late] = await listIncidents(db, { ids: [id] });
    expect(late).toMatchObject({ overdue: true, escalatedAt: at(106).toISOString() });
    expect(late!.events.filter((e) => e.action === 'escalate')).toEqual([expect.objectContaining({
      actor: 'system', fromState: 'reported', toState: 'reported',
      payload: { stage: 'verify', dueAt: at(105).toISOString(), escalatedTo: 'bureau_supervisor', ownerId: 'gas-co' },
    })]);
    expect((await listIncidents(db, { overdue: true })).map((i) => i.id)).toContain(id);

    // The next stage gets its own deadline and is no longer overdue; it escalates in its turn.
    await step(id, 'verify', operator, 106.5);
    expect((await listIncidents(db, { ids: [id] }))[0]).toMatchObject({ state: 'verified', dueStage: 'verify', overdue: true });
    await step(id, 'dispatch', operator, 107);
    expect((await listIncidents(db, { ids: [id] }))[0]).toMatchObject({
      state: 'dispatched', dueStage: 'accept', dueAt: at(122).toISOString(), overdue: false,
      deadlines: { verify: at(105).toISOString(), accept: at(122).toISOString() },
    });
    expect(await db.transaction((tx) => escalateOverdue(tx, at(123)))).toContain(id);
    expect((await verifyAudit(db, [id])).ok).toBe(true);
  });

  it.skipIf(!store.available)('groups alarms on one asset in one incident and opens a new one once it is closed', async () => {
    const context = () => ({ title: 'gas', assetId: 'AS-02', ownerId: 'gas-co' });
    const first = await newAlarm(db, 'GD-002.lel', 2);
    await db.transaction((tx) => openIncidentsForAlarms(tx, [{ kind: 'open', alarmId: first, sensorId: 'GD-002.lel', ruleId: 'methane-lel', level: 2 }], 2, context, T0));
    const [incident] = await db.query<{ id: string }>('SELECT incident_id::text AS id FROM incident_alarms WHERE alarm_id = $1', [first]);
    const id = incident!.id;
    await db.query(`UPDATE alarms SET state = 'cleared' WHERE id = $1`, [first]);
    const second = await newAlarm(db, 'GD-002.lel', 1);
    await db.transaction((tx) => openIncidentsForAlarms(tx, [{ kind: 'open', alarmId: second, sensorId: 'GD-002.lel', ruleId: 'methane-lel', level: 1 }], 2, context, at(1)));
    let [grouped] = await listIncidents(db, { ids: [id] });
    expect(grouped).toMatchObject({ state: 'reported', level: 1, alarmId: first, alarmIds: [first, second].sort() });
    expect(grouped!.events.at(-1)).toMatchObject({ action: 'attach_alarm', payload: { alarmId: second, level: 1 } });

    for (const [action, actor] of [['verify', operator], ['dispatch', operator], ['accept', crew], ['arrive', crew]] as const) await step(id, action, actor, 2);
    await step(id, 'dispose', crew, 3, 'valve closed, gas vented');
    await step(id, 'close', operator, 4);
    await db.query(`UPDATE alarms SET state = 'cleared' WHERE id = $1`, [second]);
    const third = await newAlarm(db, 'GD-002.lel', 2);
    await db.transaction((tx) => openIncidentsForAlarms(tx, [{ kind: 'open', alarmId: third, sensorId: 'GD-002.lel', ruleId: 'methane-lel', level: 2 }], 2, context, at(5)));
    [grouped] = await listIncidents(db, { ids: [id] });
    expect(grouped!.alarmIds).toHaveLength(2);
    const [next] = await db.query<{ incident_id: string }>('SELECT incident_id::text AS incident_id FROM incident_alarms WHERE alarm_id = $1', [third]);
    expect(next!.incident_id).not.toBe(id);
  });

  it.skipIf(!store.available)('merges a duplicate into another incident, recorded on both', async () => {
    const target = await report(2, 10);
    const duplicate = await report(3, 11);
    await expect(db.transaction((tx) => mergeIncident(tx, duplicate, target, crew, null, at(12)))).rejects.toMatchObject({ code: 'forbidden' });
    await expect(db.transaction((tx) => mergeIncident(tx, target, target, operator, null, at(12)))).rejects.toMatchObject({ code: 'invalid' });
    await db.transaction((tx) => mergeIncident(tx, duplicate, target, operator, null, at(12)));
    const [t, d] = [(await listIncidents(db, { ids: [target] }))[0]!, (await listIncidents(db, { ids: [duplicate] }))[0]!];
    expect(d).toMatchObject({ state: 'rejected', mergedInto: target, dueAt: null });
    expect(d.events.at(-1)).toMatchObject({ action: 'merge', note: `duplicate of #${target}`, payload: { into: target } });
    expect(t.events.at(-1)).toMatchObject({ action: 'merged_in', fromState: 'reported', toState: 'reported', payload: { from: duplicate } });
    await expect(db.transaction((tx) => mergeIncident(tx, target, duplicate, admin, null, at(13)))).rejects.toMatchObject({ code: 'illegal_transition' });
    expect((await verifyAudit(db, [target, duplicate])).ok).toBe(true);
  });
});

describe('migration 007 over incidents of the four-state workflow', () => {
  it('maps open → reported (or verified at level 1), keeps the rest, and chains the old history', async () => {
    const { db, drop } = await stores[0]!.open();
    try {
      await migrate(db, 6);
      // Only what an incident of that schema refers to: today's demo seeding needs later migrations.
      await db.query(`INSERT INTO organisations (id, name, kind) VALUES ('gas-co', '燃气公司', 'owner')`);
      await db.query(
        `INSERT INTO assets (id, name, network, asset_type, owner_id, geometry, min_lon, min_lat, max_lon, max_lat)
         VALUES ('AS-01', '通信井', 'gas', 'adjacent_space', 'gas-co', '{"type":"Point","coordinates":[112.24,30.33]}', 112.24, 30.33, 112.24, 30.33)`,
      );
      const ids: Record<string, string> = {};
      for (const [name, state, level] of [['red', 'open', 1], ['orange', 'open', 2], ['sent', 'dispatched', 2], ['done', 'closed', 3]] as const) {
        const [row] = await db.query<{ id: string }>(
          `INSERT INTO incidents (title, state, level, asset_id, owner_id, opened_at, updated_at) VALUES ($1, $2, $3, 'AS-01', 'gas-co', $4, $4) RETURNING id::text AS id`,
          [name, state, level, T0],
        );
        ids[name] = row!.id;
        await db.query(`INSERT INTO incident_events (incident_id, action, from_state, to_state, actor, note, at) VALUES ($1, 'open', NULL, 'open', 'system', NULL, $2)`, [row!.id, T0]);
        if (state !== 'open') {
          await db.query(`INSERT INTO incident_events (incident_id, action, from_state, to_state, actor, note, at) VALUES ($1, 'dispatch', 'open', 'dispatched', 'op', 'go', $2)`, [row!.id, at(1)]);
        }
      }
      expect(await migrate(db, 7)).toEqual([7]);
      expect(await backfillAudit(db)).toBe(4);
      expect(await backfillAudit(db)).toBe(0);
      await migrate(db); // the later migrations the listing reads
      const byId = new Map((await listIncidents(db)).map((i) => [i.id, i]));
      expect(byId.get(ids.red!)!.state).toBe('verified');
      expect(byId.get(ids.orange!)!.state).toBe('reported');
      expect(byId.get(ids.sent!)!.state).toBe('dispatched');
      expect(byId.get(ids.done!)!.state).toBe('closed');
      expect(byId.get(ids.sent!)!.events.map((e) => [e.action, e.fromState, e.toState, e.actor, e.note])).toEqual([
        ['open', null, 'reported', 'system', null], ['dispatch', 'reported', 'dispatched', 'op', 'go'],
      ]);
      expect(await verifyAudit(db)).toMatchObject({ ok: true, incidents: 4, entries: 6 });
    } finally {
      await db.close();
      await drop();
    }
  });
});
