import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { POSTGRES_URL } from './services.ts';

/** A fresh database on the test server, so test files never share state; drop() removes it. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `lifeline_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * The DATABASE_URL for a test variant: a fresh PostgreSQL database (its drop pushed onto
 * `cleanups`) for 'postgres', undefined (PGlite) otherwise.
 */
export async function databaseUrlFor(database: 'pglite' | 'postgres', cleanups: (() => Promise<void> | void)[]): Promise<string | undefined> {
  if (database !== 'postgres') return undefined;
  const created = await createTestDatabase();
  cleanups.push(created.drop);
  return created.url;
}
