// The SLA table (deadlines per incident type, level and stage): read by everyone logged in,
// changed by an admin or the bureau supervisor as a new version. Incidents already open keep the
// version they started with (src/incidents/sla.ts).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  currentSlaVersion, INCIDENT_TYPE_NAMES, INCIDENT_TYPES, listSlaVersions, saveSlaVersion, SlaConflictError, slaTableSchema,
} from '../incidents/index.ts';
import type { ApiContext } from './routes.ts';

const slaBody = slaTableSchema.extend({ note: z.string().trim().max(500).optional() });

export function registerSlaRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/api/incidents/sla', { config: { access: 'authenticated' } }, async () => ({
    current: await currentSlaVersion(ctx.db),
    versions: (await listSlaVersions(ctx.db)).map(({ table: _table, ...meta }) => meta),
    types: INCIDENT_TYPES.map((type) => ({ type, ...INCIDENT_TYPE_NAMES[type] })),
  }));

  app.put('/api/incidents/sla', { config: { access: { roles: ['admin', 'bureau_supervisor'] } } }, async (request, reply) => {
    const body = slaBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send({ error: body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
    const { note, ...table } = body.data;
    try {
      const saved = await saveSlaVersion(ctx.db, table, request.principal?.userId ?? 'anonymous', note ?? null, ctx.clock());
      request.log.info({ version: saved.version, by: request.principal?.userId }, 'SLA version saved');
      return reply.code(201).send(saved);
    } catch (error) {
      if (error instanceof SlaConflictError) return reply.code(409).send({ error: error.message });
      throw error;
    }
  });
}
