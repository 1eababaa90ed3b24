// The rule catalogue: read by everyone logged in (owner units see overrides of their own sensors
// and assets only); changed by an admin or a centre operator, each change a new version with the
// history kept. The detector's rule book is reloaded after a change, so the next batch uses it.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  alarmTimeline, changeRule, getAlarms, INDICATORS, listAllRules, loadRuleBook, ruleHistory, RuleChangeError, type Rule, type RuleVersion,
} from '../detect/index.ts';
import { scopeOwner } from './access.ts';
import type { ApiContext } from './routes.ts';
import type { AlarmTimelineDto, RuleCatalogueDto, RuleDto } from './rule-dto.ts';

const level = z.number().finite().nullable().optional();
const seconds = z.number().finite().min(0).max(366 * 86_400).optional();
const changeBody = z.object({
  scope: z.enum(['indicator', 'asset_class', 'asset', 'sensor']),
  target: z.string().trim().min(1).max(200).optional(),
  thresholds: z.object({ 1: level, 2: level, 3: level, 4: level }).strict().optional(),
  recovery: z.number().finite().optional(),
  pendingS: seconds, keepFiringS: seconds, deescalateS: seconds, reopenWithinS: seconds,
  windowS: z.number().finite().positive().max(30 * 86_400).optional(),
  tolerance: z.number().finite().min(0).optional(),
  min: z.number().finite().optional(),
  max: z.number().finite().optional(),
  note: z.string().trim().max(500).optional(),
}).strict();

function scopeOf(rule: Rule): Pick<RuleDto, 'scope' | 'target'> {
  if (rule.sensorId) return { scope: 'sensor', target: rule.sensorId };
  if (rule.assetId) return { scope: 'asset', target: rule.assetId };
  if (rule.assetClass) return { scope: 'asset_class', target: rule.assetClass };
  return { scope: 'indicator', target: null };
}

function ruleDto(rule: Rule & { enabled?: boolean }, history: RuleVersion[]): RuleDto {
  const { pendingS, keepFiringS, deescalateS, reopenWithinS, windowS, tolerance, min, max, anomaly, composite } = rule;
  const params = Object.fromEntries(Object.entries({ pendingS, keepFiringS, deescalateS, reopenWithinS, windowS, tolerance, min, max, anomaly, composite })
    .filter(([, v]) => v !== undefined));
  return {
    id: rule.id, name: rule.name, kind: rule.kind ?? 'threshold', category: rule.category ?? 'emergency', indicator: rule.indicator,
    ...scopeOf(rule), baseId: rule.baseId ?? null, direction: rule.direction,
    thresholds: ([1, 2, 3, 4] as const).flatMap((l) => (rule.thresholds[l] === undefined ? [] : [{ level: l, value: rule.thresholds[l]! }])),
    recovery: rule.recovery, params, source: rule.source ?? null, version: rule.version, enabled: rule.enabled ?? true,
    history: history.filter((h) => h.ruleId === rule.id).map(({ ruleId: _ruleId, ...h }) => h),
  };
}

export function registerRuleRoutes(app: FastifyInstance, ctx: ApiContext): void {
  /** Owner units see the catalogue and the overrides of their own sensors and assets. */
  const visible = async (owner: string | null, rules: Rule[]): Promise<Rule[]> => {
    if (owner === null) return rules;
    const assets = new Set((await ctx.db.query<{ id: string }>('SELECT id FROM assets WHERE owner_id = $1', [owner])).map((r) => r.id));
    return rules.filter((r) => (r.sensorId ? ctx.sensors.get(r.sensorId)?.ownerId === owner : r.assetId ? assets.has(r.assetId) : true));
  };

  app.get('/api/rules', { config: { access: 'authenticated' } }, async (request): Promise<RuleCatalogueDto> => {
    const rules = await visible(scopeOwner(request), await listAllRules(ctx.db));
    const history = await ruleHistory(ctx.db, rules.map((r) => r.id));
    return { indicators: INDICATORS, rules: rules.map((r) => ruleDto(r, history)) };
  });

  app.get<{ Params: { id: string } }>('/api/rules/:id', { config: { access: 'authenticated' } }, async (request, reply) => {
    const [rule] = await visible(scopeOwner(request), (await listAllRules(ctx.db)).filter((r) => r.id === request.params.id));
    if (!rule) return reply.code(404).send({ error: `rule ${request.params.id} does not exist` });
    return ruleDto(rule, await ruleHistory(ctx.db, [rule.id]));
  });

  app.post<{ Params: { id: string } }>('/api/rules/:id/versions', { config: { access: { roles: ['admin', 'centre_operator'] } } }, async (request, reply) => {
    const body = changeBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send({ error: body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
    try {
      const saved = await ctx.db.transaction((tx) => changeRule(tx, request.params.id, body.data, request.principal?.userId ?? 'anonymous', ctx.clock()));
      await loadRuleBook(ctx.db, ctx.rules());
      request.log.info({ rule: saved.id, version: saved.version, by: request.principal?.userId }, 'rule changed');
      return reply.code(201).send(ruleDto(saved, await ruleHistory(ctx.db, [saved.id])));
    } catch (error) {
      if (error instanceof RuleChangeError) return reply.code(error.status).send({ error: error.message });
      throw error;
    }
  });

  app.get<{ Params: { id: string } }>('/api/alarms/:id/timeline', { config: { access: 'authenticated' } }, async (request, reply) => {
    const id = request.params.id;
    const [alarm] = /^\d{1,18}$/.test(id) ? await getAlarms(ctx.db, [id]) : [];
    const owner = scopeOwner(request);
    if (!alarm || (owner !== null && ctx.sensors.get(alarm.sensorId)?.ownerId !== owner)) return reply.code(404).send({ error: `alarm ${id} does not exist` });
    return {
      alarmId: alarm.id, ruleId: alarm.ruleId, ruleVersion: alarm.ruleVersion, category: alarm.category, occurrences: alarm.occurrences,
      events: await alarmTimeline(ctx.db, alarm.id),
    } satisfies AlarmTimelineDto;
  });
}
