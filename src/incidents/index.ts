export * from './types.ts';
export {
  allowedActions, INCIDENT_ACTIONS, INCIDENT_STATES, nextActions, nextState, refusal, ROLES, TERMINAL_STATES, TRANSITIONS,
} from './workflow.ts';
export type { ActionRule, Actor, IncidentAction, IncidentState, OrgKind, Role } from './workflow.ts';
export {
  backfillAudit, createIncident, escalateOverdue, incidentIdsForAlarms, initialState, listIncidents, mergeIncident, openIncident,
  raiseIncidentForAlarm, SYSTEM_ACTOR, transitionIncident,
} from './repository.ts';
export type { IncidentFilter, IncidentInput, NewIncident, TransitionInput } from './repository.ts';
export { appendAudit, canonicalJson, entryHash, genesisHash, listAudit, verifyAudit } from './audit.ts';
export type { AuditAction, AuditEntry, ChainReport } from './audit.ts';
export {
  currentSlaVersion, DEFAULT_SLA, DEFAULT_TYPE_SLA, deadline, expectedCompletion, listSlaVersions, loadSla, policyFor, saveSlaVersion, SLA_STAGES,
  SlaConflictError, slaTableSchema, stageOf,
} from './sla.ts';
export type { SlaPolicy, SlaStage, SlaTable, SlaTypeOverrides, SlaVersion } from './sla.ts';
export { deriveIncidentType, INCIDENT_TYPE_NAMES, INCIDENT_TYPES, incidentTypeOf, isIncidentType } from './incident-types.ts';
export type { IncidentType, TypeEvidence } from './incident-types.ts';
export { openIncidentsForAlarms } from './from-alarms.ts';
export type { AlarmContext } from './from-alarms.ts';
export { ASSESSED_AREA_KINDS, assessIncidents, assessmentCsv, periodRange } from './assessment.ts';
export type { AreaAssessment, Assessment, Figures, UnitAssessment } from './assessment.ts';
