// Duty shifts and patrol slots, pure: what is due when, and which patrols were missed.

const MINUTE = 60_000;

/** Offset of a zone from UTC at an instant, in minutes (Asia/Shanghai: +480). */
export function zoneOffsetMinutes(at: Date, timeZone: string): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(at).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / MINUTE);
}

/** The instant a local date (YYYY-MM-DD) begins in the zone. */
export function localMidnight(date: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  return new Date(guess - zoneOffsetMinutes(new Date(guess), timeZone) * MINUTE);
}

export interface ShiftSlot {
  startsAt: Date;
  endsAt: Date;
  staff: string;
}

/**
 * A 24-hour roster of consecutive shifts from local midnight (24 h in 8-hour shifts: 00–08,
 * 08–16, 16–24), staffed in turn from `staff`, rotating by one each day so that nobody keeps the
 * night shift (`dayIndex` counts days from the roster's first).
 */
export function dayRoster(date: string, timeZone: string, staff: readonly string[], shiftHours = 8, dayIndex = 0): ShiftSlot[] {
  if (staff.length === 0) throw new Error('staff: at least one person');
  if (24 % shiftHours !== 0) throw new Error('shiftHours: must divide 24');
  const start = localMidnight(date, timeZone).getTime();
  return Array.from({ length: 24 / shiftHours }, (_, i) => ({
    startsAt: new Date(start + i * shiftHours * 60 * MINUTE),
    endsAt: new Date(start + (i + 1) * shiftHours * 60 * MINUTE),
    staff: staff[(i + dayIndex) % staff.length]!,
  }));
}

export interface PatrolSchedule {
  startsAt: Date;
  intervalMinutes: number;
  windowMinutes: number;
}

/** Due times of the schedule in [from, to). */
export function dueTimes(s: PatrolSchedule, from: Date, to: Date): Date[] {
  const step = s.intervalMinutes * MINUTE;
  const first = Math.max(0, Math.ceil((from.getTime() - s.startsAt.getTime()) / step));
  const out: Date[] = [];
  for (let t = s.startsAt.getTime() + first * step; t < to.getTime(); t += step) out.push(new Date(t));
  return out;
}

/**
 * The patrols whose window closed by `now` (due + window ≤ now) without a check-in inside
 * [due, due + window], among windows that closed in the last `lookbackMs` (older slots are history, not news).
 */
export function missedPatrols(s: PatrolSchedule, checkins: readonly Date[], now: Date, lookbackMs = 24 * 3_600_000): Date[] {
  const window = s.windowMinutes * MINUTE;
  const closedBy = new Date(now.getTime() - window + 1);
  return dueTimes(s, new Date(now.getTime() - lookbackMs - window + 1), closedBy)
    .filter((due) => !checkins.some((c) => c.getTime() >= due.getTime() && c.getTime() <= due.getTime() + window));
}

/** The next due time at or after `now`. */
export function nextDue(s: PatrolSchedule, now: Date): Date {
  return dueTimes(s, now, new Date(now.getTime() + (s.intervalMinutes + 1) * MINUTE))[0]!;
}
