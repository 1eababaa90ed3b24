export type { Db, Queryable, Row } from './db.ts';
export { openPglite } from './pglite.ts';
export { openPostgres } from './postgres.ts';
export { migrate, migrations } from './migrations.ts';
import type { Db } from './db.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

/** PostgreSQL when a URL is given, else PGlite in dataDir (null = in memory). */
export function openDatabase(options: { databaseUrl?: string; dataDir: string | null }): Promise<Db> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openPglite(options.dataDir);
}
export { lockDataDir } from './lock.ts';
