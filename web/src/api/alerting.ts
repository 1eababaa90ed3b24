// Typed fetches for the alerting routes (src/api/alerting-routes.ts, docs/alerting.md).
import type { AlarmDto, AlarmGroupDto, NewSilenceDto, SilenceDto } from '../../../src/api/dto.ts';

export type { AlarmGroupDto, NewSilenceDto, SilenceDto, SilenceMatchers } from '../../../src/api/dto.ts';

/** The roles that may acknowledge alarms and manage silences (owner units for their own equipment). */
export const ALERTING_ROLES = ['centre_operator', 'owner_dispatcher', 'admin'];

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, {
    ...init,
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...(init?.body ? { 'content-type': 'application/json' } : {}) },
  });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const error = body && typeof body === 'object' && 'error' in body && typeof body.error === 'string' ? body.error : `${res.status} ${res.statusText}`;
    throw new Error(error);
  }
  return body as T;
}

export const alertingApi = {
  acknowledge: (alarmId: string, comment: string) =>
    call<AlarmDto>(`/api/alarms/${encodeURIComponent(alarmId)}/ack`, { method: 'POST', body: JSON.stringify({ comment }) }),
  groups: (by: AlarmGroupDto['by']) => call<AlarmGroupDto[]>(`/api/alarms/groups?by=${by}`),
  silences: (state: 'current' | 'all') => call<SilenceDto[]>(`/api/silences?state=${state}`),
  createSilence: (silence: NewSilenceDto) => call<SilenceDto>('/api/silences', { method: 'POST', body: JSON.stringify(silence) }),
  expireSilence: (id: string) => call<SilenceDto>(`/api/silences/${encodeURIComponent(id)}/expire`, { method: 'POST', body: '{}' }),
};
