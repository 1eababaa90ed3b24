import type { Db, Queryable } from './db.ts';

/**
 * Advisory lock keys: what processes sharing one database must not do at the same time. Each
 * holder keeps the lock for one transaction (`pg_advisory_xact_lock`: released by commit or rollback).
 */
export const LOCKS = {
  /** Schema changes (migrate). */
  migration: 7411,
  /** Writing what a new database starts with: the rule catalogue, the demo city. */
  startup: 7412,
} as const;

/** Runs `work` in one transaction that first takes the lock: processes doing the same work take turns. */
export function inTurn<T>(db: Pick<Db, 'transaction'>, lock: number, work: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await takeTurn(tx, lock);
    return work(tx);
  });
}

/** Takes the lock for the rest of the caller's transaction. */
export async function takeTurn(tx: Queryable, lock: number): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [lock]);
}
