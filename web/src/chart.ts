// Pure geometry of the sensor history chart: time ranges, scales, ticks and SVG paths. No React,
// no DOM, so the rules are easy to read (and the component stays about presentation).
import type { SeriesDto } from './api.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type RangeKey = '1h' | '24h' | '7d' | '30d' | '1y';

export interface ChartRange {
  key: RangeKey;
  ms: number;
  /** Short ranges follow live readings. */
  live: boolean;
}

export const RANGES: ChartRange[] = [
  { key: '1h', ms: HOUR, live: true },
  { key: '24h', ms: DAY, live: true },
  { key: '7d', ms: 7 * DAY, live: false },
  { key: '30d', ms: 30 * DAY, live: false },
  { key: '1y', ms: 365 * DAY, live: false },
];

/**
 * The series request ends this far after "now": the bound is exclusive, the browser's clock may
 * lag the server's, and ingest accepts readings up to 10 min ahead. Small enough never to move a
 * range across the server's resolution boundaries (6 h, 3 d, 120 d).
 */
export const REQUEST_LEAD_MS = 10 * MINUTE;

export type Resolution = SeriesDto['resolution'];
export type SeriesPoint = SeriesDto['points'][number];

/** Bucket length of a rollup (0 for raw readings). Days are taken as 24 h. */
export const BUCKET_MS: Record<Resolution, number> = { raw: 0, '1m': MINUTE, '1h': HOUR, '1d': DAY };

