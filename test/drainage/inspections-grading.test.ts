// CJJ 181-2012 chapter 8 on hand-computed segments: every expected value below is worked out in
// the comment above it (and in docs/inspections.md), from the standard's tables and formulas.
import { describe, expect, it } from 'vitest';
import { assessSegment, condition, defectProblem, defectScore, DEFECT_TYPES, type DefectObservation } from '../../src/drainage/inspections/index.ts';

const d = (code: DefectObservation['code'], grade: number, atM: number, lengthM = 0): DefectObservation => ({ code, grade, atM, lengthM });

describe('defect scores (tables 8.2.2 and 8.2.3)', () => {
  it('scores each code by grade', () => {
    expect([1, 2, 3, 4].map((g) => defectScore('PL', g))).toEqual([0.5, 2, 5, 10]);
    expect([1, 2, 3, 4].map((g) => defectScore('BX', g))).toEqual([1, 2, 5, 10]);
    expect([1, 2].map((g) => defectScore('TL', g))).toEqual([1, 3]);
    expect([1, 2, 3, 4].map((g) => defectScore('ZW', g))).toEqual([0.1, 2, 5, 10]);
    expect([1, 2, 3, 4].map((g) => defectScore('CQ', g))).toEqual([1, 3, 5, 10]);
    expect([1, 2, 3].map((g) => defectScore('FZ', g))).toEqual([0, 0, 0]);
    expect(Object.values(DEFECT_TYPES).filter((t) => t.kind === 'structural').map((t) => t.code)).toEqual(['PL', 'BX', 'FS', 'CK', 'QF', 'TJ', 'TL', 'AJ', 'CR', 'SL']);
    expect(Object.values(DEFECT_TYPES).filter((t) => t.kind === 'functional').map((t) => t.code)).toEqual(['CJ', 'JG', 'ZW', 'CQ', 'SG', 'FZ']);
  });

  it('names what is wrong with an unknown code or a grade the code does not have', () => {
    expect(defectProblem('XX', 2)).toMatch(/unknown defect code "XX"/);
    expect(defectProblem('FS', 4)).toBe('FS (腐蚀) has grades 1–3, not 4');
    expect(defectProblem('TL', 3)).toBe('TL (接口材料脱落) has grades 1–2, not 3');
    expect(defectProblem('PL', 0)).toMatch(/grades 1–4, not 0/);
    expect(defectProblem('FZ', 3)).toBeNull();
  });
});

