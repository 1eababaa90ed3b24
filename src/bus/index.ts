import { EventEmitter } from 'node:events';
import type { Alarm } from '../detect/index.ts';
import type { Incident } from '../incidents/index.ts';

// In-process event bus: what committed changes the rest of the process (the live WebSocket)
// hears about. The cluster mode replaces it with NATS behind the same two methods.
export type PlatformEvent =
  | { type: 'readings'; readings: { sensorId: string; ts: string; value: number }[] }
  | { type: 'alarms'; alarms: Alarm[] }
  | { type: 'incidents'; incidents: Incident[] };

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
