export * from './types.ts';
export { allowedFindingActions, FINDING_TRANSITIONS, WORK_ORDER_FROM, WORK_ORDER_ROLES, type FindingRule } from './workflow.ts';
export { createFinding, createWorkOrder, listFindings, transitionFinding, updateFinding } from './repository.ts';
export type { FindingFilter, FindingPatch, NewFinding } from './repository.ts';
