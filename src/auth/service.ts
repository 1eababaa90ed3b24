// Accounts, login sessions and API tokens. Side effects enter through the constructor (the
// database and the clock), so expiry and throttling are testable with a controllable clock.
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../store/index.ts';
import { hashPassword, passwordProblem, verifyPassword } from './password.ts';
import { LoginLimiter } from './rate-limit.ts';
import { isRole, type OrgKind, type Principal, type Role } from './roles.ts';

/** A session ends after this long without a request (sliding) … */
export const SESSION_IDLE_MS = 12 * 3_600_000;
/** … and at the latest this long after login. */
export const SESSION_MAX_MS = 7 * 86_400_000;
/** The sliding expiry is written back at most this often per session (not on every request). */
const SLIDE_EVERY_MS = 60_000;

export interface User {
  id: string;
  name: string;
  orgId: string | null;
  orgName: string | null;
  orgKind: OrgKind | null;
  roles: Role[];
  disabled: boolean;
  hasPassword: boolean;
  createdAt: string;
}

export interface ApiToken {
  id: string;
  name: string;
  userId: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A refusal with its HTTP status and a reason the caller can act on. */
export class AuthError extends Error {
  constructor(readonly status: 400 | 401 | 403 | 404 | 409 | 429, message: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
/** Session tokens and API tokens are told apart by prefix, so a leaked one is recognisable. */
const SESSION_PREFIX = 'lls_';
const TOKEN_PREFIX = 'llt_';
const newToken = (prefix: string) => prefix + randomBytes(32).toString('base64url');

type UserRow = {
  id: string; name: string; org_id: string | null; org_name: string | null; org_kind: OrgKind | null; roles: string[];
  disabled: boolean; password_hash: string | null; created_at: Date;
};
const USER_SELECT = `SELECT u.id, u.name, u.org_id, o.name AS org_name, o.kind AS org_kind, u.roles, u.disabled, u.password_hash, u.created_at
  FROM users u LEFT JOIN organisations o ON o.id = u.org_id`;

function toUser(r: UserRow): User {
  return {
    id: r.id, name: r.name, orgId: r.org_id, orgName: r.org_name, orgKind: r.org_kind, roles: r.roles.filter(isRole),
    disabled: r.disabled, hasPassword: r.password_hash !== null, createdAt: r.created_at.toISOString(),
  };
}

const principalOf = (u: User, via: Principal['via']): Principal => ({ userId: u.id, name: u.name, orgId: u.orgId, orgKind: u.orgKind, roles: u.roles, via });

export interface NewUser {
  id: string;
  name: string;
  orgId: string | null;
  roles: Role[];
  password?: string;
}

export class AuthService {
  readonly limiter: LoginLimiter;

  constructor(private readonly db: Queryable, private readonly clock: () => Date = () => new Date()) {
    this.limiter = new LoginLimiter(db, () => this.clock().getTime());
  }

  async countUsers(): Promise<number> {
    const [row] = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    return row?.n ?? 0;
  }

  async listUsers(): Promise<User[]> {
    return (await this.db.query<UserRow & Record<string, unknown>>(`${USER_SELECT} ORDER BY u.id`)).map(toUser);
  }

  async getUser(id: string): Promise<User | null> {
    const [row] = await this.db.query<UserRow & Record<string, unknown>>(`${USER_SELECT} WHERE u.id = $1`, [id]);
    return row ? toUser(row) : null;
  }

  /** The networks an organisation owns assets on (an owner unit's pages follow them). */
  async networksOf(orgId: string): Promise<string[]> {
    const rows = await this.db.query<{ network: string }>('SELECT DISTINCT network FROM assets WHERE owner_id = $1 ORDER BY network', [orgId]);
    return rows.map((r) => r.network);
  }

  async addUser(user: NewUser): Promise<User> {
    if (!/^[a-z0-9][a-z0-9._-]{1,63}$/.test(user.id)) throw new AuthError(400, `user id '${user.id}': 2–64 characters a-z 0-9 . _ -, starting with a letter or digit`);
    if (user.roles.length === 0) throw new AuthError(400, 'roles: at least one role');
    if (user.orgId !== null) {
      const [org] = await this.db.query<{ kind: OrgKind }>('SELECT kind FROM organisations WHERE id = $1', [user.orgId]);
      if (!org) throw new AuthError(400, `organisation '${user.orgId}' does not exist`);
    } else if (!user.roles.includes('admin')) {
      throw new AuthError(400, 'only an admin may belong to no organisation');
    }
    if (user.password !== undefined) {
      const problem = passwordProblem(user.password);
      if (problem) throw new AuthError(400, problem);
    }
    if (await this.getUser(user.id)) throw new AuthError(409, `user '${user.id}' already exists`);
    const hash = user.password === undefined ? null : await hashPassword(user.password);
    const now = this.clock();
    await this.db.query(
      `INSERT INTO users (id, name, org_id, roles, password_hash, created_at, password_changed_at) VALUES ($1, $2, $3, $4::text[], $5, $6, $7)`,
      [user.id, user.name, user.orgId, user.roles, hash, now, hash ? now : null],
    );
    return (await this.getUser(user.id))!;
  }

  /** Sets a new password and ends the user's sessions (a changed password logs everyone out). */
  async setPassword(userId: string, password: string): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw new AuthError(400, problem);
    const hash = await hashPassword(password);
    const rows = await this.db.query('UPDATE users SET password_hash = $2, password_changed_at = $3 WHERE id = $1 RETURNING id', [userId, hash, this.clock()]);
    if (rows.length === 0) throw new AuthError(404, `user '${userId}' does not exist`);
    await this.db.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
  }

  /** A user changes its own password: the current one is checked (and throttled like a login). */
  async changeOwnPassword(userId: string, current: string, password: string, ip: string): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw new AuthError(400, problem);
    await this.login(userId, current, ip).then(({ token }) => this.logout(token));
    await this.setPassword(userId, password);
  }

