// HTTP routes of the inspection register: campaigns, inspection records by segment, area or
// campaign, defects, and the validate-first import. Owner units see and import only their own
// segments' records; another unit's record answers 404 as a missing one does.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { scopeOwner } from '../../api/access.ts';
import type { ApiContext } from '../../api/routes.ts';
import { DEFECT_CODES, DEFECT_TYPES, REGION_CLASSES, REGION_K, SOIL_CLASSES, SOIL_T } from './grading.ts';
import { importInspections } from './import.ts';
import { createCampaign, listCampaigns, listDefects, listInspections } from './repository.ts';
import { INSPECTION_METHODS, InspectionError } from './types.ts';

/** Who may create campaigns and import inspection files. */
export const INSPECTION_WRITERS = ['admin', 'centre_operator', 'bureau_supervisor', 'owner_dispatcher'] as const;

const id = z.string().regex(/^[A-Za-z0-9_.:-]{1,80}$/, 'letters, digits and _.:- (1–80)');
const day = z.iso.date();
const campaignBody = z.object({
  id, name: z.string().trim().min(1).max(200), method: z.enum(INSPECTION_METHODS),
  areaId: z.string().max(80).nullish(), contractor: z.string().max(200).nullish(), ownerId: z.string().max(80).nullish(),
  startedOn: day.nullish(), endedOn: day.nullish(),
});
const importBody = z.object({
  campaignId: id,
  /** The export as CSV text, or an .xlsx workbook in base64. */
  csv: z.string().min(1).optional(),
  xlsxBase64: z.string().min(1).optional(),
  fileName: z.string().max(200).default('upload'),
  campaign: campaignBody.omit({ id: true }).optional(),
}).refine((b) => (b.csv === undefined) !== (b.xlsxBase64 === undefined), { path: ['csv'], message: 'give the export as csv (text) or xlsxBase64, one of them' });
const listQuery = z.object({
  campaign: z.string().max(80).optional(), segment: z.string().max(80).optional(), area: z.string().max(80).optional(),
  limit: z.coerce.number().int().min(1).max(5000).optional(),
});
const defectQuery = z.object({
  campaign: z.string().max(80).optional(), code: z.enum(DEFECT_CODES as [string, ...string[]]).optional(),
  kind: z.enum(['structural', 'functional']).optional(), minGrade: z.coerce.number().int().min(1).max(4).optional(),
  limit: z.coerce.number().int().min(1).max(5000).optional(),
});

const invalid = (error: z.ZodError) => ({ error: error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
const STATUS = { not_found: 404, invalid: 400, conflict: 409 } as const;
function fail(reply: FastifyReply, error: unknown) {
  if (error instanceof InspectionError) return reply.code(STATUS[error.code]).send({ error: error.message });
  throw error;
}

export function registerInspectionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const userRoute = { config: { access: 'authenticated' as const } };
  const writerRoute = { config: { access: { roles: INSPECTION_WRITERS } } };

  app.get('/api/inspections/codes', userRoute, async () => ({
    standard: 'CJJ 181-2012',
    defects: Object.values(DEFECT_TYPES),
    methods: INSPECTION_METHODS,
    regions: REGION_CLASSES.map((r) => ({ id: r, K: REGION_K[r] })),
    soils: SOIL_CLASSES.map((s) => ({ id: s, T: SOIL_T[s] })),
  }));

  app.get('/api/inspections/campaigns', userRoute, async (request) => listCampaigns(ctx.db, scopeOwner(request)));

  app.get<{ Params: { id: string } }>('/api/inspections/campaigns/:id', userRoute, async (request, reply) => {
    const [campaign] = await listCampaigns(ctx.db, scopeOwner(request), request.params.id);
    if (!campaign) return reply.code(404).send({ error: `campaign ${request.params.id} does not exist` });
    return campaign;
  });

  app.post('/api/inspections/campaigns', writerRoute, async (request, reply) => {
    const body = campaignBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send(invalid(body.error));
    const owner = scopeOwner(request);
    if (owner !== null && body.data.ownerId && body.data.ownerId !== owner) return reply.code(403).send({ error: `ownerId: an owner unit commissions campaigns for itself (${owner}) only` });
    try {
      const campaign = await ctx.db.transaction((tx) => createCampaign(tx, { ...body.data, ownerId: owner ?? body.data.ownerId ?? null }));
      return reply.code(201).send(campaign);
    } catch (error) {
      return fail(reply, error);
    }
  });

  app.get('/api/inspections', userRoute, async (request, reply) => {
    const query = listQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send(invalid(query.error));
    const q = query.data;
    return listInspections(ctx.db, {
      ownerId: scopeOwner(request), ...(q.campaign ? { campaignId: q.campaign } : {}), ...(q.segment ? { segmentId: q.segment } : {}),
      ...(q.area ? { areaId: q.area } : {}), ...(q.limit ? { limit: q.limit } : {}),
    });
  });

  app.get('/api/inspections/defects', userRoute, async (request, reply) => {
    const query = defectQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send(invalid(query.error));
    const q = query.data;
    return listDefects(ctx.db, {
      ownerId: scopeOwner(request), ...(q.campaign ? { campaignId: q.campaign } : {}), ...(q.code ? { code: q.code as (typeof DEFECT_CODES)[number] } : {}),
      ...(q.kind ? { kind: q.kind } : {}), ...(q.minGrade ? { minGrade: q.minGrade } : {}), ...(q.limit ? { limit: q.limit } : {}),
    });
  });

  app.get<{ Params: { id: string } }>('/api/inspections/:id', userRoute, async (request, reply) => {
    const inspectionId = request.params.id;
    const [inspection] = /^\d{1,18}$/.test(inspectionId) ? await listInspections(ctx.db, { ids: [inspectionId], ownerId: scopeOwner(request) }) : [];
    if (!inspection) return reply.code(404).send({ error: `inspection ${inspectionId} does not exist` });
    return inspection;
  });

  // Inspection exports run to thousands of rows: a larger body than the default 1 MB.
  app.post('/api/inspections/import', { ...writerRoute, bodyLimit: 32 * 1024 * 1024 }, async (request, reply) => {
    const body = importBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send(invalid(body.error));
    const b = body.data;
    const owner = scopeOwner(request);
    try {
      const report = await importInspections(ctx.db, {
        ...(b.xlsxBase64 ? { xlsx: Buffer.from(b.xlsxBase64, 'base64') } : { text: b.csv! }), fileName: b.fileName, campaignId: b.campaignId, ownerScope: owner,
        ...(b.campaign ? { newCampaign: { ...b.campaign, ownerId: owner ?? b.campaign.ownerId ?? null } } : {}),
      });
      return reply.code(report.written ? 201 : 422).send(report);
    } catch (error) {
      return fail(reply, error);
    }
  });
}
