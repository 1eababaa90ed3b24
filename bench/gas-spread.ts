// Gas-spread benchmark: on a generated city (default the `jingzhou` preset), the time to trace
// gas from an underground space to its neighbours, rank them, find the valves and set the
// evacuation radius, for spaces drawn at random near gas pipes. Also times the city-wide
// drainage overflow rating. Prints one JSON object.
//   npx tsx bench/gas-spread.ts [--preset jingzhou] [--seed 1] [--runs 200] [--lel 40]
import { parseArgs } from 'node:util';
import { overflowRisk } from '../src/analysis/drainage-diagnosis.ts';
import { analyseGasSpread } from '../src/analysis/gas-spread.ts';
import { SPACE_TYPES } from '../src/network/schema.ts';
import { NetworkTwin } from '../src/network/twin.ts';
import type { Position } from '../src/network/types.ts';
import { generateCity } from '../src/sim/generator.ts';
import { PRESETS, type PresetName } from '../src/sim/presets/index.ts';
import { seededRandom } from '../src/sim/random.ts';

const { values } = parseArgs({
  options: { preset: { type: 'string', default: 'jingzhou' }, seed: { type: 'string', default: '1' }, runs: { type: 'string', default: '200' }, lel: { type: 'string', default: '40' }, json: { type: 'boolean' } },
});
const preset = PRESETS[values.preset as PresetName];
if (!preset) throw new Error(`--preset ${values.preset}: one of ${Object.keys(PRESETS).join(', ')}`);
const runs = Number(values.runs);
const lel = Number(values.lel);

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => round(s[Math.min(s.length - 1, Math.floor(q * s.length))]!, 3);
  return { p50: at(0.5), p95: at(0.95), max: at(1), mean: round(s.reduce((a, b) => a + b, 0) / s.length, 3) };
}

let t0 = performance.now();
const { model } = generateCity(preset, Number(values.seed));
const generateMs = Math.round(performance.now() - t0);
t0 = performance.now();
const twin = new NetworkTwin(model.assets);
const twinMs = Math.round(performance.now() - t0);

// Spaces within 20 m of a gas pipe: where a detector would sit.
const spaces = model.assets.filter((a) => a.geometry.type === 'Point' && SPACE_TYPES.has(a.assetType)
  && twin.spatial.within((a.geometry as { coordinates: Position }).coordinates, 20, (g) => g.network === 'gas' && g.assetType === 'pipe').length > 0);
const random = seededRandom(Number(values.seed));
const times: number[] = [];
// CPU time too: on a machine shared with other work, wall time measures the queue as much as the model.
const cpu: number[] = [];
const considered: number[] = [];
const reached: number[] = [];
const valves: number[] = [];
let first = 0;
for (let i = 0; i < runs; i++) {
  const source = spaces[Math.floor(random() * spaces.length)]!;
  const t = performance.now();
  const c = process.cpuUsage();
  const result = analyseGasSpread({ twin, sourceId: source.id, lel });
  const used = process.cpuUsage(c);
  cpu.push((used.user + used.system) / 1000);
  const elapsed = performance.now() - t;
  if (i === 0) first = elapsed;
  times.push(elapsed);
  considered.push(result.detail.spaces.length);
  reached.push(result.detail.spaces.filter((s) => s.reached).length);
  valves.push(result.detail.isolation?.valves.length ?? 0);
}
t0 = performance.now();
const overflow = overflowRisk({ twin, rainfallMmH: 50 });
const overflowMs = Math.round(performance.now() - t0);

const mean = (xs: number[]) => round(xs.reduce((a, b) => a + b, 0) / xs.length, 1);
console.log(JSON.stringify({
  bench: 'gas-spread', preset: values.preset, seed: Number(values.seed), assets: model.assets.length, candidateSpaces: spaces.length, runs, lel,
  generateMs, twinMs,
  gasSpreadMs: { ...stats(times), first: round(first, 3) },
  gasSpreadCpuMs: stats(cpu),
  perRun: { spacesConsidered: mean(considered), spacesReached: mean(reached), valvesToClose: mean(valves) },
  overflow50mmH: { ms: overflowMs, pipesRated: (overflow.detail as { rated: number }).rated, overCapacity: overflow.segmentIds.length },
}));
