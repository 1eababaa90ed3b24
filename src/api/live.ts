import type { WebSocket } from 'ws';
import type { EventBus, PlatformEvent } from '../bus/index.ts';
import type { LiveMessage } from './dto.ts';

type Reading = { sensorId: string; ts: string; value: number };

/** A client this far behind gets no more readings until it catches up; alarms and incidents still go out. */
const SLOW_CLIENT_BYTES = 4 * 1024 * 1024;

/**
 * Fans committed changes out to the browsers: one bus subscription for all sockets, each message
 * serialised once. Alarms and incidents go out at once; readings are coalesced to the latest
 * value per sensor and sent every `readingsEveryMs`, since a map needs the current value, not
 * every one of tens of thousands per second.
 */
export class LiveHub {
  private sockets = new Set<WebSocket>();
  private pending = new Map<string, Reading>();
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(bus: EventBus, private readonly toMessages: (event: PlatformEvent) => LiveMessage[], readingsEveryMs = 1000) {
    this.unsubscribe = bus.subscribe((event) => {
      if (event.type === 'readings') {
        for (const r of event.readings) this.pending.set(r.sensorId, r);
        return;
      }
      for (const message of this.toMessages(event)) this.broadcast(JSON.stringify(message), false);
    });
    this.timer = setInterval(() => this.flushReadings(), readingsEveryMs);
  }

  add(socket: WebSocket, hello: LiveMessage): void {
    this.sockets.add(socket);
    socket.send(JSON.stringify(hello));
    socket.on('close', () => this.sockets.delete(socket));
  }

  private flushReadings(): void {
    if (this.pending.size === 0) return;
    const readings = [...this.pending.values()];
    this.pending.clear();
    if (this.sockets.size > 0) this.broadcast(JSON.stringify({ type: 'readings', readings } satisfies LiveMessage), true);
  }

  private broadcast(text: string, droppable: boolean): void {
    for (const socket of this.sockets) {
      if (droppable && socket.bufferedAmount > SLOW_CLIENT_BYTES) continue;
      socket.send(text);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.unsubscribe();
  }
}
