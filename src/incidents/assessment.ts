// Assessment (监督考核 / 综合评价): per owner unit and period, how the loop performed — on-time
// disposal rate (按期处置率), closure rate, mean time to verify / dispatch / dispose, false-alarm
// rate, reopen rate, escalations. Computed from the audit chain, so every figure can be walked
// back to the rows behind it.
import type { Queryable } from '../store/index.ts';

export interface UnitAssessment {
  ownerId: string | null;
  ownerName: string | null;
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

export interface Assessment {
  from: string;
  to: string;
  units: UnitAssessment[];
  total: UnitAssessment;
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);
const mean = (values: number[]) => (values.length > 0 ? Math.round((values.reduce((s, v) => s + v, 0) / values.length) * 10) / 10 : null);

interface Row { id: string; owner_id: string | null; owner_name: string | null; state: string; opened_at: Date; deadlines: Record<string, string> }
interface Event { incident_id: string; action: string; at: Date }

function assess(ownerId: string | null, ownerName: string | null, rows: Row[], events: Map<string, Event[]>): UnitAssessment {
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
    ownerId, ownerName, incidents: rows.length, closed, closureRate: ratio(closed, rows.length - rejected),
    falseAlarmRate: ratio(falseAlarms, rows.length), disposed, onTimeDisposalRate: ratio(onTime, disposedWithDeadline),
    meanMinutesToVerify: mean(toVerify), meanMinutesToDispatch: mean(toDispatch), meanMinutesToDispose: mean(toDispose),
    reopenRate: ratio(reopened, everClosed), escalations,
  };
}

/** Incidents opened in [from, to), per owner unit (the unit they are assigned to now). */
export async function assessIncidents(db: Queryable, from: Date, to: Date, ownerId?: string): Promise<Assessment> {
  const rows = await db.query<Row & Record<string, unknown>>(
    `SELECT i.id::text AS id, i.owner_id, o.name AS owner_name, i.state, i.opened_at, i.deadlines
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
    .map(([owner, list]) => assess(owner || null, list[0]!.owner_name, list, events))
    .sort((a, b) => (a.ownerId ?? '~').localeCompare(b.ownerId ?? '~'));
  return { from: from.toISOString(), to: to.toISOString(), units, total: assess(null, null, rows, events) };
}

const COLUMNS: (keyof UnitAssessment)[] = [
  'ownerId', 'ownerName', 'incidents', 'closed', 'closureRate', 'falseAlarmRate', 'disposed', 'onTimeDisposalRate',
  'meanMinutesToVerify', 'meanMinutesToDispatch', 'meanMinutesToDispose', 'reopenRate', 'escalations',
];

/** CSV (RFC 4180, UTF-8 with BOM so spreadsheet programs read the Chinese unit names). */
export function assessmentCsv(assessment: Assessment): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [['from', 'to', ...COLUMNS].join(',')];
  for (const u of [...assessment.units, { ...assessment.total, ownerId: 'total', ownerName: '' }]) {
    lines.push([assessment.from, assessment.to, ...COLUMNS.map((c) => u[c])].map(cell).join(','));
  }
  return `\ufeff${lines.join('\r\n')}\r\n`;
}
