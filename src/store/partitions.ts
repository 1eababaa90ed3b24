import type { Queryable } from './db.ts';

/** Tables partitioned by calendar month (UTC), and the column they are partitioned on. */
export const MONTHLY_TABLES = ['readings', 'readings_1m'] as const;
export type MonthlyTable = (typeof MONTHLY_TABLES)[number];

export function monthStart(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
}

export function nextMonth(month: Date): Date {
  return new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1));
}

export function partitionName(table: MonthlyTable, month: Date): string {
  return `${table}_p${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The month a partition holds, read back from its name; null for names that are not ours. */
export function monthOfPartition(table: MonthlyTable, name: string): Date | null {
  const match = new RegExp(`^${table}_p(\\d{4})_(\\d{2})$`).exec(name);
  return match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1)) : null;
}

export async function listPartitions(db: Queryable, table: MonthlyTable): Promise<{ name: string; month: Date }[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = $1::regclass ORDER BY c.relname`,
    [table],
  );
  return rows.flatMap((r) => {
    const month = monthOfPartition(table, r.name);
    return month ? [{ name: r.name, month }] : [];
  });
}

/**
 * Creates monthly partitions on demand. Known months are cached, so the hot path costs a Set
 * lookup; a month seen for the first time costs one CREATE TABLE IF NOT EXISTS per table, run
 * outside the readings' transaction so it never holds their locks.
 */
export class PartitionKeeper {
  private known = new Set<number>();

  constructor(private readonly db: Queryable) {}

  async ensure(timestamps: Iterable<Date>): Promise<void> {
    const missing = new Set<number>();
    for (const ts of timestamps) {
      const month = monthStart(ts).getTime();
      if (!this.known.has(month)) missing.add(month);
    }
    for (const time of missing) {
      const month = new Date(time);
      for (const table of MONTHLY_TABLES) {
        await this.db.exec(
          `CREATE TABLE IF NOT EXISTS ${partitionName(table, month)} PARTITION OF ${table}
             FOR VALUES FROM ('${month.toISOString()}') TO ('${nextMonth(month).toISOString()}')`,
        ).catch((error: unknown) => {
          // IF NOT EXISTS does not cover another process creating the same table at the same
          // moment (several ingest processes meeting a new month): it fails with 42P07, or 23505
          // on the catalogue's unique index. The table is there either way.
          const code = (error as { code?: string }).code;
          if (code !== '42P07' && code !== '23505') throw error;
        });
      }
      this.known.add(time);
    }
  }

  /** Forgets a month whose partitions retention dropped. */
  forget(month: Date): void {
    this.known.delete(month.getTime());
  }
}
