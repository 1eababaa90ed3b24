// Typed fetches for the alerting routes (src/api/alerting-routes.ts, docs/alerting.md).
import type { AlarmDto, AlarmGroupDto, NewSilenceDto, SilenceDto } from '../../../src/api/dto.ts';
import { requestJson as call } from '../api.ts';

export type { AlarmGroupDto, NewSilenceDto, SilenceDto, SilenceMatchers } from '../../../src/api/dto.ts';

/** The roles that may acknowledge alarms and manage silences (owner units for their own equipment). */
export const ALERTING_ROLES = ['centre_operator', 'owner_dispatcher', 'admin'];


export const alertingApi = {
  acknowledge: (alarmId: string, comment: string) =>
    call<AlarmDto>(`/api/alarms/${encodeURIComponent(alarmId)}/ack`, { method: 'POST', body: JSON.stringify({ comment }) }),
  groups: (by: AlarmGroupDto['by']) => call<AlarmGroupDto[]>(`/api/alarms/groups?by=${by}`),
  silences: (state: 'current' | 'all') => call<SilenceDto[]>(`/api/silences?state=${state}`),
  createSilence: (silence: NewSilenceDto) => call<SilenceDto>('/api/silences', { method: 'POST', body: JSON.stringify(silence) }),
  expireSilence: (id: string) => call<SilenceDto>(`/api/silences/${encodeURIComponent(id)}/expire`, { method: 'POST', body: '{}' }),
};
