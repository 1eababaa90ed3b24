// Notifications, wired: hears the committed changes the platform announces (incidents on the bus,
// alarm changes re-handled by noise control), writes their webhook deliveries and their messages
// to people (one per configured channel); its timer sends what is due. Incident rows are written
// just after a change commits, so a crash in that instant (or an announcement lost) would miss
// one: the timer also goes over recently changed incidents every catchUpMs and writes what is
// missing (a delivery is unique per event and subscription, a message per event, channel and
// recipient, so nothing is written twice). The rows of the pipeline's and the offline check's
// alarm changes are written inside their transactions (outbox.ts), so they cannot be missed.
// Several processes may run it: each row is claimed by one (lease, SKIP LOCKED, queue.ts), so
// nothing is sent twice at once.
import type { Logger } from 'pino';
import type { EventBus, PlatformEvent } from '../bus/index.ts';
import type { AlarmChange } from '../detect/index.ts';
import { listIncidents } from '../incidents/index.ts';
import type { Db, Queryable } from '../store/index.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './backoff.ts';
import type { Notifier } from './channels.ts';
import { incidentEvents, type OutboundEvent } from './events.ts';
import { AlarmOutbox } from './outbox.ts';
import { applyFeedback, pruneInboundDeliveries, type InboundRequest } from './inbound.ts';
import { sendDueMessages, writeMessages } from './messages.ts';
import { deliverDue, enqueueEvents } from './webhooks.ts';

export interface NotifyOptions {
  db: Db;
  bus: EventBus;
  clock: () => Date;
  logger: Logger;
  /** One adapter per channel in use (config.ts createNotifiers); none: no messages to people are written. */
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

export class NotifyService {
  private queue: Promise<void> = Promise.resolve();
  readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly catchUpMs: number;
  private lastCatchUp: number | null = null;
  private readonly outbox: AlarmOutbox;

  constructor(private options: NotifyOptions) {
    this.policy = options.policy ?? DEFAULT_RETRY;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.catchUpMs = options.catchUpMs ?? 60_000;
    this.outbox = new AlarmOutbox(options.sensorContext, options.notifiers.map((n) => n.channel));
  }

  /** Hears this process's events on the bus until the returned function is called (another process notifies for its own changes). */
  listen(): () => void {
    return this.options.bus.subscribe((event: PlatformEvent) => {
      if (event.type !== 'incidents') return;
      this.handle(event.incidents.flatMap(incidentEvents));
    }, 'local');
  }

  /** The channels in use and where each sends (the admin page). */
  channels(): { channel: string; target: string }[] {
    return this.options.notifiers.map((n) => ({ channel: n.channel, target: n.target }));
  }

  /** Writes the webhook deliveries and messages of alarm changes in the caller's transaction (the outbox); returns how many rows. */
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
        await this.write(events);
      } catch (error) {
        this.options.logger.error({ err: error }, 'webhook deliveries or messages could not be written');
      }
    });
  }

  private async write(events: OutboundEvent[]): Promise<number> {
    const { db, clock, notifiers } = this.options;
    const at = clock();
    return (await enqueueEvents(db, events, at)) + (await writeMessages(db, events, notifiers.map((n) => n.channel), at));
  }

  /** Writes the deliveries and messages missing for incidents changed (or escalated) since `since`; returns how many. */
  async catchUp(since: Date): Promise<number> {
    const { db, clock } = this.options;
    const rows = await db.query<{ id: string }>(
      'SELECT id::text AS id FROM incidents WHERE updated_at >= $1 OR escalated_at >= $1 ORDER BY id LIMIT 2000', [since],
    );
    if (rows.length === 0) return 0;
    const incidents = await listIncidents(db, { ids: rows.map((r) => r.id), limit: 2000 });
    return this.write(incidents.flatMap(incidentEvents));
  }

  /** One pass of the timer: catch up when due, send the deliveries and messages due, forget inbound delivery ids older than a day; returns how many were attempted. */
  async tick(): Promise<number> {
    const { db, clock, logger, notifiers } = this.options;
    const now = clock().getTime();
    if (this.lastCatchUp === null || now - this.lastCatchUp >= this.catchUpMs) {
      const since = this.lastCatchUp === null ? now - CATCH_UP_FIRST_MS : this.lastCatchUp - CATCH_UP_OVERLAP_MS;
      this.lastCatchUp = now;
      const written = await this.catchUp(new Date(since));
      if (written > 0) logger.warn({ written }, 'webhook deliveries or messages written by the catch-up (their announcement was missed)');
    }
    const attempted = await deliverDue(db, clock, {
      policy: this.policy, timeoutMs: this.timeoutMs, batch: 20,
      onAttempt: (a) => {
        if (a.error) logger.warn({ delivery: a.deliveryId, url: a.url, attempt: a.attempt, status: a.status, error: a.error, state: a.final }, 'webhook delivery failed');
        else logger.info({ delivery: a.deliveryId, url: a.url, attempt: a.attempt, status: a.status }, 'webhook delivered');
      },
    });
    const sent = await sendDueMessages(db, clock, notifiers, {
      policy: this.policy, timeoutMs: this.timeoutMs, batch: 20,
      onAttempt: (a) => {
        if (a.error) logger.warn({ messageId: a.messageId, channel: a.channel, to: a.to, attempt: a.attempt, status: a.status, error: a.error, state: a.final }, 'message to people failed');
        else logger.info({ messageId: a.messageId, channel: a.channel, to: a.to, attempt: a.attempt }, 'message to people sent');
      },
    });
    await pruneInboundDeliveries(db, new Date(clock().getTime() - 86_400_000));
    return attempted + sent;
  }

  /** Applies an inbound delivery and announces the changed incident. */
  async inbound(request: InboundRequest): Promise<{ incidentId: string; action: string }> {
    const result = await applyFeedback(this.options.db, request, this.options.clock());
    this.options.bus.publish({ type: 'incidents', incidents: await listIncidents(this.options.db, { ids: [result.incidentId] }) });
    return result;
  }
}
