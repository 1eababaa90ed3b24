import type { Alarm } from '../detect/index.ts';
import type { Incident } from '../incidents/index.ts';
import type { AlarmAlerting, Notice } from '../alerting/index.ts';

/**
 * A committed change, as the rest of the platform (the live WebSocket, notifications) hears of it.
 * Plain JSON (times are ISO strings), so a cross-process bus carries it unchanged.
 */
export type PlatformEvent =
  | { type: 'readings'; readings: { sensorId: string; ts: string; value: number }[] }
  | { type: 'alarms'; alarms: Alarm[]; /** acknowledgement, mute and flapping by alarm id */ alerting?: Record<string, AlarmAlerting> }
  | { type: 'incidents'; incidents: Incident[] }
  /** What to notify (unmuted raises and escalations, un-mutes, flapping once), with the alarms concerned. */
  | { type: 'notices'; notices: Notice[]; alarms: Alarm[]; alerting: Record<string, AlarmAlerting> }
  /**
   * Not a change: this process's link to the others is back after a gap, so what they announced
   * meanwhile was missed. Raised by the bus itself, to the `all` subscribers (a browser re-reads).
   */
  | { type: 'resync'; reason: string };

/**
 * Which events a subscriber hears: `all` (this process's and, on a cross-process bus, every other
 * process's: what a live WebSocket shows), or `local` (this process's only: what this process must
 * act on once, such as writing webhook deliveries and sending SMS for the changes it made).
 */
export type BusOrigin = 'all' | 'local';

/**
 * Every implementation delivers an event published here to this process's subscribers at once
 * (synchronously, in publish order), and an event published by another process on the same bus
 * once to the `all` subscribers, in that process's publish order; never one's own event twice.
 */
export interface EventBus {
  /** Which transport carries events to the other processes (`process`: none, one process). */
  readonly kind: 'process' | 'nats' | 'postgres';
  publish(event: PlatformEvent): void;
  subscribe(listener: (event: PlatformEvent) => void, origin?: BusOrigin): () => void;
  /** Stops hearing other processes and sends what is still queued; local delivery goes on working. */
  close(): Promise<void>;
}
