// `lifeline inspections import FILE --campaign ID --json` on a database of its own: a good export
// is written whole, a bad one is refused with its per-row report and a non-zero exit.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InspectionImportReport } from '../../src/drainage/inspections/index.ts';
import { tempDir } from '../support/tmp.ts';

const bin = path.resolve(import.meta.dirname, '../../bin/lifeline.js');
const fixture = (name: string) => path.resolve(import.meta.dirname, '../fixtures/inspections', name);
const data = tempDir('inspections-cli');
const run = (args: string[]) => {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, DATA_DIR: data.dir, DATABASE_URL: '' } });
  const lines = result.stdout.trim().split('\n');
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, last: args.includes('--json') && lines.at(-1) ? (JSON.parse(lines.at(-1)!) as InspectionImportReport) : null };
};

afterAll(() => data.remove());

describe('lifeline inspections import', () => {
  // Each CLI run opens the database and migrates it (10–20 s on a busy machine): a few runs per test.
  it('imports a good export into a new campaign', { timeout: 180_000 }, () => {
    expect(run(['import', fixture('network.geojson'), '--json']).status).toBe(0);
    const good = run(['inspections', 'import', fixture('good.csv'), '--campaign', 'C-CLI', '--name', '2026 CCTV', '--method', 'cctv', '--json']);
    expect(good.status, good.stderr).toBe(0);
    expect(good.last).toMatchObject({ written: true, campaignId: 'C-CLI', counts: { rows: 10, inspections: 4, defects: 9 }, rejected: [] });
  });

  it('refuses a bad export row by row with exit code 1', { timeout: 180_000 }, () => {
    const bad = run(['inspections', 'import', fixture('bad.csv'), '--campaign', 'C-CLI', '--json']);
    expect(bad.status).toBe(1);
    expect(bad.last!.written).toBe(false);
    expect(bad.last!.rejected.map((r) => r.line)).toEqual([2, 3, 4, 6, 7, 8, 9, 10]);

    const human = run(['inspections', 'import', fixture('bad.csv'), '--campaign', 'C-CLI']);
    expect(human.stdout).toContain('rejected line 2 (T-P1): code: unknown defect code "XX"');
    expect(human.stdout).toContain('nothing written: 8 row(s) rejected');
  });

  it('reads an Excel workbook by its extension', { timeout: 120_000 }, () => {
    const excel = run(['inspections', 'import', fixture('good.xlsx'), '--campaign', 'C-CLI-X', '--name', '2026 CCTV (Excel)', '--method', 'cctv', '--json']);
    expect(excel.last).toMatchObject({ written: true, source: 'good.xlsx', counts: { rows: 10, inspections: 4, defects: 9 } });
  });

  it('needs a method to create a campaign, and names an unknown one', { timeout: 120_000 }, () => {
    const noMethod = run(['inspections', 'import', fixture('good.csv'), '--campaign', 'C-NEW', '--name', 'x', '--json']);
    expect(noMethod.status).toBe(1);
    expect(noMethod.stderr).toContain('--name creates a campaign: give its --method too');
    expect(run(['inspections', 'import', fixture('good.csv'), '--campaign', 'C-NONE', '--json']).last!.error).toMatch(/campaign C-NONE does not exist/);
  });
});
