// Refused logins and publishes are counted, never stored as data: an unknown or misbehaving
// device must not be able to fill the database. Counts are since process start.

export type AuthRejection = 'missing_credentials' | 'unknown_principal' | 'wrong_secret' | 'publish_denied' | 'subscribe_denied';

export interface AuthAttempt {
  at: string;
  transport: 'mqtt' | 'http' | 'hj212';
  reason: AuthRejection;
  /** The id the sender claimed (MQTT username, HTTP path), if any. */
  principal: string | null;
  detail: string;
}

export interface AuthCountsDto {
  since: string;
  total: number;
  byReason: Partial<Record<AuthRejection, number>>;
  /** The most recent refusals, newest first. */
  recent: AuthAttempt[];
}

const RECENT = 100;
// Claimed ids are attacker-chosen: past this many distinct ids, new ones are only counted in total.
const MAX_TRACKED_PRINCIPALS = 10_000;

export class AuthCounters {
  private readonly since = new Date().toISOString();
  private total = 0;
  private readonly byReason = new Map<AuthRejection, number>();
  private readonly byPrincipal = new Map<string, Map<AuthRejection, number>>();
  private recent: AuthAttempt[] = [];

  record(attempt: Omit<AuthAttempt, 'at'>): void {
    this.total++;
    this.byReason.set(attempt.reason, (this.byReason.get(attempt.reason) ?? 0) + 1);
    if (attempt.principal !== null) {
      let counts = this.byPrincipal.get(attempt.principal);
      if (!counts && this.byPrincipal.size < MAX_TRACKED_PRINCIPALS) this.byPrincipal.set(attempt.principal, (counts = new Map()));
      counts?.set(attempt.reason, (counts.get(attempt.reason) ?? 0) + 1);
    }
    this.recent.unshift({ at: new Date().toISOString(), ...attempt });
    if (this.recent.length > RECENT) this.recent.length = RECENT;
  }

  /** All refusals, or those of one claimed id. */
  snapshot(principal?: string): AuthCountsDto {
    if (principal === undefined) return { since: this.since, total: this.total, byReason: Object.fromEntries(this.byReason), recent: this.recent };
    const counts = this.byPrincipal.get(principal) ?? new Map<AuthRejection, number>();
    return {
      since: this.since, total: [...counts.values()].reduce((a, b) => a + b, 0), byReason: Object.fromEntries(counts),
      recent: this.recent.filter((a) => a.principal === principal),
    };
  }
}
