// Leak-localisation benchmark on EPANET networks (docs/analysis.md, "Evaluation").
// Simulates leaks (emitters) at seeded random junctions in a "true" system, observes pressures at a
// few monitored junctions, and locates each leak with src/analysis under separate conditions:
//   a  noise-free, perfect model, leak from t = 0 (onset given: the textbook case)
//   b  unknown onset inside the record (noise-free, perfect model)
//   c  sensor noise σ (one condition per --noise value), unknown onset
//   d  the model's demands differ from the true ones per junction (σ --demand-error), unknown onset
//   all  b + c (first noise value) + d together
// plus the time per localisation on every network (e). Prints one JSON object on stdout.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_WARMUP, chooseSensors, loadNetwork, locateLeak, pipeDistances, type HydraulicNetwork, type Observation,
} from '../../src/analysis/index.ts';
import { seededRandom } from '../../src/sim/random.ts';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: '/work/shared/data/epanet' },
    networks: { type: 'string', default: 'Net1,Net2,ky4' },
    leaks: { type: 'string', default: '20' },
    'leaks-large': { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    conditions: { type: 'string', default: 'a,b,c,d,all' },
    noise: { type: 'string', default: '0.1,0.5' },
    'demand-error': { type: 'string', default: '0.05' },
    'sensor-fraction': { type: 'string', default: '0.05' },
    'leak-min': { type: 'string', default: '0.03' },
    'leak-max': { type: 'string', default: '0.10' },
    'duration-h': { type: 'string', default: '24' },
    'sigma-floor': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const log = args.json ? () => {} : (line: string) => console.error(line);
const seed = Number(args.seed);
const noiseLevels = args.noise!.split(',').map(Number);
const demandError = Number(args['demand-error']);
const sensorFraction = Number(args['sensor-fraction']);
const leakMin = Number(args['leak-min']);
const leakMax = Number(args['leak-max']);
const conditions = args.conditions!.split(',');
const sigmaFloorM = args['sigma-floor'] === undefined ? undefined : Number(args['sigma-floor']);

function gauss(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

interface Trial {
  node: string; onsetS: number; leakFlow: number; rank: number; top: string; distanceM: number;
  detected?: boolean; onsetEstS?: number; alarmS?: number; delayS?: number; falseAlarm?: boolean; ms: number;
}

function pct(xs: number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
const round = (x: number | null, d = 3) => (x === null ? null : Math.round(x * 10 ** d) / 10 ** d);

function summarise(trials: Trial[]) {
  const n = trials.length;
  const ranks = trials.map((t) => t.rank);
  const dist = trials.map((t) => t.distanceM);
  const withOnset = trials.filter((t) => t.detected !== undefined);
  const detected = withOnset.filter((t) => t.detected && !t.falseAlarm);
  const delays = detected.map((t) => t.delayS! / 3600);
  const onsetErr = detected.map((t) => (t.onsetEstS! - t.onsetS) / 3600);
  const ms = trials.map((t) => t.ms);
  return {
    leaks: n,
    top1: round(trials.filter((t) => t.rank === 1).length / n),
    top5: round(trials.filter((t) => t.rank <= 5).length / n),
    rankMedian: pct(ranks, 0.5),
    rankMean: round(ranks.reduce((a, v) => a + v, 0) / n, 2),
    rankMax: Math.max(...ranks),
    distanceToTopM: { median: round(pct(dist, 0.5), 0), mean: round(dist.reduce((a, v) => a + v, 0) / n, 0), p90: round(pct(dist, 0.9), 0) },
    ...(withOnset.length ? {
      onset: {
        detected: detected.length,
        missed: withOnset.filter((t) => !t.detected).length,
        falseAlarms: withOnset.filter((t) => t.falseAlarm).length,
        delayH: { median: round(pct(delays, 0.5), 2), max: round(delays.length ? Math.max(...delays) : null, 2) },
        onsetErrorH: { median: round(pct(onsetErr, 0.5), 2), minMax: onsetErr.length ? [Math.min(...onsetErr), Math.max(...onsetErr)] : null },
      },
    } : {}),
    timeMs: { median: round(pct(ms, 0.5), 0), max: round(Math.max(...ms), 0) },
  };
}

async function runNetwork(name: string) {
  const file = path.join(args.data!, `${name}.inp`);
  const text = fs.readFileSync(file, 'utf8');
  const durationS = Number(args['duration-h']) * 3600;
  const load = async () => {
    const net = await loadNetwork(text, { name: `${name}.inp` });
    // a steady-state snapshot (Duration 0) gets a duration (and the default diurnal pattern if it has none)
    return net.durationS > 0 ? net : loadNetwork(text, { name: `${name}.inp`, durationS });
  };
  const model = await load();
  const truth = await load();
  const junctions = model.junctionIds;
  const nSensors = Math.max(3, Math.round(sensorFraction * junctions.length));
  const sensors = chooseSensors(model.links, junctions, model.sourceIds, nSensors);
  const rand = seededRandom(seed * 7919 + junctions.length);
  const nLeaks = Math.min(junctions.length, Number(junctions.length > 500 ? args['leaks-large'] : args.leaks));
  const pool = [...junctions];
  const leakNodes: string[] = [];
  while (leakNodes.length < nLeaks) leakNodes.push(pool.splice(Math.floor(rand() * pool.length), 1)[0]!);
  const positiveDemand = Math.abs(model.totalBaseDemand());
  const basePressure = model.simulate({ nodes: junctions });
  const meanPressure = new Map(junctions.map((j, k) => [j, basePressure.pressure.reduce((a, row) => a + row[k]!, 0) / basePressure.pressure.length]));
  const step = model.reportStepS;
  const samples = Math.floor(model.durationS / step) + 1;
  const warmup = DEFAULT_WARMUP;
  const onsetLo = warmup * step;
  const onsetHi = Math.max(onsetLo, model.durationS - 8 * 3600);
  const leaks = leakNodes.map((node) => {
    const flow = (leakMin + rand() * (leakMax - leakMin)) * positiveDemand;
    const onsetS = onsetLo + Math.floor(rand() * ((onsetHi - onsetLo) / step + 1)) * step;
    return { node, flow, coefficient: flow / Math.sqrt(Math.max(1, meanPressure.get(node)!)), onsetS };
  });
  const factors = new Map(junctions.map((j) => [j, Math.min(1.25, Math.max(0.75, 1 + demandError * gauss(rand)))]));
  log(`${name}: ${junctions.length} junctions, ${sensors.length} monitored, ${leaks.length} leaks, ${samples} samples every ${step} s`);

  const conds: Array<{ key: string; noiseM: number; demand: boolean; knownOnset: boolean }> = [];
  if (conditions.includes('a')) conds.push({ key: 'a_baseline_t0', noiseM: 0, demand: false, knownOnset: true });
  if (conditions.includes('b')) conds.push({ key: 'b_unknown_onset', noiseM: 0, demand: false, knownOnset: false });
  if (conditions.includes('c')) for (const s of noiseLevels) conds.push({ key: `c_noise_${s}m`, noiseM: s, demand: false, knownOnset: false });
  if (conditions.includes('d')) conds.push({ key: `d_demand_error_${demandError}`, noiseM: 0, demand: true, knownOnset: false });
  if (conditions.includes('all')) conds.push({ key: `all_onset_noise_${noiseLevels[0]}m_demand_${demandError}`, noiseM: noiseLevels[0]!, demand: true, knownOnset: false });

  const out: Record<string, unknown> = {};
  for (const cond of conds) {
    truth.setDemandFactors(cond.demand ? factors : new Map());
    const noiseRand = seededRandom(seed * 104729 + cond.key.length * 31 + junctions.length);
    const trials: Trial[] = [];
    for (const leak of leaks) {
      const onsetS = cond.knownOnset ? 0 : leak.onsetS;
      const obsSeries = truth.simulate({ nodes: sensors, leaks: [{ node: leak.node, coefficient: leak.coefficient, startS: onsetS }] });
      const noise = cond.noiseM / model.metresPerPressureUnit;
      const observations: Observation[] = obsSeries.timesS.flatMap((t, k) => sensors.map((s, i) => ({
        node: s, timeS: t, pressure: obsSeries.pressure[k]![i]! + (noise > 0 ? noise * gauss(noiseRand) : 0),
      })));
      const result = locateLeak(model, observations, cond.knownOnset ? { onsetS: 0 } : sigmaFloorM === undefined ? {} : {
        onset: { sigmaFloor: sigmaFloorM / model.metresPerPressureUnit },
      });
      const rank = result.candidates.findIndex((c) => c.node === leak.node) + 1;
      const top = result.candidates[0]!.node;
      const trial: Trial = {
        node: leak.node, onsetS, leakFlow: leak.flow, rank, top,
        distanceM: pipeDistances(model.links, leak.node).get(top) ?? NaN, ms: result.elapsedMs.total,
      };
      if (!cond.knownOnset) {
        trial.detected = result.onsetDetected;
        if (result.onsetDetected) {
          trial.onsetEstS = result.onsetS!;
          trial.alarmS = result.alarmS!;
          trial.delayS = result.alarmS! - onsetS;
          trial.falseAlarm = result.alarmS! < onsetS;
        }
      }
      trials.push(trial);
      log(`  ${cond.key} leak@${leak.node} onset ${onsetS / 3600} h: rank ${rank}, top ${top} (${Math.round(trial.distanceM)} m)` +
        `${trial.detected === undefined ? '' : trial.detected ? `, alarm +${(trial.delayS! / 3600).toFixed(1)} h, onset est ${((trial.onsetEstS! - onsetS) / 3600).toFixed(1)} h` : ', onset not detected'}, ${Math.round(trial.ms)} ms`);
    }
    out[cond.key] = { ...summarise(trials), trials };
  }
  truth.setDemandFactors(new Map());
  model.close();
  truth.close();
  return {
    junctions: junctions.length,
    durationH: model.durationS / 3600,
    reportStepS: step,
    pressureUnit: model.pressureUnit,
    flowUnit: model.flowUnit,
    monitored: sensors,
    leakFlowRange: [round(leakMin * positiveDemand, 1), round(leakMax * positiveDemand, 1)],
    conditions: out,
  };
}

const started = performance.now();
const networks: Record<string, unknown> = {};
for (const name of args.networks!.split(',')) networks[name] = await runNetwork(name);
console.log(JSON.stringify({
  bench: 'leak',
  settings: {
    seed, leaks: Number(args.leaks), leaksLarge: Number(args['leaks-large']), noiseM: noiseLevels, demandError,
    sensorFraction, sigmaFloorM: sigmaFloorM ?? 0.05, leakFractionOfDemand: [leakMin, leakMax], data: args.data,
  },
  networks,
  elapsedS: Math.round((performance.now() - started) / 100) / 10,
}));
