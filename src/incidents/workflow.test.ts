import { describe, expect, it } from 'vitest';
import { INCIDENT_ACTIONS, nextActions, nextState, TRANSITIONS, type IncidentState } from './workflow.ts';

describe('incident workflow', () => {
  it('walks open → dispatched → disposed → closed', () => {
    let state: IncidentState = 'open';
    for (const action of ['dispatch', 'dispose', 'close'] as const) state = nextState(state, action)!;
    expect(state).toBe('closed');
    expect(nextActions('closed')).toEqual([]);
  });
  it('refuses every step the table does not list', () => {
    expect(nextState('open', 'close')).toBeNull();
    expect(nextState('open', 'dispose')).toBeNull();
    expect(nextState('dispatched', 'dispatch')).toBeNull();
    expect(nextState('closed', 'dispatch')).toBeNull();
  });
  it('only uses known actions and states', () => {
    const states = Object.keys(TRANSITIONS);
    for (const [from, moves] of Object.entries(TRANSITIONS)) {
      for (const [action, to] of Object.entries(moves)) {
        expect(INCIDENT_ACTIONS, `${from} --${action}`).toContain(action);
        expect(states, `${from} --${action}→ ${to}`).toContain(to);
      }
    }
  });
});
