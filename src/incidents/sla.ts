// Deadlines (SLA) per incident type, warning level and stage. The table is versioned
// (`sla_versions`, migration 011): each version is the whole table — minutes per level and stage,
// and per incident type the levels and stages where that type differs — and an incident keeps the
// version current when it opened (`incidents.sla_version`), so changing the table never moves the
// deadlines of incidents already running. Each stage's deadline is stored on the incident when the
// stage starts; the overdue check escalates once per stage to the bureau supervisor and is safe on
// several processes at once (row locks, SKIP LOCKED, conditional update).
import { z } from 'zod';
import type { WarningLevel } from '../detect/index.ts';
import type { Queryable } from '../store/index.ts';
import { deriveIncidentType, INCIDENT_TYPES, type IncidentType } from './incident-types.ts';
import type { IncidentAction, IncidentState } from './workflow.ts';

/** verify: from report until dispatch (the centre verifies and dispatches); accept, arrive, dispose: the unit's. */
export type SlaStage = 'verify' | 'accept' | 'arrive' | 'dispose';
export const SLA_STAGES: readonly SlaStage[] = ['verify', 'accept', 'arrive', 'dispose'];
export type SlaPolicy = Record<WarningLevel, Record<SlaStage, number>>;

/** Minutes. Level 1 (red) is the tightest; these mirror migration 007's seed rows. */
export const DEFAULT_SLA: SlaPolicy = {
  1: { verify: 5, accept: 15, arrive: 30, dispose: 240 },
  2: { verify: 10, accept: 30, arrive: 60, dispose: 480 },
  3: { verify: 30, accept: 120, arrive: 240, dispose: 1440 },
  4: { verify: 120, accept: 480, arrive: 1440, dispose: 4320 },
};

/** The stage whose clock runs while an incident is in `state`. */
export function stageOf(state: IncidentState): SlaStage | null {
  switch (state) {
    case 'reported':
    case 'verified':
      return 'verify';
    case 'dispatched':
      return 'accept';
    case 'accepted':
      return 'arrive';
    case 'on_site':
      return 'dispose';
    default:
      return null;
  }
}

/**
 * Whether a transition starts a fresh deadline: entering another stage, or coming back into one
 * (declined → re-dispatch, reopened, sent back). Verifying keeps the report's verify deadline.
 */
export function startsStage(from: IncidentState | null, to: IncidentState, action: IncidentAction | 'open'): SlaStage | null {
  const stage = stageOf(to);
  if (!stage) return null;
  if (from !== null && stageOf(from) === stage && action === 'verify') return null;
  return stage;
}

/** Minutes a type's deadlines differ from the level table: type → level → stage. */
export type SlaTypeOverrides = Partial<Record<IncidentType, Partial<Record<WarningLevel, Partial<Record<SlaStage, number>>>>>>;

/** One version of the SLA table. */
export interface SlaTable {
  levels: SlaPolicy;
  types: SlaTypeOverrides;
}

export interface SlaVersion {
  version: number;
  createdAt: string;
  createdBy: string;
  note: string | null;
  table: SlaTable;
}

/**
 * Our defaults by type (mirrored by migration 011's version 1): a gas leak needs a crew on site
 * within 30 min at level 2 and within 1–2 h below; a bridge's structural repair takes days; a
 * sensor fault is maintenance whatever its level.
 */
export const DEFAULT_TYPE_SLA: SlaTypeOverrides = {
  gas_leak: { 2: { arrive: 30 }, 3: { arrive: 60, dispose: 480 }, 4: { arrive: 120, dispose: 1440 } },
  bridge_structural: { 1: { dispose: 1440 }, 2: { dispose: 2880 }, 3: { dispose: 4320 }, 4: { dispose: 10080 } },
  sensor_fault: Object.fromEntries(([1, 2, 3, 4] as const).map((l) => [l, { verify: 240, accept: 480, arrive: 1440, dispose: 4320 }])),
};

/** The per-level table an incident of `type` runs on: the type's overrides over the level table. */
export function policyFor(table: SlaTable, type: IncidentType): SlaPolicy {
  const policy = structuredClone(table.levels);
  for (const level of [1, 2, 3, 4] as const) Object.assign(policy[level], table.types[type]?.[level] ?? {});
  return policy;
}

/** At most a year; whole minutes. */
const minutes = z.number().int().min(1).max(525_600);
const stages = z.object({ verify: minutes, accept: minutes, arrive: minutes, dispose: minutes }).strict();
const partialStages = stages.partial();
const levelKey = z.enum(['1', '2', '3', '4']);
/** The shape an admin sends (and a version stores): every level complete, type rows partial. */
export const slaTableSchema = z.object({
  levels: z.object({ 1: stages, 2: stages, 3: stages, 4: stages }).strict(),
  types: z.partialRecord(z.enum(INCIDENT_TYPES), z.partialRecord(levelKey, partialStages)).default({}),
}).strict();

