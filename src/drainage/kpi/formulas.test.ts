// Hand-computed cases of the KPI formulas (docs/kpi.md shows the same arithmetic).
import { describe, expect, it } from 'vitest';
import { collectionRate, flowWeightedBod5, influentLoadKg, kpisByPeriod, producedLoadKgPerDay, type InfluentDay } from './formulas.ts';

const day = (plantId: string, date: string, flowM3: number, bod5MgL: number, industrialBod5Kg = 0): InfluentDay => ({ plantId, day: date, flowM3, bod5MgL, industrialBod5Kg });

describe('KPI formulas', () => {
  it('load: 40,000 m³ at 120 mg/L is 4,800 kg', () => {
    expect(influentLoadKg({ flowM3: 40_000, bod5MgL: 120 })).toBe(4800);
  });

  it('produced: 150,000 people × 45 g = 6,750 kg/d', () => {
    expect(producedLoadKgPerDay(150_000)).toBe(6750);
  });

  it('collection rate: (4,800 − 300) ÷ 6,750 = 2/3', () => {
    const r = collectionRate([day('A', '2026-11-01', 40_000, 120, 300)], 150_000);
    expect(r.collectedKgPerDay).toBe(4500);
    expect(r.rate).toBeCloseTo(2 / 3, 12);
  });

  it('two plants, a gap in one plant\'s records does not lower the rate', () => {
    // A: days of 4,000 and 6,000 kg → mean 5,000 kg/d; B: one day of 20,000 × 100 / 1000 = 2,000 kg.
    const days = [day('A', '2026-11-01', 40_000, 100), day('A', '2026-11-02', 50_000, 120), day('B', '2026-11-01', 20_000, 100)];
    const r = collectionRate(days, 200_000); // produced 9,000 kg/d
    expect(r.collectedKgPerDay).toBe(7000);
    expect(r.rate).toBeCloseTo(7000 / 9000, 12);
    expect(r.plants).toBe(2);
    expect(r.days).toBe(2);
  });

  it('industrial contribution larger than the load counts as zero domestic load, not negative', () => {
    expect(collectionRate([day('A', '2026-11-01', 1000, 100, 500)], 10_000).collectedKgPerDay).toBe(0);
  });

  it('no population: no rate', () => {
    expect(collectionRate([day('A', '2026-11-01', 1000, 100)], 0).rate).toBeNull();
  });

  it('flow-weighted BOD5: (40,000×60 + 10,000×110) ÷ 50,000 = 70 mg/L (the plain mean would be 85)', () => {
    expect(flowWeightedBod5([day('A', '2026-11-01', 40_000, 60), day('B', '2026-11-01', 10_000, 110)])).toBe(70);
    expect(flowWeightedBod5([])).toBeNull();
  });

  it('per month', () => {
    const kpis = kpisByPeriod([day('A', '2026-10-31', 10_000, 50), day('A', '2026-11-01', 10_000, 90), day('A', '2026-11-02', 30_000, 50)], 20_000);
    expect(kpis.map((k) => k.period)).toEqual(['2026-10', '2026-11']);
    expect(kpis[0]!.collection.rate).toBeCloseTo(500 / 900, 12);
    // November: loads 900 and 1,500 kg → 1,200 kg/d of 900 produced; BOD5 (900+1500)·1000/40,000 = 60.
    expect(kpis[1]!.collection.rate).toBeCloseTo(1200 / 900, 12);
    expect(kpis[1]!.influentBod5MgL).toBe(60);
    expect(kpis[1]!.influentM3PerDay).toBe(20_000);
  });
});
