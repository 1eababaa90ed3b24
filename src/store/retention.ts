import type { Queryable } from './db.ts';
import { listPartitions, nextMonth, type MonthlyTable, type PartitionKeeper } from './partitions.ts';

/** How long each resolution is kept, in days; 0 keeps it forever. */
export interface RetentionPolicy {
  rawDays: number;
  minuteDays: number;
  hourDays: number;
  dayDays: number;
  /** Finished webhook deliveries, messages to people and inbound attempts (with their attempt rows). */
  deliveryDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { rawDays: 400, minuteDays: 400, hourDays: 1100, dayDays: 0, deliveryDays: 90 };

/**
 * The delivery logs: finished rows only (a pending delivery is still owed), by when they were
 * written. Their attempt rows go with them (ON DELETE CASCADE).
 */
const DELIVERY_LOGS = [
  `DELETE FROM webhook_deliveries WHERE state <> 'pending' AND created_at < $1`,
  `DELETE FROM notification_messages WHERE state <> 'pending' AND created_at < $1`,
  `DELETE FROM inbound_attempts WHERE at < $1`,
];

const DAY_MS = 86_400_000;

/**
 * Drops monthly partitions wholly older than the horizon (raw readings, minute rollups) and
 * deletes old hour and day rollups (small tables) and finished delivery-log rows. Returns the partitions dropped.
 */
export async function applyRetention(db: Queryable, policy: RetentionPolicy, now: Date, keeper?: PartitionKeeper): Promise<string[]> {
  const dropped: string[] = [];
  for (const [table, days] of [['readings', policy.rawDays], ['readings_1m', policy.minuteDays]] as [MonthlyTable, number][]) {
    if (days <= 0) continue;
    const horizon = now.getTime() - days * DAY_MS;
    for (const partition of await listPartitions(db, table)) {
      if (nextMonth(partition.month).getTime() <= horizon) {
        await db.exec(`DROP TABLE ${partition.name}`);
        keeper?.forget(partition.month);
        dropped.push(partition.name);
      }
    }
  }
  for (const [table, days] of [['readings_1h', policy.hourDays], ['readings_1d', policy.dayDays]] as const) {
    if (days > 0) await db.query(`DELETE FROM ${table} WHERE bucket < $1`, [new Date(now.getTime() - days * DAY_MS)]);
  }
  if (policy.deliveryDays > 0) {
    for (const sql of DELIVERY_LOGS) await db.query(sql, [new Date(now.getTime() - policy.deliveryDays * DAY_MS)]);
  }
  return dropped;
}
