import path from 'node:path';
import { readConfig } from '../config/index.ts';
import type { Db } from './db.ts';
import { lockDataDir } from './lock.ts';
import { migrate } from './migrations.ts';
import { openDatabase } from './index.ts';

/**
 * Runs one CLI command's work on the configured database (DATABASE_URL, else PGlite in
 * DATA_DIR under its lock, so a running server's directory is refused with a clear message),
 * migrated, and closes it afterwards.
 */
export async function withConfiguredDatabase<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const config = readConfig();
  const dataDir = path.resolve(config.dataDir);
  const release = config.databaseUrl ? () => {} : lockDataDir(dataDir);
  try {
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir });
    try {
      await migrate(db);
      return await work(db);
    } finally {
      await db.close();
    }
  } finally {
    release();
  }
}
