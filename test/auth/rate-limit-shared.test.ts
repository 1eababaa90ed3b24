// Login throttling shared through the database: two AuthService instances stand for two
// processes behind one load balancer (on PostgreSQL each has its own connection pool). Failures
// spread over both count together, the lock one sets refuses the other, a success on either
// clears it, and concurrent failures all count (the increment is one atomic upsert).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthService, FREE_FAILURES, IP_FAILURES } from '../../src/auth/index.ts';
import { insertOrganisations } from '../../src/network/index.ts';
import { migrate, openPostgres, type Db } from '../../src/store/index.ts';
import { storesUnderTest } from '../support/stores.ts';

const PASSWORD = 'a long enough secret';
const implementations = await storesUnderTest();

describe.each(implementations)('login throttling across processes: $name', (impl) => {
  let db: Db;
  let second: Db;
  let drop: () => Promise<void>;
  let now = Date.parse('2026-11-23T00:00:00Z');
  const clock = () => new Date(now);
  let a: AuthService;
  let b: AuthService;

  beforeAll(async () => {
    if (!impl.available) return;
    const opened = await impl.open();
    ({ db, drop } = opened);
    await migrate(db);
    second = opened.url ? await openPostgres(opened.url) : db;
    await insertOrganisations(db, [{ id: 'gas-co', name: '燃气公司', kind: 'owner' }]);
    a = new AuthService(db, clock);
    b = new AuthService(second, clock);
    await a.addUser({ id: 'li', name: '调度 李', orgId: 'gas-co', roles: ['owner_dispatcher'], password: PASSWORD });
    await a.addUser({ id: 'zhou', name: '调度 周', orgId: 'gas-co', roles: ['owner_dispatcher'], password: PASSWORD });
  });
  afterAll(async () => {
    if (second && second !== db) await second.close();
    await db?.close();
    await drop?.();
  });

  it.skipIf(!impl.available)('locks an account whose failures are spread over two processes, on both', async () => {
    // Alternate: 3 failures on A, 2 on B = 5 in a row; neither process alone saw 5.
    for (let i = 0; i < FREE_FAILURES; i++) {
      await expect((i % 2 === 0 ? a : b).login('li', 'wrong password', '10.0.0.2')).rejects.toMatchObject({ status: 401 });
    }
    await expect(a.login('li', PASSWORD, '10.0.0.2')).rejects.toMatchObject({ status: 429, retryAfterSeconds: 30 });
    await expect(b.login('li', PASSWORD, '10.0.0.3')).rejects.toMatchObject({ status: 429, retryAfterSeconds: 30 });
    now += 10_000;
    await expect(b.login('li', PASSWORD, '10.0.0.3')).rejects.toMatchObject({ status: 429, retryAfterSeconds: 20 });
    // The sixth failure (on B, after the lock) doubles the back-off seen on A.
    now += 20_000;
    await expect(b.login('li', 'wrong again', '10.0.0.2')).rejects.toMatchObject({ status: 401 });
    await expect(a.login('li', PASSWORD, '10.0.0.2')).rejects.toMatchObject({ status: 429, retryAfterSeconds: 60 });
    now += 60_000;
    // A success on A clears the count for B too: one slip afterwards does not lock.
    await expect(a.login('li', PASSWORD, '10.0.0.2')).resolves.toMatchObject({ user: { id: 'li' } });
    await expect(b.login('li', 'one slip', '10.0.0.2')).rejects.toMatchObject({ status: 401 });
    await expect(b.login('li', PASSWORD, '10.0.0.2')).resolves.toMatchObject({ user: { id: 'li' } });
  });

  it.skipIf(!impl.available)('counts concurrent failures on both processes without losing one', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      (i % 2 === 0 ? a : b).login('zhou', 'wrong password', `10.1.0.${i}`).then(() => 200, (e: { status: number }) => e.status)));
    const [row] = await db.query<{ failures: number }>("SELECT failures FROM login_throttle WHERE account = 'zhou'");
    // Every attempt that got past the check and failed (401) was counted: no lost update.
    expect(row!.failures).toBe(answers.filter((s) => s === 401).length);
    expect(row!.failures).toBeGreaterThanOrEqual(FREE_FAILURES);
    await expect(a.login('zhou', PASSWORD, '10.1.1.1')).rejects.toMatchObject({ status: 429 });
  });

  it.skipIf(!impl.available)('throttles an address whose guesses are spread over two processes', async () => {
    now += 3_600_000;
    for (let i = 0; i < IP_FAILURES; i++) {
      await expect((i % 2 === 0 ? a : b).login(`guess-${i}`, 'password1234', '10.9.9.9')).rejects.toMatchObject({ status: 401 });
    }
    await expect(a.login('li', PASSWORD, '10.9.9.9')).rejects.toMatchObject({ status: 429, message: expect.stringMatching(/from this address/) });
    await expect(b.login('li', PASSWORD, '10.9.9.9')).rejects.toMatchObject({ status: 429, retryAfterSeconds: 15 * 60 });
    await expect(b.login('li', PASSWORD, '10.0.0.9')).resolves.toMatchObject({ user: { id: 'li' } });
    now += 15 * 60_000 + 1000;
    await expect(a.login('li', PASSWORD, '10.9.9.9')).resolves.toMatchObject({ user: { id: 'li' } });
    // Expired failures are pruned as new ones arrive.
    await expect(a.login('nobody', 'password1234', '10.9.9.9')).rejects.toMatchObject({ status: 401 });
    const [left] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM login_failures WHERE ip = '10.9.9.9'");
    expect(left!.n).toBe(1);
  });
});
