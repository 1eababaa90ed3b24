import { describe, expect, it } from 'vitest';
import { dayRoster, dueTimes, localMidnight, missedPatrols, nextDue } from './schedule.ts';

const at = (iso: string) => new Date(iso);

describe('duty roster', () => {
  it('24 h in 8-hour shifts from local midnight (Asia/Shanghai is UTC+8)', () => {
    const shifts = dayRoster('2026-11-23', 'Asia/Shanghai', ['甲', '乙', '丙']);
    expect(shifts.map((s) => [s.startsAt.toISOString(), s.endsAt.toISOString(), s.staff])).toEqual([
      ['2026-11-22T16:00:00.000Z', '2026-11-23T00:00:00.000Z', '甲'],
      ['2026-11-23T00:00:00.000Z', '2026-11-23T08:00:00.000Z', '乙'],
      ['2026-11-23T08:00:00.000Z', '2026-11-23T16:00:00.000Z', '丙'],
    ]);
  });

  it('rotates by one a day', () => {
    expect(dayRoster('2026-11-24', 'Asia/Shanghai', ['甲', '乙', '丙'], 8, 1).map((s) => s.staff)).toEqual(['乙', '丙', '甲']);
  });

  it('local midnight of UTC is UTC midnight', () => {
    expect(localMidnight('2026-11-23', 'UTC').toISOString()).toBe('2026-11-23T00:00:00.000Z');
  });
});

describe('patrols every 2 hours, 30 minutes to check in', () => {
  const schedule = { startsAt: at('2026-11-23T00:00:00Z'), intervalMinutes: 120, windowMinutes: 30 };

  it('due times', () => {
    expect(dueTimes(schedule, at('2026-11-23T01:00:00Z'), at('2026-11-23T06:00:00Z')).map((d) => d.toISOString()))
      .toEqual(['2026-11-23T02:00:00.000Z', '2026-11-23T04:00:00.000Z']);
    expect(nextDue(schedule, at('2026-11-23T04:00:00Z')).toISOString()).toBe('2026-11-23T04:00:00.000Z');
  });

  it('a patrol is missed only once its window has closed without a check-in inside it', () => {
    const checkins = [at('2026-11-23T00:10:00Z'), at('2026-11-23T02:30:00Z') /* the window's last instant counts */, at('2026-11-23T03:50:00Z') /* early: not inside 04:00–04:30 */];
    expect(missedPatrols(schedule, checkins, at('2026-11-23T04:29:59Z')).map((d) => d.toISOString())).toEqual([]);
    expect(missedPatrols(schedule, checkins, at('2026-11-23T04:30:00Z')).map((d) => d.toISOString())).toEqual(['2026-11-23T04:00:00.000Z']);
  });

  it('looks back a day only', () => {
    expect(missedPatrols(schedule, [], at('2026-11-25T00:30:00Z'))).toHaveLength(12);
  });
});