function toVersion(r: { version: number; created_at: Date; created_by: string; note: string | null; policy: unknown }): SlaVersion {
  return { version: r.version, createdAt: r.created_at.toISOString(), createdBy: r.created_by, note: r.note, table: r.policy as SlaTable };
}

/** The version new incidents start on (the highest). */
export async function currentSlaVersion(db: Queryable): Promise<SlaVersion> {
  const [row] = await db.query<{ version: number; created_at: Date; created_by: string; note: string | null; policy: unknown }>(
    'SELECT version, created_at, created_by, note, policy FROM sla_versions ORDER BY version DESC LIMIT 1',
  );
  return row ? toVersion(row) : { version: 0, createdAt: new Date(0).toISOString(), createdBy: 'built-in', note: null, table: { levels: structuredClone(DEFAULT_SLA), types: DEFAULT_TYPE_SLA } };
}

export async function listSlaVersions(db: Queryable): Promise<SlaVersion[]> {
  return (await db.query<{ version: number; created_at: Date; created_by: string; note: string | null; policy: unknown }>(
    'SELECT version, created_at, created_by, note, policy FROM sla_versions ORDER BY version',
  )).map(toVersion);
}

export class SlaConflictError extends Error {}

/** Stores a new version (validated by `slaTableSchema`); incidents opened from now on run on it. */
export async function saveSlaVersion(db: Queryable, table: SlaTable, createdBy: string, note: string | null, at: Date): Promise<SlaVersion> {
  const parsed = slaTableSchema.parse(table);
  try {
    const [row] = await db.query<{ version: number; created_at: Date; created_by: string; note: string | null; policy: unknown }>(
      `INSERT INTO sla_versions (version, created_at, created_by, note, policy)
       SELECT coalesce(max(version), 0) + 1, $1, $2, $3, $4 FROM sla_versions
       RETURNING version, created_at, created_by, note, policy`,
      [at, createdBy, note, JSON.stringify(parsed)],
    );
    return toVersion(row!);
  } catch (error) {
    // Two versions saved at the same moment: one wins, the other is told to look again.
    if ((error as { code?: string }).code === '23505') throw new SlaConflictError('another SLA version was saved at the same moment: reload and retry');
    throw error;
  }
}

/** The current version's level table (what `GET /api/incidents/workflow` shows). */
export async function loadSla(db: Queryable): Promise<SlaPolicy> {
  return (await currentSlaVersion(db)).table.levels;
}

/** The tables of the given SLA versions, by version. */
export async function slaTables(db: Queryable, versions: number[]): Promise<Map<number, SlaTable>> {
  const unique = [...new Set(versions)];
  if (unique.length === 0) return new Map();
  const rows = await db.query<{ version: number; policy: unknown }>('SELECT version, policy FROM sla_versions WHERE version = ANY($1::int[])', [unique]);
  return new Map(rows.map((r) => [r.version, r.policy as SlaTable]));
}

/**
 * Sets a new incident's type (given, or derived from its alarm, service code or asset) and the
 * SLA version it runs on.
 */
export async function assignTypeAndSla(
  tx: Queryable, incidentId: string,
  input: { kind: 'alarm' | 'patrol' | 'citizen'; type?: IncidentType | null; alarmId?: string | null; assetId?: string | null; serviceCode?: string | null },
): Promise<void> {
  const type = input.type ?? (await deriveIncidentType(tx, input));
  const current = await currentSlaVersion(tx);
  await tx.query('UPDATE incidents SET incident_type = $2, sla_version = $3 WHERE id = $1', [incidentId, type, current.version || null]);
}

/** A stage's deadline for an incident, from its level, its type and the SLA version it started with. */
export async function incidentDeadline(tx: Queryable, incidentId: string, stage: SlaStage, from: Date): Promise<Date> {
  const [row] = await tx.query<{ level: WarningLevel; incident_type: IncidentType; sla_version: number | null }>(
    'SELECT level, incident_type, sla_version FROM incidents WHERE id = $1', [incidentId],
  );
  const table = row!.sla_version !== null ? (await slaTables(tx, [row!.sla_version])).get(row!.sla_version) : undefined;
  return deadline(policyFor(table ?? (await currentSlaVersion(tx)).table, row!.incident_type), row!.level, stage, from);
}

export function deadline(policy: SlaPolicy, level: WarningLevel, stage: SlaStage, from: Date): Date {
  return new Date(from.getTime() + policy[level][stage] * 60_000);
}

/** When the whole case should be done: the current stage's deadline plus the later stages' allowances. */
export function expectedCompletion(policy: SlaPolicy, level: WarningLevel, stage: SlaStage | null, dueAt: Date | null): Date | null {
  if (!stage || !dueAt) return null;
  const later = SLA_STAGES.slice(SLA_STAGES.indexOf(stage) + 1);
  return new Date(dueAt.getTime() + later.reduce((sum, s) => sum + policy[level][s] * 60_000, 0));
}
