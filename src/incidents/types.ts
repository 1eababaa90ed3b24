import type { WarningLevel } from '../detect/index.ts';
import type { AuditAction } from './audit.ts';
import type { IncidentType } from './incident-types.ts';
import type { SlaStage } from './sla.ts';
import type { IncidentAction, IncidentState } from './workflow.ts';

/** One row of the incident's audit chain, as the API shows it. */
export interface IncidentEvent {
  seq: number;
  action: AuditAction;
  fromState: IncidentState | null;
  toState: IncidentState;
  /** The actor's display name. */
  actor: string;
  actorId: string;
  actorOrg: string | null;
  /** The reason given (required for reject, decline, dispose, send back, reopen). */
  note: string | null;
  /** e.g. dispatch: { orgId }, dispose: { location, readings }, escalate: { stage, dueAt }. */
  payload: Record<string, unknown>;
  at: string;
  hash: string;
}

export type IncidentKind = 'alarm' | 'patrol' | 'citizen';

export interface Incident {
  id: string;
  kind: IncidentKind;
  /** What the matter is (gas leak, water burst, …): sets the deadlines with the level. */
  type: IncidentType;
  /** The SLA table version its deadlines come from (kept from when it opened). */
  slaVersion: number | null;
  title: string;
  description: string | null;
  state: IncidentState;
  level: WarningLevel;
  /** The first alarm; `alarmIds` lists every alarm the incident groups. */
  alarmId: string | null;
  alarmIds: string[];
  assetId: string | null;
  location: { lon: number; lat: number } | null;
  /** The owner unit responsible: suggested from the asset's owner, set by dispatch. */
  ownerId: string | null;
  ownerName: string | null;
  openedAt: string;
  updatedAt: string;
  /** The running stage's deadline (null in rejected, disposed, closed). */
  dueStage: SlaStage | null;
  dueAt: string | null;
  /** Each stage's latest deadline. */
  deadlines: Partial<Record<SlaStage, string>>;
  /** The running stage's deadline passed and was escalated to the bureau supervisor. */
  overdue: boolean;
  escalatedAt: string | null;
  mergedInto: string | null;
  /** Every action the workflow table allows from this state, whoever asks. */
  nextActions: IncidentAction[];
  /** The actions the asking user may take now (role and unit checked); equals nextActions when nobody is named. */
  allowedActions: IncidentAction[];
  events: IncidentEvent[];
}

export class IncidentError extends Error {
  constructor(
    message: string,
    readonly code: 'not_found' | 'illegal_transition' | 'forbidden' | 'invalid',
  ) {
    super(message);
  }
}
