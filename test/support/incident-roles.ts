// Who may take each incident action, written out independently of src/incidents/workflow.ts so
// the workflow tests (unit and over HTTP) check the table rather than repeat it.
// 'unit' = only an owner-unit role of the unit the incident is assigned to.
import type { IncidentAction, Role } from '../../src/api/index.ts';

export const EXPECTED_ROLES: Record<IncidentAction, Partial<Record<Role, 'any' | 'unit'>>> = {
  verify: { centre_operator: 'any', admin: 'any' },
  reject: { centre_operator: 'any', admin: 'any' },
  dispatch: { centre_operator: 'any', admin: 'any' },
  decline: { owner_dispatcher: 'unit', admin: 'any' },
  accept: { owner_dispatcher: 'unit', field_crew: 'unit', admin: 'any' },
  arrive: { owner_dispatcher: 'unit', field_crew: 'unit', admin: 'any' },
  dispose: { owner_dispatcher: 'unit', field_crew: 'unit', admin: 'any' },
  close: { centre_operator: 'any', bureau_supervisor: 'any', admin: 'any' },
  send_back: { centre_operator: 'any', bureau_supervisor: 'any', admin: 'any' },
  reopen: { bureau_supervisor: 'any', admin: 'any' },
  merge: { centre_operator: 'any', admin: 'any' },
};