  async setDisabled(userId: string, disabled: boolean): Promise<void> {
    const rows = await this.db.query('UPDATE users SET disabled = $2 WHERE id = $1 RETURNING id', [userId, disabled]);
    if (rows.length === 0) throw new AuthError(404, `user '${userId}' does not exist`);
    if (disabled) await this.db.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
  }

  /**
   * Checks a user name and password and opens a session. The same 401 answers an unknown user
   * and a wrong password (nothing tells which names exist); throttled attempts get 429.
   */
  async login(userId: string, password: string, ip: string): Promise<{ token: string; expiresAt: Date; user: User }> {
    const account = userId.trim().toLowerCase();
    const throttle = await this.limiter.check(account, ip);
    if (throttle) throw new AuthError(429, throttle.reason, throttle.retryAfterSeconds);
    const [row] = await this.db.query<UserRow & Record<string, unknown>>(`${USER_SELECT} WHERE u.id = $1`, [account]);
    const ok = row?.password_hash ? await verifyPassword(password, row.password_hash) : false;
    if (!row || !ok) {
      await this.limiter.failed(account, ip);
      throw new AuthError(401, 'wrong user name or password');
    }
    if (row.disabled) throw new AuthError(403, `user '${account}' is disabled: ask an administrator`);
    await this.limiter.succeeded(account);
    return { ...(await this.openSession(account, ip)), user: toUser(row) };
  }

  /** Opens a session for a user without a password check (tests, and the login route after its check). */
  async openSession(userId: string, ip: string | null = null): Promise<{ token: string; expiresAt: Date }> {
    const token = newToken(SESSION_PREFIX);
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + SESSION_IDLE_MS);
    const rows = await this.db.query(
      `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip)
       SELECT $1, id, $3, $3, $4, $5 FROM users WHERE id = $2 AND NOT disabled RETURNING user_id`,
      [sha256(token), userId, now, expiresAt, ip],
    );
    if (rows.length === 0) throw new AuthError(404, `user '${userId}' does not exist or is disabled`);
    return { token, expiresAt };
  }

