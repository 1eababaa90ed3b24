// The orphan sweep on both stores: files of a real upload (original and thumbnail) stay; a file
// left by an upload cut off before its row, a thumbnail without its row and a half-written file go
// once older than the grace period; a younger orphan (an upload perhaps still in flight) stays.
import { existsSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskAttachmentStore, ORPHAN_GRACE_MS, saveAttachment, sweepOrphanFiles, type Attachment } from '../../src/evidence/index.ts';
import { migrate, type Db } from '../../src/store/index.ts';
import { storesUnderTest } from '../support/stores.ts';
import { tempDir } from '../support/tmp.ts';

const implementations = await storesUnderTest();
const NOW = new Date('2026-11-23T12:00:00Z');

function smallPng(): Buffer {
  const png = new PNG({ width: 4, height: 4 });
  png.data.fill(200);
  return PNG.sync.write(png);
}

describe.each(implementations)('evidence orphan sweep: $name', (impl) => {
  const data = tempDir('orphans');
  const store = new DiskAttachmentStore(path.join(data.dir, 'evidence'));
  const file = (key: string) => path.join(store.root, ...key.split('/'));
  const age = (key: string, ms: number) => {
    const at = new Date(NOW.getTime() - ms);
    utimesSync(file(key), at, at);
  };
  let db: Db;
  let drop: () => Promise<void>;
  let saved: Attachment & { storageKey: string };

  beforeAll(async () => {
    if (!impl.available) return;
    ({ db, drop } = await impl.open());
    await migrate(db);
    const [incident] = await db.query<{ id: string }>(
      "INSERT INTO incidents (title, state, level, opened_at, updated_at) VALUES ('井盖破损', 'reported', 3, $1, $1) RETURNING id::text AS id", [NOW]);
    const attachment = await saveAttachment(db, store, {
      incidentId: incident!.id, bytes: smallPng(), declaredType: 'image/png', fileName: 'scene.png', note: null, location: null,
      uploader: { userId: 'li', name: '调度 李', orgId: null, orgKind: null, roles: [] }, at: NOW,
    });
    const [row] = await db.query<{ storage_key: string }>('SELECT storage_key FROM incident_attachments WHERE id = $1', [attachment.id]);
    saved = { ...attachment, storageKey: row!.storage_key };
    const oldOrphan = `incidents/${incident!.id}/0b1c6a52-crash-between-file-and-row`;
    await store.put(oldOrphan, Buffer.from('orphan'));
    await store.put(`${oldOrphan}-thumbnail.jpg`, Buffer.from('orphan thumbnail'));
    await store.put(`incidents/${incident!.id}/young-orphan`, Buffer.from('in flight'));
    await store.put(`incidents/${incident!.id}/cut-off.partial`, Buffer.from('half'));
    const old = ORPHAN_GRACE_MS + 60_000;
    for (const key of [saved.storageKey, `${saved.storageKey}-thumbnail.jpg`, oldOrphan, `${oldOrphan}-thumbnail.jpg`, `incidents/${incident!.id}/cut-off.partial`]) age(key, old);
    age(`incidents/${incident!.id}/young-orphan`, ORPHAN_GRACE_MS - 60_000);
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
    data.remove();
  });

  it.skipIf(!impl.available)('removes old files no row names and keeps the rest', async () => {
    expect(saved.hasThumbnail).toBe(true);
    const removed = await sweepOrphanFiles(db, store, NOW);
    const incident = saved.incidentId;
    expect(removed.sort()).toEqual([
      `incidents/${incident}/0b1c6a52-crash-between-file-and-row`,
      `incidents/${incident}/0b1c6a52-crash-between-file-and-row-thumbnail.jpg`,
      `incidents/${incident}/cut-off.partial`,
    ]);
    for (const key of removed) expect(existsSync(file(key))).toBe(false);
    expect(await store.get(saved.storageKey)).toEqual(smallPng());
    expect(existsSync(file(`${saved.storageKey}-thumbnail.jpg`))).toBe(true);
    expect(existsSync(file(`incidents/${incident}/young-orphan`))).toBe(true);
    // Nothing left to remove on a second pass; an hour later the young orphan is old enough.
    expect(await sweepOrphanFiles(db, store, NOW)).toEqual([]);
    expect(await sweepOrphanFiles(db, store, new Date(NOW.getTime() + 2 * 60_000))).toEqual([`incidents/${incident}/young-orphan`]);
  });

  it.skipIf(!impl.available)('finds nothing in a store that was never written', async () => {
    const empty = new DiskAttachmentStore(path.join(data.dir, 'never-written'));
    expect(await sweepOrphanFiles(db, empty, NOW)).toEqual([]);
  });
});
