import { describe, expect, it } from 'vitest';
import { evaluate, levelFor, ruleProblem } from './evaluate.ts';
import type { ThresholdRule } from './types.ts';

const gas: ThresholdRule = {
  id: 'lel', name: 'lel', indicator: 'methane_lel', sensorId: null, direction: 'above',
  thresholds: { 1: 50, 2: 25, 3: 10, 4: 5 }, recovery: 3, version: 1,
};
const pressure: ThresholdRule = {
  id: 'p', name: 'p', indicator: 'water_pressure', sensorId: null, direction: 'below',
  thresholds: { 1: 0.1, 2: 0.14, 4: 0.2 }, recovery: 0.22, version: 1,
};

describe('levelFor', () => {
  it('picks the most severe level reached, thresholds inclusive', () => {
    expect(levelFor(gas, 4.99)).toBeNull();
    expect(levelFor(gas, 5)).toBe(4);
    expect(levelFor(gas, 24.9)).toBe(3);
    expect(levelFor(gas, 50)).toBe(1);
    expect(levelFor(gas, 900)).toBe(1);
  });
  it('reads "below" rules downwards and skips levels a rule leaves out', () => {
    expect(levelFor(pressure, 0.3)).toBeNull();
    expect(levelFor(pressure, 0.19)).toBe(4);
    expect(levelFor(pressure, 0.14)).toBe(2);
    expect(levelFor(pressure, 0.05)).toBe(1);
  });
});

describe('evaluate', () => {
  it('opens only when a threshold is reached', () => {
    expect(evaluate(gas, null, 4)).toEqual({ kind: 'none' });
    expect(evaluate(gas, null, 12)).toEqual({ kind: 'open', level: 3 });
  });
  it('escalates an active alarm to a more severe level and never lowers it', () => {
    expect(evaluate(gas, 3, 30)).toEqual({ kind: 'escalate', level: 2 });
    expect(evaluate(gas, 2, 12)).toEqual({ kind: 'hold' });
    expect(evaluate(gas, 2, 30)).toEqual({ kind: 'hold' });
  });
  it('holds between the lowest threshold and recovery, clears past recovery', () => {
    expect(evaluate(gas, 4, 4)).toEqual({ kind: 'hold' });
    expect(evaluate(gas, 4, 3)).toEqual({ kind: 'hold' });
    expect(evaluate(gas, 4, 2.99)).toEqual({ kind: 'clear' });
    expect(evaluate(pressure, 2, 0.21)).toEqual({ kind: 'hold' });
    expect(evaluate(pressure, 2, 0.23)).toEqual({ kind: 'clear' });
  });
});

describe('ruleProblem', () => {
  it('accepts well-formed rules', () => {
    expect(ruleProblem(gas)).toBeNull();
    expect(ruleProblem(pressure)).toBeNull();
  });
  it('names what is wrong', () => {
    expect(ruleProblem({ ...gas, thresholds: {} })).toContain('no threshold');
    expect(ruleProblem({ ...gas, thresholds: { 1: 10, 2: 25 } })).toContain('level 1 must be more severe than level 2');
    expect(ruleProblem({ ...gas, recovery: 6 })).toContain('recovery 6 must lie on the safe side of 5');
    expect(ruleProblem({ ...pressure, recovery: 0.15 })).toContain('safe side');
    expect(ruleProblem({ ...gas, thresholds: { 1: Number.NaN } })).toContain('finite');
  });
});
