// Notification settings from the environment: NOTIFY_CHANNELS (sms, wecom, dingtalk; logged by the
// logging adapters), WEBHOOK_RETRY_BASE_MS and WEBHOOK_MAX_ATTEMPTS (the back-off schedule),
// WEBHOOK_CATCH_UP_MS (how often recent incident changes are checked for deliveries not written).
import { ConfigError } from '../config/index.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './backoff.ts';
import { readChannels, type Channel } from './channels.ts';

export interface NotifyConfig {
  channels: Channel[];
  retry: RetryPolicy;
  catchUpMs: number;
}

function whole(env: Record<string, string | undefined>, name: string, min: number, max: number, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${name}=${raw}: expected a whole number from ${min} to ${max}`);
  return value;
}

export function readNotifyConfig(env: Record<string, string | undefined> = process.env): NotifyConfig {
  let channels: Channel[];
  try {
    channels = readChannels(env.NOTIFY_CHANNELS);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return {
    channels,
    retry: {
      baseMs: whole(env, 'WEBHOOK_RETRY_BASE_MS', 100, 3_600_000, DEFAULT_RETRY.baseMs),
      capMs: DEFAULT_RETRY.capMs,
      maxAttempts: whole(env, 'WEBHOOK_MAX_ATTEMPTS', 1, 100, DEFAULT_RETRY.maxAttempts),
    },
    catchUpMs: whole(env, 'WEBHOOK_CATCH_UP_MS', 100, 3_600_000, 60_000),
  };
}
