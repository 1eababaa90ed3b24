// The JSON shapes of the alerting routes (src/api/alerting-routes.ts, docs/alerting.md).
import type { AlarmDto, NetworkKind, WarningLevel } from './dto.ts';
export type { Acknowledgement as AckDto, Mute as MuteDto, MuteCause, SilenceMatchers } from '../alerting/types.ts';
import type { Silence, SilenceMatchers } from '../alerting/types.ts';

/** GET /api/silences, POST /api/silences, POST /api/silences/:id/expire */
export interface SilenceDto extends Silence {
  /** In force now (started, not expired, not ended early). */
  active: boolean;
  /** Active alarms it mutes now. */
  muting: number;
}

/** POST /api/silences: `startsAt` defaults to now; either `endsAt` or `durationMinutes`. */
export interface NewSilenceDto {
  kind?: 'silence' | 'maintenance';
  matchers: SilenceMatchers;
  reason: string;
  startsAt?: string;
  endsAt?: string;
  durationMinutes?: number;
}

/** GET /api/alarms/groups?by=asset|area|network[&areaKind=district]: active alarms grouped. */
export interface AlarmGroupDto {
  by: 'asset' | 'area' | 'network';
  key: string;
  /** The asset's, area's or network's name. */
  name: string;
  network: NetworkKind | null;
  /** Most severe level among the unmuted members (all members when every one is muted). */
  level: WarningLevel;
  count: number;
  muted: number;
  unacknowledged: number;
  alarms: AlarmDto[];
}

/** One entry of GET /api/alarms/:id/events: the alarm's timeline. */
export interface AlarmEventDto {
  kind: 'open' | 'escalate' | 'deescalate' | 'clear' | 'reopen' | 'ack' | 'unack' | 'mute' | 'unmute' | string;
  level: number;
  value: number;
  at: string;
  actor: string | null;
  note: string | null;
}

/** Live message `notification`: one per asset and commit, listing the alarms it is about. */
export interface AlarmNotificationDto {
  groupBy: 'asset';
  key: string;
  ownerId: string | null;
  level: WarningLevel;
  /** Why, per alarm id: raised, escalated, unmuted (a silence or inhibition ended), flapping (once). */
  reasons: Record<string, 'raised' | 'escalated' | 'unmuted' | 'flapping'>;
  alarms: AlarmDto[];
}
