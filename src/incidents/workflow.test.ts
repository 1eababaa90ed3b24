import { describe, expect, it } from 'vitest';
import {
  allowedActions, INCIDENT_ACTIONS, INCIDENT_STATES, nextActions, nextState, refusal, ROLES, TRANSITIONS,
  type Actor, type IncidentAction, type IncidentState, type Role,
} from './workflow.ts';
import { EXPECTED_ROLES } from '../../test/support/incident-roles.ts';
import { canonicalJson } from './audit.ts';
import { DEFAULT_SLA, expectedCompletion, startsStage, stageOf } from './sla.ts';

// Written out independently of the table, so a change to TRANSITIONS must be made here too.
const EXPECTED_STEPS: [IncidentState, IncidentAction, IncidentState][] = [
  ['reported', 'verify', 'verified'], ['reported', 'reject', 'rejected'], ['verified', 'reject', 'rejected'],
  ['verified', 'dispatch', 'dispatched'], ['dispatched', 'decline', 'verified'], ['dispatched', 'accept', 'accepted'],
  ['accepted', 'arrive', 'on_site'], ['on_site', 'dispose', 'disposed'], ['disposed', 'close', 'closed'],
  ['disposed', 'send_back', 'accepted'], ['closed', 'reopen', 'verified'], ['rejected', 'reopen', 'verified'],
  ['reported', 'merge', 'rejected'], ['verified', 'merge', 'rejected'], ['dispatched', 'merge', 'rejected'],
];

const ORG_OF: Record<Role, { orgId: string; orgKind: Actor['orgKind'] }> = {
  bureau_supervisor: { orgId: 'bureau', orgKind: 'bureau' }, centre_operator: { orgId: 'centre', orgKind: 'operator' },
  owner_dispatcher: { orgId: 'gas-co', orgKind: 'owner' }, field_crew: { orgId: 'gas-co', orgKind: 'owner' },
  viewer: { orgId: 'bureau', orgKind: 'bureau' }, admin: { orgId: 'centre', orgKind: 'operator' },
};
const actor = (role: Role, orgId = ORG_OF[role].orgId): Actor => ({ userId: role, name: role, orgId, orgKind: ORG_OF[role].orgKind, roles: [role] });

describe('incident workflow table', () => {
  it('has exactly the documented steps', () => {
    const steps = INCIDENT_STATES.flatMap((s) => nextActions(s).map((a) => [s, a, nextState(s, a)]));
    expect(new Set(steps.map((s) => s.join(' ')))).toEqual(new Set(EXPECTED_STEPS.map((s) => s.join(' '))));
  });

  it('refuses every (state, action) pair the table does not list', () => {
    for (const state of INCIDENT_STATES) {
      for (const action of INCIDENT_ACTIONS) {
        const expected = EXPECTED_STEPS.find(([s, a]) => s === state && a === action)?.[2] ?? null;
        expect(nextState(state, action), `${state} --${action}`).toBe(expected);
      }
    }
  });

  it('walks the happy path reported → … → closed, with a refusal by the owner and a send-back', () => {
    let state: IncidentState = 'reported';
    for (const action of ['verify', 'dispatch', 'decline', 'dispatch', 'accept', 'arrive', 'dispose', 'send_back', 'arrive', 'dispose', 'close'] as const) {
      state = nextState(state, action)!;
      expect(state, action).toBeTruthy();
    }
    expect(state).toBe('closed');
    expect(nextActions('closed')).toEqual(['reopen']);
  });

  describe.each(INCIDENT_ACTIONS)('%s', (action) => {
    it.each(ROLES)('for %s of its own unit', (role) => {
      const allowed = EXPECTED_ROLES[action][role] !== undefined;
      expect(refusal(actor(role), action, 'gas-co') === null, `${role} ${action}`).toBe(allowed);
      if (!allowed) expect(refusal(actor(role), action, 'gas-co')).toContain(`'${action}' needs the role`);
    });
    it.each(ROLES)('for %s of another unit', (role) => {
      const rule = EXPECTED_ROLES[action][role];
      const allowed = rule === 'any';
      expect(refusal(actor(role, 'water-co'), action, 'gas-co') === null, `${role}@water-co ${action}`).toBe(allowed);
      if (rule === 'unit') expect(refusal(actor(role, 'water-co'), action, 'gas-co')).toContain('assigned owner unit');
    });
  });

  it('lists for each user only the actions they may take now', () => {
    expect(allowedActions('verified', actor('centre_operator'), 'gas-co')).toEqual(['reject', 'dispatch']);
    expect(allowedActions('dispatched', actor('owner_dispatcher'), 'gas-co')).toEqual(['decline', 'accept']);
    expect(allowedActions('dispatched', actor('field_crew'), 'gas-co')).toEqual(['accept']);
    expect(allowedActions('dispatched', actor('field_crew', 'water-co'), 'gas-co')).toEqual([]);
    expect(allowedActions('disposed', actor('bureau_supervisor'), 'gas-co')).toEqual(['close', 'send_back']);
    expect(allowedActions('closed', actor('viewer'), 'gas-co')).toEqual([]);
  });

  it('requires a reason for reject, decline, dispose, send back and reopen', () => {
    expect(INCIDENT_ACTIONS.filter((a) => TRANSITIONS[a].reason).sort()).toEqual(['decline', 'dispose', 'reject', 'reopen', 'send_back']);
  });
});

describe('SLA stages', () => {
  it('runs one clock per stage and restarts it when a stage is re-entered', () => {
    expect(INCIDENT_STATES.map((s) => stageOf(s))).toEqual(['verify', 'verify', null, 'accept', 'arrive', 'dispose', null, null]);
    expect(startsStage(null, 'reported', 'open')).toBe('verify');
    expect(startsStage('reported', 'verified', 'verify')).toBeNull();
    expect(startsStage('dispatched', 'verified', 'decline')).toBe('verify');
    expect(startsStage('disposed', 'accepted', 'send_back')).toBe('arrive');
    expect(startsStage('on_site', 'disposed', 'dispose')).toBeNull();
  });
  it('expects completion at the running deadline plus the later stages', () => {
    const due = new Date('2026-01-01T00:15:00Z');
    expect(expectedCompletion(DEFAULT_SLA, 1, 'accept', due)?.toISOString()).toBe('2026-01-01T04:45:00.000Z');
    expect(expectedCompletion(DEFAULT_SLA, 1, null, null)).toBeNull();
  });
  it('has the documented level-1 defaults', () => {
    expect(DEFAULT_SLA[1]).toEqual({ verify: 5, accept: 15, arrive: 30, dispose: 240 });
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,{"y":null,"z":1}]},"b":1}');
  });
});
