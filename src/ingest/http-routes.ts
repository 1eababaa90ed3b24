import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SensorRegistry } from '../network/index.ts';
import type { Db } from '../store/index.ts';
import { scopeOwner } from '../api/access.ts';
import type { AuthCounters } from './auth-counters.ts';
import { decodeUplink, type Uplink } from './codec.ts';
import type { DeviceAuthMode } from './config.ts';
import type { DeviceCredentials, PrincipalKind } from './credentials.ts';
import { countDeadLetters, listDeadLetters } from './dead-letters.ts';
import type { IngestPipeline, UplinkSink } from './pipeline.ts';

export interface IngestApi {
  pipeline: IngestPipeline;
  /** Where HTTP uplinks go when not straight to `pipeline`: the ingest stream (INGEST_STREAM=jetstream), which answers once it has stored them. */
  sink?: UplinkSink;
  credentials: DeviceCredentials;
  counters: AuthCounters;
  deviceAuth: DeviceAuthMode;
}

/** Largest HTTP batch accepted: a gateway's few thousand readings fit; more gets 413. */
export const MAX_INGEST_BODY_BYTES = 1024 * 1024;

/** The answer to an HTTP batch: 200 all stored, 207 some rejected, 400 none stored. */
export interface IngestResultDto {
  accepted: number;
  rejected: number;
  rejections: { item: string | null; deviceId: string | null; code: string; reason: string }[];
}

const deadLetterQuery = z.object({
  deviceId: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

function invalid(error: z.ZodError): { error: string } {
  return { error: error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ') };
}

/**
 * Dead letters and ingest counters for operators, and HTTP batch ingestion for devices and
 * gateways. The ingestion routes are public to the user gate: the sender is authenticated here,
 * by its own secret (`Authorization: Bearer`), before the body is read.
 */
export function registerIngestRoutes(app: FastifyInstance, ctx: { db: Db; sensors: SensorRegistry; ingest: IngestApi }): void {
  const userRoute = { config: { access: 'authenticated' as const } };
  const { credentials, counters, deviceAuth } = ctx.ingest;
  const sink = ctx.ingest.sink ?? ctx.ingest.pipeline;
  /** Owner scoping: the devices an owner unit's user may see (those with a sensor on its assets); null = all. */
  const ownDevices = (request: FastifyRequest): Set<string> | null => {
    const owner = scopeOwner(request);
    return owner === null ? null : new Set(ctx.sensors.all().filter((s) => s.ownerId === owner).map((s) => s.deviceId));
  };

  app.get('/api/dead-letters', userRoute, async (request, reply) => {
    const query = deadLetterQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send(invalid(query.error));
    const own = ownDevices(request);
    return listDeadLetters(ctx.db, own === null ? query.data : { ...query.data, deviceIds: [...own] });
  });

  // Whole-platform ingest figures (refused logins of every device, the pipeline) are the centre's, not an owner unit's.
  const centreRoute = { config: { access: { roles: ['admin', 'centre_operator', 'bureau_supervisor'] as const } } };
  app.get('/api/ingest/stats', centreRoute, async () => ({
    auth: counters.snapshot(),
    pipeline: ctx.ingest.pipeline.stats(),
    deadLetters: await countDeadLetters(ctx.db),
  }));

  app.get<{ Params: { id: string } }>('/api/ingest/devices/:id/stats', userRoute, async (request, reply) => {
    const { id } = request.params;
    if (ownDevices(request)?.has(id) === false) return reply.code(404).send({ error: `device ${id} does not exist` });
    const [deadLetters] = await countDeadLetters(ctx.db, id);
    return {
      deviceId: id,
      registered: ctx.sensors.hasDevice(id),
      hasCredentials: credentials.principal(id)?.kind === 'device',
      deadLetters: deadLetters ?? { deviceId: id, total: 0, byCode: {}, lastAt: null },
      auth: counters.snapshot(id),
    };
  });

  const authenticate = (kind: PrincipalKind) => async (request: FastifyRequest, reply: FastifyReply) => {
    if (deviceAuth === 'off') return;
    const { id } = request.params as { id: string };
    const refuse = (reason: 'missing_credentials' | 'unknown_principal' | 'wrong_secret', error: string) => {
      counters.record({ transport: 'http', reason, principal: id, detail: `${request.method} ${request.url} from ${request.ip}` });
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error });
    };
    const token = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token) return refuse('missing_credentials', `missing credentials: send "Authorization: Bearer <secret of ${kind} ${id}>"`);
    const result = await credentials.verify(id, token);
    if (result === 'wrong_secret') return refuse('wrong_secret', `wrong secret for ${kind} '${id}'`);
    if (result === 'unknown_principal' || result.kind !== kind) return refuse('unknown_principal', `unknown ${kind} '${id}'`);
  };

  const ingest = (kind: PrincipalKind) => async (request: FastifyRequest, reply: FastifyReply) => {
    const { id } = request.params as { id: string };
    // Past the high-water mark HTTP senders are asked to come back later, before any work is done for them.
    if (sink.overloaded) return reply.code(503).header('retry-after', '5').send({ error: 'ingest is overloaded: not stored, try again' });
    const base = { source: `http:${request.url}`, payload: typeof request.body === 'string' ? request.body : '', receivedAt: new Date() };
    const uplink: Uplink = kind === 'device'
      ? { ...base, deviceId: id }
      : { ...base, gateway: { id, mayReport: (deviceId) => deviceAuth === 'off' || credentials.mayReport(id, deviceId) } };
    // Decoding is pure, so this is what the pipeline will decide; it answers the sender item by item.
    const decoded = decodeUplink(uplink, ctx.sensors);
    try {
      await sink.submit(uplink);
    } catch (error) {
      request.log.error({ err: error }, 'HTTP ingest not committed');
      return reply.code(503).header('retry-after', '5').send({ error: 'not stored, try again' });
    }
    const result: IngestResultDto = {
      accepted: decoded.readings.length,
      rejected: decoded.rejections.length,
      rejections: decoded.rejections.map((r) => ({ item: r.item ?? null, deviceId: r.deviceId, code: r.code, reason: r.reason })),
    };
    return reply.code(result.rejected === 0 ? 200 : result.accepted > 0 ? 207 : 400).send(result);
  };

  // Own scope: the raw body is kept as text, so a rejected batch goes to the dead letters as sent.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_INGEST_BODY_BYTES }, (_request, body, done) => done(null, body));
    const publicRoute = (kind: PrincipalKind) => ({ config: { access: 'public' as const }, onRequest: authenticate(kind), bodyLimit: MAX_INGEST_BODY_BYTES });
    scope.post('/api/ingest/devices/:id', publicRoute('device'), ingest('device'));
    scope.post('/api/ingest/gateways/:id', publicRoute('gateway'), ingest('gateway'));
  });
}
