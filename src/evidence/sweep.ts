// An upload writes its file(s) first and the row second (repository.ts); a crash between the two,
// or a failed delete after a refused row, leaves a file no row names. The sweep removes those once
// they are older than any upload could still be in flight, so a running upload is never touched.
import type { Queryable } from '../store/index.ts';
import { PARTIAL_SUFFIX, type AttachmentStore } from './store.ts';

/** Files younger than this are left alone: an upload writes the file before its row. */
export const ORPHAN_GRACE_MS = 3_600_000;

const THUMBNAIL_SUFFIX = '-thumbnail.jpg';
const BATCH = 500;

/** The attachment row key a stored file belongs to (a thumbnail belongs to its original's row). */
function rowKeyOf(key: string): string {
  return key.endsWith(THUMBNAIL_SUFFIX) ? key.slice(0, -THUMBNAIL_SUFFIX.length) : key;
}

/** Of these row keys, the ones some attachment row names. */
async function knownKeys(db: Queryable, keys: string[]): Promise<Set<string>> {
  const rows = await db.query<{ storage_key: string }>('SELECT storage_key FROM incident_attachments WHERE storage_key = ANY($1::text[])', [keys]);
  return new Set(rows.map((r) => r.storage_key));
}

/**
 * Deletes stored files older than `graceMs` that no attachment row names, and half-written files
 * (`.partial`) of that age. Returns the deleted keys.
 */
export async function sweepOrphanFiles(db: Queryable, store: AttachmentStore, now: Date, graceMs = ORPHAN_GRACE_MS): Promise<string[]> {
  const cutoff = now.getTime() - graceMs;
  const deleted: string[] = [];
  let batch: string[] = [];
  const flush = async () => {
    const known = await knownKeys(db, [...new Set(batch.map(rowKeyOf))]);
    for (const key of batch) {
      if (known.has(rowKeyOf(key))) continue;
      await store.delete(key);
      deleted.push(key);
    }
    batch = [];
  };
  for await (const object of store.list()) {
    if (object.modifiedAt.getTime() > cutoff) continue;
    if (object.key.endsWith(PARTIAL_SUFFIX)) {
      await store.delete(object.key);
      deleted.push(object.key);
      continue;
    }
    batch.push(object.key);
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  return deleted;
}
