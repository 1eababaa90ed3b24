// The incident console's own backend calls and the workflow rules as the server publishes them
// (GET /api/incidents/workflow): which actions the current user may take, which need a reason.
// The server checks every action again; this only decides which buttons to show.
import type {
  AuditEntryDto, AuditVerificationDto, IncidentAction, IncidentDto, OrganisationDto, Role, WorkflowDto,
} from '../../src/api/dto.ts';
import { requestJson as call } from './api.ts';

/** Who the console acts as: the logged-in user, or (accounts off) the persona chosen here. */
export interface ConsoleUser {
  userId: string;
  name: string;
  orgId: string | null;
  orgKind: 'bureau' | 'operator' | 'owner' | null;
  roles: Role[];
  /** true when the server knows the user (session); false: accounts off, the body names the persona. */
  authenticated: boolean;
}

export interface TransitionRequest {
  action: IncidentAction;
  reason?: string;
  orgId?: string;
  /** dispose: photos and files uploaded beforehand, and where the unit stood. */
  attachmentIds?: string[];
  location?: { lon: number; lat: number };
  readings?: { name: string; value: number; unit?: string }[];
}


export const consoleApi = {
  workflow: () => call<WorkflowDto>('/api/incidents/workflow'),
  organisations: () => call<OrganisationDto[]>('/api/organisations'),
  /** The logged-in user, or null when accounts are off (or the server predates them). */
  async me(): Promise<ConsoleUser | null> {
    try {
      const me = await call<{ userId: string; name: string; orgId: string | null; orgKind: ConsoleUser['orgKind']; roles: Role[]; via: string }>('/api/auth/me');
      return me.via === 'off' ? null : { ...me, authenticated: true };
    } catch {
      return null;
    }
  },
  transition(id: string, user: ConsoleUser, request: TransitionRequest): Promise<IncidentDto> {
    const persona = user.authenticated ? {} : { as: { name: user.name, role: user.roles[0], orgId: user.orgId ?? undefined } };
    return call<IncidentDto>(`/api/incidents/${encodeURIComponent(id)}/transitions`, { method: 'POST', body: JSON.stringify({ ...request, ...persona }) });
  },
  audit: (id: string) => call<{ entries: AuditEntryDto[]; verification: AuditVerificationDto }>(`/api/incidents/${encodeURIComponent(id)}/audit`),
};

/** The actions `user` may take on `incident` now (the same rule as src/incidents/workflow.ts refusal()). */
export function actionsFor(workflow: WorkflowDto, incident: IncidentDto, user: ConsoleUser): WorkflowDto['actions'] {
  return workflow.actions.filter((rule) => {
    if (rule.action === 'merge' || !rule.from.includes(incident.state)) return false;
    if (user.roles.includes('admin')) return true;
    const role = rule.roles.find((r) => user.roles.includes(r));
    if (!role) return false;
    const unitRole = role === 'owner_dispatcher' || role === 'field_crew';
    return !(rule.assignedUnitOnly && unitRole && (incident.ownerId === null || incident.ownerId !== user.orgId));
  });
}

/** The running stage's deadline passed (escalated by the server, or due by the browser's clock). */
export function isOverdue(incident: IncidentDto, now = Date.now()): boolean {
  return incident.overdue || (incident.dueAt !== null && Date.parse(incident.dueAt) < now);
}
