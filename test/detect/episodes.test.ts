// Alarm episodes through the real detect() on both stores: the timeline (open, escalate,
// de-escalate, clear), the re-open policy and occurrence counting, state carried across batches,
// composite rules on the demo city's topology, sensor faults routed to maintenance, and exactly
// one open episode per (sensor, rule) and per (asset, rule) under concurrent writers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmTimeline, DEFAULT_RULES, detect, ensureDefaultRules, RuleBook, type AlarmChange, type SensorReading } from '../../src/detect/index.ts';
import { seedDemoCity } from '../../src/sim/seed.ts';
import { migrate, PartitionKeeper, type Db } from '../../src/store/index.ts';
import { storesUnderTest } from '../support/stores.ts';

const T0 = Date.parse('2026-11-23T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const INDICATOR: Record<string, string> = {
  'GD-001.lel': 'methane_lel', 'GD-003.lel': 'methane_lel', 'GD-002.lel': 'methane_lel', 'GP-001.p': 'gas_pressure',
  'WP-001.p': 'water_pressure', 'WP-002.p': 'water_pressure', 'WF-001.q': 'water_flow',
  'DL-001.level': 'drain_level', 'RG-001.rain': 'rainfall', 'DF-T01.q': 'drain_flow',
};

const stores = await storesUnderTest();

