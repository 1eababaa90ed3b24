// Notifications, wired: hears the committed changes the platform announces (incidents on the bus,
// alarm changes from the pipeline), writes webhook deliveries for them and tells people through
// the configured channels; its timer delivers what is due. Incident deliveries are written just
// after a change commits, so a crash in that instant (or an announcement lost) would miss one: the
// timer also goes over recently changed incidents every catchUpMs and writes what is missing (a
// delivery is unique per event and subscription, so nothing is written twice). Alarm deliveries of
// the pipeline and the offline check are written inside their transactions (outbox.ts), so they
// cannot be missed; their announcement only tells people. Several processes may run it: each
// delivery is claimed by one (lease, SKIP LOCKED), so nothing is sent twice at once.
import type { Logger } from 'pino';
import type { EventBus, PlatformEvent } from '../bus/index.ts';
import type { AlarmChange } from '../detect/index.ts';
import { listIncidents } from '../incidents/index.ts';
import type { Db, Queryable } from '../store/index.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './backoff.ts';
import { messageFor, type Notifier } from './channels.ts';
import { alarmEvent, incidentEvents, type OutboundEvent } from './events.ts';
import { AlarmOutbox } from './outbox.ts';
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
  /** How often recently changed incidents are checked for deliveries not written (default 60 s). */
  catchUpMs?: number;
}

/** How far back each catch-up looks beyond the previous one; the first after a start looks back a day. */
const CATCH_UP_OVERLAP_MS = 15 * 60_000;
const CATCH_UP_FIRST_MS = 86_400_000;

/** Messages already handed to the channels, remembered this long (incidents are announced whole, again and again). */
const SENT_MEMORY = 10_000;

export class NotifyService {
  private queue: Promise<void> = Promise.resolve();
  private sent = new Set<string>();
  private readonly since: number;
  readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly catchUpMs: number;
  private lastCatchUp: number | null = null;
  private readonly outbox: AlarmOutbox;

  constructor(private options: NotifyOptions) {
    this.since = options.clock().getTime();
    this.policy = options.policy ?? DEFAULT_RETRY;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.catchUpMs = options.catchUpMs ?? 60_000;
    this.outbox = new AlarmOutbox(options.sensorContext);
  }

  /** Hears this process's events on the bus until the returned function is called (another process notifies for its own changes). */
  listen(): () => void {
    return this.options.bus.subscribe((event: PlatformEvent) => {
      if (event.type !== 'incidents') return;
      this.handle(event.incidents.flatMap(incidentEvents));
    }, 'local');
  }

  /**
   * Alarm changes, as they commit. `recorded`: their deliveries were written in their transaction
   * (recordAlarmChanges), so only people are told; otherwise the deliveries are written now.
   */
  alarmChanges(changes: AlarmChange[], options: { recorded?: boolean } = {}): void {
    if (changes.length === 0) return;
    const at = this.options.clock();
    const events = changes.map((c) => alarmEvent(c, this.options.sensorContext(c.sensorId), at));
    if (options.recorded) this.queue = this.queue.then(() => this.tell(events));
    else this.handle(events);
  }

  /** Writes the webhook deliveries of alarm changes in the caller's transaction (the outbox); returns how many. */
  recordAlarmChanges(tx: Queryable, changes: AlarmChange[], at: Date): Promise<number> {
    return this.outbox.record(tx, changes, at);
  }

  /** A subscription was made or switched off: the outbox asks again whether anyone wants alarm events. */
  subscriptionsChanged(): void {
    this.outbox.subscriptionsChanged();
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

  /** Writes the deliveries missing for incidents changed (or escalated) since `since`; returns how many. */
  async catchUp(since: Date): Promise<number> {
    const { db, clock } = this.options;
    const rows = await db.query<{ id: string }>(
      'SELECT id::text AS id FROM incidents WHERE updated_at >= $1 OR escalated_at >= $1 ORDER BY id LIMIT 2000', [since],
    );
    if (rows.length === 0) return 0;
    const incidents = await listIncidents(db, { ids: rows.map((r) => r.id), limit: 2000 });
    return enqueueEvents(db, incidents.flatMap(incidentEvents), clock());
  }

  /** One pass of the timer: catch up when due, deliver what is due, forget inbound delivery ids older than a day. */
  async tick(): Promise<number> {
    const { db, clock, logger } = this.options;
    const now = clock().getTime();
    if (this.lastCatchUp === null || now - this.lastCatchUp >= this.catchUpMs) {
      const since = this.lastCatchUp === null ? now - CATCH_UP_FIRST_MS : this.lastCatchUp - CATCH_UP_OVERLAP_MS;
      this.lastCatchUp = now;
      const written = await this.catchUp(new Date(since));
      if (written > 0) logger.warn({ written }, 'webhook deliveries written by the catch-up (their announcement was missed)');
    }
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
