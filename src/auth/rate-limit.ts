// Login throttling, per account and per client address. After FREE_FAILURES failed logins in a
// row an account is locked for a back-off that doubles with each further failure (30 s, 60 s, …
// up to 15 min); an address that fails IP_FAILURES times within IP_WINDOW_MS is refused until
// the window has passed. A success clears the account's count. Kept in the database (tables
// login_throttle and login_failures, migration 011), so every process on one PostgreSQL shares
// it: an attacker gains nothing by spreading attempts over the processes behind a load balancer.
import type { Queryable } from '../store/index.ts';

export const FREE_FAILURES = 5;
const BASE_LOCK_MS = 30_000;
const MAX_LOCK_MS = 15 * 60_000;
export const IP_FAILURES = 20;
const IP_WINDOW_MS = 15 * 60_000;

export interface Throttle {
  /** Why the attempt is refused before the password is even checked. */
  reason: string;
  retryAfterSeconds: number;
}

/** How long an account is locked after its `failures`-th failure in a row (0: not locked). */
export function lockMs(failures: number): number {
  return failures < FREE_FAILURES ? 0 : Math.min(MAX_LOCK_MS, BASE_LOCK_MS * 2 ** (failures - FREE_FAILURES));
}

export class LoginLimiter {
  constructor(private readonly db: Queryable, private readonly now: () => number) {}

  async check(account: string, ip: string): Promise<Throttle | null> {
    const t = this.now();
    const [a] = await this.db.query<{ locked_until: Date | null }>('SELECT locked_until FROM login_throttle WHERE account = $1', [account]);
    if (a?.locked_until && a.locked_until.getTime() > t) {
      const seconds = Math.ceil((a.locked_until.getTime() - t) / 1000);
      return { reason: `too many failed logins for '${account}': try again in ${seconds} s`, retryAfterSeconds: seconds };
    }
    const [recent] = await this.db.query<{ n: number; oldest: Date | null }>(
      'SELECT count(*)::int AS n, min(at) AS oldest FROM login_failures WHERE ip = $1 AND at > $2', [ip, new Date(t - IP_WINDOW_MS)],
    );
    if (recent && recent.n >= IP_FAILURES && recent.oldest) {
      const seconds = Math.ceil((recent.oldest.getTime() + IP_WINDOW_MS - t) / 1000);
      return { reason: `too many failed logins from this address: try again in ${seconds} s`, retryAfterSeconds: seconds };
    }
    return null;
  }

  /** Counts a failure; the increment is one atomic upsert, so concurrent failures on several processes all count. */
  async failed(account: string, ip: string): Promise<void> {
    const t = this.now();
    const [row] = await this.db.query<{ failures: number }>(
      `INSERT INTO login_throttle (account, failures) VALUES ($1, 1)
       ON CONFLICT (account) DO UPDATE SET failures = login_throttle.failures + 1 RETURNING failures`,
      [account],
    );
    const lock = lockMs(row!.failures);
    if (lock > 0) {
      await this.db.query(
        `UPDATE login_throttle SET locked_until = GREATEST(coalesce(locked_until, $2), $2) WHERE account = $1`, [account, new Date(t + lock)],
      );
    }
    await this.db.query('INSERT INTO login_failures (ip, at) VALUES ($1, $2)', [ip, new Date(t)]);
    // Old failures no longer count anywhere: keep the table small.
    await this.db.query('DELETE FROM login_failures WHERE ip = $1 AND at <= $2', [ip, new Date(t - IP_WINDOW_MS)]);
  }

  async succeeded(account: string): Promise<void> {
    await this.db.query('DELETE FROM login_throttle WHERE account = $1', [account]);
  }
}
