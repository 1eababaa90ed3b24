import { hostname } from 'node:os';
import type { RetentionPolicy } from '../store/index.ts';

/** A configuration problem the operator must fix; its message names the variable. */
export class ConfigError extends Error {}

export interface Config {
  /** undefined = not set: take the default, or the next free port after it. */
  port: number | undefined;
  mqttPort: number | undefined;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  mqttUrl: string | undefined;
  /** Carry live events across processes through NATS (docs/cluster.md). */
  natsUrl: string | undefined;
  /** The NATS subject of this deployment's events (two deployments on one NATS server take two). */
  natsSubject: string;
  topicPrefix: string;
  /** MQTT 5 shared-subscription group on an external broker; null = plain MQTT 3.1.1 subscription. */
  mqttShareGroup: string | null;
  /** This process's name, stable across restarts (its broker session is keyed on it). */
  instanceId: string;
  /** Alarms at or above this level open an incident (1 = red only … 4 = every alarm). */
  incidentLevel: number;
  simulate: boolean;
  /** Build web/dist at start when missing or older than its sources. */
  buildWeb: boolean;
  simIntervalMs: number;
  /** Uplinks waiting for a commit before senders are paused (four times this: refused). */
  ingestHighWater: number;
  /** How often silent sensors are looked for. */
  offlineCheckMs: number;
  /** How often complete hours and days are rolled up. */
  rollupIntervalMs: number;
  /** The deployment's zone: what a "day" is for day rollups and reports. */
  timeZone: string;
  retention: RetentionPolicy;
  logLevel: string;
}

type Env = Record<string, string | undefined>;

/** RETENTION_DELIVERY_DAYS: 0 keeps the logs forever; otherwise at least 2, since the notification catch-up looks back a day. */
function deliveryDays(env: Env): number {
  const days = integer(env, 'RETENTION_DELIVERY_DAYS', 0, 100_000) ?? 90;
  if (days === 1) throw new ConfigError('RETENTION_DELIVERY_DAYS=1: expected 0 (keep forever) or a whole number from 2 to 100000');
  return days;
}

function integer(env: Env, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${raw}: expected a whole number from ${min} to ${max}`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name}=${raw}: expected true or false`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name}: not a URL (expected ${protocols.map((p) => `${p}//…`).join(' or ')})`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name}: protocol ${parsed.protocol} is not supported (expected ${protocols.join(' or ')})`);
  }
  return raw;
}

function timeZone(env: Env): string {
  const zone = env.TIME_ZONE || 'Asia/Shanghai';
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new ConfigError(`TIME_ZONE=${zone}: not an IANA time zone (e.g. Asia/Shanghai)`);
  }
  return zone;
}

function natsSubject(env: Env): string {
  const subject = env.NATS_SUBJECT || 'lifeline.events';
  // Tokens separated by dots; no wildcards or spaces, since the subject is published to.
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(subject)) {
    throw new ConfigError(`NATS_SUBJECT=${subject}: expected dot-separated tokens of letters, digits, _ and - (e.g. lifeline.events)`);
  }
  return subject;
}

/** Reads the documented environment variables (see README, Configuration). */
export function readConfig(env: Env = process.env): Config {
  return {
    port: integer(env, 'PORT', 0, 65535),
    mqttPort: integer(env, 'MQTT_PORT', 0, 65535),
    host: env.HOST || '0.0.0.0',
    dataDir: env.DATA_DIR || './data',
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    mqttUrl: url(env, 'MQTT_URL', ['mqtt:', 'mqtts:', 'tcp:', 'ws:', 'wss:']),
    natsUrl: url(env, 'NATS_URL', ['nats:', 'tls:']),
    natsSubject: natsSubject(env),
    topicPrefix: env.MQTT_TOPIC_PREFIX || 'lifeline',
    mqttShareGroup: env.MQTT_SHARE_GROUP === 'none' ? null : env.MQTT_SHARE_GROUP || 'lifeline',
    instanceId: env.INSTANCE_ID || hostname(),
    incidentLevel: integer(env, 'INCIDENT_LEVEL', 1, 4) ?? 2,
    simulate: flag(env, 'SIMULATE', true),
    buildWeb: flag(env, 'BUILD_WEB', true),
    simIntervalMs: integer(env, 'SIM_INTERVAL_MS', 100, 3_600_000) ?? 5000,
    ingestHighWater: integer(env, 'INGEST_HIGH_WATER', 100, 10_000_000) ?? 20_000,
    offlineCheckMs: integer(env, 'OFFLINE_CHECK_MS', 100, 3_600_000) ?? 10_000,
    rollupIntervalMs: integer(env, 'ROLLUP_INTERVAL_MS', 100, 3_600_000) ?? 60_000,
    timeZone: timeZone(env),
    // Raw data must outlive the oldest reading ingest accepts (30 days), or it would land in a dropped partition.
    retention: {
      rawDays: integer(env, 'RETENTION_RAW_DAYS', 31, 100_000) ?? 400,
      minuteDays: integer(env, 'RETENTION_MINUTE_DAYS', 31, 100_000) ?? 400,
      hourDays: integer(env, 'RETENTION_HOUR_DAYS', 0, 100_000) ?? 1100,
      dayDays: integer(env, 'RETENTION_DAY_DAYS', 0, 100_000) ?? 0,
      deliveryDays: deliveryDays(env),
    },
    logLevel: env.LOG_LEVEL || 'info',
  };
}
