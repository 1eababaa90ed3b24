// Which process consumes which partition of the ingest stream: a lease row per partition in the
// database every process already shares (as src/platform/leader.ts does for the timers), plus a
// row per live process so each knows its fair share. See docs/cluster.md.
import { ConfigError } from '../config/index.ts';
import type { Db, Queryable } from '../store/index.ts';

/** A partition this process has just taken, and the stream sequence committed for it so far. */
export interface Claimed {
  partition: number;
  committedSeq: number;
}

/** A run of one partition's uplinks inside one transaction: committed after `prev`, up to `last`. */
export interface Advance {
  partition: number;
  prev: number;
  last: number;
}

/** Thrown inside a batch's transaction when this process no longer holds a partition of it, or the batch does not follow on from the committed position. */
export class FencedError extends Error {}

export class PartitionLeases {
  constructor(private readonly options: { db: Db; stream: string; partitions: number; holder: string; leaseMs: number }) {}

  /** Creates the stream's partition rows; refuses a partition count that differs from the one the rows were made with. */
  async ensure(): Promise<void> {
    const { db, stream, partitions } = this.options;
    const [existing] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ingest_partitions WHERE stream = $1`, [stream]);
    if (existing!.n > 0 && existing!.n !== partitions) {
      throw new ConfigError(
        `INGEST_PARTITIONS=${partitions}, but stream ${stream} was set up with ${existing!.n} partitions: every process must use the same count ` +
        `(changing it moves senders to other partitions; drain the stream and delete its rows in ingest_partitions first)`,
      );
    }
    await db.query(
      `INSERT INTO ingest_partitions (stream, partition) SELECT $1, p FROM generate_series(0, $2 - 1) AS p ON CONFLICT DO NOTHING`,
      [stream, partitions],
    );
  }

  /** Announces this process for another lease period, renews its partitions; returns them and its fair share. */
  async renew(): Promise<{ held: number[]; fairShare: number }> {
    const { db, stream, holder, leaseMs, partitions } = this.options;
    await db.query(
      `INSERT INTO ingest_workers (stream, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (stream, holder) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
      [stream, holder, leaseMs],
    );
    const [live] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ingest_workers WHERE stream = $1 AND expires_at > now()`, [stream]);
    const held = await db.query<{ partition: number }>(
      `UPDATE ingest_partitions SET expires_at = now() + $3 * interval '1 millisecond' WHERE stream = $1 AND holder = $2 RETURNING partition`,
      [stream, holder, leaseMs],
    );
    // Rows of processes gone for an hour say nothing any more.
    await db.query(`DELETE FROM ingest_workers WHERE stream = $1 AND expires_at < now() - interval '1 hour'`, [stream]);
    return { held: held.map((r) => r.partition).sort((a, b) => a - b), fairShare: Math.ceil(partitions / Math.max(1, live!.n)) };
  }

  /**
   * Takes up to `count` partitions that nobody holds or whose lease expired. SKIP LOCKED passes
   * over a row a committing batch of its old holder has locked; it is taken at a later round,
   * with that batch's position.
   */
  async claim(count: number): Promise<Claimed[]> {
    if (count <= 0) return [];
    const { db, stream, holder, leaseMs } = this.options;
    const rows = await db.query<{ partition: number; committed_seq: string }>(
      `UPDATE ingest_partitions p SET holder = $2, expires_at = now() + $3 * interval '1 millisecond'
         FROM (SELECT partition FROM ingest_partitions
                WHERE stream = $1 AND (holder IS NULL OR expires_at < now())
                ORDER BY partition LIMIT $4 FOR UPDATE SKIP LOCKED) free
        WHERE p.stream = $1 AND p.partition = free.partition
      RETURNING p.partition, p.committed_seq::text`,
      [stream, holder, leaseMs, count],
    );
    return rows.map((r) => ({ partition: r.partition, committedSeq: Number(r.committed_seq) })).sort((a, b) => a.partition - b.partition);
  }

  /** The committed position of a partition this process holds; null when it holds it no more. */
  async position(partition: number): Promise<number | null> {
    const [row] = await this.options.db.query<{ committed_seq: string }>(
      `SELECT committed_seq::text FROM ingest_partitions WHERE stream = $1 AND partition = $2 AND holder = $3`,
      [this.options.stream, partition, this.options.holder],
    );
    return row ? Number(row.committed_seq) : null;
  }

  /**
   * Inside a batch's transaction: moves each partition's position from `prev` to `last`, only if
   * this process still holds it and `prev` is where it stands. Otherwise throws, rolling the
   * batch back: a process that lost a partition commits nothing more for it, and a batch that
   * would skip an uncommitted one (its predecessor failed) is not committed either.
   */
  async advance(tx: Queryable, runs: Advance[]): Promise<void> {
    if (runs.length === 0) return;
    const moved = await tx.query<{ partition: number }>(
      `UPDATE ingest_partitions p SET committed_seq = r.last
         FROM unnest($3::int[], $4::bigint[], $5::bigint[]) AS r(partition, prev, last)
        WHERE p.stream = $1 AND p.holder = $2 AND p.partition = r.partition AND p.committed_seq = r.prev
      RETURNING p.partition`,
      [this.options.stream, this.options.holder, runs.map((r) => r.partition), runs.map((r) => r.prev), runs.map((r) => r.last)],
    );
    if (moved.length !== runs.length) {
      const ok = new Set(moved.map((r) => r.partition));
      const refused = runs.filter((r) => !ok.has(r.partition)).map((r) => r.partition);
      throw new FencedError(`ingest partitions ${refused.join(', ')} of ${this.options.stream}: not held by this process any more, or not at the position this batch follows`);
    }
  }

  /** Gives partitions back (rebalancing, stopping) so another process takes them at its next round. */
  async release(partitions: number[]): Promise<void> {
    if (partitions.length === 0) return;
    await this.options.db.query(
      `UPDATE ingest_partitions SET holder = NULL, expires_at = '-infinity' WHERE stream = $1 AND holder = $2 AND partition = ANY($3::int[])`,
      [this.options.stream, this.options.holder, partitions],
    );
  }

  /** Stops counting this process among the consumers. */
  async leave(): Promise<void> {
    await this.options.db.query(`DELETE FROM ingest_workers WHERE stream = $1 AND holder = $2`, [this.options.stream, this.options.holder]);
  }
}
