// The incident state machine as ONE table, modelled on the digital city-management case process
// (信息采集 → 案卷建立 → 任务派遣 → 任务处理 → 处理反馈 → 核查结案): every action names where it may start,
// where it leads, which roles may take it, whether they must belong to the assigned owner unit, and
// whether a reason is required. Nothing else in the code decides what is allowed.

export type IncidentState = 'reported' | 'verified' | 'rejected' | 'dispatched' | 'accepted' | 'on_site' | 'disposed' | 'closed';
export type IncidentAction =
  | 'verify' | 'reject' | 'dispatch' | 'decline' | 'accept' | 'arrive' | 'dispose' | 'close' | 'send_back' | 'reopen' | 'merge';
export type Role = 'bureau_supervisor' | 'centre_operator' | 'owner_dispatcher' | 'field_crew' | 'viewer' | 'admin';
export type OrgKind = 'bureau' | 'operator' | 'owner';

/** Who acts: the authenticated principal (or, with accounts off, the name the client gives). */
export interface Actor {
  userId: string;
  name: string;
  orgId: string | null;
  orgKind: OrgKind | null;
  roles: readonly Role[];
}

export interface ActionRule {
  from: readonly IncidentState[];
  to: IncidentState;
  /** Roles that may take the action (admin may take every action). */
  roles: readonly Role[];
  /** Owner-unit roles must belong to the unit the incident is dispatched to. */
  assignedUnitOnly: boolean;
  /** A non-empty reason (note) is required. */
  reason: boolean;
}

const CENTRE = ['centre_operator'] as const;
const UNIT = ['owner_dispatcher', 'field_crew'] as const;

export const TRANSITIONS: Readonly<Record<IncidentAction, ActionRule>> = {
  /** The centre confirms the alarm or report is real. */
  verify: { from: ['reported'], to: 'verified', roles: CENTRE, assignedUnitOnly: false, reason: false },
  /** False alarm, duplicate, out of scope: with a reason. */
  reject: { from: ['reported', 'verified'], to: 'rejected', roles: CENTRE, assignedUnitOnly: false, reason: true },
  /** To an owner unit (suggested from the asset's owner). */
  dispatch: { from: ['verified'], to: 'dispatched', roles: CENTRE, assignedUnitOnly: false, reason: false },
  /** The unit answers "not ours": back to the centre for re-dispatch. */
  decline: { from: ['dispatched'], to: 'verified', roles: ['owner_dispatcher'], assignedUnitOnly: true, reason: true },
  accept: { from: ['dispatched'], to: 'accepted', roles: UNIT, assignedUnitOnly: true, reason: false },
  arrive: { from: ['accepted'], to: 'on_site', roles: UNIT, assignedUnitOnly: true, reason: false },
  /** Feedback: notes (the reason field), location, readings. */
  dispose: { from: ['on_site'], to: 'disposed', roles: UNIT, assignedUnitOnly: true, reason: true },
  /** Review passed (核查结案). */
  close: { from: ['disposed'], to: 'closed', roles: ['centre_operator', 'bureau_supervisor'], assignedUnitOnly: false, reason: false },
  /** Review failed: back to the unit. */
  send_back: { from: ['disposed'], to: 'accepted', roles: ['centre_operator', 'bureau_supervisor'], assignedUnitOnly: false, reason: true },
  /** The supervisor reopens a closed or rejected incident for a new verification and dispatch. */
  reopen: { from: ['closed', 'rejected'], to: 'verified', roles: ['bureau_supervisor'], assignedUnitOnly: false, reason: true },
  /** Duplicate merged into another incident (POST /api/incidents/:id/merge, not /transitions). */
  merge: { from: ['reported', 'verified', 'dispatched'], to: 'rejected', roles: CENTRE, assignedUnitOnly: false, reason: false },
};

export const INCIDENT_STATES: readonly IncidentState[] = ['reported', 'verified', 'rejected', 'dispatched', 'accepted', 'on_site', 'disposed', 'closed'];
export const INCIDENT_ACTIONS = Object.keys(TRANSITIONS) as IncidentAction[];
export const ROLES: readonly Role[] = ['bureau_supervisor', 'centre_operator', 'owner_dispatcher', 'field_crew', 'viewer', 'admin'];
/** States in which an incident is finished (no SLA runs, detection opens a new one). */
export const TERMINAL_STATES: readonly IncidentState[] = ['rejected', 'closed'];

/** Every action the table allows from `state`, whoever asks. */
export function nextActions(state: IncidentState): IncidentAction[] {
  return INCIDENT_ACTIONS.filter((a) => TRANSITIONS[a].from.includes(state));
}

export function nextState(state: IncidentState, action: IncidentAction): IncidentState | null {
  const rule = TRANSITIONS[action];
  return rule.from.includes(state) ? rule.to : null;
}

/** Why `actor` may not take `action` on an incident assigned to `ownerId` (null = allowed), the state aside. */
export function refusal(actor: Actor, action: IncidentAction, ownerId: string | null): string | null {
  if (actor.roles.includes('admin')) return null;
  const rule = TRANSITIONS[action];
  const role = rule.roles.find((r) => actor.roles.includes(r));
  if (!role) return `'${action}' needs the role ${rule.roles.join(' or ')}; ${actor.name} has ${actor.roles.join(', ') || 'no role'}`;
  if (rule.assignedUnitOnly && (role === 'owner_dispatcher' || role === 'field_crew') && (ownerId === null || actor.orgId !== ownerId)) {
    return `'${action}' is for the assigned owner unit (${ownerId ?? 'none yet'}); ${actor.name} belongs to ${actor.orgId ?? 'no unit'}`;
  }
  return null;
}

/** The actions `actor` may take now on an incident in `state` assigned to `ownerId`. */
export function allowedActions(state: IncidentState, actor: Actor, ownerId: string | null): IncidentAction[] {
  return nextActions(state).filter((a) => a !== 'merge' && refusal(actor, a, ownerId) === null);
}
