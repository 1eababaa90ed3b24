// Evidence routes: upload a photo or file to an incident (the raw bytes as the body, described by
// its Content-Type; the location stamp and note in the query), list, download, thumbnail. An
// owner unit reaches only its own incidents' attachments; another unit's answer 404 as missing
// ones do. Every refusal says why and is logged; a refused upload stores nothing.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ownerScopeOf } from '../auth/index.ts';
import type { Actor } from '../incidents/index.ts';
import type { Queryable } from '../store/index.ts';
import { MAX_ATTACHMENT_BYTES } from './media.ts';
import { EvidenceError, findAttachment, listAttachments, saveAttachment } from './repository.ts';
import type { AttachmentStore } from './store.ts';

export interface EvidenceRoutesOptions {
  db: Queryable;
  store: AttachmentStore;
  clock: () => Date;
  maxBytes?: number;
}

const uploadQuery = z.object({
  fileName: z.string().trim().min(1).max(200).optional(),
  note: z.string().trim().min(1).max(2000).optional(),
  lon: z.coerce.number().min(-180).max(180).optional(),
  lat: z.coerce.number().min(-90).max(90).optional(),
  accuracy: z.coerce.number().min(0).max(100_000).optional(),
  takenAt: z.iso.datetime({ offset: true }).optional(),
}).refine((q) => (q.lon === undefined) === (q.lat === undefined), { message: 'give both lon and lat, or neither', path: ['lon'] });

function invalid(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ');
}

function actorOf(request: FastifyRequest): Actor {
  const p = request.principal!;
  return { userId: p.userId, name: p.name, orgId: p.orgId, orgKind: p.orgKind, roles: p.roles };
}

/** RFC 6266 filename for Content-Disposition: an ASCII fallback and the UTF-8 name. */
function disposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function registerEvidenceRoutes(app: FastifyInstance, options: EvidenceRoutesOptions): void {
  const { db, store } = options;
  const maxBytes = options.maxBytes ?? MAX_ATTACHMENT_BYTES;
  const userRoute = { config: { access: 'authenticated' as const } };

  const visible = async (request: FastifyRequest, id: string): Promise<boolean> => {
    if (!/^\d{1,18}$/.test(id)) return false;
    const [row] = await db.query<{ owner_id: string | null }>('SELECT owner_id FROM incidents WHERE id = $1', [id]);
    const scope = ownerScopeOf(request.principal);
    return row !== undefined && (scope === null || row.owner_id === scope);
  };
  const refuse = (request: FastifyRequest, reply: FastifyReply, status: number, reason: string) => {
    request.log.warn({ incident: (request.params as { id?: string }).id, user: request.principal?.userId, status, reason }, 'attachment refused');
    return reply.code(status).send({ error: reason });
  };

  // Uploads take any body as raw bytes (the content decides what it is), in a scope of their own
  // so the rest of the API keeps its JSON parser.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) => done(null, body));
    scope.setErrorHandler((error: Error & { code?: string; statusCode?: number }, request, reply) => {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return refuse(request, reply, 413, `the file is larger than the limit of ${maxBytes} bytes`);
      const status = error.statusCode ?? 500;
      if (status >= 500) {
        request.log.error({ err: error }, 'request failed');
        return reply.code(500).send({ error: 'internal error' });
      }
      return refuse(request, reply, status, error.message);
    });

    scope.post<{ Params: { id: string } }>('/api/incidents/:id/attachments', userRoute, async (request, reply) => {
      const id = request.params.id;
      if (!(await visible(request, id))) return refuse(request, reply, 404, `incident ${id} does not exist`);
      const query = uploadQuery.safeParse(request.query);
      if (!query.success) return refuse(request, reply, 400, invalid(query.error));
      const q = query.data;
      const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      try {
        const attachment = await saveAttachment(db, store, {
          incidentId: id, bytes, declaredType: request.headers['content-type'], fileName: q.fileName ?? null, note: q.note ?? null,
          location: q.lon !== undefined && q.lat !== undefined ? { lon: q.lon, lat: q.lat, accuracy: q.accuracy ?? null, takenAt: q.takenAt ?? null } : null,
          uploader: actorOf(request), at: options.clock(), maxBytes,
        });
        request.log.info({ incident: id, attachment: attachment.id, sha256: attachment.sha256, size: attachment.size }, 'attachment stored');
        return reply.code(201).send(attachment);
      } catch (error) {
        if (error instanceof EvidenceError) return refuse(request, reply, error.status, error.message);
        throw error;
      }
    });
  });

  app.get<{ Params: { id: string } }>('/api/incidents/:id/attachments', userRoute, async (request, reply) => {
    const id = request.params.id;
    if (!(await visible(request, id))) return refuse(request, reply, 404, `incident ${id} does not exist`);
    return listAttachments(db, id);
  });

  const send = async (request: FastifyRequest<{ Params: { id: string; attachmentId: string } }>, reply: FastifyReply, which: 'original' | 'thumbnail') => {
    const { id, attachmentId } = request.params;
    if (!(await visible(request, id))) return refuse(request, reply, 404, `incident ${id} does not exist`);
    const attachment = await findAttachment(db, id, attachmentId);
    if (!attachment) return refuse(request, reply, 404, `incident ${id} has no attachment ${attachmentId}`);
    // A WebP photo has no thumbnail of its own (no pure-JS decoder): the browser scales the original.
    const useThumbnail = which === 'thumbnail' && attachment.thumbnailKey !== null;
    if (which === 'thumbnail' && !useThumbnail && !attachment.mediaType.startsWith('image/')) {
      return refuse(request, reply, 404, `a ${attachment.mediaType} attachment has no thumbnail`);
    }
    const bytes = await store.get(useThumbnail ? attachment.thumbnailKey! : attachment.storageKey);
    if (!bytes) {
      request.log.error({ incident: id, attachment: attachmentId }, 'attachment file missing from the store');
      return reply.code(500).send({ error: `the file of attachment ${attachmentId} is missing from the store` });
    }
    if (!useThumbnail && createHash('sha256').update(bytes).digest('hex') !== attachment.sha256) {
      request.log.error({ incident: id, attachment: attachmentId }, 'attachment file does not match its SHA-256');
      return reply.code(500).send({ error: `the stored file of attachment ${attachmentId} does not match its SHA-256` });
    }
    const name = attachment.fileName ?? `attachment-${attachment.id}`;
    return reply
      .type(useThumbnail ? 'image/jpeg' : attachment.mediaType)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; img-src 'self'; sandbox")
      .header('cache-control', 'private, max-age=86400, immutable')
      .header('x-content-sha256', attachment.sha256)
      .header('content-disposition', disposition(attachment.mediaType === 'application/pdf' && which === 'original' ? 'attachment' : 'inline', useThumbnail ? `thumbnail-${name}.jpg` : name))
      .send(bytes);
  };

  app.get<{ Params: { id: string; attachmentId: string } }>('/api/incidents/:id/attachments/:attachmentId', userRoute, (request, reply) => send(request, reply, 'original'));
  app.get<{ Params: { id: string; attachmentId: string } }>('/api/incidents/:id/attachments/:attachmentId/thumbnail', userRoute, (request, reply) => send(request, reply, 'thumbnail'));
}
