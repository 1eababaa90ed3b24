// Messages to people, through channel adapters (SMS, WeChat Work, DingTalk). Each adapter
// implements Notifier; the one shipped writes what it would send to the log (pino), so a
// deployment sees exactly which messages a real gateway would carry. NOTIFY_CHANNELS names the
// channels in use (comma-separated: sms, wecom, dingtalk; empty: none).
import type { Logger } from 'pino';
import type { OutboundEvent } from './events.ts';

export type Channel = 'sms' | 'wecom' | 'dingtalk';
export const CHANNELS: readonly Channel[] = ['sms', 'wecom', 'dingtalk'];

export interface Message {
  /** Who is told: an organisation (its duty roster is the adapter's to resolve). */
  to: string;
  text: string;
  /** The event's key, so an adapter can refuse to send one twice. */
  key: string;
}

export interface Notifier {
  readonly channel: Channel;
  send(message: Message): Promise<void>;
}

export class LoggingNotifier implements Notifier {
  constructor(readonly channel: Channel, private logger: Logger) {}

  async send(message: Message): Promise<void> {
    this.logger.info({ channel: this.channel, to: message.to, key: message.key, text: message.text }, 'notification (logging adapter)');
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
