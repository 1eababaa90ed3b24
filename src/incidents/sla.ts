// Deadlines (SLA) per warning level and stage. The table `sla_policies` holds them (defaults below,
// seeded by migration 007; change a row to change a deadline). Each stage's deadline is stored on
// the incident when the stage starts; the overdue check escalates once per stage to the bureau
// supervisor and is safe on several processes at once (row locks, SKIP LOCKED, conditional update).
import type { WarningLevel } from '../detect/index.ts';
import type { Queryable } from '../store/index.ts';
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

export async function loadSla(db: Queryable): Promise<SlaPolicy> {
  const policy = structuredClone(DEFAULT_SLA);
  const rows = await db.query<{ level: number; stage: SlaStage; minutes: number }>('SELECT level, stage, minutes FROM sla_policies');
  for (const r of rows) if (policy[r.level as WarningLevel] && SLA_STAGES.includes(r.stage)) policy[r.level as WarningLevel][r.stage] = r.minutes;
  return policy;
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
