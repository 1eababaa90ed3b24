// Login throttling, per account and per client address. After FREE_FAILURES failed logins in a
// row an account is locked for a back-off that doubles with each further failure (30 s, 60 s, …
// up to 15 min); an address that fails IP_FAILURES times within IP_WINDOW_MS is refused until
// the window has passed. A success clears the account's count. Kept in memory, per process.
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

export class LoginLimiter {
  private accounts = new Map<string, { failures: number; lockedUntil: number }>();
  private addresses = new Map<string, number[]>();

  constructor(private readonly now: () => number) {}

  check(account: string, ip: string): Throttle | null {
    const t = this.now();
    const a = this.accounts.get(account);
    if (a && a.lockedUntil > t) {
      const seconds = Math.ceil((a.lockedUntil - t) / 1000);
      return { reason: `too many failed logins for '${account}': try again in ${seconds} s`, retryAfterSeconds: seconds };
    }
    const recent = (this.addresses.get(ip) ?? []).filter((at) => at > t - IP_WINDOW_MS);
    if (recent.length >= IP_FAILURES) {
      const seconds = Math.ceil((recent[0]! + IP_WINDOW_MS - t) / 1000);
      return { reason: `too many failed logins from this address: try again in ${seconds} s`, retryAfterSeconds: seconds };
    }
    return null;
  }

  failed(account: string, ip: string): void {
    const t = this.now();
    const a = this.accounts.get(account) ?? { failures: 0, lockedUntil: 0 };
    a.failures += 1;
    if (a.failures >= FREE_FAILURES) a.lockedUntil = t + Math.min(MAX_LOCK_MS, BASE_LOCK_MS * 2 ** (a.failures - FREE_FAILURES));
    this.accounts.set(account, a);
    const recent = (this.addresses.get(ip) ?? []).filter((at) => at > t - IP_WINDOW_MS);
    recent.push(t);
    this.addresses.set(ip, recent);
  }

  succeeded(account: string): void {
    this.accounts.delete(account);
  }
}
