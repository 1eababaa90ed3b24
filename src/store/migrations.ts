import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from './db.ts';
import { inTurn, LOCKS } from './turns.ts';

// Versioned schema: one file per migration in ./migrations, named `NNN-what.sql`, applied in
// version order. Append only: a released migration is never edited, a change is a new file.
// SQL must run on PostgreSQL 15 and on PGlite (PostgreSQL 18 inside): nothing 16+.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const DIR = path.join(import.meta.dirname, 'migrations');


function loadMigrations(): Migration[] {
  const list = readdirSync(DIR)
    .filter((f) => f.endsWith('.sql'))
    .map((file) => {
      const match = /^(\d+)-(.+)\.sql$/.exec(file);
      if (!match) throw new Error(`migration file ${file} is not named NNN-name.sql`);
      return { version: Number(match[1]), name: match[2]!, sql: readFileSync(path.join(DIR, file), 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  list.forEach((m, i) => {
    if (i > 0 && m.version === list[i - 1]!.version) throw new Error(`two migrations share version ${m.version}`);
  });
  return list;
}

export const migrations: Migration[] = loadMigrations();

/**
 * Applies the migrations the database has not seen (up to `upTo`, for tests of a migration
 * over old data), each in its own transaction. Returns the versions applied.
 */
export async function migrate(db: Db, upTo = Number.POSITIVE_INFINITY): Promise<number[]> {
  // Under the lock: two processes creating the table at once collide in the catalogue (pg_type), IF NOT EXISTS or not.
  await inTurn(db, LOCKS.migration, (tx) => tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`));
  const applied: number[] = [];
  for (const migration of migrations.filter((m) => m.version <= upTo)) {
    const done = await inTurn(db, LOCKS.migration, async (tx) => {
      const seen = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (seen.length > 0) return false;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}
