// The issue's contract for checks: `lifeline water-class … --json` and `lifeline hj212 decode
// --json` print one JSON object as their last stdout line, by the same functions the platform uses.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { framePacket } from '../src/ingest/hj212/index.ts';

const bin = path.resolve(import.meta.dirname, '../bin/lifeline.js');
const run = (args: string[], input?: string) => {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input, timeout: 60_000 });
  const lines = result.stdout.trim().split('\n');
  return { status: result.status, stderr: result.stderr, last: lines.at(-1) ? (JSON.parse(lines.at(-1)!) as unknown) : null };
};

describe('lifeline water-class', () => {
  it('prints the class and the limiting parameters; TN is ignored for a river with a note', () => {
    const river = run(['water-class', '--waterbody', 'river', '--cod', '18', '--nh3n', '0.8', '--tp', '0.15', '--do', '6.5', '--tn', '3', '--json']);
    expect(river.status).toBe(0);
    expect(river.last).toEqual({ class: 'III', limiting: ['cod', 'nh3n', 'tp'] });
    expect(river.stderr).toMatch(/tn: counts for lakes and reservoirs only/);
    expect(run(['water-class', '--waterbody', 'lake', '--cod', '15', '--nh3n', '0.15', '--tp', '0.01', '--do', '7.5', '--tn', '2.01', '--json']).last)
      .toEqual({ class: 'worse than V', limiting: ['tn'] });
    expect(run(['water-class', '--waterbody', 'river', '--cod', '15', '--nh3n', '0.15', '--tp', '0.02', '--do', '7.5', '--json']).last)
      .toEqual({ class: 'I', limiting: [] });
  });
});

describe('lifeline hj212 decode', () => {
  const packet = framePacket('QN=20261123160000123;ST=21;CN=2011;PW=123456;MN=WQ-01;Flag=5;CP=&&DataTime=20261123160000;w01018-Rtd=45.2,w01018-Flag=N;w21003-Rtd=0.52,w21003-Flag=D&&');

  it('prints the packet as the TCP listener reads it, DataTime in Beijing time', () => {
    const result = run(['hj212', 'decode', '--json'], packet);
    expect(result.status).toBe(0);
    expect(result.last).toEqual({
      crcOk: true, st: '21', cn: '2011', mn: 'WQ-01', qn: '20261123160000123', flag: 5, dataTime: '2026-11-23T16:00:00+08:00',
      values: { w01018: { rtd: 45.2, flag: 'N' }, w21003: { rtd: 0.52, flag: 'D' } },
    });
    expect(run(['hj212', 'decode', '--json'], '##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n').last)
      .toMatchObject({ crcOk: true, cn: '1062', mn: '010000A8900016F000169DC0' });
  });

  it('reports a CRC mismatch, and refuses a packet whose declared length does not match', () => {
    expect(run(['hj212', 'decode', '--json'], packet.replace('45.2', '46.2')).last).toMatchObject({ crcOk: false, values: { w01018: { rtd: 46.2 } } });
    const wrongLength = run(['hj212', 'decode', '--json'], packet.replace(/^##\d{4}/, '##0100'));
    expect(wrongLength.status).not.toBe(0);
    expect(wrongLength.stderr).toMatch(/declared data length 100 does not match the data segment's \d+ bytes/);
  });
});