export interface Box {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface Tick {
  value: number;
  /** Position in the SVG (x for time ticks, y for value ticks). */
  at: number;
}

export interface ChartGeometry {
  /** avg line, one `M … L …` run per unbroken segment. */
  line: string;
  /** min–max band as closed polygons, one per segment (a thin bar for a lone bucket); empty for raw. */
  band: string;
  /** Points drawn as dots: isolated points, and every point of a short series. */
  dots: { x: number; y: number }[];
  xTicks: Tick[];
  yTicks: Tick[];
  /** The value domain after rounding to the ticks. */
  yDomain: [number, number];
  /** The time domain, epoch ms. */
  xDomain: [number, number];
  tickUnit: TickUnit;
}

export type TickUnit = 'minute' | 'hour' | 'day' | 'month';

/** Series of at most this many points mark every point, so sparse data stays visible. */
const DOTS_MAX = 60;

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** 1, 2, 2.5 or 5 × 10^n, the smallest not below `rough`. */
function niceStep(rough: number): number {
  if (!(rough > 0) || !Number.isFinite(rough)) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  const f = rough / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * power;
}

/** A value domain that starts and ends on a round tick, with about `count` intervals. */
export function valueTicks(lo: number, hi: number, count = 3): { domain: [number, number]; ticks: number[] } {
  if (hi - lo < 1e-9) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep((hi - lo) / count);
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= end + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { domain: [start, end], ticks };
}

type TimeStep = { unit: TickUnit; n: number };

const TIME_STEPS: TimeStep[] = [
  { unit: 'minute', n: 5 },
  { unit: 'minute', n: 10 },
  { unit: 'minute', n: 15 },
  { unit: 'minute', n: 30 },
  { unit: 'hour', n: 1 },
  { unit: 'hour', n: 2 },
  { unit: 'hour', n: 3 },
  { unit: 'hour', n: 6 },
  { unit: 'hour', n: 12 },
  { unit: 'day', n: 1 },
  { unit: 'day', n: 2 },
  { unit: 'day', n: 7 },
  { unit: 'day', n: 14 },
  { unit: 'month', n: 1 },
  { unit: 'month', n: 2 },
  { unit: 'month', n: 3 },
  { unit: 'month', n: 6 },
];

/** Ticks on round local times (whole hours, local midnights, firsts of months) within [from, to]. */
function ticksFor(from: number, to: number, step: TimeStep): number[] {
  const d = new Date(from);
  // Start at a round boundary at or before `from`, then walk in local calendar steps.
  if (step.unit === 'month') {
    d.setHours(0, 0, 0, 0);
    d.setDate(1);
    d.setMonth(d.getMonth() - (d.getMonth() % step.n));
  } else if (step.unit === 'day') {
    d.setHours(0, 0, 0, 0);
  } else if (step.unit === 'hour') {
    d.setMinutes(0, 0, 0);
    d.setHours(d.getHours() - (d.getHours() % step.n));
  } else {
    d.setSeconds(0, 0);
    d.setMinutes(d.getMinutes() - (d.getMinutes() % step.n));
  }
  const ticks: number[] = [];
  for (let guard = 0; guard < 1000 && d.getTime() <= to; guard++) {
    if (d.getTime() >= from) ticks.push(d.getTime());
    if (step.unit === 'month') d.setMonth(d.getMonth() + step.n);
    else if (step.unit === 'day') d.setDate(d.getDate() + step.n);
    else if (step.unit === 'hour') d.setHours(d.getHours() + step.n);
    else d.setMinutes(d.getMinutes() + step.n);
  }
  return ticks;
}

export function timeTicks(from: number, to: number, max = 5): { unit: TickUnit; ticks: number[] } {
  for (const step of TIME_STEPS) {
    const ticks = ticksFor(from, to, step);
    if (ticks.length <= max) return { unit: step.unit, ticks };
  }
  const last = TIME_STEPS[TIME_STEPS.length - 1]!;
  return { unit: last.unit, ticks: ticksFor(from, to, { unit: 'month', n: 12 }) };
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Lays a series out in `box`. The time axis spans the requested window [from, now] (extended to
 * the last bucket's end if a point lies later); rollup points sit at the middle of their bucket.
 * The line breaks where the data has a gap: more than 2.5 buckets or 3 × the usual spacing.
 */
export function layout(series: SeriesDto, from: number, now: number, box: Box): ChartGeometry {
  const bucket = BUCKET_MS[series.resolution];
  const points = series.points.map((p) => ({ t: Date.parse(p.ts) + bucket / 2, p }));
  const lastEnd = points.length ? Date.parse(series.points[series.points.length - 1]!.ts) + bucket : now;
  const xDomain: [number, number] = [from, Math.max(now, lastEnd)];

  const lo = points.length ? Math.min(...points.map(({ p }) => p.min)) : 0;
  const hi = points.length ? Math.max(...points.map(({ p }) => p.max)) : 1;
  const { domain: yDomain, ticks: yValues } = valueTicks(lo, hi);

  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  const x = (t: number) => round(box.left + ((t - xDomain[0]) / (xDomain[1] - xDomain[0] || 1)) * plotW);
  const y = (v: number) => round(box.top + (1 - (v - yDomain[0]) / (yDomain[1] - yDomain[0] || 1)) * plotH);

  const deltas = points.slice(1).map((q, i) => q.t - points[i]!.t);
  const gap = Math.max(2.5 * bucket, 3 * median(deltas));
  const segments: (typeof points)[] = [];
  for (const [i, point] of points.entries()) {
    if (i === 0 || point.t - points[i - 1]!.t > gap) segments.push([point]);
    else segments[segments.length - 1]!.push(point);
  }

  const line = segments.map((s) => s.map(({ t, p }, i) => `${i ? 'L' : 'M'}${x(t)} ${y(p.avg)}`).join('')).join('');
  // A bucket on its own still shows its spread, as a bar 2 units wide.
  const band =
    series.resolution === 'raw'
      ? ''
      : segments
          .map((s) => {
            if (s.length === 1) {
              const [{ t, p }] = s as [(typeof s)[number]];
              const [l, r] = [round(x(t) - 1), round(x(t) + 1)];
              return `M${l} ${y(p.max)}L${r} ${y(p.max)}L${r} ${y(p.min)}L${l} ${y(p.min)}Z`;
            }
            const upper = s.map(({ t, p }, i) => `${i ? 'L' : 'M'}${x(t)} ${y(p.max)}`).join('');
            const lower = [...s].reverse().map(({ t, p }) => `L${x(t)} ${y(p.min)}`).join('');
            return `${upper}${lower}Z`;
          })
          .join('');
  const dotted = points.length <= DOTS_MAX ? segments : segments.filter((s) => s.length === 1);
  const dots = dotted.flat().map(({ t, p }) => ({ x: x(t), y: y(p.avg) }));

  const { unit: tickUnit, ticks: tValues } = timeTicks(xDomain[0], xDomain[1], Math.max(2, Math.floor(plotW / 52)));
  return {
    line,
    band,
    dots,
    xTicks: tValues.map((value) => ({ value, at: x(value) })),
    yTicks: yValues.map((value) => ({ value, at: y(value) })),
    yDomain,
    xDomain,
    tickUnit,
  };
}

/** Label formats per tick unit; local midnights in hour steps show the date instead. */
export function tickFormat(unit: TickUnit, value: number): Intl.DateTimeFormatOptions {
  const d = new Date(value);
  const midnight = d.getHours() === 0 && d.getMinutes() === 0;
  if (unit === 'month') return d.getMonth() === 0 ? { year: 'numeric', month: 'short' } : { month: 'short' };
  if (unit === 'day' || (unit === 'hour' && midnight)) return { month: 'short', day: 'numeric' };
  return { hour: '2-digit', minute: '2-digit', hour12: false };
}
