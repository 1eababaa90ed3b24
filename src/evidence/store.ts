// Where attachment bytes live. The database keeps the metadata and the SHA-256; the store only
// puts, gets, lists and deletes opaque keys. The disk store (the default) writes under DATA_DIR/evidence;
// an S3-compatible store would implement the same four methods.
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface AttachmentStore {
  put(key: string, bytes: Buffer): Promise<void>;
  /** undefined when there is no such key. */
  get(key: string): Promise<Buffer | undefined>;
  delete(key: string): Promise<void>;
  /** Every stored key with when it was last written (for the orphan sweep). */
  list(): AsyncIterable<StoredObject>;
}

export interface StoredObject {
  key: string;
  modifiedAt: Date;
}

/** Suffix of a file being written; renamed away once complete. */
export const PARTIAL_SUFFIX = '.partial';

const KEY = /^[a-z0-9][a-z0-9/_.-]{0,200}$/;

function checkKey(key: string): void {
  if (!KEY.test(key) || key.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new Error(`attachment key ${JSON.stringify(key)} is not a plain relative path`);
  }
}

export class DiskAttachmentStore implements AttachmentStore {
  constructor(readonly root: string) {}

  private file(key: string): string {
    checkKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const file = this.file(key);
    await mkdir(path.dirname(file), { recursive: true });
    // Written aside and renamed, so a reader never sees half a file.
    const partial = `${file}${PARTIAL_SUFFIX}`;
    await writeFile(partial, bytes, { flag: 'w' });
    await rename(partial, file);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.file(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  async *list(): AsyncIterable<StoredObject> {
    let entries;
    try {
      entries = await readdir(this.root, { recursive: true, withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      const key = path.relative(this.root, file).split(path.sep).join('/');
      try {
        yield { key, modifiedAt: (await stat(file)).mtime };
      } catch (error) {
        // Deleted since the listing (an upload that failed and cleaned up): nothing to report.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
}
