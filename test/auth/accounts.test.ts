// Accounts without HTTP: password hashing, sessions that expire (idle and absolute) under a
// controllable clock, and login throttling per account and per address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthError, AuthService, ensureInitialUsers, FREE_FAILURES, IP_FAILURES, readAuthMode, SESSION_IDLE_MS, SESSION_MAX_MS, hashPassword, verifyPassword,
} from '../../src/auth/index.ts';
import { insertOrganisations } from '../../src/network/index.ts';
import { migrate, openPglite, type Db } from '../../src/store/index.ts';

const PASSWORD = 'a long enough secret';

describe('accounts', () => {
  let db: Db;
  let now = new Date('2026-11-23T00:00:00Z').getTime();
  const clock = () => new Date(now);
  const advance = (ms: number) => (now += ms);
  let auth: AuthService;

  beforeAll(async () => {
    db = await openPglite(null);
    await migrate(db);
    await insertOrganisations(db, [{ id: 'gas-co', name: '燃气公司', kind: 'owner' }, { id: 'centre', name: '监测中心', kind: 'operator' }]);
    auth = new AuthService(db, clock);
    await auth.addUser({ id: 'wang', name: '值班员 王', orgId: 'centre', roles: ['centre_operator'], password: PASSWORD });
    await auth.addUser({ id: 'li', name: '调度 李', orgId: 'gas-co', roles: ['owner_dispatcher'], password: PASSWORD });
  });
  afterAll(async () => db?.close());

  it('hashes passwords with salted scrypt and never stores them in clear', async () => {
    const a = await hashPassword(PASSWORD);
    const b = await hashPassword(PASSWORD);
    expect(a).not.toBe(b);
    expect(a).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, a)).toBe(true);
    expect(await verifyPassword(`${PASSWORD}!`, a)).toBe(false);
    const [row] = await db.query<{ password_hash: string }>("SELECT password_hash FROM users WHERE id = 'wang'");
    expect(row!.password_hash.startsWith('scrypt$32768$8$1$')).toBe(true);
    expect(JSON.stringify(await db.query('SELECT * FROM users'))).not.toContain(PASSWORD);
  });

  it('reads AUTH: required by default, off on request, anything else refused naming the variable', () => {
    expect(readAuthMode({})).toBe('required');
    expect(readAuthMode({ AUTH: 'required' })).toBe('required');
    expect(readAuthMode({ AUTH: 'off' })).toBe('off');
    expect(() => readAuthMode({ AUTH: 'none' })).toThrow('AUTH=none: expected required or off');
  });

  it('creates the first accounts only into an empty user table', async () => {
    const fresh = await openPglite(null);
    try {
      await migrate(fresh);
      await insertOrganisations(fresh, [{ id: 'bureau', name: '住建局', kind: 'bureau' }, { id: 'gas-co', name: '燃气公司', kind: 'owner' }]);
      const first = await ensureInitialUsers(fresh, new AuthService(fresh, clock));
      expect(first.map((u) => [u.id, u.roles, u.orgId])).toEqual([
        ['admin', ['admin'], null], ['bureau-supervisor', ['bureau_supervisor'], 'bureau'], ['gas-co-dispatcher', ['owner_dispatcher'], 'gas-co'],
      ]);
      expect(new Set(first.map((u) => u.password)).size).toBe(3);
      const logged = await new AuthService(fresh, clock).login('gas-co-dispatcher', first[2]!.password, '10.1.1.1');
      expect(logged.user.orgKind).toBe('owner');
      expect(await ensureInitialUsers(fresh, new AuthService(fresh, clock))).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it('refuses weak input with a reason', async () => {
    await expect(auth.addUser({ id: 'x', name: 'x', orgId: 'centre', roles: ['viewer'], password: PASSWORD })).rejects.toThrow(/user id 'x'/);
    await expect(auth.addUser({ id: 'zhao', name: 'z', orgId: 'centre', roles: ['viewer'], password: 'short' })).rejects.toThrow(/at least 10 characters/);
    await expect(auth.addUser({ id: 'zhao', name: 'z', orgId: 'no-such-org', roles: ['viewer'], password: PASSWORD })).rejects.toThrow(/organisation 'no-such-org' does not exist/);
    await expect(auth.addUser({ id: 'wang', name: 'z', orgId: 'centre', roles: ['viewer'], password: PASSWORD })).rejects.toMatchObject({ status: 409 });
  });

  it('resolves a session to its principal, slides its expiry with use and ends it when idle too long', async () => {
    const { token } = await auth.login('wang', PASSWORD, '10.0.0.1');
    expect(token).toMatch(/^lls_/);
    expect(await auth.resolve(token)).toEqual({ userId: 'wang', name: '值班员 王', orgId: 'centre', orgKind: 'operator', roles: ['centre_operator'], via: 'session' });
    // Used every 10 hours: never idle for 12 h, so it lives on …
    for (let i = 0; i < 3; i++) {
      advance(10 * 3_600_000);
      await expect(auth.resolve(token)).resolves.toMatchObject({ userId: 'wang' });
    }
    // … until a 12-hour silence.
    advance(SESSION_IDLE_MS + 1);
    await expect(auth.resolve(token)).rejects.toThrow('session expired: log in again');
    await expect(auth.resolve(token)).rejects.toThrow('session unknown or ended: log in again');
  });

  it('ends a session at its absolute lifetime however busy it is', async () => {
    const { token } = await auth.openSession('li');
    const end = now + SESSION_MAX_MS;
    while (now + 6 * 3_600_000 < end) {
      advance(6 * 3_600_000);
      await auth.resolve(token);
    }
    advance(end - now + 1);
    await expect(auth.resolve(token)).rejects.toMatchObject({ status: 401 });
  });

  it('locks an account after repeated failures with a growing back-off, and a success resets it', async () => {
    for (let i = 0; i < FREE_FAILURES; i++) await expect(auth.login('li', 'wrong password', '10.0.0.2')).rejects.toMatchObject({ status: 401 });
    const locked = await auth.login('li', PASSWORD, '10.0.0.2').catch((e: AuthError) => e);
    expect(locked).toMatchObject({ status: 429, retryAfterSeconds: 30 });
    expect((locked as AuthError).message).toBe("too many failed logins for 'li': try again in 30 s");
    // Another account is not affected.
    await expect(auth.login('wang', PASSWORD, '10.0.0.2')).resolves.toMatchObject({ user: { id: 'wang' } });
    advance(30_000);
    await expect(auth.login('li', 'wrong again', '10.0.0.2')).rejects.toMatchObject({ status: 401 });
    await expect(auth.login('li', PASSWORD, '10.0.0.2')).rejects.toMatchObject({ status: 429, retryAfterSeconds: 60 });
    advance(60_000);
    await expect(auth.login('li', PASSWORD, '10.0.0.2')).resolves.toMatchObject({ user: { id: 'li' } });
    await expect(auth.login('li', 'one slip', '10.0.0.2')).rejects.toMatchObject({ status: 401 });
    await expect(auth.login('li', PASSWORD, '10.0.0.2')).resolves.toMatchObject({ user: { id: 'li' } });
  });

  it('throttles an address that tries many accounts', async () => {
    for (let i = 0; i < IP_FAILURES; i++) await expect(auth.login(`guess-${i}`, 'password1234', '10.9.9.9')).rejects.toMatchObject({ status: 401 });
    await expect(auth.login('wang', PASSWORD, '10.9.9.9')).rejects.toMatchObject({ status: 429, message: expect.stringMatching(/from this address/) });
    await expect(auth.login('wang', PASSWORD, '10.0.0.3')).resolves.toMatchObject({ user: { id: 'wang' } });
    advance(15 * 60_000 + 1000);
    await expect(auth.login('wang', PASSWORD, '10.9.9.9')).resolves.toMatchObject({ user: { id: 'wang' } });
  });

  it('ends every session of a user whose password changes or who is disabled', async () => {
    const { token } = await auth.openSession('wang');
    await auth.setPassword('wang', 'another long secret');
    await expect(auth.resolve(token)).rejects.toMatchObject({ status: 401 });
    await expect(auth.login('wang', PASSWORD, '10.0.0.4')).rejects.toMatchObject({ status: 401 });
    const again = await auth.login('wang', 'another long secret', '10.0.0.4');
    await auth.setDisabled('wang', true);
    await expect(auth.resolve(again.token)).rejects.toMatchObject({ status: 401 });
    await expect(auth.login('wang', 'another long secret', '10.0.0.4')).rejects.toMatchObject({ status: 403, message: "user 'wang' is disabled: ask an administrator" });
  });
});
