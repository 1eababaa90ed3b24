// Notifications, wired: hears the committed changes the platform announces (incidents on the bus,
// alarm changes from the pipeline), writes webhook deliveries for them and tells people through
// the configured channels; its timer delivers what is due. Several processes may run it: each
// delivery is claimed by one (lease, SKIP LOCKED), so nothing is sent twice at once.
import type { Logger } from 'pino';
import type { EventBus, PlatformEvent } from '../bus/index.ts';
import type { AlarmChange } from '../detect/index.ts';
import { listIncidents } from '../incidents/index.ts';
import type { Db } from '../store/index.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './backoff.ts';
import { messageFor, type Notifier } from './channels.ts';
import { alarmEvent, incidentEvents, type OutboundEvent } from './events.ts';
import { applyFeedback, pruneInboundDeliveries, type InboundRequest } from './inbound.ts';
import { deliverDue, enqueueEvents } from './webhooks.ts';

export interface NotifyOptions {
  db: Db;
  bus: EventBus;
  clock: () => Date;
  logger: Logger;
  notifiers: Notifier[];
  /** The owner unit and asset of a sensor (alarm events are scoped by them). */
  sensorContext: (sensorId: string) => { ownerId: string | null; assetId: string | null };
  policy?: RetryPolicy;
  timeoutMs?: number;
}

/** Messages already handed to the channels, remembered this long (incidents are announced whole, again and again). */
const SENT_MEMORY = 10_000;

export class NotifyService {
  private queue: Promise<void> = Promise.resolve();
  private sent = new Set<string>();
  private readonly since: number;
  readonly policy: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(private options: NotifyOptions) {
    this.since = options.clock().getTime();
    this.policy = options.policy ?? DEFAULT_RETRY;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Hears the bus until the returned function is called. */
  listen(): () => void {
    return this.options.bus.subscribe((event: PlatformEvent) => {
      if (event.type !== 'incidents') return;
      this.handle(event.incidents.flatMap(incidentEvents));
    });
  }

  /** Alarm changes, as the pipeline and the offline check commit them. */
  alarmChanges(changes: AlarmChange[]): void {
    if (changes.length === 0) return;
    const at = this.options.clock();
    this.handle(changes.map((c) => alarmEvent(c, this.options.sensorContext(c.sensorId), at)));
  }

  /** Waits until everything heard so far is written (tests, shutdown). */
  settled(): Promise<void> {
    return this.queue;
  }

  private handle(events: OutboundEvent[]): void {
    if (events.length === 0) return;
    this.queue = this.queue.then(async () => {
      try {
        await enqueueEvents(this.options.db, events, this.options.clock());
      } catch (error) {
        this.options.logger.error({ err: error }, 'webhook deliveries could not be written');
      }
      await this.tell(events);
    });
  }

  private async tell(events: OutboundEvent[]): Promise<void> {
    if (this.options.notifiers.length === 0) return;
    for (const event of events) {
      // Only what happened while this process runs: an incident announced again brings its whole history.
      if (Date.parse(event.occurredAt) < this.since - 60_000 || this.sent.has(event.key)) continue;
      const message = messageFor(event);
      if (!message) continue;
      this.sent.add(event.key);
      if (this.sent.size > SENT_MEMORY) this.sent.delete(this.sent.values().next().value!);
      for (const notifier of this.options.notifiers) {
        await notifier.send(message).catch((error: unknown) => this.options.logger.warn({ err: error, channel: notifier.channel }, 'notification failed'));
      }
    }
  }

  /** One pass of the timer: deliver what is due, forget inbound delivery ids older than a day. */
  async tick(): Promise<number> {
    const { db, clock, logger } = this.options;
    const attempted = await deliverDue(db, clock, {
      policy: this.policy, timeoutMs: this.timeoutMs, batch: 20,
      onAttempt: (a) => {
        if (a.error) logger.warn({ delivery: a.deliveryId, url: a.url, attempt: a.attempt, status: a.status, error: a.error, state: a.final }, 'webhook delivery failed');
        else logger.info({ delivery: a.deliveryId, url: a.url, attempt: a.attempt, status: a.status }, 'webhook delivered');
      },
    });
    await pruneInboundDeliveries(db, new Date(clock().getTime() - 86_400_000));
    return attempted;
  }

  /** Applies an inbound delivery and announces the changed incident. */
  async inbound(request: InboundRequest): Promise<{ incidentId: string; action: string }> {
    const result = await applyFeedback(this.options.db, request, this.options.clock());
    this.options.bus.publish({ type: 'incidents', incidents: await listIncidents(this.options.db, { ids: [result.incidentId] }) });
    return result;
  }
}