  async logout(token: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id', [sha256(token)])).length > 0;
  }

  /** The principal behind a session or API token, or a 401 with the reason. */
  async resolve(token: string): Promise<Principal> {
    const now = this.clock();
    if (token.startsWith(TOKEN_PREFIX)) {
      const [row] = await this.db.query<UserRow & { revoked_at: Date | null; token_id: string }>(
        `${USER_SELECT.replace('SELECT', 'SELECT t.revoked_at, t.id::text AS token_id,')} JOIN api_tokens t ON t.user_id = u.id WHERE t.token_hash = $1`,
        [sha256(token)],
      );
      if (!row) throw new AuthError(401, 'unknown API token');
      if (row.revoked_at) throw new AuthError(401, 'this API token has been revoked');
      if (row.disabled) throw new AuthError(401, `the token's user '${row.id}' is disabled`);
      await this.db.query('UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)', [
        row.token_id, now, new Date(now.getTime() - SLIDE_EVERY_MS),
      ]);
      return principalOf(toUser(row), 'token');
    }
    const [row] = await this.db.query<UserRow & { expires_at: Date; session_created_at: Date; last_seen_at: Date }>(
      `${USER_SELECT.replace('SELECT', 'SELECT s.expires_at, s.created_at AS session_created_at, s.last_seen_at,')} JOIN sessions s ON s.user_id = u.id WHERE s.token_hash = $1`,
      [sha256(token)],
    );
    if (!row) throw new AuthError(401, 'session unknown or ended: log in again');
    if (row.expires_at <= now) {
      await this.db.query('DELETE FROM sessions WHERE token_hash = $1', [sha256(token)]);
      throw new AuthError(401, 'session expired: log in again');
    }
    if (row.disabled) throw new AuthError(401, `user '${row.id}' is disabled`);
    if (now.getTime() - row.last_seen_at.getTime() >= SLIDE_EVERY_MS) {
      const expiresAt = new Date(Math.min(now.getTime() + SESSION_IDLE_MS, row.session_created_at.getTime() + SESSION_MAX_MS));
      await this.db.query('UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1', [sha256(token), now, expiresAt]);
    }
    return principalOf(toUser(row), 'session');
  }

  async createToken(userId: string, name: string, createdBy: string): Promise<{ token: string; apiToken: ApiToken }> {
    if (!name.trim()) throw new AuthError(400, 'name: required (what integration uses the token)');
    const user = await this.getUser(userId);
    if (!user) throw new AuthError(404, `user '${userId}' does not exist`);
    const token = newToken(TOKEN_PREFIX);
    const [row] = await this.db.query<{ id: string }>(
      'INSERT INTO api_tokens (name, user_id, token_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id::text AS id',
      [name.trim(), userId, sha256(token), createdBy, this.clock()],
    );
    return { token, apiToken: (await this.listTokens()).find((t) => t.id === row!.id)! };
  }

  async listTokens(): Promise<ApiToken[]> {
    const rows = await this.db.query<{ id: string; name: string; user_id: string; created_by: string; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }>(
      'SELECT id::text AS id, name, user_id, created_by, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY id',
    );
    return rows.map((r) => ({
      id: r.id, name: r.name, userId: r.user_id, createdBy: r.created_by, createdAt: r.created_at.toISOString(),
      lastUsedAt: r.last_used_at?.toISOString() ?? null, revokedAt: r.revoked_at?.toISOString() ?? null,
    }));
  }

  async revokeToken(id: string): Promise<void> {
    if (!/^\d{1,18}$/.test(id)) throw new AuthError(404, `API token ${id} does not exist`);
    const rows = await this.db.query<{ revoked_at: Date | null }>('SELECT revoked_at FROM api_tokens WHERE id = $1', [id]);
    if (rows.length === 0) throw new AuthError(404, `API token ${id} does not exist`);
    if (rows[0]!.revoked_at) throw new AuthError(409, `API token ${id} is already revoked`);
    await this.db.query('UPDATE api_tokens SET revoked_at = $2 WHERE id = $1', [id, this.clock()]);
  }
}
