import type { WebSocket } from 'ws';
import type { EventBus, PlatformEvent } from '../bus/index.ts';
import type { LiveMessage } from './dto.ts';

type Reading = { sensorId: string; ts: string; value: number };

/** A client this far behind gets no more readings until it catches up; alarms and incidents still go out. */
const SLOW_CLIENT_BYTES = 4 * 1024 * 1024;

/** Owner organisation of a sensor, and of an alarm or incident message (null: nobody's in particular). */
export interface LiveOwners {
  ofSensor(sensorId: string): string | null;
  ofMessage(message: LiveMessage): string | null;
}

/**
 * Fans committed changes out to the browsers: one bus subscription for all sockets, each message
 * serialised once per audience. Alarms and incidents go out at once; readings are coalesced to
 * the latest value per sensor and sent every `readingsEveryMs`, since a map needs the current
 * value, not every one of tens of thousands per second. A socket with an owner scope (an owner
 * unit's user) receives only what concerns its own organisation.
 */
export class LiveHub {
  private sockets = new Map<WebSocket, string | null>();
  /** How each socket's login is re-checked (a session that ends closes its socket). */
  private checks = new Map<WebSocket, () => Promise<boolean>>();
  private readonly recheck: NodeJS.Timeout;
  private pending = new Map<string, Reading>();
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(
    bus: EventBus,
    private readonly toMessages: (event: PlatformEvent) => LiveMessage[],
    private readonly owners: LiveOwners,
    readingsEveryMs = 1000,
    recheckEveryMs = 60_000,
  ) {
    this.unsubscribe = bus.subscribe((event) => {
      if (event.type === 'readings') {
        for (const r of event.readings) this.pending.set(r.sensorId, r);
        return;
      }
      if (event.type === 'resync') {
        // Every socket, whatever its scope: each may have missed something of its own.
        for (const message of this.toMessages(event)) this.broadcast(JSON.stringify(message), false, () => true);
        return;
      }
      for (const message of this.toMessages(event)) {
        const owner = this.owners.ofMessage(message);
        this.broadcast(JSON.stringify(message), false, (scope) => scope === null || scope === owner);
      }
    });
    this.timer = setInterval(() => this.flushReadings(), readingsEveryMs);
    this.recheck = setInterval(() => void this.recheckLogins(), recheckEveryMs);
  }

  /** Closes (code 4401) the sockets whose session has ended, expired or been revoked since they connected. */
  async recheckLogins(): Promise<void> {
    for (const [socket, stillValid] of [...this.checks]) {
      if (!(await stillValid().catch(() => true))) {
        this.sockets.delete(socket);
        this.checks.delete(socket);
        socket.close(4401, 'session ended: log in again');
      }
    }
  }

  /**
   * `scope`: the owner organisation this socket is confined to, null for the whole city;
   * `stillValid`: re-checks the login the socket was opened with.
   */
  add(socket: WebSocket, hello: LiveMessage, scope: string | null = null, stillValid?: () => Promise<boolean>): void {
    this.sockets.set(socket, scope);
    if (stillValid) this.checks.set(socket, stillValid);
    socket.send(JSON.stringify(hello));
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.checks.delete(socket);
    });
  }

  private flushReadings(): void {
    if (this.pending.size === 0) return;
    const readings = [...this.pending.values()];
    this.pending.clear();
    if (this.sockets.size === 0) return;
    this.broadcast(JSON.stringify({ type: 'readings', readings } satisfies LiveMessage), true, (scope) => scope === null);
    const scopes = new Set([...this.sockets.values()].filter((s): s is string => s !== null));
    for (const scope of scopes) {
      const own = readings.filter((r) => this.owners.ofSensor(r.sensorId) === scope);
      if (own.length > 0) this.broadcast(JSON.stringify({ type: 'readings', readings: own } satisfies LiveMessage), true, (s) => s === scope);
    }
  }

  private broadcast(text: string, droppable: boolean, to: (scope: string | null) => boolean): void {
    for (const [socket, scope] of this.sockets) {
      if (!to(scope)) continue;
      if (droppable && socket.bufferedAmount > SLOW_CLIENT_BYTES) continue;
      socket.send(text);
    }
  }

  close(): void {
    clearInterval(this.timer);
    clearInterval(this.recheck);
    this.unsubscribe();
  }
}
