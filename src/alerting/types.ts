import type { WarningLevel } from '../detect/index.ts';
import type { NetworkKind } from '../network/index.ts';

/** Why an alarm is muted: a silence or maintenance window, an inhibition by another alarm or incident, or flapping. */
export type MuteCause = 'silence' | 'inhibition' | 'flapping';

/** A muted alarm is stored and listed like any other; it opens no incident and sends no notification. */
export interface Mute {
  by: MuteCause;
  /** The silence id, `<inhibition rule>:<alarm|incident>:<id>` of the source, or the flapping pair. */
  ref: string;
  reason: string;
}

export interface Acknowledgement {
  by: string;
  at: string;
  comment: string;
}

/** The alerting state of one alarm, beside what detection records. */
export interface AlarmAlerting {
  ack: Acknowledgement | null;
  muted: Mute | null;
  flapping: boolean;
}

/** What a silence matches; every matcher given must match (an empty set is refused). */
export interface SilenceMatchers {
  sensorId?: string;
  assetId?: string;
  deviceId?: string;
  indicator?: string;
  ruleId?: string;
  network?: NetworkKind;
  /** An area (city, district, block, zone) the alarm's asset lies in. */
  areaId?: string;
}
export const MATCHER_KEYS = ['sensorId', 'assetId', 'deviceId', 'indicator', 'ruleId', 'network', 'areaId'] as const;

export interface Silence {
  id: string;
  /** `maintenance`: a planned window of work on the matched equipment; `silence`: anything else. */
  kind: 'silence' | 'maintenance';
  matchers: SilenceMatchers;
  reason: string;
  createdBy: string;
  /** The owner unit the silence belongs to (null: the monitoring centre's, city-wide). */
  orgId: string | null;
  startsAt: string;
  endsAt: string;
  createdAt: string;
  /** Expired early by a user. */
  endedAt: string | null;
  endedBy: string | null;
}

/** Where an alarm sits: what silences and inhibition rules match on. */
export interface AlarmSubject {
  alarmId: string;
  sensorId: string;
  ruleId: string;
  level: WarningLevel;
  assetId: string;
  assetType: string;
  deviceId: string;
  indicator: string;
  network: NetworkKind;
  areaIds: string[];
  openedAt: Date;
}
