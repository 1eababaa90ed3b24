// Typed fetches for supervision and administration: the assessment (src/incidents/assessment.ts),
// accounts and API tokens (src/auth/routes.ts). Passwords and tokens come back once, in the
// answer that creates them; nothing here keeps them.
import type { ApiToken, User } from '../../../src/auth/service.ts';
import type { AreaAssessment, Assessment, Figures, UnitAssessment } from '../../../src/incidents/assessment.ts';
import { requestJson as call } from '../api.ts';

export type { ApiToken, AreaAssessment, Assessment, Figures, UnitAssessment, User };


/** A reporting period: 2026, 2026-Q4, 2026-11 or 2026-11-23, in the deployment's time zone. */
export const assessmentUrl = (period: string, format: 'json' | 'csv' = 'json', by: 'unit' | 'area' = 'unit') =>
  `/api/incidents/assessment?period=${encodeURIComponent(period)}${format === 'csv' ? `&format=csv&by=${by}` : ''}`;

export const fetchAssessment = (period: string) => call<Assessment>(assessmentUrl(period));

export interface NewUserInput {
  id: string;
  name: string;
  orgId: string | null;
  roles: string[];
}

export const adminApi = {
  users: () => call<User[]>('/api/auth/users'),
  organisations: () => call<{ id: string; name: string; kind: string }[]>('/api/organisations'),
  /** The generated password is in the answer, once. */
  addUser: (user: NewUserInput) => call<User & { password: string }>('/api/auth/users', { method: 'POST', body: JSON.stringify(user) }),
  resetPassword: (id: string) => call<{ userId: string; password: string }>(`/api/auth/users/${encodeURIComponent(id)}/password`, { method: 'POST', body: '{}' }),
  setDisabled: (id: string, disabled: boolean) => call<User>(`/api/auth/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: JSON.stringify({ disabled }) }),
  tokens: () => call<ApiToken[]>('/api/auth/tokens'),
  /** The token is in the answer, once. */
  createToken: (userId: string, name: string) => call<ApiToken & { token: string }>('/api/auth/tokens', { method: 'POST', body: JSON.stringify({ userId, name }) }),
  revokeToken: (id: string) => call<{ ok: true }>(`/api/auth/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' }),
};
