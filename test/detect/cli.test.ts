// `lifeline detect` over a NAB series (test/fixtures/nab, MIT): same scores as the streaming
// detector, bad rows reported by line and skipped, a JSON summary as the last line.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSeriesCsv, scoreSeries } from '../../src/detect/anomaly/index.ts';
import { tempDir } from '../support/tmp.ts';

const bin = path.resolve(import.meta.dirname, '../../bin/lifeline.js');
const fixture = path.resolve(import.meta.dirname, '../fixtures/nab/art_daily_jumpsup.csv');
const tmp = tempDir('detect-cli');
afterAll(() => tmp.remove());

describe('lifeline detect', () => {
  it('scores a series as the streaming detector does, skipping bad rows with their line numbers', () => {
    const lines = readFileSync(fixture, 'utf8').trimEnd().split('\n');
    lines.splice(10, 0, '2014-04-01 00:45:00,not-a-number'); // becomes line 11
    lines.splice(20, 0, 'garbage'); // line 21
    const input = path.join(tmp.dir, 'in.csv');
    const output = path.join(tmp.dir, 'out.csv');
    writeFileSync(input, lines.join('\n') + '\n');

    const run = spawnSync(process.execPath, [bin, 'detect', '--input', input, '--output', output, '--indicator', 'drain_level', '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/in\.csv:11: skipped: value "not-a-number" is not a finite number/);
    expect(run.stderr).toMatch(/in\.csv:21: skipped: /);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ command: 'detect', rows: 4032, badRows: 2, indicator: 'drain_level' });

    const out = readFileSync(output, 'utf8').trimEnd().split('\n');
    expect(out[0]).toBe('timestamp,value,anomaly_score,is_anomaly');
    expect(out).toHaveLength(4033);
    const expected = scoreSeries(parseSeriesCsv(readFileSync(fixture, 'utf8')).points);
    const rows = out.slice(1).map((l) => l.split(','));
    expect(rows.map((r) => r[0])).toEqual(expected.map((p) => p.raw));
    expect(rows.map((r) => Number(r[2]))).toEqual(expected.map((p) => Number(p.score.toFixed(6))));
    expect(rows.map((r) => r[3] === '1')).toEqual(expected.map((p) => p.isAnomaly));
    expect(summary.anomalies).toBe(expected.filter((p) => p.isAnomaly).length);
    // After NAB's probationary period (the first 604 rows) it flags only inside NAB's label window.
    const flagged = rows.slice(604).filter((r) => r[3] === '1').map((r) => r[0]!);
    expect(flagged.length).toBeGreaterThan(0);
    for (const ts of flagged) expect(ts >= '2014-04-10 16:15:00' && ts <= '2014-04-12 01:45:00').toBe(true);
  });

  it('fails with one line when the input is missing', () => {
    const run = spawnSync(process.execPath, [bin, 'detect', '--input', path.join(tmp.dir, 'none.csv'), '--output', path.join(tmp.dir, 'x.csv')], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^lifeline: failed: .*none\.csv/);
  });
});
