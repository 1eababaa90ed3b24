// Leader election for the timers that must run once across processes (README, architecture):
// a lease row in the database that its holder renews and any process may take once it expired.
// A row rather than a session advisory lock: the PostgreSQL Db is a pool, and a lock would need a
// connection pinned for the process's life (and a lost connection would drop it silently).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '../store/index.ts';
import { every } from './timers.ts';

export const DEFAULT_LEASE_MS = 15_000;
export const DEFAULT_RENEW_MS = 5_000;

export interface LeaderLeaseOptions {
  db: Db;
  /** Which lease (one per set of timers); default 'timers'. */
  name?: string;
  /** This process's name in the row; unique per process by default (host, pid, random), so two processes configured alike never both hold it. */
  holder?: string;
  /** How long a renewal holds the lease (default 15 s): a dead leader is replaced this long after its last renewal. */
  leaseMs?: number;
  /**
   * Tests: one clock for both the lease's expiry in the row and this process's own deadline.
   * Without it the row uses the database's clock (one clock for every process) and the
   * deadline this process's monotonic clock, started before each renewal is sent.
   */
  clock?: () => Date;
  /** Told when this process becomes or stops being the leader. */
  onChange?: (leader: boolean) => void;
}

/**
 * One process's view of a lease. `isLeader()` is true only until the lease this process last
 * renewed would expire, counted from before the renewal was sent: a process that cannot renew
 * (database gone, stalled) stops being leader no later than the row expires for the others, so
 * two processes never act as leader at once. On PGlite the process is always leader: DATA_DIR's
 * lock already allows one process per database.
 */
export class LeaderLease {
  readonly name: string;
  readonly holder: string;
  readonly leaseMs: number;
  private leaderUntil = -Infinity;
  private leader: boolean;

  constructor(private readonly options: LeaderLeaseOptions) {
    this.name = options.name ?? 'timers';
    this.holder = options.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.leader = options.db.kind === 'pglite';
  }

  private now(): number {
    return this.options.clock ? this.options.clock().getTime() : performance.now();
  }

  isLeader(): boolean {
    if (this.options.db.kind === 'pglite') return true;
    if (this.leader && this.now() >= this.leaderUntil) this.set(false);
    return this.leader;
  }

  /** Takes or renews the lease if it is this process's or has expired; says whether this process now leads. */
  async renew(): Promise<boolean> {
    if (this.options.db.kind === 'pglite') return true;
    const sentAt = this.now();
    const at = this.options.clock ? new Date(sentAt) : null;
    try {
      // ON CONFLICT … WHERE re-reads the row under its lock, so of two processes racing for an
      // expired lease exactly one gets it.
      const rows = await this.options.db.query(
        `INSERT INTO leader_lease AS l (name, holder, expires_at)
         VALUES ($1, $2, COALESCE($3::timestamptz, now()) + $4 * interval '1 millisecond')
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
           WHERE l.holder = EXCLUDED.holder OR l.expires_at < COALESCE($3::timestamptz, now())
         RETURNING holder`,
        [this.name, this.holder, at, this.leaseMs],
      );
      if (rows.length === 0) {
        this.set(false);
      } else {
        this.leaderUntil = sentAt + this.leaseMs;
        this.set(this.now() < this.leaderUntil);
      }
    } catch (error) {
      this.set(false);
      throw error;
    }
    return this.leader;
  }

  /** Gives the lease up (on stop) so that another process takes over at its next renewal, not after expiry. */
  async release(): Promise<void> {
    const wasLeader = this.leader;
    this.set(false);
    this.leaderUntil = -Infinity;
    if (this.options.db.kind === 'pglite' || !wasLeader) return;
    await this.options.db.query(`DELETE FROM leader_lease WHERE name = $1 AND holder = $2`, [this.name, this.holder]);
  }

  /** Renews now and then every `renewMs` (well inside the lease); the returned stop releases the lease. */
  async start(renewMs: number, onError: (error: unknown) => void): Promise<() => Promise<void>> {
    await this.renew().catch(onError);
    const stopRenewing = every(renewMs, async () => {
      await this.renew();
    }, onError);
    return async () => {
      await stopRenewing();
      await this.release();
    };
  }

  /** `task` that runs only while this process leads (a tick while it does not is skipped). */
  only(task: () => Promise<void>): () => Promise<void> {
    return async () => {
      if (this.isLeader()) await task();
    };
  }

  private set(leader: boolean): void {
    if (this.options.db.kind === 'pglite' || leader === this.leader) return;
    this.leader = leader;
    this.options.onChange?.(leader);
  }
}
