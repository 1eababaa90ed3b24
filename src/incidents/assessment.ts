// Assessment (监督考核 / 综合评价): per owner unit, per area (district, block, governance zone)
// and period, how the loop performed — on-time disposal rate (按期处置率), closure rate, mean time
// to verify / dispatch / dispose, false-alarm rate, reopen rate, escalations. Computed from the
// audit chain, so every figure can be walked back to the rows behind it. Formulas: docs/incidents.md.
import type { Queryable } from '../store/index.ts';

/** The figures of one group of incidents (a unit, an area, or all). */
export interface Figures {
  incidents: number;
  closed: number;
  /** closed / (incidents − rejected) */
  closureRate: number | null;
  /** rejected as false alarm (action reject) / incidents; merged duplicates are not false alarms */
  falseAlarmRate: number | null;
  disposed: number;
  /** disposed no later than the disposal deadline / disposed with a deadline */
  onTimeDisposalRate: number | null;
  meanMinutesToVerify: number | null;
  meanMinutesToDispatch: number | null;
  meanMinutesToDispose: number | null;
  /** reopened / ever closed */
  reopenRate: number | null;
  escalations: number;
}

export interface UnitAssessment extends Figures {
  ownerId: string | null;
  ownerName: string | null;
}

export type AreaKindAssessed = 'district' | 'block' | 'zone';
export const ASSESSED_AREA_KINDS: readonly AreaKindAssessed[] = ['district', 'block', 'zone'];

/** An area's incidents are those whose asset lies in it (src/network/areas.ts decides membership). */
export interface AreaAssessment extends Figures {
  /** null: incidents whose asset is in no district, block or zone (or that have no asset). */
  areaId: string | null;
  areaName: string | null;
  areaKind: AreaKindAssessed | null;
}

export interface Assessment {
  from: string;
  to: string;
  units: UnitAssessment[];
  /** Districts, then blocks, then zones, each by id; the unplaced row last. */
  areas: AreaAssessment[];
  total: UnitAssessment;
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);
const mean = (values: number[]) => (values.length > 0 ? Math.round((values.reduce((s, v) => s + v, 0) / values.length) * 10) / 10 : null);

interface Row { id: string; owner_id: string | null; owner_name: string | null; asset_id: string | null; state: string; opened_at: Date; deadlines: Record<string, string> }
interface Event { incident_id: string; action: string; at: Date }

function assess(rows: Row[], events: Map<string, Event[]>): Figures {
  let closed = 0, rejected = 0, falseAlarms = 0, disposed = 0, disposedWithDeadline = 0, onTime = 0, everClosed = 0, reopened = 0, escalations = 0;
  const toVerify: number[] = [], toDispatch: number[] = [], toDispose: number[] = [];
  for (const r of rows) {
    const list = events.get(r.id) ?? [];
    const first = (action: string) => list.find((e) => e.action === action);
    const minutes = (e: Event | undefined) => (e ? (e.at.getTime() - r.opened_at.getTime()) / 60_000 : null);
    if (r.state === 'closed') closed += 1;
    if (r.state === 'rejected') rejected += 1;
    if (r.state === 'rejected' && list.at(-1)?.action === 'reject') falseAlarms += 1;
    const verify = minutes(first('verify'));
    const dispatch = minutes(first('dispatch'));
    const dispose = first('dispose');
    if (verify !== null) toVerify.push(verify);
    if (dispatch !== null) toDispatch.push(dispatch);
    if (dispose) {
      disposed += 1;
      toDispose.push(minutes(dispose)!);
      const deadline = r.deadlines.dispose;
      if (deadline) {
        disposedWithDeadline += 1;
        if (dispose.at.getTime() <= Date.parse(deadline)) onTime += 1;
      }
    }
    if (list.some((e) => e.action === 'close')) everClosed += 1;
    if (list.some((e) => e.action === 'reopen')) reopened += 1;
    escalations += list.filter((e) => e.action === 'escalate').length;
  }
  return {
    incidents: rows.length, closed, closureRate: ratio(closed, rows.length - rejected),
    falseAlarmRate: ratio(falseAlarms, rows.length), disposed, onTimeDisposalRate: ratio(onTime, disposedWithDeadline),
    meanMinutesToVerify: mean(toVerify), meanMinutesToDispatch: mean(toDispatch), meanMinutesToDispose: mean(toDispose),
    reopenRate: ratio(reopened, everClosed), escalations,
  };
}

