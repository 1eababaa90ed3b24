import { describe, expect, it } from 'vitest';
import { classify, classifyDays, classifyItem } from './water-quality.ts';

describe('GB 3838-2002 single items', () => {
  it('meets a limit when equal to it (boundaries inclusive, as the standard reads ≤ and ≥)', () => {
    // COD limits 15/15/20/30/40: 15 is class I, 15.01 class III, 40 class V, 40.1 worse than V.
    expect([15, 15.01, 20, 20.5, 30, 40, 40.1].map((v) => classifyItem('cod', v))).toEqual(['I', 'III', 'III', 'IV', 'IV', 'V', '劣V']);
    // NH3-N 0.15/0.5/1.0/1.5/2.0.
    expect([0.15, 0.16, 0.5, 1.0, 1.5, 2.0, 2.01].map((v) => classifyItem('nh3n', v))).toEqual(['I', 'II', 'II', 'III', 'IV', 'V', '劣V']);
    // DO is at least: 7.5/6/5/3/2.
    expect([8, 7.5, 7.49, 6, 5, 3, 2, 1.99].map((v) => classifyItem('do', v))).toEqual(['I', 'I', 'II', 'II', 'III', 'IV', 'V', '劣V']);
    // CODMn 2/4/6/10/15; BOD5 3/3/4/6/10.
    expect([2, 4, 6, 10, 15, 15.1].map((v) => classifyItem('codmn', v))).toEqual(['I', 'II', 'III', 'IV', 'V', '劣V']);
    expect([3, 3.1, 4, 6, 10, 10.1].map((v) => classifyItem('bod5', v))).toEqual(['I', 'III', 'III', 'IV', 'V', '劣V']);
  });

  it('uses the river or the lake limits for TP', () => {
    expect([0.02, 0.1, 0.2, 0.3, 0.4, 0.41].map((v) => classifyItem('tp', v, 'river'))).toEqual(['I', 'II', 'III', 'IV', 'V', '劣V']);
    expect([0.01, 0.025, 0.05, 0.1, 0.2, 0.21].map((v) => classifyItem('tp', v, 'lake'))).toEqual(['I', 'II', 'III', 'IV', 'V', '劣V']);
    expect(classifyItem('tp', 0.1, 'lake')).toBe('IV');
  });

  it('holds pH to 6–9 in every class', () => {
    expect([6, 7.2, 9].map((v) => classifyItem('ph', v))).toEqual(['I', 'I', 'I']);
    expect([5.99, 9.01].map((v) => classifyItem('ph', v))).toEqual(['劣V', '劣V']);
  });

  it('classes a mean that is the limit by the limit, not by the float noise of averaging', () => {
    const mean = (0.1 + 0.2) / 2; // 0.15000000000000002
    expect(mean).not.toBe(0.15);
    expect(classifyItem('nh3n', mean)).toBe('I');
    expect(classifyItem('nh3n', 0.1500001)).toBe('II');
  });
});

describe('GB 3838-2002 sample classification', () => {
  it('takes the worst item and names the items that set the class', () => {
    // A typical urban river: COD 18 (III), NH3-N 0.8 (III), TP 0.15 (III), DO 6.5 (II), pH 7.4.
    expect(classify({ cod: 18, nh3n: 0.8, tp: 0.15, do: 6.5, ph: 7.4 })).toEqual({
      class: 'III', limiting: ['cod', 'nh3n', 'tp'], items: { cod: 'III', nh3n: 'III', tp: 'III', do: 'II', ph: 'I' }, notes: [],
    });
    // One bad item decides: NH3-N 2.5 makes the water worse than V.
    expect(classify({ cod: 12, nh3n: 2.5, tp: 0.05, do: 8 })).toMatchObject({ class: '劣V', limiting: ['nh3n'] });
    // Clean source water.
    expect(classify({ cod: 10, nh3n: 0.1, tp: 0.01, do: 8.2, codmn: 1.5, bod5: 2 })).toMatchObject({ class: 'I', limiting: [] });
    // The planned wetland's aim: tail water at class IV.
    expect(classify({ cod: 30, nh3n: 1.5, tp: 0.3, do: 3 })).toMatchObject({ class: 'IV', limiting: ['cod', 'nh3n', 'tp', 'do'] });
  });

  it('counts TN for lakes only, and says so for a river', () => {
    expect(classify({ tn: 1.8, tp: 0.02 }, { waterbody: 'lake' })).toMatchObject({ class: 'V', limiting: ['tn'] });
    const river = classify({ tn: 1.8, tp: 0.02 }, { waterbody: 'river' });
    expect(river).toMatchObject({ class: 'I', limiting: [], items: { tp: 'I' } });
    expect(river.notes).toEqual(['tn: counts for lakes and reservoirs only (GB 3838-2002 table 1); not assessed for a river']);
    // 洪湖 "降磷退V": TP 0.15 in a lake is class V; down to 0.1 it is IV.
    expect(classify({ tp: 0.15 }, { waterbody: 'lake' }).class).toBe('V');
    expect(classify({ tp: 0.1 }, { waterbody: 'lake' }).class).toBe('IV');
  });

  it('assesses only what it is given', () => {
    expect(classify({})).toEqual({ class: null, limiting: [], items: {}, notes: [] });
    expect(classify({ turbidity: 40 })).toMatchObject({ class: null, notes: ['turbidity: GB 3838-2002 gives no class limits; not assessed'] });
  });

  it('classes each day from its daily means', () => {
    const days = classifyDays([
      { date: '2026-11-21', start: '2026-11-20T16:00:00.000Z', indicator: 'cod', mean: 14 },
      { date: '2026-11-21', start: '2026-11-20T16:00:00.000Z', indicator: 'nh3n', mean: 0.4 },
      { date: '2026-11-20', start: '2026-11-19T16:00:00.000Z', indicator: 'cod', mean: 42 },
    ]);
    expect(days.map((d) => [d.date, d.class, d.limiting, d.means])).toEqual([
      ['2026-11-20', '劣V', ['cod'], { cod: 42 }],
      ['2026-11-21', 'II', ['nh3n'], { cod: 14, nh3n: 0.4 }],
    ]);
  });
});
