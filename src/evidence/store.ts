// Where attachment bytes live. The database keeps the metadata and the SHA-256; the store only
// puts, gets and deletes opaque keys. The disk store (the default) writes under DATA_DIR/evidence;
// an S3-compatible store would implement the same three methods.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface AttachmentStore {
  put(key: string, bytes: Buffer): Promise<void>;
  /** undefined when there is no such key. */
  get(key: string): Promise<Buffer | undefined>;
  delete(key: string): Promise<void>;
}

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
    const partial = `${file}.partial`;
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
}
