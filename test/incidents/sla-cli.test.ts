// The SLA table as a configuration file: `lifeline sla show` prints it in the shape `lifeline sla
// set <file>` reads; a file saved becomes the next version; a bad file is refused with the place
// named and changes nothing.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SlaTable } from '../../src/incidents/index.ts';
import { tempDir } from '../support/tmp.ts';

const bin = path.resolve(import.meta.dirname, '../../bin/lifeline.js');
const data = tempDir('sla-cli');
afterAll(() => data.remove());

const lifeline = (...args: string[]) => {
  const result = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, DATA_DIR: path.join(data.dir, 'db'), LOG_LEVEL: 'warn', DATABASE_URL: '' }, encoding: 'utf8', timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, last: result.stdout.trim().split('\n').at(-1) ?? '' };
};

describe('lifeline sla', () => {
  // Each command opens (and the first migrates) an embedded database: slow on a busy machine.
  it('shows the table, saves a file as the next version, refuses a bad file', { timeout: 300_000 }, () => {
    const shown = lifeline('sla', 'show', '--json');
    expect(shown.status, shown.stderr).toBe(0);
    const first = JSON.parse(shown.last) as { version: number; table: SlaTable };
    expect(first.version).toBe(1);
    expect(first.table.levels[1]).toEqual({ verify: 5, accept: 15, arrive: 30, dispose: 240 });

    const file = path.join(data.dir, 'sla.json');
    const table: SlaTable = { ...first.table, types: { ...first.table.types, water_burst: { 1: { arrive: 20 } } } };
    writeFileSync(file, JSON.stringify(table));
    const saved = lifeline('sla', 'set', file, '--note', '供水一级到场 20 分钟', '--by', 'ops', '--json');
    expect(saved.status, saved.stderr).toBe(0);
    expect(JSON.parse(saved.last)).toEqual({ version: 2 });
    expect(JSON.parse(lifeline('sla', 'show', '--json').last)).toEqual({ version: 2, table });

    writeFileSync(file, JSON.stringify({ ...table, types: { water_burst: { 1: { arrive: -5 } } } }));
    const refused = lifeline('sla', 'set', file);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('types.water_burst.1.arrive:');
    expect(JSON.parse(lifeline('sla', 'show', '--json').last).version).toBe(2);
  });
});
