// Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): citizens and 12345 systems report
// without accounts and follow their case. Reads and the service list are public; POST is public
// too, limited per client address (an API client with a token — a 12345 system — is not limited).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { createIncident, listIncidents, SYSTEM_ACTOR } from '../incidents/index.ts';
import { listOpen311Requests, open311Services, serviceByCode } from '../incidents/open311.ts';
import { nearestAsset } from './incident-routes.ts';
import type { ApiContext } from './routes.ts';

/** Reports one address may file per window. */
export const OPEN311_POSTS_PER_WINDOW = 10;
export const OPEN311_WINDOW_MS = 10 * 60_000;

const error = (reply: FastifyReply, code: number, description: string) => reply.code(code).send([{ code, description }]);

const text = (max: number) => z.string().trim().max(max).optional().transform((v) => (v === '' ? undefined : v));
const coordinate = (min: number, max: number) => z.union([z.number(), z.string().trim().min(1)]).optional()
  .transform((v) => (v === undefined ? undefined : Number(v)))
  .refine((v) => v === undefined || (Number.isFinite(v) && v >= min && v <= max), { message: `must be a number between ${min} and ${max}` });

const requestBody = z.object({
  service_code: z.string().trim().min(1).max(50),
  lat: coordinate(-90, 90),
  long: coordinate(-180, 180),
  address_string: text(500),
  description: text(4000),
  email: text(200),
  first_name: text(100),
  last_name: text(100),
  phone: text(50),
  device_id: text(100),
  account_id: text(100),
  media_url: text(1000),
}).refine((b) => (b.lat !== undefined && b.long !== undefined) || b.address_string !== undefined, {
  message: 'a location is required: lat and long, or address_string', path: ['lat'],
});

const listQuery = z.object({
  service_request_id: z.string().max(2000).optional(),
  service_code: z.string().max(50).optional(),
  status: z.string().max(20).optional(),
  start_date: z.iso.datetime({ offset: true }).optional(),
  end_date: z.iso.datetime({ offset: true }).optional(),
});

/** Sliding-window count of reports per client address, in memory, per process. */
class PostLimiter {
  private byAddress = new Map<string, number[]>();
  constructor(private readonly max: number, private readonly windowMs: number) {}
  /** Seconds to wait, or 0 when this post may go ahead (and is counted). */
  take(address: string, now: number): number {
    const recent = (this.byAddress.get(address) ?? []).filter((t) => t > now - this.windowMs);
    if (recent.length >= this.max) return Math.ceil((recent[0]! + this.windowMs - now) / 1000);
    recent.push(now);
    this.byAddress.set(address, recent);
    if (this.byAddress.size > 10_000) for (const [k, v] of this.byAddress) if (v.every((t) => t <= now - this.windowMs)) this.byAddress.delete(k);
    return 0;
  }
}

function hasToken(request: FastifyRequest): boolean {
  const principal = (request as unknown as { principal?: { via?: string } | null }).principal;
  return principal !== undefined && principal !== null && principal.via !== undefined && principal.via !== 'off';
}

export function registerOpen311Routes(app: FastifyInstance, ctx: ApiContext): void {
  const limiter = new PostLimiter(OPEN311_POSTS_PER_WINDOW, OPEN311_WINDOW_MS);
  const publicRoute = { config: { access: 'public' as const } };

  void app.register(async (open311) => {
    // GeoReport clients post forms; parsed here only, the rest of the API stays JSON.
    open311.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    open311.get('/open311/v2/services.json', publicRoute, async () => open311Services());

    open311.post('/open311/v2/requests.json', publicRoute, async (request, reply) => {
      const body = requestBody.safeParse(request.body ?? {});
      if (!body.success) return error(reply, 400, body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
      const b = body.data;
      const service = serviceByCode(b.service_code);
      if (!service) return error(reply, 404, `service_code ${b.service_code} is not offered (see services.json)`);
      if (!hasToken(request)) {
        const wait = limiter.take(request.ip, Date.now());
        if (wait > 0) {
          void reply.header('retry-after', String(wait));
          return error(reply, 429, `too many reports from this address: try again in ${wait} s`);
        }
      }
      const location = b.lat !== undefined && b.long !== undefined ? { lon: b.long, lat: b.lat } : null;
      const near = location ? await nearestAsset(ctx, location, service.network ?? undefined) : null;
      const reporter = Object.fromEntries(Object.entries({
        email: b.email, first_name: b.first_name, last_name: b.last_name, phone: b.phone, device_id: b.device_id, account_id: b.account_id,
        media_url: b.media_url,
      }).filter(([, v]) => v !== undefined)) as Record<string, string>;
      const title = `${service.zh} · ${b.address_string ?? (location ? `${location.lat.toFixed(5)}, ${location.lon.toFixed(5)}` : '')}`;
      const id = await ctx.db.transaction((tx) => createIncident(tx, {
        kind: 'citizen', title, description: b.description ?? null, level: service.level, assetId: near?.id ?? null, ownerId: near?.ownerId ?? null,
        location, address: b.address_string ?? null, serviceCode: service.code, reporter,
      }, { ...SYSTEM_ACTOR, userId: 'open311', name: 'Open311 (12345)', roles: [] }, ctx.clock()));
      const incidents = await listIncidents(ctx.db, { ids: [id] });
      ctx.bus.publish({ type: 'incidents', incidents });
      return reply.code(201).send([{ service_request_id: id, service_notice: 'received: the monitoring centre will verify it', account_id: b.account_id ?? null }]);
    });

    open311.get('/open311/v2/requests.json', publicRoute, async (request, reply) => {
      const query = listQuery.safeParse(request.query);
      if (!query.success) return error(reply, 400, query.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const q = query.data;
      const ids = q.service_request_id?.split(',').map((s) => s.trim()).filter(Boolean);
      if (ids?.some((id) => !/^\d{1,18}$/.test(id))) return error(reply, 400, 'service_request_id: comma-separated numbers');
      if (q.status !== undefined && q.status !== 'open' && q.status !== 'closed') return error(reply, 400, 'status: open or closed');
      // Without ids or dates: the last 90 days, as the specification suggests.
      const start = q.start_date ? new Date(q.start_date) : ids ? undefined : new Date(ctx.clock().getTime() - 90 * 86_400_000);
      return listOpen311Requests(ctx.db, {
        ids, serviceCode: q.service_code, status: q.status, start, end: q.end_date ? new Date(q.end_date) : undefined,
      });
    });

    open311.get<{ Params: { file: string } }>('/open311/v2/requests/:file', publicRoute, async (request, reply) => {
      const match = /^(\d{1,18})\.json$/.exec(request.params.file);
      if (!match) return error(reply, 404, `no request ${request.params.file} (ask for /open311/v2/requests/<id>.json)`);
      const found = await listOpen311Requests(ctx.db, { ids: [match[1]!] });
      if (found.length === 0) return error(reply, 404, `service request ${match[1]} does not exist`);
      return found;
    });
  });
}
