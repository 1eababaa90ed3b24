// CLI: `detect` — the streaming anomaly detector over a CSV series, offline.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { failAndExit } from '../platform/cli.ts';
import { AnomalyDetector, anomalyOptionsFor, parseSeriesCsv, scoreSeries } from './anomaly/index.ts';

export interface DetectSummary {
  command: 'detect';
  input: string;
  output: string;
  indicator: string | null;
  rows: number;
  badRows: number;
  anomalies: number;
  threshold: number;
  firstAnomaly: string | null;
  maxScore: number;
}

/** Runs the detector over `input` and writes `timestamp,value,anomaly_score,is_anomaly` to `output`. */
export function runDetect(opts: { input: string; output: string; indicator?: string }, report: (line: string) => void): DetectSummary {
  const { points, bad } = parseSeriesCsv(readFileSync(opts.input, 'utf8'));
  for (const row of bad) report(`${opts.input}:${row.line}: skipped: ${row.reason}`);
  const detector = new AnomalyDetector(anomalyOptionsFor(opts.indicator ?? null));
  const scored = scoreSeries(points, {}, detector);
  const lines = ['timestamp,value,anomaly_score,is_anomaly'];
  let anomalies = 0;
  let firstAnomaly: string | null = null;
  let maxScore = 0;
  for (const p of scored) {
    lines.push(`${p.raw},${p.value},${p.score.toFixed(6)},${p.isAnomaly ? 1 : 0}`);
    if (p.isAnomaly) {
      anomalies++;
      firstAnomaly ??= p.raw;
    }
    maxScore = Math.max(maxScore, p.score);
  }
  writeFileSync(opts.output, lines.join('\n') + '\n');
  return {
    command: 'detect', input: opts.input, output: opts.output, indicator: opts.indicator ?? null,
    rows: scored.length, badRows: bad.length, anomalies, threshold: detector.options.threshold, firstAnomaly,
    maxScore: Math.round(maxScore * 1e6) / 1e6,
  };
}

export function registerDetectCommands(program: Command): void {
  program
    .command('detect')
    .description('run the streaming anomaly detector over a timestamp,value CSV (as live detection would) and write timestamp,value,anomaly_score,is_anomaly')
    .requiredOption('--input <file>', 'CSV with timestamp,value rows (header optional; ISO 8601, "YYYY-MM-DD HH:MM:SS" in UTC, or epoch)')
    .requiredOption('--output <file>', 'CSV to write')
    .option('--indicator <name>', 'indicator of the series (selects its detector settings, e.g. water_pressure)')
    .option('--json', 'print a JSON summary as the last line')
    .action((opts: { input: string; output: string; indicator?: string; json?: boolean }) => {
      try {
        const summary = runDetect(opts, (line) => console.error(line));
        if (!opts.json) console.log(`${summary.rows} rows scored (${summary.badRows} skipped), ${summary.anomalies} anomalies → ${summary.output}`);
        else console.log(JSON.stringify(summary));
      } catch (error) {
        failAndExit(error);
      }
    });
}
