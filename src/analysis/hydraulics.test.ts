import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InpError, UnknownNodeError, loadNetwork } from './index.ts';

const fixtures = path.join(import.meta.dirname, '../../test/fixtures/epanet');
const read = (name: string) => fs.readFileSync(path.join(fixtures, name), 'utf8');

describe('EPANET hydraulics (epanet-js)', () => {
  it('runs Net1 as a 24 h extended-period simulation with its demand pattern', async () => {
    const net = await loadNetwork(read('Net1.inp'), { name: 'Net1.inp' });
    expect(net.junctionIds).toHaveLength(9);
    expect(net.pressureUnit).toBe('psi');
    const s = net.simulate({ nodes: ['22', '32'] });
    expect(s.timesS).toHaveLength(25);
    expect(s.timesS[24]).toBe(86400);
    const p22 = s.pressure.map((row) => row[0]!);
    expect(Math.max(...p22) - Math.min(...p22)).toBeGreaterThan(1); // pressures vary with the pattern
    net.close();
  });

  it('a leak (emitter) at a junction starting at T lowers pressures from T on only', async () => {
    const net = await loadNetwork(read('Net1.inp'));
    const base = net.simulate({ nodes: ['22'] });
    const leak = net.simulate({ nodes: ['22'], leaks: [{ node: '22', coefficient: 10, startS: 7200 }] });
    expect(leak.pressure[1]![0]).toBeCloseTo(base.pressure[1]![0]!, 9);
    expect(leak.pressure[2]![0]).toBeLessThan(base.pressure[2]![0]! - 0.1);
    expect(leak.leakFlow[1]).toBe(0);
    expect(leak.leakFlow[2]).toBeGreaterThan(50);
    // the emitter is removed again after the run
    const again = net.simulate({ nodes: ['22'] });
    expect(again.pressure).toEqual(base.pressure);
    net.close();
  });

  it('gives ky4 (a steady-state snapshot) a duration and keeps its demand pattern', async () => {
    const net = await loadNetwork(read('ky4.inp'), { name: 'ky4.inp', durationS: 6 * 3600 });
    expect(net.junctionIds).toHaveLength(959);
    const s = net.simulate({ nodes: [net.junctionIds[0]!] });
    expect(s.timesS).toHaveLength(7);
    net.close();
  });

  it('refuses an unknown junction, a tank as a leak node, and an .inp that fails to parse', async () => {
    const net = await loadNetwork(read('Net1.inp'), { name: 'Net1.inp' });
    expect(() => net.simulate({ leaks: [{ node: 'J-404', coefficient: 1, startS: 0 }] })).toThrow(UnknownNodeError);
    expect(() => net.simulate({ leaks: [{ node: 'J-404', coefficient: 1, startS: 0 }] })).toThrow('Net1.inp: no junction "J-404"');
    expect(() => net.simulate({ leaks: [{ node: '2', coefficient: 1, startS: 0 }] })).toThrow('tank or reservoir');
    net.close();
    const broken = '[JUNCTIONS]\n 1 10 x\n[PIPES]\n 5 1 99 100 12 100\n[END]\n';
    await expect(loadNetwork(broken, { name: 'broken.inp' })).rejects.toThrow(InpError);
    await expect(loadNetwork(broken, { name: 'broken.inp' })).rejects.toThrow(/broken\.inp: EPANET could not read the file: .*Error 200/);
    await expect(loadNetwork('not an inp file', { name: 'empty.inp' })).rejects.toThrow('empty.inp: the file has no nodes');
  });
});
