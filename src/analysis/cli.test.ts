import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { leakLocate, loadNetwork, parseObservedCsv } from './index.ts';

const inp = path.join(import.meta.dirname, '../../test/fixtures/epanet/Net1.inp');

describe('lifeline leak locate', () => {
  it('reads node_id,time_s,pressure and prints the contract object: candidates ranked, onset_s', async () => {
    const net = await loadNetwork(fs.readFileSync(inp, 'utf8'));
    const s = net.simulate({ nodes: ['31', '23', '11'], leaks: [{ node: '12', coefficient: 8, startS: 9 * 3600 }] });
    net.close();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leak-'));
    const csv = ['node_id,time_s,pressure', ...s.timesS.flatMap((t, i) => s.nodes.map((n, j) => `${n},${t},${s.pressure[i]![j]}`))].join('\n');
    fs.writeFileSync(path.join(dir, 'observed.csv'), csv);
    const result = await leakLocate({ inp, observed: path.join(dir, 'observed.csv'), top: 3 });
    expect(result.candidates).toHaveLength(3);
    expect(result.candidates[0]!.node).toBe('12');
    expect(Math.abs(result.onset_s! - 9 * 3600)).toBeLessThanOrEqual(3600);
    expect(JSON.parse(JSON.stringify(result))).toMatchObject({ candidates: [{ node: '12', score: expect.any(Number) }, {}, {}] });
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses a CSV without the columns or with a bad value, naming the line', () => {
    expect(() => parseObservedCsv('node,t,p\n1,2,3\n', 'o.csv')).toThrow('o.csv: no column "node_id" (header is node,t,p)');
    expect(() => parseObservedCsv('node_id,time_s,pressure\n22,0,100\n22,3600,abc\n', 'o.csv')).toThrow('o.csv line 3: pressure "abc" is not a number');
  });
});
