// Campaign work counted from the findings register (src/drainage/findings), not from what
// projects report: misconnections found, open and resolved per area and month, and outfalls
// remediated (docs/kpi.md, "From the findings register"). Pure, so each figure can be checked by hand.
import type { FindingKind, FindingStatus } from '../findings/index.ts';

export interface RegisterFinding {
  id: string;
  kind: FindingKind;
  status: FindingStatus;
  assetId: string | null;
  /** The asset's type (an outfall's findings count for "outfalls remediated"); null without an asset. */
  assetType: string | null;
  /** The areas the finding's asset lies in (asset_areas); empty without an asset. */
  areaIds: readonly string[];
  /** YYYY-MM-DD. */
  foundOn: string;
  history: readonly { to: FindingStatus; at: string }[];
}

const OPEN: readonly FindingStatus[] = ['found', 'confirmed', 'remediating'];
const RESOLVED: readonly FindingStatus[] = ['remediated', 'verified'];

/** The local date (YYYY-MM-DD) of an instant in a time zone. */
export function localDay(at: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(at));
}

/** When the finding's current status was last entered (the latest history entry leading to it). */
function lastEntered(f: RegisterFinding, status: FindingStatus): string | null {
  const at = f.history.filter((h) => h.to === status).map((h) => h.at).sort().at(-1);
  return at ?? null;
}

/** The instant a finding still resolved now was resolved: its last move to remediated (a fix sent back and redone counts at the redo). */
export function resolvedAt(f: RegisterFinding): string | null {
  return RESOLVED.includes(f.status) ? lastEntered(f, 'remediated') : null;
}

/** The instant a finding still verified now was verified. */
export function verifiedAt(f: RegisterFinding): string | null {
  return f.status === 'verified' ? lastEntered(f, 'verified') : null;
}

export interface RegisterMonth {
  month: string;
  misconnectionsFound: number;
  misconnectionsResolved: number;
  misconnectionsVerified: number;
  outfallsRemediated: number;
}

export interface RegisterKpi {
  /** Now: misconnections on the register less dismissed ones, those open, resolved (remediated or verified), verified. */
  misconnections: { registered: number; open: number; resolved: number; verified: number; resolvedRate: number | null };
  /** Now: outfalls with a finding that is not dismissed, and those all of whose such findings are verified. */
  outfalls: { withFindings: number; remediated: number };
  /** Per local month of the period: found (found_on), resolved and verified (the history's instants), outfalls remediated (last verification). */
  months: RegisterMonth[];
  /** Sums of `months` over the period. */
  period: Omit<RegisterMonth, 'month'>;
}

/**
 * The register's figures for a set of findings (one area's): stock now, and per month within
 * [from, to] (local dates in `timeZone`).
 */
export function registerKpi(findings: readonly RegisterFinding[], from: string, to: string, timeZone: string): RegisterKpi {
  const live = findings.filter((f) => f.status !== 'dismissed');
  const misconnections = live.filter((f) => f.kind === 'misconnection');
  const resolved = misconnections.filter((f) => RESOLVED.includes(f.status)).length;
  const byOutfall = new Map<string, RegisterFinding[]>();
  for (const f of live) if (f.assetType === 'outfall' && f.assetId) byOutfall.set(f.assetId, [...(byOutfall.get(f.assetId) ?? []), f]);
  // An outfall is remediated when every finding at it that is not dismissed is verified: one open
  // misconnection upstream of it still sends sewage out of it. It counts in the month of the last verification.
  const outfallDays = [...byOutfall.values()]
    .filter((fs) => fs.every((f) => f.status === 'verified'))
    .map((fs) => localDay(fs.map((f) => verifiedAt(f)!).sort().at(-1)!, timeZone));

  const months = new Map<string, RegisterMonth>();
  const bump = (day: string | null, key: keyof Omit<RegisterMonth, 'month'>) => {
    if (day === null || day < from || day > to) return;
    const month = day.slice(0, 7);
    const m = months.get(month) ?? { month, misconnectionsFound: 0, misconnectionsResolved: 0, misconnectionsVerified: 0, outfallsRemediated: 0 };
    m[key] += 1;
    months.set(month, m);
  };
  for (const f of misconnections) {
    bump(f.foundOn, 'misconnectionsFound');
    const r = resolvedAt(f);
    bump(r && localDay(r, timeZone), 'misconnectionsResolved');
    const v = verifiedAt(f);
    bump(v && localDay(v, timeZone), 'misconnectionsVerified');
  }
  for (const day of outfallDays) bump(day, 'outfallsRemediated');
  const list = [...months.values()].sort((a, b) => a.month.localeCompare(b.month));
  const sum = (key: keyof Omit<RegisterMonth, 'month'>) => list.reduce((s, m) => s + m[key], 0);
  return {
    misconnections: {
      registered: misconnections.length,
      open: misconnections.filter((f) => OPEN.includes(f.status)).length,
      resolved,
      verified: misconnections.filter((f) => f.status === 'verified').length,
      resolvedRate: misconnections.length > 0 ? resolved / misconnections.length : null,
    },
    outfalls: { withFindings: byOutfall.size, remediated: outfallDays.length },
    months: list,
    period: {
      misconnectionsFound: sum('misconnectionsFound'), misconnectionsResolved: sum('misconnectionsResolved'),
      misconnectionsVerified: sum('misconnectionsVerified'), outfallsRemediated: sum('outfallsRemediated'),
    },
  };
}
