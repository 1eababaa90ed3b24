import { describe, expect, it } from 'vitest';
import { extraneousWater } from './formulas.ts';
import { localDay, registerKpi, resolvedAt, type RegisterFinding } from './register.ts';

const finding = (id: string, status: RegisterFinding['status'], history: [RegisterFinding['status'], string][], extra: Partial<RegisterFinding> = {}): RegisterFinding => ({
  id, kind: 'misconnection', status, assetId: `P${id}`, assetType: 'pipe', areaIds: ['A'], foundOn: history[0]![1].slice(0, 10),
  history: history.map(([to, at]) => ({ to, at })), ...extra,
});

describe('the findings register as KPIs', () => {
  it('a local month: 2026-07-31T17:00Z is 1 August in Shanghai, still 31 July in UTC', () => {
    expect(localDay('2026-07-31T17:00:00Z', 'Asia/Shanghai')).toBe('2026-08-01');
    expect(localDay('2026-07-31T17:00:00Z', 'UTC')).toBe('2026-07-31');
  });

  it('a fix sent back counts when it is redone; a finding sent back and not redone is not resolved', () => {
    const redone = finding('1', 'remediated', [['found', '2026-07-01T00:00:00Z'], ['remediated', '2026-07-10T00:00:00Z'], ['remediating', '2026-07-11T00:00:00Z'], ['remediated', '2026-08-02T00:00:00Z']]);
    expect(resolvedAt(redone)).toBe('2026-08-02T00:00:00Z');
    expect(resolvedAt({ ...redone, status: 'remediating' })).toBeNull();
  });

  it('hand-computed: found, open, resolved, verified, rate; an outfall counts when all its findings are verified', () => {
    const findings = [
      finding('1', 'verified', [['found', '2026-07-01T02:00:00Z'], ['remediated', '2026-07-15T02:00:00Z'], ['verified', '2026-08-03T02:00:00Z']],
        { assetId: 'O1', assetType: 'outfall' }),
      finding('2', 'verified', [['found', '2026-07-02T02:00:00Z'], ['remediated', '2026-08-15T02:00:00Z'], ['verified', '2026-09-01T02:00:00Z']],
        { kind: 'intrusion', assetId: 'O1', assetType: 'outfall' }),
      finding('3', 'confirmed', [['found', '2026-08-05T02:00:00Z'], ['confirmed', '2026-08-06T02:00:00Z']]),
      finding('4', 'dismissed', [['found', '2026-08-05T02:00:00Z'], ['dismissed', '2026-08-06T02:00:00Z']]),
      // A second outfall with one verified and one open finding: not remediated.
      finding('5', 'verified', [['found', '2026-07-03T02:00:00Z'], ['remediated', '2026-07-04T02:00:00Z'], ['verified', '2026-07-05T02:00:00Z']], { assetId: 'O2', assetType: 'outfall' }),
      finding('6', 'found', [['found', '2026-07-03T02:00:00Z']], { assetId: 'O2', assetType: 'outfall' }),
    ];
    const kpi = registerKpi(findings, '2026-07-01', '2026-09-30', 'Asia/Shanghai');
    // Misconnections (the intrusion and the dismissed one aside): 1, 3, 5, 6 → open 3 and 6, resolved 1 and 5, verified both.
    expect(kpi.misconnections).toEqual({ registered: 4, open: 2, resolved: 2, verified: 2, resolvedRate: 0.5 });
    expect(kpi.outfalls).toEqual({ withFindings: 2, remediated: 1 });
    expect(kpi.months).toEqual([
      { month: '2026-07', misconnectionsFound: 3, misconnectionsResolved: 2, misconnectionsVerified: 1, outfallsRemediated: 0 },
      { month: '2026-08', misconnectionsFound: 1, misconnectionsResolved: 0, misconnectionsVerified: 1, outfallsRemediated: 0 },
      // O1's last verification (the intrusion, 1 September) makes it remediated.
      { month: '2026-09', misconnectionsFound: 0, misconnectionsResolved: 0, misconnectionsVerified: 0, outfallsRemediated: 1 },
    ]);
    expect(kpi.period).toEqual({ misconnectionsFound: 4, misconnectionsResolved: 2, misconnectionsVerified: 2, outfallsRemediated: 1 });
    expect(registerKpi(findings, '2026-08-01', '2026-08-31', 'Asia/Shanghai').months.map((m) => m.month)).toEqual(['2026-08']);
  });

  it('extraneous water: 10,000 people × 180 L × 0.9 = 1,620 m³/d expected; 4,000 m³/d in → 2,380 extraneous (59.5 %)', () => {
    const days = [{ plantId: 'T', day: '2026-07-01', flowM3: 3_000, bod5MgL: 0, industrialBod5Kg: 0 }, { plantId: 'T', day: '2026-07-02', flowM3: 5_000, bod5MgL: 0, industrialBod5Kg: 0 }];
    const water = extraneousWater(days, 10_000);
    expect(water.influentM3PerDay).toBe(4_000);
    expect(water.expectedSewageM3PerDay).toBeCloseTo(1_620, 9);
    expect(water.extraneousM3PerDay).toBeCloseTo(2_380, 9);
    expect(water.share).toBeCloseTo(0.595, 12);
  });
});
