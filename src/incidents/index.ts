export * from './types.ts';
export { INCIDENT_ACTIONS, nextActions, nextState, TRANSITIONS } from './workflow.ts';
export type { IncidentAction, IncidentState } from './workflow.ts';
export { listIncidents, openIncident, raiseIncidentForAlarm, SYSTEM_ACTOR, transitionIncident } from './repository.ts';
export type { NewIncident } from './repository.ts';
export { openIncidentsForAlarms } from './from-alarms.ts';
export type { AlarmContext } from './from-alarms.ts';
