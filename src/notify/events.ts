// The events integrations hear about, derived from what the platform announces: an incident's
// audit rows (opened, each workflow transition, escalation) and alarm changes (opened, escalated,
// cleared). Each has a key naming what happened once, so announcing it again sends nothing twice.
import type { AlarmChange } from '../detect/index.ts';
import type { Incident } from '../incidents/index.ts';

export type EventType =
  | 'incident.opened' | 'incident.transitioned' | 'incident.escalated'
  | 'alarm.opened' | 'alarm.escalated' | 'alarm.deescalated' | 'alarm.reopened' | 'alarm.cleared';
export const EVENT_TYPES: readonly EventType[] = [
  'incident.opened', 'incident.transitioned', 'incident.escalated', 'alarm.opened', 'alarm.escalated', 'alarm.deescalated', 'alarm.reopened', 'alarm.cleared',
];

export interface OutboundEvent {
  type: EventType;
  /** What happened, once: incident:<id>:<audit seq>, alarm:<id>:<change>:<level>. */
  key: string;
  /** The owner unit concerned (owner-scoped subscriptions hear only their own). */
  ownerId: string | null;
  occurredAt: string;
  data: Record<string, unknown>;
}

const NOT_ANNOUNCED = new Set(['attach_alarm', 'merged_in']);

/** One event per audit row of the incident (alarm attachments and merge targets aside). */
export function incidentEvents(incident: Incident): OutboundEvent[] {
  const summary = {
    id: incident.id, kind: incident.kind, title: incident.title, state: incident.state, level: incident.level, ownerId: incident.ownerId,
    ownerName: incident.ownerName, assetId: incident.assetId, location: incident.location, dueStage: incident.dueStage, dueAt: incident.dueAt,
  };
  return incident.events.filter((e) => !NOT_ANNOUNCED.has(e.action)).map((e) => ({
    type: e.action === 'open' ? 'incident.opened' : e.action === 'escalate' ? 'incident.escalated' : 'incident.transitioned',
    key: `incident:${incident.id}:${e.seq}`,
    ownerId: incident.ownerId,
    occurredAt: e.at,
    data: {
      incident: summary,
      event: { seq: e.seq, action: e.action, fromState: e.fromState, toState: e.toState, actor: e.actor, actorOrg: e.actorOrg, note: e.note, payload: e.payload, at: e.at, hash: e.hash },
    },
  }));
}

const ALARM_TYPE: Record<string, EventType> = {
  open: 'alarm.opened', escalate: 'alarm.escalated', deescalate: 'alarm.deescalated', reopen: 'alarm.reopened', clear: 'alarm.cleared',
};

export function alarmEvent(change: AlarmChange, context: { ownerId: string | null; assetId: string | null }, at: Date): OutboundEvent {
  return {
    type: ALARM_TYPE[change.kind] ?? 'alarm.escalated',
    // An alarm may go up and down and reopen, so the key also counts the change: the caller's sequence.
    key: `alarm:${change.alarmId}:${change.kind}:${change.level}:${at.getTime()}`,
    ownerId: context.ownerId,
    occurredAt: at.toISOString(),
    data: { alarm: { id: change.alarmId, sensorId: change.sensorId, ruleId: change.ruleId, level: change.level, assetId: context.assetId, ownerId: context.ownerId } },
  };
}