/** Incidents opened in [from, to), per owner unit (the unit they are assigned to now) and per area of their asset. */
export async function assessIncidents(db: Queryable, from: Date, to: Date, ownerId?: string): Promise<Assessment> {
  const rows = await db.query<Row & Record<string, unknown>>(
    `SELECT i.id::text AS id, i.owner_id, o.name AS owner_name, i.asset_id, i.state, i.opened_at, i.deadlines
       FROM incidents i LEFT JOIN organisations o ON o.id = i.owner_id
      WHERE i.opened_at >= $1 AND i.opened_at < $2 AND ($3::text IS NULL OR i.owner_id = $3) ORDER BY i.id`,
    [from, to, ownerId ?? null],
  );
  const events = new Map<string, Event[]>();
  if (rows.length > 0) {
    const list = await db.query<Event & Record<string, unknown>>(
      `SELECT incident_id::text AS incident_id, action, at FROM incident_audit WHERE incident_id = ANY($1::bigint[]) ORDER BY incident_id, seq`,
      [rows.map((r) => r.id)],
    );
    for (const e of list) events.set(e.incident_id, [...(events.get(e.incident_id) ?? []), e]);
  }
  const byOwner = new Map<string, Row[]>();
  for (const r of rows) byOwner.set(r.owner_id ?? '', [...(byOwner.get(r.owner_id ?? '') ?? []), r]);
  const units = [...byOwner.entries()]
    .map(([owner, list]) => ({ ownerId: owner || null, ownerName: list[0]!.owner_name, ...assess(list, events) }))
    .sort((a, b) => (a.ownerId ?? '~').localeCompare(b.ownerId ?? '~'));
  return {
    from: from.toISOString(), to: to.toISOString(), units, areas: await assessAreas(db, rows, events),
    total: { ownerId: null, ownerName: null, ...assess(rows, events) },
  };
}

async function assessAreas(db: Queryable, rows: Row[], events: Map<string, Event[]>): Promise<AreaAssessment[]> {
  const assetIds = [...new Set(rows.flatMap((r) => (r.asset_id ? [r.asset_id] : [])))];
  const membership = assetIds.length === 0 ? [] : await db.query<{ asset_id: string; area_id: string; name: string; kind: AreaKindAssessed }>(
    `SELECT aa.asset_id, a.id AS area_id, a.name, a.kind FROM asset_areas aa JOIN areas a ON a.id = aa.area_id
      WHERE aa.asset_id = ANY($1::text[]) AND a.kind = ANY($2::text[])`,
    [assetIds, [...ASSESSED_AREA_KINDS]],
  );
  const areasOf = new Map<string, typeof membership>();
  for (const m of membership) areasOf.set(m.asset_id, [...(areasOf.get(m.asset_id) ?? []), m]);
  const byArea = new Map<string, { name: string; kind: AreaKindAssessed; rows: Row[] }>();
  const unplaced: Row[] = [];
  for (const r of rows) {
    const areas = r.asset_id ? areasOf.get(r.asset_id) ?? [] : [];
    if (areas.length === 0) unplaced.push(r);
    for (const a of areas) {
      const entry = byArea.get(a.area_id) ?? { name: a.name, kind: a.kind, rows: [] };
      entry.rows.push(r);
      byArea.set(a.area_id, entry);
    }
  }
  const result: AreaAssessment[] = [...byArea.entries()]
    .sort(([a, x], [b, y]) => ASSESSED_AREA_KINDS.indexOf(x.kind) - ASSESSED_AREA_KINDS.indexOf(y.kind) || a.localeCompare(b))
    .map(([id, a]) => ({ areaId: id, areaName: a.name, areaKind: a.kind, ...assess(a.rows, events) }));
  if (unplaced.length > 0) result.push({ areaId: null, areaName: null, areaKind: null, ...assess(unplaced, events) });
  return result;
}

