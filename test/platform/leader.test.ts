// Leader election for the timers: two lease holders stand for two processes on one PostgreSQL
// (each with its own connection pool), driven by one controllable clock. Lease 15 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaderLease } from '../../src/platform/leader.ts';
import { migrate, openPglite, openPostgres, type Db } from '../../src/store/index.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { postgresService } from '../support/services.ts';

const postgres = await postgresService();
const LEASE_MS = 15_000;

describe('leader lease on PostgreSQL', () => {
  let first: Db;
  let second: Db;
  let url: string;
  let drop: () => Promise<void>;
  let now = Date.parse('2026-11-23T08:00:00Z');
  const clock = () => new Date(now);

  beforeAll(async () => {
    if (!postgres.available) return;
    const database = await createTestDatabase();
    ({ url, drop } = database);
    first = await openPostgres(database.url);
    second = await openPostgres(database.url);
    await migrate(first);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await drop?.();
  });

  it.skipIf(!postgres.available)('has exactly one leader; a holder that stops renewing is replaced after expiry, never both at once', async () => {
    const a = new LeaderLease({ db: first, name: 'handover', holder: 'A', leaseMs: LEASE_MS, clock });
    const b = new LeaderLease({ db: second, name: 'handover', holder: 'B', leaseMs: LEASE_MS, clock });
    const leaders = () => [a, b].filter((l) => l.isLeader()).map((l) => l.holder);

    // Both ask at once: one wins.
    const won = await Promise.all([a.renew(), b.renew()]);
    expect(won.filter(Boolean)).toHaveLength(1);
    const [leader, follower] = won[0] ? [a, b] : [b, a];
    expect(leaders()).toEqual([leader.holder]);

    // Renewing every 5 s keeps it; the other's attempts fail.
    for (let i = 0; i < 4; i++) {
      now += 5_000;
      expect(await leader.renew()).toBe(true);
      expect(await follower.renew()).toBe(false);
      expect(leaders()).toEqual([leader.holder]);
    }

    // The leader stops renewing (stalled, dead). Just before expiry nobody else may take it.
    const lastRenewal = now;
    now = lastRenewal + LEASE_MS - 1;
    expect(await follower.renew()).toBe(false);
    expect(leaders()).toEqual([leader.holder]);
    // At expiry the stalled leader stops by its own deadline, before anyone takes over.
    now = lastRenewal + LEASE_MS;
    expect(leaders()).toEqual([]);
    now = lastRenewal + LEASE_MS + 1;
    expect(await follower.renew()).toBe(true);
    expect(leaders()).toEqual([follower.holder]);

    // The old leader comes back: it does not get the lease back while the new one renews.
    expect(await leader.renew()).toBe(false);
    expect(leaders()).toEqual([follower.holder]);
    const rows = await first.query<{ holder: string }>(`SELECT holder FROM leader_lease WHERE name = 'handover'`);
    expect(rows).toEqual([{ holder: follower.holder }]);
  });

  it.skipIf(!postgres.available)('a holder whose renewal fails stops leading at once; release hands over without waiting for expiry', async () => {
    const brokenDb = await openPostgres(url);
    const a = new LeaderLease({ db: brokenDb, name: 'failure', holder: 'A', leaseMs: LEASE_MS, clock });
    const b = new LeaderLease({ db: second, name: 'failure', holder: 'B', leaseMs: LEASE_MS, clock });
    expect(await a.renew()).toBe(true);
    await brokenDb.close();
    now += 5_000;
    await expect(a.renew()).rejects.toThrow();
    expect(a.isLeader()).toBe(false);
    // The row is still A's until it expires: B waits.
    expect(await b.renew()).toBe(false);
    now += LEASE_MS;
    expect(await b.renew()).toBe(true);

    // Release: the next holder takes over at once.
    const c = new LeaderLease({ db: first, name: 'failure', holder: 'C', leaseMs: LEASE_MS, clock });
    expect(await c.renew()).toBe(false);
    await b.release();
    expect(b.isLeader()).toBe(false);
    expect(await c.renew()).toBe(true);
    expect(c.isLeader()).toBe(true);
  });

  it.skipIf(!postgres.available)('without a clock uses the database time; two holders again give one leader', async () => {
    const a = new LeaderLease({ db: first, name: 'db-time', holder: 'A' });
    const b = new LeaderLease({ db: second, name: 'db-time', holder: 'B' });
    const won = await Promise.all([a.renew(), b.renew()]);
    expect(won.filter(Boolean)).toHaveLength(1);
    expect([a.isLeader(), b.isLeader()]).toEqual(won);
    await a.release();
    await b.release();
  });
});

describe('leader lease on PGlite', () => {
  it('the single process is always leader', async () => {
    const db = await openPglite(null);
    try {
      await migrate(db);
      const lease = new LeaderLease({ db, holder: 'only' });
      expect(lease.isLeader()).toBe(true);
      expect(await lease.renew()).toBe(true);
      await lease.release();
      expect(lease.isLeader()).toBe(true);
    } finally {
      await db.close();
    }
  });
});
