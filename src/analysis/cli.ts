// CLI of the analysis module: `lifeline leak locate` (issue 9 contract). Registered by src/cli.ts.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { ObservationError } from './errors.ts';
import type { LocateResult, Observation } from './leak-location.ts';

/** Parse `node_id,time_s,pressure` rows; a bad row is reported by its line number. */
export function parseObservedCsv(text: string, name = 'observed.csv'): Observation[] {
  const rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, info: true }) as Array<{ record: Record<string, string>; info: { lines: number } }>;
  if (rows.length === 0) throw new ObservationError(`${name}: no rows (expected the header node_id,time_s,pressure and one row per reading)`);
  const header = Object.keys(rows[0]!.record);
  for (const column of ['node_id', 'time_s', 'pressure']) {
    if (!header.includes(column)) throw new ObservationError(`${name}: no column "${column}" (header is ${header.join(',')})`);
  }
  return rows.map(({ record, info }) => {
    const timeS = Number(record.time_s);
    const pressure = Number(record.pressure);
    if (!record.node_id) throw new ObservationError(`${name} line ${info.lines}: empty node_id`);
    if (record.time_s === '' || !Number.isFinite(timeS)) throw new ObservationError(`${name} line ${info.lines}: time_s "${record.time_s}" is not a number`);
    if (record.pressure === '' || !Number.isFinite(pressure)) throw new ObservationError(`${name} line ${info.lines}: pressure "${record.pressure}" is not a number`);
    return { node: record.node_id, timeS, pressure };
  });
}

export interface LeakLocateArgs { inp: string; observed: string; top?: number }

/** `lifeline leak locate`: the .inp is the leak-free calibrated model; returns the contract's JSON object. */
export async function leakLocate(args: LeakLocateArgs): Promise<{ candidates: Array<{ node: string; score: number }>; onset_s?: number; detail: Omit<LocateResult, 'candidates'> }> {
  // the solver (epanet-js, WASM) loads only when the command runs, not with every CLI start
  const { loadNetwork } = await import('./hydraulics.ts');
  const { locateLeak } = await import('./leak-location.ts');
  const net = await loadNetwork(fs.readFileSync(args.inp, 'utf8'), { name: path.basename(args.inp) });
  try {
    const observations = parseObservedCsv(fs.readFileSync(args.observed, 'utf8'), path.basename(args.observed));
    const { candidates, ...detail } = locateLeak(net, observations, { top: args.top ?? 10 });
    return {
      candidates: candidates.map((c) => ({ node: c.node, score: Math.round(c.score * 1e6) / 1e6 })),
      ...(detail.onsetS !== undefined ? { onset_s: detail.onsetS } : {}),
      detail,
    };
  } finally {
    net.close();
  }
}

export function registerAnalysisCommands(program: Command): void {
  const leak = program.command('leak').description('water leak analysis on an EPANET model');
  leak
    .command('locate')
    .description('rank junctions by how well a leak there explains observed pressures (node_id,time_s,pressure CSV)')
    .requiredOption('--inp <file>', 'the leak-free calibrated EPANET 2.2 model (.inp)')
    .requiredOption('--observed <file>', 'CSV node_id,time_s,pressure at the monitored junctions, model pressure units')
    .option('--top <k>', 'candidates to print', '10')
    .option('--json', 'print only the JSON result line')
    .action(async (opts: { inp: string; observed: string; top: string; json?: boolean }) => {
      try {
        const top = Number(opts.top);
        if (!Number.isInteger(top) || top < 1) throw new Error(`--top ${opts.top}: expected a whole number ≥ 1`);
        const result = await leakLocate({ inp: opts.inp, observed: opts.observed, top });
        if (!opts.json) {
          console.error(`onset: ${result.onset_s === undefined ? 'no change found, leak assumed present from the start' : `${result.onset_s} s`}`);
          for (const c of result.candidates) console.error(`${c.node}\t${c.score.toFixed(4)}`);
        }
        console.log(JSON.stringify(result));
        process.exit(0);
      } catch (error) {
        console.error(`lifeline leak locate: ${(error as Error).message}`);
        process.exit(1);
      }
    });
}