/** Offset of `timeZone` from UTC at `at`, in minutes (Asia/Shanghai: 480). */
function zoneOffsetMinutes(at: Date, timeZone: string): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).formatToParts(at).map((p) => [p.type, p.value]));
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute));
  return Math.round((local - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

/** Midnight at the start of a local date in `timeZone`. */
function localMidnight(year: number, month: number, day: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day);
  return new Date(guess - zoneOffsetMinutes(new Date(guess), timeZone) * 60_000);
}

/**
 * A reporting period in the deployment's time zone: `2026` (a year), `2026-Q4` (a quarter),
 * `2026-11` (a month) or `2026-11-23` (a day) → [from, to). Null when the text is none of these.
 */
export function periodRange(period: string, timeZone: string): { from: Date; to: Date } | null {
  let m = /^(\d{4})$/.exec(period);
  if (m) return { from: localMidnight(+m[1]!, 1, 1, timeZone), to: localMidnight(+m[1]! + 1, 1, 1, timeZone) };
  m = /^(\d{4})-Q([1-4])$/.exec(period);
  if (m) {
    const first = (+m[2]! - 1) * 3 + 1;
    return { from: localMidnight(+m[1]!, first, 1, timeZone), to: first === 10 ? localMidnight(+m[1]! + 1, 1, 1, timeZone) : localMidnight(+m[1]!, first + 3, 1, timeZone) };
  }
  m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
  if (m) {
    const month = +m[2]!;
    return { from: localMidnight(+m[1]!, month, 1, timeZone), to: month === 12 ? localMidnight(+m[1]! + 1, 1, 1, timeZone) : localMidnight(+m[1]!, month + 1, 1, timeZone) };
  }
  m = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.exec(period);
  if (m) {
    const from = localMidnight(+m[1]!, +m[2]!, +m[3]!, timeZone);
    const next = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]! + 1));
    return { from, to: localMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone) };
  }
  return null;
}

const FIGURES: (keyof Figures)[] = [
  'incidents', 'closed', 'closureRate', 'falseAlarmRate', 'disposed', 'onTimeDisposalRate',
  'meanMinutesToVerify', 'meanMinutesToDispatch', 'meanMinutesToDispose', 'reopenRate', 'escalations',
];

/** CSV (RFC 4180, UTF-8 with BOM so spreadsheet programs read the Chinese unit names): one row per unit, or per area. */
export function assessmentCsv(assessment: Assessment, by: 'unit' | 'area' = 'unit'): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const keys = by === 'unit' ? ['ownerId', 'ownerName'] as const : ['areaId', 'areaName', 'areaKind'] as const;
  const lines = [['from', 'to', ...keys, ...FIGURES].join(',')];
  const rows = (by === 'unit'
    ? [...assessment.units, { ...assessment.total, ownerId: 'total', ownerName: '' }]
    : [...assessment.areas.map((a) => (a.areaId === null ? { ...a, areaId: 'none' } : a)), { ...assessment.total, areaId: 'total', areaName: '', areaKind: '' }]
  ) as unknown as Record<string, unknown>[];
  for (const r of rows) lines.push([assessment.from, assessment.to, ...keys.map((k) => r[k]), ...FIGURES.map((c) => r[c])].map(cell).join(','));
  return `\ufeff${lines.join('\r\n')}\r\n`;
}
