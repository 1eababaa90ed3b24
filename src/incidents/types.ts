import type { WarningLevel } from '../detect/index.ts';
import type { IncidentAction, IncidentState } from './workflow.ts';

export interface IncidentEvent {
  action: 'open' | IncidentAction;
  fromState: IncidentState | null;
  toState: IncidentState;
  actor: string;
  note: string | null;
  at: string;
}

export interface Incident {
  id: string;
  title: string;
  state: IncidentState;
  level: WarningLevel;
  alarmId: string | null;
  assetId: string;
  ownerId: string;
  ownerName: string;
  openedAt: string;
  updatedAt: string;
  nextActions: IncidentAction[];
  events: IncidentEvent[];
}

export class IncidentError extends Error {
  constructor(
    message: string,
    readonly code: 'not_found' | 'illegal_transition',
  ) {
    super(message);
  }
}
