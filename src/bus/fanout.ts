import type { BusOrigin, EventBus, PlatformEvent } from './types.ts';

type Listener = (event: PlatformEvent) => void;

/** This process's subscribers, each with the origins it hears. */
export class Fanout {
  private listeners = new Map<Listener, BusOrigin>();

  subscribe(listener: Listener, origin: BusOrigin = 'all'): () => void {
    // A function object per subscription, so the same listener subscribed twice is heard twice, as with an EventEmitter.
    const entry: Listener = (event) => listener(event);
    this.listeners.set(entry, origin);
    return () => this.listeners.delete(entry);
  }

  /** An event of this process: every subscriber. A listener that throws stops the rest, as an EventEmitter does. */
  deliverLocal(event: PlatformEvent): void {
    for (const listener of [...this.listeners.keys()]) listener(event);
  }

  /** Another process's event: the `all` subscribers; a listener that throws is reported and the others still hear it. */
  deliverRemote(event: PlatformEvent, onError: (error: unknown) => void): void {
    for (const [listener, origin] of [...this.listeners]) {
      if (origin !== 'all') continue;
      try {
        listener(event);
      } catch (error) {
        onError(error);
      }
    }
  }
}

/** One process only (PGlite, tests): every event is this process's own. */
export class InProcessBus implements EventBus {
  readonly kind = 'process';
  private fanout = new Fanout();

  publish(event: PlatformEvent): void {
    this.fanout.deliverLocal(event);
  }

  subscribe(listener: (event: PlatformEvent) => void, origin: BusOrigin = 'all'): () => void {
    return this.fanout.subscribe(listener, origin);
  }

  async close(): Promise<void> {}
}
