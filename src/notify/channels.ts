// Messages to people, through channel adapters (SMS, WeChat Work, DingTalk). Each adapter
// implements Notifier. A channel with a gateway URL posts to it (gateways.ts); without one it
// writes what it would send to the log (pino), so `npm start` works offline and a deployment sees
// exactly which messages a gateway would carry. NOTIFY_CHANNELS names the channels in use
// (comma-separated: sms, wecom, dingtalk; empty: none). The messages are stored and sent by the
// queue worker (messages.ts), never straight from here.
import type { Logger } from 'pino';
import type { OutboundEvent } from './events.ts';
import type { AttemptOutcome } from './queue.ts';

export type Channel = 'sms' | 'wecom' | 'dingtalk';
export const CHANNELS: readonly Channel[] = ['sms', 'wecom', 'dingtalk'];

export interface Message {
  /** Who is told: an organisation (its duty roster is the adapter's to resolve). */
  to: string;
  text: string;
  /** The event's key, so an adapter can refuse to send one twice. */
  key: string;
}

/** A stored message on its way out: its id is the same on every attempt (a gateway deduplicates by it). */
export interface OutgoingMessage extends Message {
  id: string;
  /** SMS to a unit with numbers of its own (contacts.ts); without, the gateway resolves `to`. */
  phones?: string[];
}

export interface Notifier {
  readonly channel: Channel;
  /** Where messages go, for the admin page: `log`, or the gateway's origin (never its key or token). */
  readonly target: string;
  /** One attempt; a failure is an outcome with its error, not a throw. */
  send(message: OutgoingMessage, timeoutMs: number): Promise<AttemptOutcome>;
}

export class LoggingNotifier implements Notifier {
  readonly target = 'log';

  constructor(readonly channel: Channel, private logger: Logger) {}

  async send(message: OutgoingMessage): Promise<AttemptOutcome> {
    // Phone numbers are personal data: the log says how many, not which.
    this.logger.info({ channel: this.channel, to: message.to, phones: message.phones?.length, key: message.key, messageId: message.id, text: message.text }, 'notification (logging adapter)');
    return { status: null, error: null };
  }
}

/** NOTIFY_CHANNELS → the channels to use; an unknown name is an error naming the variable. */
export function readChannels(raw: string | undefined): Channel[] {
  const names = (raw ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const n of names) if (!CHANNELS.includes(n as Channel)) throw new Error(`NOTIFY_CHANNELS=${raw}: ${n} is not one of ${CHANNELS.join(', ')}`);
  return [...new Set(names)] as Channel[];
}

/**
 * The message people get for an event, if any: the assigned unit on dispatch and on a red or
 * orange alarm, the bureau on an escalation. Plain text, Chinese first (the recipients' language).
 */
export function messageFor(event: OutboundEvent): Message | null {
  const incident = event.data.incident as { id: string; title: string; level: number; ownerId: string | null } | undefined;
  const step = event.data.event as { action: string } | undefined;
  if (event.type === 'incident.transitioned' && step?.action === 'dispatch' && incident?.ownerId) {
    return { to: incident.ownerId, key: event.key, text: `【生命线】${incident.level}级事件 #${incident.id}「${incident.title}」已派遣给贵单位，请及时接收处置。` };
  }
  if (event.type === 'incident.escalated' && incident) {
    return { to: 'bureau', key: event.key, text: `【生命线】事件 #${incident.id}「${incident.title}」处置超时，已上报主管部门。` };
  }
  const alarm = event.data.alarm as { id: string; sensorId: string; level: number; ownerId: string | null } | undefined;
  if ((event.type === 'alarm.opened' || event.type === 'alarm.escalated') && alarm && alarm.level <= 2 && alarm.ownerId) {
    return { to: alarm.ownerId, key: event.key, text: `【生命线】${alarm.level}级报警：监测点 ${alarm.sensorId}（报警 #${alarm.id}）。` };
  }
  return null;
}
