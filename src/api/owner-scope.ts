// Owner scoping of the incident routes, applied around them rather than inside them, so it holds
// whatever the incident module's routes are: an owner unit's user reaches only its own
// organisation's incidents. `/api/incidents/:id…` for another unit's incident answers 404
// exactly as a missing one does (its existence does not leak), and is logged; incident lists
// are asked for the user's own organisation and filtered on the way out.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Queryable } from '../store/index.ts';
import { scopeOwner } from './access.ts';

const ONE_INCIDENT = /^\/api\/incidents\/:id(\/|$)/;

export function installIncidentScoping(app: FastifyInstance, db: Queryable): void {
  app.addHook('preHandler', async (request: FastifyRequest, reply) => {
    const owner = scopeOwner(request);
    if (owner === null) return;
    const route = request.routeOptions.url ?? '';
    if (route === '/api/incidents' && request.method === 'GET') {
      (request.query as Record<string, unknown>).owner = owner;
      return;
    }
    if (!ONE_INCIDENT.test(route)) return;
    const id = (request.params as { id?: string }).id ?? '';
    const [row] = /^\d{1,18}$/.test(id) ? await db.query<{ owner_id: string | null }>('SELECT owner_id FROM incidents WHERE id = $1', [id]) : [];
    if (row && row.owner_id === owner) return;
    if (row) request.log.warn({ user: request.principal?.userId, org: owner, incident: id, route: `${request.method} ${route}` }, 'refused: incident of another unit');
    return reply.code(404).send({ error: `incident ${id} does not exist` });
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const owner = scopeOwner(request);
    if (owner === null || request.routeOptions.url !== '/api/incidents' || request.method !== 'GET' || reply.statusCode !== 200 || typeof payload !== 'string') return payload;
    const list = JSON.parse(payload) as unknown;
    if (!Array.isArray(list)) return payload;
    return JSON.stringify(list.filter((i: { ownerId?: string | null }) => i.ownerId === owner));
  });
}
