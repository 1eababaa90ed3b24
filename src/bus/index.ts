import { EventEmitter } from 'node:events';
import type { Alarm } from '../detect/index.ts';
import type { Incident } from '../incidents/index.ts';
import type { AlarmAlerting, Notice } from '../alerting/index.ts';

// In-process event bus: what committed changes the rest of the process (the live WebSocket)
// hears about. The cluster mode replaces it with NATS behind the same two methods.
export type PlatformEvent =
  | { type: 'readings'; readings: { sensorId: string; ts: string; value: number }[] }
  | { type: 'alarms'; alarms: Alarm[]; /** acknowledgement, mute and flapping by alarm id */ alerting?: Record<string, AlarmAlerting> }
  | { type: 'incidents'; incidents: Incident[] }
  /** What to notify (unmuted raises and escalations, un-mutes, flapping once), with the alarms concerned. */
  | { type: 'notices'; notices: Notice[]; alarms: Alarm[]; alerting: Record<string, AlarmAlerting> };

export class EventBus {
  private emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(event: PlatformEvent): void {
    this.emitter.emit('event', event);
  }

  subscribe(listener: (event: PlatformEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
