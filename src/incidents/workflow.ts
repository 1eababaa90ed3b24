// The incident state machine as one table, so the full closed-loop workflow (reported → verified →
// dispatched → accepted → on site → disposed → reviewed/closed) can grow here without churn.
export type IncidentState = 'open' | 'dispatched' | 'disposed' | 'closed';
export type IncidentAction = 'dispatch' | 'dispose' | 'close';

export const TRANSITIONS: Record<IncidentState, Partial<Record<IncidentAction, IncidentState>>> = {
  open: { dispatch: 'dispatched' },
  dispatched: { dispose: 'disposed' },
  disposed: { close: 'closed' },
  closed: {},
};

export const INCIDENT_ACTIONS: readonly IncidentAction[] = ['dispatch', 'dispose', 'close'];

export function nextActions(state: IncidentState): IncidentAction[] {
  return Object.keys(TRANSITIONS[state]) as IncidentAction[];
}

export function nextState(state: IncidentState, action: IncidentAction): IncidentState | null {
  return TRANSITIONS[state][action] ?? null;
}
