// Each rule kind on a hand-made series whose correct steps are known by construction.
import { describe, expect, it } from 'vitest';
import { AnomalyDetector } from './anomaly/index.ts';
import { DEFAULT_RULES } from './catalogue.ts';
import { advance, signal, type RuleState, type Step } from './engine.ts';
import { ruleProblem } from './evaluate.ts';
import type { Rule, WarningLevel } from './types.ts';

const S = 1000;
const lel: Rule = {
  id: 'lel', name: 'lel', indicator: 'methane_lel', sensorId: null, direction: 'above',
  thresholds: { 1: 50, 2: 25, 3: 10, 4: 5 }, recovery: 3, version: 1,
};

/** Feeds [seconds, value] pairs through one rule and returns the steps that did something. */
function run(rule: Rule, series: [number, number][], anomaly?: AnomalyDetector): [number, Step['kind'], WarningLevel?][] {
  const state: RuleState = {};
  let active: WarningLevel | null = null;
  const out: [number, Step['kind'], WarningLevel?][] = [];
  for (const [s, value] of series) {
    const step = advance(rule, state, active, s * S, signal(rule, state, s * S, value, anomaly));
    if (step.kind === 'open' || step.kind === 'escalate' || step.kind === 'deescalate') {
      active = step.level;
      out.push([s, step.kind, step.level]);
    } else if (step.kind === 'clear') {
      active = null;
      out.push([s, 'clear']);
    }
  }
  return out;
}

describe('threshold', () => {
  it('opens at once by default, escalates at once, de-escalates after 300 s at the most severe lower level seen, clears past recovery', () => {
    expect(run(lel, [[0, 2], [60, 12], [120, 60], [180, 30], [300, 12], [480, 30], [490, 12], [800, 12], [900, 2]])).toEqual([
      [60, 'open', 3], [120, 'escalate', 1],
      // below level 1 from 180 s; 300 s later (480 s) the most severe level seen meanwhile is 2
      [480, 'deescalate', 2],
      // below level 2 from 490 s: level 3 at 790 s or later
      [800, 'deescalate', 3], [900, 'clear'],
    ]);
  });

  it('holds the least severe level in the band between the lowest threshold and recovery', () => {
    expect(run(lel, [[0, 30], [100, 4], [450, 4], [500, 2.9]])).toEqual([[0, 'open', 2], [450, 'deescalate', 4], [500, 'clear']]);
  });

  it('waits for the pending duration and opens at the most severe level seen while pending', () => {
    const pending = { ...lel, pendingS: 120 };
    // A breach that does not last 120 s opens nothing; the next one does, at level 2 seen meanwhile.
    expect(run(pending, [[0, 12], [60, 12], [100, 1], [200, 12], [260, 30], [300, 12], [320, 12]])).toEqual([[320, 'open', 2]]);
  });

  it('keeps firing after recovery and continues when the value comes back meanwhile', () => {
    const keep = { ...lel, keepFiringS: 300 };
    expect(run(keep, [[0, 12], [100, 1], [300, 12], [400, 1], [650, 1], [700, 1]])).toEqual([[0, 'open', 3], [700, 'clear']]);
  });
});

describe('rate of change', () => {
  const drop = DEFAULT_RULES.find((r) => r.id === 'gas-pressure-drop')!; // fall ≥ 0.05 (3) / 0.1 (2) MPa within 600 s
  it('measures a fall from the highest value in the window', () => {
    expect(run(drop, [[0, 0.38], [60, 0.38], [120, 0.36], [180, 0.32], [240, 0.27], [300, 0.27]])).toEqual([
      [180, 'open', 3], // 0.32 − 0.38 = −0.06
      [240, 'escalate', 2], // 0.27 − 0.38 = −0.11
    ]);
  });
  it('forgets values older than the window, so a settled pressure clears', () => {
    // At 900 s the window (300–900 s) holds 0.27 only: change 0 → past recovery −0.02; de-escalation would take 300 s, clearing does not.
    expect(run(drop, [[0, 0.38], [240, 0.27], [900, 0.27]])).toEqual([[240, 'open', 2], [900, 'clear']]);
  });
  it('says nothing on a first reading', () => {
    expect(signal(drop, {}, 0, 0.1)).toBeNull();
  });
});

describe('stuck (flat line)', () => {
  const stuck = DEFAULT_RULES.find((r) => r.id === 'gas-pressure-stuck')!; // unchanged for 6 h
  it('opens a maintenance alarm once the value has not changed for 6 h and clears when it moves', () => {
    expect(stuck.category).toBe('maintenance');
    const hourly: [number, number][] = Array.from({ length: 8 }, (_, h) => [h * 3600, 0.35]);
    expect(run(stuck, [...hourly, [8 * 3600, 0.351]])).toEqual([[6 * 3600, 'open', 4], [8 * 3600, 'clear']]);
  });
  it('does not count a line that keeps moving', () => {
    expect(run(stuck, Array.from({ length: 12 }, (_, h) => [h * 3600, 0.35 + (h % 2) * 0.001]))).toEqual([]);
  });
});

describe('out of physical range', () => {
  const range = DEFAULT_RULES.find((r) => r.id === 'range-methane_lel')!; // 0–100 %LEL
  it('opens a maintenance alarm for an impossible value and clears on a possible one', () => {
    expect(range.category).toBe('maintenance');
    expect(run(range, [[0, 1], [60, -5], [120, 250], [180, 1]])).toEqual([[60, 'open', 4], [180, 'clear']]);
  });
});

describe('statistical baseline', () => {
  const baseline = DEFAULT_RULES.find((r) => r.id === 'water-flow-baseline')!; // level 4 at score ≥ 0.149, keeps firing 1 h
  it('opens when the sensor\'s detector first scores past the level-4 threshold, and a lasting burst is always caught', () => {
    let seed = 1;
    const noise = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
    // Six days of 15-min flows around 400 m³/h, then a burst-sized jump that lasts.
    const series: [number, number][] = Array.from({ length: 6 * 96 }, (_, i) => [i * 900, 400 + 20 * noise()]);
    for (let i = 0; i < 6; i++) series.push([(6 * 96 + i) * 900, 5000]);
    // The same detector run alongside says where the first score reaches the threshold.
    const twin = new AnomalyDetector();
    const first = series.find(([s, v]) => twin.update(s * S, v).score >= baseline.thresholds[4]!)!;
    const steps = run(baseline, series, new AnomalyDetector());
    expect(steps[0]).toEqual([first[0], 'open', 4]);
    // Whatever happened before, an episode is active during the burst.
    let active = false;
    for (const [s, kind] of steps) if (s < 6 * 96 * 900 + 3 * 900) active = kind === 'open';
    expect(active).toBe(true);
  });
});

describe('the catalogue', () => {
  it('has only well-formed rules, each with a source, maintenance rules never above level 3', () => {
    for (const rule of DEFAULT_RULES) {
      expect(ruleProblem(rule), rule.id).toBeNull();
      expect(rule.source, rule.id).toBeTruthy();
    }
    expect(new Set(DEFAULT_RULES.map((r) => r.id)).size).toBe(DEFAULT_RULES.length);
  });
});
