// What noise control costs: the periodic re-decision of active alarms (AlarmRouter.reconcileIfDue
// every 5 s in the platform; reconcile when a silence is created or ended) and the routing of one
// batch of new alarms in the ingest transaction,
// on a generated city where every sensor has an active offline alarm (the worst case: a city whose
// devices all went silent) and a number of silences are in force. Prints one JSON line.
//
//   npx tsx bench/alerting.ts [--preset jingzhou|small] [--seed 1] [--silences 20] [--batch 100] [--runs 5]
import { parseArgs } from 'node:util';
import { AlarmRouter, insertSilence } from '../src/alerting/index.ts';
import { ensureDefaultRules, type AlarmChange } from '../src/detect/index.ts';
import { NetworkTwin, writeModel } from '../src/network/index.ts';
import { generateCity } from '../src/sim/generator.ts';
import { PRESETS, type PresetName } from '../src/sim/presets/index.ts';
import { migrate, openPglite } from '../src/store/index.ts';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'jingzhou' }, seed: { type: 'string', default: '1' },
    silences: { type: 'string', default: '20' }, batch: { type: 'string', default: '100' }, runs: { type: 'string', default: '5' },
  },
});
const preset = values.preset as PresetName;
if (!(preset in PRESETS)) throw new Error(`--preset ${preset}: one of ${Object.keys(PRESETS).join(', ')}`);
const [silenceCount, batch, runs] = [values.silences, values.batch, values.runs].map(Number) as [number, number, number];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const start = performance.now();
  const result = await work();
  return [result, Math.round((performance.now() - start) * 10) / 10];
};

const db = await openPglite(null);
await migrate(db);
await ensureDefaultRules(db);
const { model } = generateCity(PRESETS[preset], Number(values.seed));
await writeModel(db, model, { mode: 'upsert', source: 'bench', format: 'generator', rejected: 0, findings: 0 });
const now = new Date('2026-11-23T08:00:00Z');
const router = new AlarmRouter({ twin: (q) => NetworkTwin.load(q), incidentLevel: 2, context: () => undefined });

// Every sensor offline: one active alarm each.
await db.query(
  `WITH opened AS (
     INSERT INTO alarms (sensor_id, rule_id, rule_version, level, peak_level, state, opened_at, updated_at, trigger_value, last_value)
     SELECT id, 'offline', 1, 4, 4, 'active', $1, $1, 3600, 3600 FROM sensors RETURNING id
   ) INSERT INTO alarm_events (alarm_id, kind, level, value, at) SELECT id, 'open', 4, 3600, $1 FROM opened`,
  [now],
);
const zones = await db.query<{ id: string }>(`SELECT id FROM areas WHERE kind = 'zone' ORDER BY id LIMIT $1`, [silenceCount]);
for (const [i, zone] of zones.entries()) {
  await insertSilence(db, {
    kind: 'maintenance', matchers: i % 2 === 0 ? { areaId: zone.id } : { areaId: zone.id, ruleId: 'offline' }, reason: 'bench', createdBy: 'bench', orgId: null,
    startsAt: now, endsAt: new Date(now.getTime() + 3_600_000),
  }, now);
}
const [active] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alarms WHERE state = 'active'`);

// The timer's first tick decides everything; a full re-decision (a silence created or ended) reads
// the muted alarms and those a silence may match; a quiet tick only checks whether anything is due.
const [first, firstMs] = await timed(() => db.transaction((tx) => router.reconcileIfDue(tx, now)));
const full: number[] = [];
for (let i = 0; i < runs; i++) full.push((await timed(() => db.transaction((tx) => router.reconcile(tx, now))))[1]);
const quiet: number[] = [];
for (let i = 0; i < runs; i++) quiet.push((await timed(() => db.transaction((tx) => router.reconcileIfDue(tx, new Date(now.getTime() + (i + 1) * 5000)))))[1]);

// One ingest batch: `batch` new low-pressure alarms, routed in their transaction.
const sensors = await db.query<{ id: string }>(`SELECT id FROM sensors WHERE indicator = 'water_pressure' ORDER BY id LIMIT $1`, [batch]);
const routeMs: number[] = [];
for (let i = 0; i < runs; i++) {
  const at = new Date(now.getTime() + (i + 1) * 60_000);
  const [, ms] = await timed(() => db.transaction(async (tx) => {
    const rows = await tx.query<{ id: string; sensor_id: string }>(
      `WITH opened AS (
         INSERT INTO alarms (sensor_id, rule_id, rule_version, level, peak_level, state, opened_at, updated_at, trigger_value, last_value)
         SELECT unnest($1::text[]), 'water-pressure-low', 1, 3, 3, 'active', $2, $2, 0.15, 0.15 RETURNING id, sensor_id
       ), events AS (INSERT INTO alarm_events (alarm_id, kind, level, value, at) SELECT id, 'open', 3, 0.15, $2 FROM opened)
       SELECT id::text AS id, sensor_id FROM opened`,
      [sensors.map((s) => s.id), at],
    );
    const changes: AlarmChange[] = rows.map((r) => ({ kind: 'open', alarmId: r.id, sensorId: r.sensor_id, ruleId: 'water-pressure-low', level: 3 }));
    return router.route(tx, changes, at);
  }));
  routeMs.push(ms);
  await db.query(`UPDATE alarms SET state = 'cleared', cleared_at = $1 WHERE rule_id = 'water-pressure-low' AND state = 'active'`, [at]);
}
const routeOnly = median(routeMs);

console.log(JSON.stringify({
  preset, sensors: model.sensors.length, activeAlarms: active!.n, silences: zones.length,
  mutedByFirstTick: first.alarmIds.length, firstTickMs: firstMs, fullReconcileMsMedian: median(full), quietTickMsMedian: median(quiet),
  batch: sensors.length, routeBatchMsMedian: routeOnly, runs,
}));
await db.close();
