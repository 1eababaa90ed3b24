import { describe, expect, it } from 'vitest';
import { classifyDays } from '../water-quality.ts';
import { deterioration, rainClass, rainClass12h, rainClass24h, rainLevel } from './classes.ts';

const means = (date: string, values: Record<string, number>) =>
  Object.entries(values).map(([indicator, mean]) => ({ date, start: `${date}T00:00:00+08:00`, indicator, mean }));

describe('daily class and deterioration', () => {
  // Day 1: COD 18 (III), NH3-N 0.4 (II) → III. Day 2: COD 28 (IV) → IV. Day 3: NH3-N 2.5 → 劣V.
  const days = classifyDays([
    ...means('2026-11-01', { cod: 18, nh3n: 0.4 }),
    ...means('2026-11-02', { cod: 28, nh3n: 0.4 }),
    ...means('2026-11-03', { cod: 28, nh3n: 2.5 }),
    ...means('2026-11-04', { cod: 12, nh3n: 0.1 }),
  ]);

  it('classes each day from its means', () => {
    expect(days.map((d) => d.class)).toEqual(['III', 'IV', '劣V', 'I']);
  });

  it('III → IV is one class worse; within a IV target it alarms only for the change', () => {
    expect(deterioration(days, '2026-11-02', 'IV')).toEqual({
      date: '2026-11-02', class: 'IV', previousClass: 'III', targetClass: 'IV', reasons: ['worse_than_previous_day'], level: 3,
    });
  });

  it('below a III target and worse than the day before; 劣V is orange', () => {
    const d = deterioration(days, '2026-11-03', 'III');
    expect(d?.reasons).toEqual(['below_target', 'worse_than_previous_day']);
    expect(d?.level).toBe(2);
  });

  it('no alarm when the class improves and meets the target', () => {
    expect(deterioration(days, '2026-11-04', 'III')).toBeNull();
  });

  it('the first day alarms only against the target', () => {
    expect(deterioration(days, '2026-11-01', 'IV')).toBeNull();
    expect(deterioration(days, '2026-11-01', 'II')?.reasons).toEqual(['below_target']);
  });

  it('an unknown day does not alarm', () => {
    expect(deterioration(days, '2026-12-01', 'I')).toBeNull();
  });
});

describe('rain classes (GB/T 28592-2012)', () => {
  it('24 h boundaries: each lower bound belongs to its class', () => {
    expect(rainClass24h(0.04)).toBeNull();
    expect(rainClass24h(0.1)).toBe('小雨');
    expect(rainClass24h(9.9)).toBe('小雨');
    expect(rainClass24h(10.0)).toBe('中雨');
    expect(rainClass24h(24.9)).toBe('中雨');
    expect(rainClass24h(25.0)).toBe('大雨');
    expect(rainClass24h(49.9)).toBe('大雨');
    expect(rainClass24h(50.0)).toBe('暴雨');
    expect(rainClass24h(99.9)).toBe('暴雨');
    expect(rainClass24h(100.0)).toBe('大暴雨');
    expect(rainClass24h(249.9)).toBe('大暴雨');
    expect(rainClass24h(250.0)).toBe('特大暴雨');
  });

  it('12 h boundaries', () => {
    expect(rainClass12h(4.9)).toBe('小雨');
    expect(rainClass12h(5.0)).toBe('中雨');
    expect(rainClass12h(14.9)).toBe('中雨');
    expect(rainClass12h(15.0)).toBe('大雨');
    expect(rainClass12h(29.9)).toBe('大雨');
    expect(rainClass12h(30.0)).toBe('暴雨');
    expect(rainClass12h(69.9)).toBe('暴雨');
    expect(rainClass12h(70.0)).toBe('大暴雨');
    expect(rainClass12h(139.9)).toBe('大暴雨');
    expect(rainClass12h(140.0)).toBe('特大暴雨');
  });

  it('sums to 0.1 mm: 9.95 mm in 24 h is 10.0 mm, 中雨', () => {
    expect(rainClass24h(9.95)).toBe('中雨');
    expect(rainClass24h(9.94)).toBe('小雨');
  });

  it('the heavier of 12 h and 24 h decides, and maps to a warning level', () => {
    expect(rainClass(32, 40)).toBe('暴雨'); // 12 h 暴雨, 24 h 大雨
    expect(rainClass(20, 60)).toBe('暴雨'); // 12 h 大雨, 24 h 暴雨
    expect(rainLevel(rainClass(6, 12))).toBeNull();
    expect(rainLevel('大雨')).toBe(4);
    expect(rainLevel('特大暴雨')).toBe(1);
  });
});
