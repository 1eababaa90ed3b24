// The two Db implementations every store-touching suite runs against: PGlite (in memory) and a
// fresh PostgreSQL database of the test's own (skipped, or failed under CI, when the server is missing).
import { openPglite, openPostgres, type Db } from '../../src/store/index.ts';
import { createTestDatabase } from './postgres.ts';
import { postgresService } from './services.ts';

export interface StoreUnderTest {
  name: 'PGlite' | 'PostgreSQL';
  available: boolean;
  /** `url` is the PostgreSQL database's, for tests that need a second connection; null for PGlite. */
  open(): Promise<{ db: Db; url: string | null; drop(): Promise<void> }>;
}

export async function storesUnderTest(): Promise<StoreUnderTest[]> {
  const postgres = await postgresService();
  return [
    { name: 'PGlite', available: true, open: async () => ({ db: await openPglite(null), url: null, drop: async () => {} }) },
    {
      name: 'PostgreSQL', available: postgres.available,
      open: async () => {
        const database = await createTestDatabase();
        return { db: await openPostgres(database.url), url: database.url, drop: database.drop };
      },
    },
  ];
}
