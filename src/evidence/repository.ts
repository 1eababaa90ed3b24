// Attachments of incidents: photos and files that disposal feedback cites. The bytes go to an
// AttachmentStore, the metadata (who, when, type, size, SHA-256, location stamp) to
// incident_attachments; a disposal transition cites attachments by id and its audit row records
// their SHA-256, so the chain vouches for the very files.
import { createHash, randomUUID } from 'node:crypto';
import type { Actor } from '../incidents/index.ts';
import type { Queryable } from '../store/index.ts';
import { isImage, sniffMediaType, uploadRefusal, type MediaType } from './media.ts';
import type { AttachmentStore } from './store.ts';
import { ImageError, thumbnail } from './thumbnail.ts';

/** Where and when a photo was taken (WGS84), as the uploading device reported it. */
export interface LocationStamp {
  lon: number;
  lat: number;
  /** Metres, as the device's positioning reported it. */
  accuracy: number | null;
  takenAt: string | null;
}

export interface Attachment {
  id: string;
  incidentId: string;
  fileName: string | null;
  mediaType: MediaType;
  size: number;
  sha256: string;
  hasThumbnail: boolean;
  uploadedBy: string;
  uploaderName: string;
  uploaderOrg: string | null;
  uploadedAt: string;
  location: LocationStamp | null;
  note: string | null;
  /** The audit row of the disposal that cited it; null until one does. */
  disposalSeq: number | null;
}

/** A refused upload or citation: the HTTP status and the reason, nothing stored. */
export class EvidenceError extends Error {
  constructor(readonly status: 400 | 404 | 409 | 413 | 415, message: string) {
    super(message);
  }
}

export interface NewAttachment {
  incidentId: string;
  bytes: Buffer;
  /** The request's Content-Type. */
  declaredType: string | undefined;
  fileName: string | null;
  note: string | null;
  location: LocationStamp | null;
  uploader: Actor;
  at: Date;
  maxBytes?: number;
}

interface AttachmentRow {
  id: string; incident_id: string; storage_key: string; thumbnail_key: string | null; file_name: string | null; media_type: MediaType;
  size_bytes: number; sha256: string; uploaded_by: string; uploader_name: string; uploader_org: string | null; uploaded_at: Date;
  lon: number | null; lat: number | null; accuracy_m: number | null; taken_at: Date | null; note: string | null; disposal_seq: number | null;
}

const COLUMNS = `id::text AS id, incident_id::text AS incident_id, storage_key, thumbnail_key, file_name, media_type, size_bytes, sha256,
  uploaded_by, uploader_name, uploader_org, uploaded_at, lon, lat, accuracy_m, taken_at, note, disposal_seq`;

function toAttachment(r: AttachmentRow): Attachment {
  return {
    id: r.id, incidentId: r.incident_id, fileName: r.file_name, mediaType: r.media_type, size: r.size_bytes, sha256: r.sha256,
    hasThumbnail: r.thumbnail_key !== null, uploadedBy: r.uploaded_by, uploaderName: r.uploader_name, uploaderOrg: r.uploader_org,
    uploadedAt: r.uploaded_at.toISOString(),
    location: r.lon !== null && r.lat !== null ? { lon: r.lon, lat: r.lat, accuracy: r.accuracy_m, takenAt: r.taken_at?.toISOString() ?? null } : null,
    note: r.note, disposalSeq: r.disposal_seq,
  };
}

/**
 * Checks and stores one upload: type by its first bytes, size, images must decode (their thumbnail
 * is made now). Throws EvidenceError and stores nothing when refused. The incident's existence
 * and the caller's right to it are the route's to check.
 */
