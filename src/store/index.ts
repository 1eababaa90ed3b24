export type { Db, Queryable, Row } from './db.ts';
export { openPglite } from './pglite.ts';
export { openPostgres } from './postgres.ts';
export { migrate, migrations } from './migrations.ts';
export { inTurn, LOCKS, takeTurn } from './turns.ts';
import type { Db } from './db.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

/** PostgreSQL when a URL is given, else PGlite in dataDir (null = in memory). */
export function openDatabase(options: { databaseUrl?: string; dataDir: string | null }): Promise<Db> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openPglite(options.dataDir);
}
export { lockDataDir } from './lock.ts';
export { listPartitions, monthStart, PartitionKeeper, partitionName } from './partitions.ts';
export type { MonthlyTable } from './partitions.ts';
export { addToMinuteRollups, rollUp } from './rollups.ts';
export type { StoredReading } from './rollups.ts';
export { applyRetention, DEFAULT_RETENTION } from './retention.ts';
export type { RetentionPolicy } from './retention.ts';
export { RAW_POINT_CAP, readSeries, resolutionFor } from './series.ts';
export type { Resolution, SeriesPoint } from './series.ts';
export { withConfiguredDatabase } from './configured.ts';
