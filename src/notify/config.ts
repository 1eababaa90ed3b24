// Notification settings from the environment: NOTIFY_CHANNELS (sms, wecom, dingtalk), each with an
// optional gateway (NOTIFY_SMS_URL, NOTIFY_WECOM_URL, NOTIFY_DINGTALK_URL; without one the channel's
// messages are written to the log) and secret (NOTIFY_SMS_SECRET, NOTIFY_DINGTALK_SECRET);
// WEBHOOK_RETRY_BASE_MS and WEBHOOK_MAX_ATTEMPTS (the back-off schedule of webhooks and messages
// alike), WEBHOOK_CATCH_UP_MS (how often recent incident changes are checked for rows not written).
import type { Logger } from 'pino';
import { ConfigError } from '../config/index.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './backoff.ts';
import { CHANNELS, LoggingNotifier, readChannels, type Channel, type Notifier } from './channels.ts';
import { HttpGatewayNotifier } from './gateways.ts';

/** A channel in use: its gateway (null: the logging adapter) and the gateway's secret. */
export interface ChannelSetting {
  channel: Channel;
  url: string | null;
  secret?: string | null;
}

export interface NotifyConfig {
  channels: ChannelSetting[];
  retry: RetryPolicy;
  catchUpMs: number;
}

/** Channels whose gateway takes a secret: DingTalk's robot signature, the SMS gateway's webhook-style signature. */
const SECRET_CHANNELS: readonly Channel[] = ['sms', 'dingtalk'];

function whole(env: Record<string, string | undefined>, name: string, min: number, max: number, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${name}=${raw}: expected a whole number from ${min} to ${max}`);
  return value;
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function readChannelSettings(env: Record<string, string | undefined>): ChannelSetting[] {
  let channels: Channel[];
  try {
    channels = readChannels(env.NOTIFY_CHANNELS);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  for (const channel of CHANNELS) {
    const variable = `NOTIFY_${channel.toUpperCase()}_URL`;
    // A gateway for a channel not switched on would silently send nothing: say so.
    if (env[variable] && !channels.includes(channel)) throw new ConfigError(`${variable} is set but NOTIFY_CHANNELS does not include ${channel}`);
  }
  return channels.map((channel) => {
    const variable = `NOTIFY_${channel.toUpperCase()}_URL`;
    const url = env[variable] || null;
    if (url !== null && !isHttpUrl(url)) throw new ConfigError(`${variable}=${url}: expected an http:// or https:// URL`);
    const secret = SECRET_CHANNELS.includes(channel) ? env[`NOTIFY_${channel.toUpperCase()}_SECRET`] || null : null;
    return { channel, url, secret };
  });
}

export function readNotifyConfig(env: Record<string, string | undefined> = process.env): NotifyConfig {
  return {
    channels: readChannelSettings(env),
    retry: {
      baseMs: whole(env, 'WEBHOOK_RETRY_BASE_MS', 100, 3_600_000, DEFAULT_RETRY.baseMs),
      capMs: DEFAULT_RETRY.capMs,
      maxAttempts: whole(env, 'WEBHOOK_MAX_ATTEMPTS', 1, 100, DEFAULT_RETRY.maxAttempts),
    },
    catchUpMs: whole(env, 'WEBHOOK_CATCH_UP_MS', 100, 3_600_000, 60_000),
  };
}

/** The adapter of each channel in use: its HTTP gateway, or the logging adapter when it has none. */
export function createNotifiers(channels: readonly ChannelSetting[], logger: Logger): Notifier[] {
  return channels.map((c) => (c.url ? new HttpGatewayNotifier({ channel: c.channel, url: c.url, secret: c.secret }) : new LoggingNotifier(c.channel, logger)));
}