export async function saveAttachment(db: Queryable, store: AttachmentStore, input: NewAttachment): Promise<Attachment> {
  const refused = uploadRefusal(input.bytes, input.declaredType, input.maxBytes);
  if (refused) throw new EvidenceError(refused.status, refused.reason);
  const [incident] = await db.query<{ state: string }>('SELECT state FROM incidents WHERE id = $1', [input.incidentId]);
  if (!incident) throw new EvidenceError(404, `incident ${input.incidentId} does not exist`);
  if (incident.state === 'closed' || incident.state === 'rejected') {
    throw new EvidenceError(409, `incident ${input.incidentId} is ${incident.state}: evidence is added while it is live`);
  }
  const mediaType = sniffMediaType(input.bytes)!;
  let thumb: ReturnType<typeof thumbnail> = null;
  try {
    thumb = isImage(mediaType) ? thumbnail(input.bytes, mediaType) : null;
  } catch (error) {
    if (error instanceof ImageError) throw new EvidenceError(415, error.message);
    throw error;
  }
  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  const key = `incidents/${input.incidentId}/${randomUUID()}`;
  const thumbnailKey = thumb ? `${key}-thumbnail.jpg` : null;
  await store.put(key, input.bytes);
  try {
    if (thumb && thumbnailKey) await store.put(thumbnailKey, thumb.bytes);
    const [row] = await db.query<AttachmentRow & Record<string, unknown>>(
      `INSERT INTO incident_attachments (incident_id, storage_key, thumbnail_key, file_name, media_type, size_bytes, sha256, uploaded_by, uploader_name,
                                         uploader_org, uploaded_at, lon, lat, accuracy_m, taken_at, note)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING ${COLUMNS}`,
      [input.incidentId, key, thumbnailKey, input.fileName, mediaType, input.bytes.length, sha256, input.uploader.userId, input.uploader.name,
        input.uploader.orgId, input.at, input.location?.lon ?? null, input.location?.lat ?? null, input.location?.accuracy ?? null,
        input.location?.takenAt ?? null, input.note],
    );
    return toAttachment(row!);
  } catch (error) {
    await store.delete(key);
    if (thumbnailKey) await store.delete(thumbnailKey);
    throw error;
  }
}

export async function listAttachments(db: Queryable, incidentId: string): Promise<Attachment[]> {
  const rows = await db.query<AttachmentRow & Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM incident_attachments WHERE incident_id = $1 ORDER BY id`, [incidentId],
  );
  return rows.map(toAttachment);
}

/** The attachment with its storage keys; undefined when it is not this incident's. */
export async function findAttachment(db: Queryable, incidentId: string, attachmentId: string): Promise<(Attachment & { storageKey: string; thumbnailKey: string | null }) | undefined> {
  if (!/^\d{1,18}$/.test(attachmentId)) return undefined;
  const [row] = await db.query<AttachmentRow & Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM incident_attachments WHERE incident_id = $1 AND id = $2`, [incidentId, attachmentId],
  );
  return row ? { ...toAttachment(row), storageKey: row.storage_key, thumbnailKey: row.thumbnail_key } : undefined;
}

/** What a disposal's audit row records of each attachment it cites. */
export interface CitedAttachment {
  id: string;
  sha256: string;
  mediaType: MediaType;
  size: number;
  fileName: string | null;
  location: LocationStamp | null;
}

/**
 * The attachments a disposal cites, locked for the transaction: each must be this incident's and
 * not cited by an earlier disposal. Throws EvidenceError (400) naming the first that is not.
 */
export async function citeAttachments(tx: Queryable, incidentId: string, ids: string[]): Promise<CitedAttachment[]> {
  const unique = [...new Set(ids)];
  const rows = await tx.query<AttachmentRow & Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM incident_attachments WHERE id = ANY($1::bigint[]) AND incident_id = $2 ORDER BY id FOR UPDATE`, [unique, incidentId],
  );
  const found = new Map(rows.map((r) => [r.id, toAttachment(r)]));
  for (const id of unique) {
    const attachment = found.get(id);
    if (!attachment) throw new EvidenceError(400, `attachmentIds: attachment ${id} is not one of incident ${incidentId}'s`);
    if (attachment.disposalSeq !== null) throw new EvidenceError(400, `attachmentIds: attachment ${id} was cited by the disposal in audit row ${attachment.disposalSeq}`);
  }
  return unique.map((id) => {
    const a = found.get(id)!;
    return { id: a.id, sha256: a.sha256, mediaType: a.mediaType, size: a.size, fileName: a.fileName, location: a.location };
  });
}

/** Records which audit row (the disposal just appended) cited the attachments. */
export async function markCited(tx: Queryable, incidentId: string, ids: string[]): Promise<void> {
  await tx.query(
    `UPDATE incident_attachments SET disposal_seq = (SELECT audit_seq FROM incidents WHERE id = $1) WHERE incident_id = $1 AND id = ANY($2::bigint[])`,
    [incidentId, ids],
  );
}