describe.each(stores)('alarm episodes: $name', (store) => {
  let db: Db;
  let drop: () => Promise<void>;
  let book: RuleBook;
  let partitions: PartitionKeeper;

  /** Stores readings, as the pipeline does, and runs detect() over them in the same transaction. */
  const ingest = async (rows: [sensorId: string, seconds: number, value: number][], target: Db = db, rules: RuleBook = book): Promise<AlarmChange[]> => {
    const readings: SensorReading[] = rows.map(([sensorId, s, value]) => ({ sensorId, indicator: INDICATOR[sensorId]!, ts: at(s), value }));
    await partitions.ensure(readings.map((r) => r.ts));
    return target.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO readings (sensor_id, ts, value) SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::float8[]) ON CONFLICT DO NOTHING`,
        [readings.map((r) => r.sensorId), readings.map((r) => r.ts), readings.map((r) => r.value)],
      );
      return detect(tx, rules, readings);
    });
  };
  const summary = (changes: AlarmChange[]) => changes.map((c) => [c.kind, c.sensorId, c.ruleId, c.level]);
  /** The changes of one rule (a fast fall also fires the rate rule, in an episode of its own). */
  const low = (changes: AlarmChange[]) => summary(changes.filter((c) => c.ruleId === 'water-pressure-low'));
  const alarmsOf = (sensorId: string, ruleId: string) =>
    db.query<{ id: string; state: string; level: number; peak_level: number; occurrences: number; category: string; asset_id: string | null; rule_version: number }>(
      `SELECT id::text AS id, state, level, peak_level, occurrences, category, asset_id, rule_version FROM alarms WHERE sensor_id = $1 AND rule_id = $2 ORDER BY id`,
      [sensorId, ruleId],
    );

  beforeAll(async () => {
    if (!store.available) return;
    ({ db, drop } = await store.open());
    await migrate(db);
    await ensureDefaultRules(db);
    await seedDemoCity(db);
    // A second combustible-gas detector in the same telecom manhole as GD-001.
    await db.query(`INSERT INTO devices (id, name) VALUES ('GD-003', 'GD-003')`);
    await db.query(`INSERT INTO sensors (id, device_id, channel, asset_id, name, indicator, unit, lon, lat)
                    VALUES ('GD-003.lel', 'GD-003', 'lel', 'AS-01', 'GD-003', 'methane_lel', '%LEL', 112.2395, 30.3365)`);
    // A flow meter on storm pipe DP01 (the demo's rain gauge RG-001 is the nearest to it and to DN02).
    await db.query(`INSERT INTO devices (id, name) VALUES ('DF-T01', 'DF-T01')`);
    await db.query(`INSERT INTO sensors (id, device_id, channel, asset_id, name, indicator, unit, lon, lat)
                    VALUES ('DF-T01.q', 'DF-T01', 'q', 'DP01', 'DF-T01', 'drain_flow', 'm³/h', 112.2282, 30.339)`);
    partitions = new PartitionKeeper(db);
    book = new RuleBook(DEFAULT_RULES); // learns where the sensors sit on its first batch
  });
  afterAll(async () => {
    if (!store.available) return;
    await db.close();
    await drop();
  });

  it.skipIf(!store.available)('records open, escalate, de-escalate and clear in one episode', async () => {
    // water-pressure-low: level 4 ≤ 0.20, level 2 ≤ 0.14, recovery 0.22; de-escalation after 300 s.
    expect(low(await ingest([['WP-002.p', 0, 0.25], ['WP-002.p', 60, 0.19]]))).toEqual([['open', 'WP-002.p', 'water-pressure-low', 4]]);
    expect(low(await ingest([['WP-002.p', 120, 0.13]]))).toEqual([['escalate', 'WP-002.p', 'water-pressure-low', 2]]);
    // Back at level 4 from 180 s: the episode de-escalates once that has held 300 s (batch at 480 s).
    expect(low(await ingest([['WP-002.p', 180, 0.19], ['WP-002.p', 300, 0.19]]))).toEqual([]);
    expect(low(await ingest([['WP-002.p', 480, 0.19]]))).toEqual([['deescalate', 'WP-002.p', 'water-pressure-low', 4]]);
    expect(low(await ingest([['WP-002.p', 540, 0.25]]))).toEqual([['clear', 'WP-002.p', 'water-pressure-low', 4]]);
    const [alarm] = await alarmsOf('WP-002.p', 'water-pressure-low');
    expect(alarm).toMatchObject({ state: 'cleared', level: 4, peak_level: 2, occurrences: 1, category: 'emergency', rule_version: 1 });
    expect((await alarmTimeline(db, alarm!.id)).map((e) => [e.kind, e.level, e.value])).toEqual([
      ['open', 4, 0.19], ['escalate', 2, 0.13], ['deescalate', 4, 0.19], ['clear', 4, 0.25],
    ]);
  });

  it.skipIf(!store.available)('re-opens a cleared episode when the condition returns within 30 min, opens a new one after', async () => {
    // Cleared at 540 s; back at 540 + 1200 s (20 min): the same episode, second occurrence.
    const reopened = await ingest([['WP-002.p', 1740, 0.19]]);
    expect(low(reopened)).toEqual([['reopen', 'WP-002.p', 'water-pressure-low', 4]]);
    const [first] = await alarmsOf('WP-002.p', 'water-pressure-low');
    expect(reopened.find((c) => c.ruleId === 'water-pressure-low')!.alarmId).toBe(first!.id);
    expect(first).toMatchObject({ state: 'active', occurrences: 2 });
    expect((await alarmTimeline(db, first!.id)).map((e) => e.kind)).toEqual(['open', 'escalate', 'deescalate', 'clear', 'reopen']);
    // Cleared at 1800 s; back 31 min later: a new episode.
    await ingest([['WP-002.p', 1800, 0.3]]);
    const fresh = await ingest([['WP-002.p', 1800 + 31 * 60, 0.19]]);
    expect(low(fresh)).toEqual([['open', 'WP-002.p', 'water-pressure-low', 4]]);
    expect((await alarmsOf('WP-002.p', 'water-pressure-low')).map((a) => [a.state, a.occurrences])).toEqual([['cleared', 2], ['active', 1]]);
  });

  it.skipIf(!store.available)('carries a rate rule\'s window from one batch to the next', async () => {
    // gas-pressure-drop: fall ≥ 0.05 MPa within 10 min → level 3. Each reading in a batch of its own.
    await ingest([['GP-001.p', 0, 0.38]]);
    await ingest([['GP-001.p', 60, 0.37]]);
    expect(summary(await ingest([['GP-001.p', 120, 0.32]]))).toEqual([['open', 'GP-001.p', 'gas-pressure-drop', 3]]);
  });

  it.skipIf(!store.available)('routes an impossible value to maintenance and keeps it out of the emergency rules', async () => {
    const changes = await ingest([['GD-002.lel', 0, 250]]);
    expect(changes.map((c) => [c.kind, c.ruleId, c.level, c.category, c.ruleKind])).toEqual([['open', 'range-methane_lel', 4, 'maintenance', 'range']]);
    expect(await alarmsOf('GD-002.lel', 'methane-lel')).toEqual([]);
    expect((await alarmsOf('GD-002.lel', 'range-methane_lel'))[0]).toMatchObject({ category: 'maintenance', state: 'active' });
    expect(summary(await ingest([['GD-002.lel', 60, 0.5]]))).toEqual([['clear', 'GD-002.lel', 'range-methane_lel', 4]]);
  });

  it.skipIf(!store.available)('suspects a gas leak when gas rises in the adjacent space while the nearest main loses pressure', async () => {
    // AS-01 (telecom manhole) lies beside gas pipe GP02, whose end GN02 carries GP-001.
    await ingest([['GD-001.lel', 600, 1], ['GP-001.p', 600, 0.38]]);
    // Gas alone (pressure steady) is the methane-lel threshold alarm, not a suspected leak.
    const gasOnly = await ingest([['GD-001.lel', 660, 12]]);
    expect(summary(gasOnly)).toEqual([['open', 'GD-001.lel', 'methane-lel', 3]]);
    // Pressure falls 0.04 MPa (a rate-rule level? no: −0.04 is short of −0.05), gas keeps rising.
    const leak = await ingest([['GP-001.p', 700, 0.34], ['GD-001.lel', 720, 14]]);
    const composite = leak.find((c) => c.ruleId === 'gas-leak-suspected');
    expect(composite).toMatchObject({ kind: 'open', level: 1, assetId: 'AS-01', category: 'emergency', ruleKind: 'composite' });
    const [alarm] = await db.query<{ asset_id: string; sensor_id: string }>(`SELECT asset_id, sensor_id FROM alarms WHERE rule_id = 'gas-leak-suspected' AND state = 'active'`);
    expect(alarm).toEqual({ asset_id: 'AS-01', sensor_id: 'GD-001.lel' });
    // The second detector in the same space sees it too: still one episode for the asset.
    const second = await ingest([['GD-003.lel', 730, 15], ['GD-003.lel', 600, 1]].sort((a, b) => (a[1] as number) - (b[1] as number)) as [string, number, number][]);
    expect(second.filter((c) => c.ruleId === 'gas-leak-suspected')).toEqual([]);
    expect(await db.query(`SELECT count(*)::int AS n FROM alarms WHERE rule_id = 'gas-leak-suspected' AND state = 'active'`)).toEqual([{ n: 1 }]);
  });

  it.skipIf(!store.available)('suspects a misconnection (storm flow, no rain) and a blockage (high manhole, no rain), and not once it rains', async () => {
    const D = 40 * 86_400; // weeks after the demo's seeded rain history
    const composite = (changes: AlarmChange[]) => changes.filter((c) => c.ruleKind === 'composite').map((c) => [c.kind, c.ruleId, c.level, c.assetId]);
    // No rain gauge reading yet: no data is not "no rain".
    expect(composite(await ingest([['DF-T01.q', D + 19_990, 3]]))).toEqual([]);
    await ingest([['RG-001.rain', D + 20_000, 0]]);
    expect(composite(await ingest([['DF-T01.q', D + 20_050, 3]]))).toEqual([['open', 'storm-misconnection-suspected', 4, 'DP01']]);
    expect(composite(await ingest([['DL-001.level', D + 20_100, 2.2]]))).toEqual([['open', 'drain-blockage-suspected', 3, 'DN02']]);
    await ingest([['RG-001.rain', D + 20_200, 12]]);
    expect(composite(await ingest([['DL-001.level', D + 20_300, 2.3], ['DF-T01.q', D + 20_300, 3]]))).toEqual([
      ['clear', 'drain-blockage-suspected', 3, 'DN02'], ['clear', 'storm-misconnection-suspected', 4, 'DP01'],
    ]);
  });

  it.skipIf(!store.available)('keeps a weekday and a weekend baseline per flow meter and resumes them from their checkpoints', async () => {
    const saturday = -2 * 86_400; // T0 is a Monday (UTC+8 too: 08:00 local)
    await ingest([['WF-001.q', saturday, 420]]);
    await ingest([['WF-001.q', 0, 410]]);
    const checkpoints = await db.query<{ rule_id: string }>(`SELECT rule_id FROM detect_state WHERE sensor_id = 'WF-001.q' ORDER BY rule_id`);
    expect(checkpoints.map((r) => r.rule_id)).toEqual(['water-flow-baseline#weekday#anomaly', 'water-flow-baseline#weekend#anomaly']);
    // Another process (a fresh rule book) resumes the weekday detector where the checkpoint left it.
    const restarted = new RuleBook(DEFAULT_RULES);
    await ingest([['WF-001.q', 60, 415]], db, restarted);
    expect(restarted.anomalies.get('WF-001.q\u0000water-flow-baseline#weekday')!.detector.count).toBe(2);
    expect(restarted.anomalies.has('WF-001.q\u0000water-flow-baseline#weekend')).toBe(false);
  });

  it.skipIf(!store.available)('keeps one open episode per (sensor, rule) and per (asset, rule) under concurrent writers', async () => {
    // Six concurrent batches for one sensor: the first WP-001 episode ever.
    const concurrent = await Promise.all(Array.from({ length: 6 }, (_, i) => ingest([['WP-001.p', 5000 + i, 0.05]])));
    expect(concurrent.flat().filter((c) => c.ruleId === 'water-pressure-low' && c.kind === 'open')).toHaveLength(1);
    expect((await alarmsOf('WP-001.p', 'water-pressure-low')).map((a) => a.state)).toEqual(['active']);
    // Clear it, then six concurrent batches whose condition returns: one re-opening, no second episode.
    await ingest([['WP-001.p', 5100, 0.3]]);
    const again = await Promise.all(Array.from({ length: 6 }, (_, i) => ingest([['WP-001.p', 5200 + i, 0.05]])));
    expect(again.flat().filter((c) => c.ruleId === 'water-pressure-low').map((c) => c.kind)).toEqual(['reopen']);
    expect((await alarmsOf('WP-001.p', 'water-pressure-low')).map((a) => [a.state, a.occurrences])).toEqual([['active', 2]]);
    // Composite: clear the leak episode, then both detectors of AS-01 see the leak at once.
    await ingest([['GD-001.lel', 2000, 0.5], ['GD-003.lel', 2000, 0.5], ['GP-001.p', 2000, 0.38]]);
    await ingest([['GD-001.lel', 2700, 0.5]]); // keep-firing (600 s) has run out
    expect(await db.query(`SELECT count(*)::int AS n FROM alarms WHERE rule_id = 'gas-leak-suspected' AND state = 'active'`)).toEqual([{ n: 0 }]);
    await ingest([['GP-001.p', 9000, 0.38], ['GD-001.lel', 9000, 0.5], ['GD-003.lel', 9000, 0.5]]);
    await ingest([['GP-001.p', 9060, 0.3]]);
    const both = await Promise.all([ingest([['GD-001.lel', 9100, 20]]), ingest([['GD-003.lel', 9100, 20]])]);
    expect(both.flat().filter((c) => c.ruleId === 'gas-leak-suspected' && c.kind === 'open')).toHaveLength(1);
    expect(await db.query(`SELECT count(*)::int AS n FROM alarms WHERE rule_id = 'gas-leak-suspected' AND state = 'active'`)).toEqual([{ n: 1 }]);
  });
});
