import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Command } from 'commander';
import { failAndExit } from '../src/platform/cli.ts';
import { benchIngest } from './ingest.ts';
import { benchRules } from './rules.ts';

function integer(name: string, min: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} ${raw}: expected a whole number ≥ ${min}`);
    return value;
  };
}

export function registerBenchCommands(program: Command): void {
  const bench = program.command('bench').description('benchmarks that print JSON (see README, Performance)');
  bench
    .command('ingest')
    .description('drive simulated devices over real MQTT into the platform and measure throughput, alarm latency and loss')
    .option('--sensors <n>', 'sensors (data points per round)', integer('sensors', 1), 10_000)
    .option('--seconds <s>', 'load duration', integer('seconds', 1), 20)
    .option('--channels <c>', 'channels per device message', integer('channels', 1), 10)
    .option('--qos <q>', 'MQTT QoS, 0 or 1', integer('qos', 0), 1)
    .option('--rate <r>', 'messages per second in total (0 = flat out)', integer('rate', 0), 0)
    .option('--connections <k>', 'MQTT client connections', integer('connections', 1), 50)
    .option('--own-broker', 'start a Mosquitto of its own (persistence, no queue limits) and measure the external-broker path')
    .option('--rules-rounds <n>', 'afterwards, rounds of `bench rules` on the jingzhou preset for the ruleEvaluation figure (0: skip)', integer('rules-rounds', 0), 10)
    .option('--json', 'print only the JSON result line')
    .action(async (opts: { sensors: number; seconds: number; channels: number; qos: number; rate: number; connections: number; ownBroker?: boolean; rulesRounds: number; json?: boolean }) => {
      try {
        if (opts.qos > 1) throw new Error('--qos must be 0 or 1');
        const result = await benchIngest(
          {
            ...opts, qos: opts.qos as 0 | 1,
            databaseUrl: process.env.DATABASE_URL || undefined, mqttUrl: process.env.MQTT_URL || undefined,
          },
          opts.json ? undefined : (line) => console.error(line),
        );
        if (opts.rulesRounds > 0) {
          result.ruleEvaluation = await benchRules({ preset: 'jingzhou', seed: 1, rounds: opts.rulesRounds, batch: 5000 }, opts.json ? undefined : (line) => console.error(line));
        }
        console.log(JSON.stringify(result));
        process.exit(0);
      } catch (error) {
        failAndExit(error);
      }
    });
  bench
    .command('rules')
    .description('the full rule set of a generated city through the real detect() on PGlite: readings/s and alarm latency (prints JSON)')
    .option('--preset <name>', 'small or jingzhou', 'jingzhou')
    .option('--seed <n>', 'generator seed', integer('seed', 0), 1)
    .option('--rounds <n>', 'rounds of one reading per sensor, a simulated minute apart', integer('rounds', 1), 30)
    .option('--batch <n>', 'readings per transaction', integer('batch', 1), 5000)
    .option('--json', 'print only the JSON result line')
    .action(async (opts: { preset: string; seed: number; rounds: number; batch: number; json?: boolean }) => {
      try {
        console.log(JSON.stringify(await benchRules(opts, opts.json ? undefined : (line) => console.error(line))));
        process.exit(0);
      } catch (error) {
        failAndExit(error);
      }
    });
  bench.command('nab').description('score the streaming anomaly detector on NAB (tuning and held-out split, three profiles; prints JSON)').option('--data <dir>', 'NAB directory (data/, labels/)', path.resolve(import.meta.dirname, '../../shared/data/nab')).option('--options <json>', 'detector option overrides', '{}').option('--json', 'print only the JSON result line (the default output is already JSON)').action((opts: { data: string; options: string }) => process.exit(spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'nab/run.ts'), '--data', opts.data, '--options', opts.options], { stdio: 'inherit' }).status ?? 1));
  bench
    .command('network')
    .description('generate and import a city, then time bbox queries and valve isolation (prints JSON)')
    .option('--preset <name>', 'small or jingzhou', 'jingzhou')
    .option('--seed <n>', 'generator seed', '1')
    .option('--queries <n>', 'queries to time', '2000')
    .option('--json', 'print only the JSON result line (the default output is already JSON)')
    .action((opts: { preset: string; seed: string; queries: string }) => {
      const script = path.join(import.meta.dirname, 'network.ts');
      const run = spawnSync(process.execPath, ['--import', 'tsx', script, '--preset', opts.preset, '--seed', opts.seed, '--queries', opts.queries], { stdio: 'inherit' });
      process.exit(run.status ?? 1);
    });
  bench
    .command('gas-spread')
    .description('gas spread from random underground spaces of a generated city: trace, ranking, valves, evacuation (prints JSON)')
    .option('--preset <name>', 'small or jingzhou', 'jingzhou')
    .option('--seed <n>', 'generator and sampling seed', '1')
    .option('--runs <n>', 'spaces to analyse', '200')
    .option('--lel <v>', 'concentration at the source (%LEL)', '40')
    .option('--json', 'print only the JSON result line (the default output is already JSON)')
    .action((opts: { preset: string; seed: string; runs: string; lel: string }) => {
      const script = path.join(import.meta.dirname, 'gas-spread.ts');
      const run = spawnSync(process.execPath, ['--import', 'tsx', script, '--preset', opts.preset, '--seed', opts.seed, '--runs', opts.runs, '--lel', opts.lel], { stdio: 'inherit' });
      process.exit(run.status ?? 1);
    });
  bench
    .command('leak')
    .description('leak localisation on EPANET networks under separate conditions (onset, noise, demand error, time); prints JSON')
    .option('--data <dir>', 'folder with Net1.inp, Net2.inp, ky4.inp', '/work/shared/data/epanet')
    .option('--networks <list>', 'comma-separated network names', 'Net1,Net2,ky4')
    .option('--leaks <n>', 'leaks per network', '20')
    .option('--leaks-large <n>', 'leaks per network above 500 junctions', '5')
    .option('--seed <n>', 'random seed', '1')
    .option('--conditions <list>', 'a,b,c,d,all', 'a,b,c,d,all')
    .option('--noise <list>', 'sensor noise σ in metres, one condition each', '0.1,0.5')
    .option('--demand-error <s>', 'σ of the per-junction demand error of the model', '0.05')
    .option('--sensor-fraction <f>', 'monitored share of junctions (at least 3)', '0.05')
    .option('--json', 'print only the JSON result line')
    .action((opts: Record<string, string | boolean | undefined>) => {
      const script = path.join(import.meta.dirname, 'leak', 'run.ts');
      const flags: string[] = [];
      for (const key of ['data', 'networks', 'leaks', 'leaksLarge', 'seed', 'conditions', 'noise', 'demandError', 'sensorFraction'] as const) {
        const value = opts[key];
        if (typeof value === 'string') flags.push(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, value);
      }
      if (opts.json) flags.push('--json');
      const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...flags], { stdio: 'inherit' });
      process.exit(run.status ?? 1);
    });
}
