// `lifeline bench rules`: the full rule set of a generated city (default the jingzhou preset)
// through the real detect() on PGlite, with the simulator's values (including its gas leak and
// main pressure drop): readings stored and evaluated in transactions of `batch` readings, as the
// ingest pipeline does. Prints one JSON object.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { detect, ensureDefaultRules, loadRuleBook, type AlarmChange } from '../src/detect/index.ts';
import { importNetwork, insertOrganisations, listSensors, toGeoJson } from '../src/network/index.ts';
import { CITY_ORGANISATIONS, generateCity } from '../src/sim/generator.ts';
import { PRESETS, type PresetName } from '../src/sim/presets/index.ts';
import { simulatedSensors, simulatedValue } from '../src/sim/index.ts';
import { migrate, openPglite, PartitionKeeper } from '../src/store/index.ts';

export interface RulesBenchOptions {
  preset: string;
  seed: number;
  /** Rounds of one reading per sensor, a simulated minute apart. */
  rounds: number;
  /** Readings per transaction. */
  batch: number;
}

export interface RulesBenchResult {
  command: 'bench rules';
  database: 'pglite';
  preset: string;
  sensors: number;
  /** Rules in force, and (sensor, rule) pairs evaluated per round. */
  rules: number;
  pairsPerRound: number;
  compositeAnchors: number;
  readings: number;
  /** detect() alone, inside the transaction. */
  detectReadingsPerSecond: number;
  /** Storing the readings, detect() and the commit: what a batch costs the pipeline for rules. */
  storeAndDetectReadingsPerSecond: number;
  /** From the start of a batch's transaction to its commit, for batches that changed an alarm. */
  alarmLatencyMs: { p50: number | null; p99: number | null; samples: number };
  alarmChanges: Record<string, number>;
  openedByRule: Record<string, number>;
  bookLoadMs: number;
  importMs: number;
}

const ROUND_MS = 60_000;
const CYCLE_MS = 6 * 60_000;

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
}

export async function benchRules(options: RulesBenchOptions, log: (line: string) => void = () => {}): Promise<RulesBenchResult> {
  const preset = PRESETS[options.preset as PresetName];
  if (!preset) throw new Error(`--preset ${options.preset}: one of ${Object.keys(PRESETS).join(', ')}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'lifeline-bench-rules-'));
  try {
    const db = await openPglite(dir);
    try {
      await migrate(db);
      await insertOrganisations(db, CITY_ORGANISATIONS);
      log(`generating and importing ${preset.name}…`);
      const { model } = generateCity(preset, options.seed);
      let t0 = performance.now();
      const report = await importNetwork(db, { text: JSON.stringify(toGeoJson(model)), fileName: `${preset.name}.geojson`, format: 'geojson' });
      if (!report.written) throw new Error(`import failed: ${report.error}`);
      const importMs = Math.round(performance.now() - t0);
      await ensureDefaultRules(db);
      t0 = performance.now();
      const book = await loadRuleBook(db);
      const bookLoadMs = Math.round(performance.now() - t0);
      const sensors = await listSensors(db);
      const sims = simulatedSensors(sensors);
      const byKey = new Map(sensors.map((s) => [`${s.deviceId}.${s.channel}`, s]));
      const pairsPerRound = sensors.reduce((n, s) => n + book.evaluatedRules(s.id, s.indicator).length + book.compositesFor(s.id).length, 0);
      const compositeAnchors = new Set(sensors.flatMap((s) => book.compositesFor(s.id).map((a) => `${a.ruleId}/${a.assetId}`))).size;
      log(`${sensors.length} sensors, ${book.all().length} rules, ${pairsPerRound} pairs a round, ${compositeAnchors} composite anchors`);

      const partitions = new PartitionKeeper(db);
      const start = Date.parse('2026-11-23T00:00:00Z');
      let detectMs = 0;
      let totalMs = 0;
      let readings = 0;
      const latencies: number[] = [];
      const kinds: Record<string, number> = {};
      const opened: Record<string, number> = {};
      for (let round = 0; round < options.rounds; round++) {
        const ts = new Date(start + round * ROUND_MS);
        await partitions.ensure([ts]);
        const all = sims.map((sim, i) => {
          const sensor = byKey.get(`${sim.deviceId}.${sim.channel}`)!;
          return { sensorId: sensor.id, indicator: sensor.indicator, ts, value: simulatedValue(sim, round * ROUND_MS, CYCLE_MS, round * 7919 + i) };
        });
        for (let from = 0; from < all.length; from += options.batch) {
          const batch = all.slice(from, from + options.batch);
          const began = performance.now();
          let changes: AlarmChange[] = [];
          await db.transaction(async (tx) => {
            await tx.query(
              'INSERT INTO readings (sensor_id, ts, value) SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::float8[])',
              [batch.map((r) => r.sensorId), batch.map((r) => r.ts), batch.map((r) => r.value)],
            );
            const d0 = performance.now();
            changes = await detect(tx, book, batch);
            detectMs += performance.now() - d0;
          });
          const took = performance.now() - began;
          totalMs += took;
          readings += batch.length;
          if (changes.length > 0) latencies.push(took);
          for (const c of changes) {
            kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
            if (c.kind === 'open') opened[c.ruleId] = (opened[c.ruleId] ?? 0) + 1;
          }
        }
      }
      latencies.sort((a, b) => a - b);
      return {
        command: 'bench rules', database: 'pglite', preset: preset.name, sensors: sensors.length, rules: book.all().length, pairsPerRound, compositeAnchors,
        readings, detectReadingsPerSecond: Math.round(readings / (detectMs / 1000)), storeAndDetectReadingsPerSecond: Math.round(readings / (totalMs / 1000)),
        alarmLatencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), samples: latencies.length },
        alarmChanges: kinds, openedByRule: opened, bookLoadMs, importMs,
      };
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
