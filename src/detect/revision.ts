// Every process holds its own rule book and evaluates rules on the readings it receives (an MQTT
// shared subscription spreads them over the processes). A rule saved through one process must
// reach the others: every write to `rules` bumps `rules_revision` in the writer's transaction
// (migration 015), and each process compares that counter every few seconds and reloads its book
// in place when it moved. One indexed single-row read per check; the reload only on a change.
import type { Queryable } from '../store/index.ts';
import { loadRuleBook, type RuleBook } from './detector.ts';

/** The rules' revision: moves with every statement that writes the rules table. */
export async function rulesRevision(db: Queryable): Promise<string> {
  const [row] = await db.query<{ revision: string }>('SELECT revision::text AS revision FROM rules_revision');
  return row?.revision ?? '0';
}

/** Keeps one process's rule book in step with the rules in the database. */
export class RuleBookWatch {
  /**
   * `seen` is the revision read before `book` was loaded: a change that lands between that read
   * and the load is then reloaded once more by the first check, never missed.
   */
  constructor(private readonly db: Queryable, readonly book: RuleBook, private seen: string) {}

  /** Loads the revision first, then the book, and watches it. */
  static async load(db: Queryable): Promise<RuleBookWatch> {
    const seen = await rulesRevision(db);
    return new RuleBookWatch(db, await loadRuleBook(db), seen);
  }

  /** Reloads the book when the rules changed since the last look; returns whether it did. */
  async check(): Promise<boolean> {
    const revision = await rulesRevision(this.db);
    if (revision === this.seen) return false;
    await loadRuleBook(this.db, this.book);
    this.seen = revision;
    return true;
  }
}
