// Network twin benchmark: generation and import of a preset city, bbox query latency (in-process
// index and SQL), valve isolation on the largest gas network. Prints one JSON object.
//   npx tsx bench/network.ts [--preset jingzhou] [--seed 1] [--queries 2000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importNetwork, insertOrganisations, NetworkTwin, toGeoJson } from '../src/network/index.ts';
import type { BBox } from '../src/network/geo.ts';
import { CITY_ORGANISATIONS, generateCity } from '../src/sim/generator.ts';
import { PRESETS, type PresetName } from '../src/sim/presets/index.ts';
import { migrate, openPglite } from '../src/store/index.ts';

const { values } = parseArgs({ options: { preset: { type: 'string', default: 'jingzhou' }, seed: { type: 'string', default: '1' }, queries: { type: 'string', default: '2000' } } });
const preset = PRESETS[values.preset as PresetName];
if (!preset) throw new Error(`--preset ${values.preset}: one of ${Object.keys(PRESETS).join(', ')}`);
const seed = Number(values.seed);
const queries = Number(values.queries);

const ms = (t0: number) => Math.round(performance.now() - t0);
function percentiles(samples: number[]): { p50: number; p99: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 1000) / 1000;
  return { p50: at(0.5), p99: at(0.99), max: at(1) };
}
/** Same sequence every run, so runs compare. */
let state = 12345;
const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

let t0 = performance.now();
const { model, summary } = generateCity(preset, seed);
const generateMs = ms(t0);
t0 = performance.now();
const text = JSON.stringify(toGeoJson(model));
const serialiseMs = ms(t0);

const dir = mkdtempSync(path.join(tmpdir(), 'lifeline-bench-network-'));
try {
  const db = await openPglite(dir);
  await migrate(db);
  await insertOrganisations(db, CITY_ORGANISATIONS);
  t0 = performance.now();
  const report = await importNetwork(db, { text, fileName: `${preset.name}.geojson`, format: 'geojson' });
  const importMs = ms(t0);
  if (!report.written) throw new Error(`import failed: ${report.error}`);

  t0 = performance.now();
  const twin = await NetworkTwin.load(db);
  const twinLoadMs = ms(t0);

  // Street-scale windows (≈ 500 m square) anywhere in the city, as a map pan or a patrol query asks.
  const [lon0, lat0] = preset.origin;
  const dLon = 500 / 96_000, dLat = 500 / 111_000;
  const spanLon = preset.widthM / 96_000, spanLat = preset.heightM / 111_000;
  const boxes: BBox[] = Array.from({ length: queries }, () => {
    const x = lon0 + random() * spanLon, y = lat0 + random() * spanLat;
    return [x, y, x + dLon, y + dLat];
  });
  const indexTimes: number[] = [];
  let hits = 0;
  for (const box of boxes) {
    const t = performance.now();
    hits += twin.spatial.search(box).length;
    indexTimes.push(performance.now() - t);
  }
  const sqlTimes: number[] = [];
  for (const box of boxes.slice(0, 200)) {
    const t = performance.now();
    await db.query('SELECT id FROM assets WHERE max_lon >= $1 AND min_lon <= $3 AND max_lat >= $2 AND min_lat <= $4', box);
    sqlTimes.push(performance.now() - t);
  }

  const gas = twin.topologies.get('gas')!;
  const gasPipes = twin.assets.filter((a) => a.network === 'gas' && a.assetType === 'pipe');
  const isolationTimes: number[] = [];
  let valves = 0, cutOff = 0;
  for (let i = 0; i < 200; i++) {
    const pipe = gasPipes[Math.floor(random() * gasPipes.length)]!;
    const t = performance.now();
    const result = gas.isolate(pipe.id);
    isolationTimes.push(performance.now() - t);
    valves += result.valves.length;
    cutOff += result.cutOff.length;
  }
  await db.close();
  console.log(JSON.stringify({
    preset: preset.name, seed, assets: summary.assets, sensors: summary.sensors, gasKm: summary.gasKm, drainageKm: summary.drainageKm,
    generateMs, serialiseMs, geojsonMB: Math.round(text.length / 1e5) / 10, importMs, importFindings: report.findings.length, twinLoadMs,
    bboxIndexMs: { ...percentiles(indexTimes), queries, meanHits: Math.round(hits / queries) },
    bboxSqlMs: { ...percentiles(sqlTimes), queries: sqlTimes.length },
    gasNetwork: { vertices: gas.graph.order, pipes: gasPipes.length, sources: gas.sources.length },
    valveIsolationMs: { ...percentiles(isolationTimes), runs: isolationTimes.length, meanValves: Math.round((valves / 200) * 10) / 10, meanCutOff: Math.round(cutOff / 200) },
    rssMB: Math.round(process.memoryUsage().rss / 1e6),
  }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
