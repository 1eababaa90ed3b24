import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ObservationError, UnknownNodeError, detectOnset, loadNetwork, locateLeak, type Observation, type PressureSeries } from './index.ts';

const fixtures = path.join(import.meta.dirname, '../../test/fixtures/epanet');
const net1 = () => loadNetwork(fs.readFileSync(path.join(fixtures, 'Net1.inp'), 'utf8'), { name: 'Net1.inp' });
const monitored = ['31', '23', '11'];

function observations(s: PressureSeries, noise: (k: number) => number = () => 0): Observation[] {
  let k = 0;
  return s.timesS.flatMap((t, i) => s.nodes.map((node, j) => ({ node, timeS: t, pressure: s.pressure[i]![j]! + noise(k++) })));
}

describe('leak location', () => {
  it('Net1, noise-free model, leak from t = 0 at a known junction: the true node ranks first', async () => {
    const net = await net1();
    for (const node of ['12', '22', '32']) {
      const s = net.simulate({ nodes: monitored, leaks: [{ node, coefficient: 8, startS: 0 }] });
      const result = locateLeak(net, observations(s), { onsetS: 0 });
      expect(result.candidates[0]!.node).toBe(node);
      expect(result.candidates[0]!.score).toBeGreaterThan(0.99);
      expect(result.candidates).toHaveLength(9);
    }
    net.close();
  });

  it('Net1, leak starting at 10 h: the onset is found from the residuals and the true node ranks first', async () => {
    const net = await net1();
    const s = net.simulate({ nodes: monitored, leaks: [{ node: '22', coefficient: 8, startS: 10 * 3600 }] });
    const result = locateLeak(net, observations(s), { top: 3 });
    expect(result.onsetDetected).toBe(true);
    expect(Math.abs(result.onsetS! - 10 * 3600)).toBeLessThanOrEqual(3600);
    expect(result.alarmS! - 10 * 3600).toBeLessThanOrEqual(2 * 3600);
    expect(result.candidates[0]!.node).toBe('22');
    expect(result.candidates).toHaveLength(3);
    net.close();
  });

  it('onset detection: a step inserted at a known time in noisy residuals is found within 2 samples, causally', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const gauss = () => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
    const T = 48;
    const step = 30;
    const sensors = ['a', 'b', 'c', 'd'];
    const model = Array.from({ length: T }, (_, t) => sensors.map((_, i) => 50 + 5 * Math.sin(t / 4) + i));
    const residuals = Array.from({ length: T }, (_, t) => sensors.map((_, i) => 0.2 * gauss() + (t >= step ? -(0.4 + 0.2 * i) : 0)));
    const found = detectOnset(residuals, model, sensors, { warmup: 12 });
    expect(found).toBeDefined();
    expect(Math.abs(found!.changeIndex - step)).toBeLessThanOrEqual(2);
    expect(found!.alarmIndex).toBeGreaterThanOrEqual(step);
    expect(found!.alarmIndex - step).toBeLessThanOrEqual(4);
    // causal: the data after the alarm does not change the decision
    const cut = detectOnset(residuals.slice(0, found!.alarmIndex + 1), model.slice(0, found!.alarmIndex + 1), sensors, { warmup: 12 });
    expect(cut).toEqual(found);
    // no step, no alarm
    const quiet = Array.from({ length: T }, () => sensors.map(() => 0.2 * gauss()));
    expect(detectOnset(quiet, model, sensors, { warmup: 12 })).toBeUndefined();
  });

  it('bad input: an unknown or non-junction observed node, a missing reading, a time beyond the model', async () => {
    const net = await net1();
    expect(() => locateLeak(net, [{ node: 'J-404', timeS: 0, pressure: 100 }])).toThrow(UnknownNodeError);
    expect(() => locateLeak(net, [{ node: 'J-404', timeS: 0, pressure: 100 }])).toThrow('observed node "J-404" is not in the network Net1.inp');
    expect(() => locateLeak(net, [{ node: '9', timeS: 0, pressure: 100 }])).toThrow('tank or reservoir');
    expect(() => locateLeak(net, [
      { node: '22', timeS: 0, pressure: 100 }, { node: '22', timeS: 3600, pressure: 100 }, { node: '31', timeS: 0, pressure: 100 },
    ])).toThrow(new ObservationError('no observation at 31 for time 3600 s (every monitored junction needs every reporting time)'));
    expect(() => locateLeak(net, [{ node: '22', timeS: 999999, pressure: 100 }])).toThrow(/outside the model's duration/);
    expect(() => locateLeak(net, [{ node: '22', timeS: 0, pressure: 100 }], { candidates: ['nope'] })).toThrow('candidate "nope" is not a junction');
    net.close();
  });
});