describe('segment indices (§8.3 structural, §8.4 functional)', () => {
  it('worked example 1: a 40 m DN800 segment under an arterial road with a fracture, an offset joint and an infiltration, deposits and roots', () => {
    // Structural: PL3 (5) at 12.0 m, CK2 (2) at 25.0 m, SL2 (2) at 26.3 m. CK and SL are 1.3 m
    // apart (1.0 < 1.3 ≤ 1.5): both weighted α = 1.1; PL is 13 m from its neighbour: weight 1.
    // S = (5 + 1.1 × (2 + 2)) / 3 = 9.4 / 3 = 3.1333; Smax = 5 ≥ S, so F = 5: grade III (3 < F ≤ 6).
    // SM = (5×1 + 1.1×2×1 + 1.1×2×1) / (S × L) = 9.4 / (3.1333 × 40) = 0.075: local (< 0.1).
    // K = 6 (arterial, F ≥ 4), E = 3 (600 ≤ 800 ≤ 1000), T = 0 (general soil):
    // RI = 0.7×5 + 0.1×6 + 0.05×3 + 0.15×0 = 4.25: repair grade III (4 < RI ≤ 7), repair soon.
    // Functional: CJ3 (5) from 5 m over 8 m, SG2 (2) at 30 m, 17 m apart: Y = 7 / 2 = 3.5,
    // Ymax = 5, G = 5: grade III. YM = (5×8 + 2×1) / (3.5 × 40) = 0.3: partial or whole.
    // MI = 0.8×5 + 0.15×6 + 0.05×3 = 5.05: maintenance grade III, maintain soon.
    const a = assessSegment([d('PL', 3, 12), d('CK', 2, 25), d('SL', 2, 26.3), d('CJ', 3, 5, 8), d('SG', 2, 30)],
      { lengthM: 40, diameterMm: 800, region: 'arterial', soil: 'general' });
    expect(a.structural.points).toBe(3);
    expect(a.structural.mean).toBeCloseTo(3.133333, 5);
    expect(a.structural).toMatchObject({ max: 5, parameter: 5, grade: 3, extent: 'local' });
    expect(a.structural.density).toBeCloseTo(0.075, 6);
    expect(a.repairFactors).toEqual({ K: 6, E: 3, T: 0 });
    expect(a.ri).toBeCloseTo(4.25, 9);
    expect(a.repairGrade).toBe(3);
    expect(a.functional).toMatchObject({ points: 2, mean: 3.5, max: 5, parameter: 5, grade: 3, extent: 'partial' });
    expect(a.functional.density).toBeCloseTo(0.3, 9);
    expect(a.maintenanceFactors).toEqual({ K: 6, E: 3 });
    expect(a.mi).toBeCloseTo(5.05, 9);
    expect(a.action).toEqual({ repair: 'repair_soon', maintenance: 'maintain_soon', priority: 3 });
    expect(a.assumed).toEqual([]);
  });

  it('worked example 2: two open joints 1.2 m apart make S exceed Smax, so F = S', () => {
    // TJ2 (2) at 10.0 and 11.2 m: both weighted 1.1. S = 1.1 × 4 / 2 = 2.2 > Smax = 2: F = 2.2, grade II.
    // SM = 1.1 × (2 + 2) / (2.2 × 30) = 0.0667. F < 4: K = 0, E = 0; silty sand T = 10 (F ≠ 0).
    // RI = 0.7 × 2.2 + 0.15 × 10 = 3.04: repair grade II, plan a repair.
    const a = assessSegment([d('TJ', 2, 10), d('TJ', 2, 11.2)], { lengthM: 30, diameterMm: 500, region: 'central', soil: 'silty_sand' });
    expect(a.structural).toMatchObject({ points: 2, max: 2, grade: 2 });
    expect(a.structural.mean).toBeCloseTo(2.2, 9);
    expect(a.structural.parameter).toBeCloseTo(2.2, 9);
    expect(a.structural.density).toBeCloseTo(4.4 / 66, 6);
    expect(a.repairFactors).toEqual({ K: 0, E: 0, T: 10 });
    expect(a.ri).toBeCloseTo(3.04, 9);
    expect(a.action).toEqual({ repair: 'plan_repair', maintenance: 'none', priority: 2 });
  });

  it('worked example 3: defects within 1 m add up, capped at 10', () => {
    // PL4 (10) at 20.0 m and SL3 (5) at 20.5 m: one point, 15 → 10. S = Smax = F = 10: grade IV.
    // SM = 10 × 1 / (10 × 50) = 0.02. Central (K 10), DN1200 (E 6), general soil:
    // RI = 7 + 1 + 0.3 = 8.3: repair grade IV, repair now.
    const a = assessSegment([d('PL', 4, 20), d('SL', 3, 20.5)], { lengthM: 50, diameterMm: 1200, region: 'central', soil: 'general' });
    expect(a.structural).toMatchObject({ points: 1, mean: 10, max: 10, parameter: 10, grade: 4, density: 0.02, extent: 'local' });
    expect(a.ri).toBeCloseTo(8.3, 9);
    expect(a.action.repair).toBe('repair_now');
  });

  it('keeps the grade boundaries inclusive and the 1.0 / 1.5 m distances as the standard draws them', () => {
    // Exactly 1.0 m apart: one point (0.5 + 0.5 = 1); F = 1 is still grade I.
    expect(condition([d('SL', 1, 0), d('SL', 1, 1.0)], 20)).toMatchObject({ points: 1, parameter: 1, grade: 1 });
    // Exactly 1.5 m apart: two points, both weighted 1.1: S = 1.1 × 1 / 2 = 0.55 > Smax 0.5.
    const c = condition([d('SL', 1, 0), d('SL', 1, 1.5)], 20);
    expect(c.points).toBe(2);
    expect(c.parameter).toBeCloseTo(0.55, 9);
    // 1.6 m apart: weight 1, S = 0.5 = Smax.
    expect(condition([d('SL', 1, 0), d('SL', 1, 1.6)], 20)).toMatchObject({ points: 2, mean: 0.5, parameter: 0.5 });
    // F = 3 is grade II, F = 6 grade III, F = 10 grade IV.
    expect(condition([d('TL', 2, 3)], 20).grade).toBe(2);
    expect(condition([d('CK', 3, 3), d('SL', 1, 3.2), d('SL', 1, 3.4)], 20)).toMatchObject({ points: 1, parameter: 6, grade: 3 });
  });

  it('a long deposit covers most of the segment: whole-segment extent; defaults are applied and reported', () => {
    // CJ2 (2) from 0 over 30 m of 40 m: Y = G = 2 (grade II), YM = 2 × 30 / (2 × 40) = 0.75 > 0.5: whole.
    // MI = 0.8 × 2 = 1.6 (G < 4: K = E = 0): maintenance grade II, plan it.
    const a = assessSegment([d('CJ', 2, 0, 30)], { lengthM: 40 });
    expect(a.functional).toMatchObject({ parameter: 2, grade: 2, density: 0.75, extent: 'whole' });
    expect(a.mi).toBeCloseTo(1.6, 9);
    expect(a.action).toEqual({ repair: 'none', maintenance: 'plan_maintenance', priority: 2 });
    expect(a.assumed).toEqual(['region: road (K 3), none given', 'soil: general (T 0), none given', 'diameter unknown: E 0']);
    // BX3 (5) under the default region: K = 3 since F ≥ 4; RI = 3.5 + 0.3 = 3.8: grade II.
    expect(assessSegment([d('BX', 3, 4)], { lengthM: 10 }).ri).toBeCloseTo(3.8, 9);
  });

  it('a segment without defects is grade I on both counts with nothing to do', () => {
    const a = assessSegment([], { lengthM: 35, diameterMm: 800, region: 'central', soil: 'muck' });
    expect(a).toMatchObject({ ri: 0, mi: 0, repairGrade: 1, maintenanceGrade: 1, repairFactors: { K: 0, E: 0, T: 0 } });
    expect(a.structural.extent).toBeNull();
    expect(a.action).toEqual({ repair: 'none', maintenance: 'none', priority: 1 });
  });
});
