// The findings' status workflow as one table: found → confirmed → remediating → remediated →
// verified, with dismissal of a false finding and the way back when a fix does not hold. The
// owner unit that remediates does not verify its own fix: the centre or the bureau does.
import type { Actor, FindingAction, FindingStatus } from './types.ts';

export interface FindingRule {
  from: readonly FindingStatus[];
  to: FindingStatus;
  roles: readonly string[];
  /** A note (the reason) is required. */
  note?: true;
}

const ANY_WORKER = ['admin', 'centre_operator', 'bureau_supervisor', 'owner_dispatcher', 'field_crew'] as const;
const CENTRE = ['admin', 'centre_operator', 'bureau_supervisor'] as const;

export const FINDING_TRANSITIONS: Readonly<Record<FindingAction, FindingRule>> = {
  confirm: { from: ['found'], to: 'confirmed', roles: ANY_WORKER },
  dismiss: { from: ['found', 'confirmed'], to: 'dismissed', roles: CENTRE, note: true },
  start_remediation: { from: ['confirmed'], to: 'remediating', roles: ANY_WORKER },
  complete: { from: ['remediating'], to: 'remediated', roles: ANY_WORKER },
  verify: { from: ['remediated'], to: 'verified', roles: CENTRE },
  send_back: { from: ['remediated'], to: 'remediating', roles: CENTRE, note: true },
  reopen: { from: ['dismissed', 'verified'], to: 'found', roles: CENTRE, note: true },
};

/** Statuses from which a work order may be opened (the finding is not settled yet). */
export const WORK_ORDER_FROM: readonly FindingStatus[] = ['found', 'confirmed', 'remediating'];
export const WORK_ORDER_ROLES: readonly string[] = ['admin', 'centre_operator', 'bureau_supervisor', 'owner_dispatcher'];

export const hasRole = (actor: Actor, roles: readonly string[]) => actor.roles.some((r) => roles.includes(r));

export function allowedFindingActions(status: FindingStatus, actor: Actor): FindingAction[] {
  return (Object.entries(FINDING_TRANSITIONS) as [FindingAction, FindingRule][])
    .filter(([, rule]) => rule.from.includes(status) && hasRole(actor, rule.roles)).map(([action]) => action);
}
