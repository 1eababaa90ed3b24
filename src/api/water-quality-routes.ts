import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { classifyDays, GB3838_LIMITS, type DailyMean, type Waterbody } from '../drainage/index.ts';
import { readSeries } from '../store/index.ts';
import { scopeOwner } from './access.ts';
import type { ApiContext } from './routes.ts';

const DAY_MS = 86_400_000;
const classesQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  waterbody: z.enum(['river', 'lake']).optional(),
});

/** The local date (YYYY-MM-DD) of an instant in the deployment's zone. */
const localDate = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));

/**
 * Water environment: GB 3838-2002 classes of a monitoring station per day, from the day
 * rollups of its sensors (the daily means), in the deployment's time zone.
 */
export function registerWaterQualityRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const userRoute = { config: { access: 'authenticated' as const } };

  app.get<{ Params: { assetId: string } }>('/api/water-quality/stations/:assetId/classes', userRoute, async (request, reply) => {
    const { assetId } = request.params;
    const query = classesQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send({ error: query.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    const owner = scopeOwner(request);
    const [asset] = await ctx.db.query<{ owner_id: string; waterbody: string | null }>(
      `SELECT owner_id, attributes->>'waterbody' AS waterbody FROM assets WHERE id = $1`, [assetId],
    );
    // Another unit's station answers 404 exactly as a missing one does.
    if (!asset || (owner !== null && asset.owner_id !== owner)) return reply.code(404).send({ error: `station ${assetId} does not exist` });
    const to = query.data.to ? new Date(query.data.to) : ctx.clock();
    const from = query.data.from ? new Date(query.data.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (to <= from) return reply.code(400).send({ error: 'to: must be after from' });
    if (to.getTime() - from.getTime() > 1100 * DAY_MS) return reply.code(400).send({ error: 'from–to: at most 1100 days' });
    const waterbody: Waterbody = query.data.waterbody ?? (asset.waterbody === 'lake' || asset.waterbody === 'reservoir' ? 'lake' : 'river');
    // One sensor per indicator GB 3838 classes (the first by id when a station has two).
    const sensors = ctx.sensors.all()
      .filter((s) => s.assetId === assetId && s.indicator in GB3838_LIMITS && !(GB3838_LIMITS[s.indicator]!.lakeOnly && waterbody !== 'lake'))
      .sort((a, b) => a.id.localeCompare(b.id))
      .filter((s, i, all) => all.findIndex((o) => o.indicator === s.indicator) === i);
    const means: DailyMean[] = [];
    for (const sensor of sensors) {
      const points = await readSeries(ctx.db, sensor.id, from, to, '1d', ctx.timeZone, ctx.clock());
      for (const p of points) means.push({ date: localDate(p.ts, ctx.timeZone), start: p.ts, indicator: sensor.indicator, mean: p.avg });
    }
    return {
      assetId, waterbody, from: from.toISOString(), to: to.toISOString(), timeZone: ctx.timeZone,
      standard: 'GB 3838-2002, table 1; single-factor evaluation, the worst item decides; a value equal to a limit meets it',
      sensors: sensors.map((s) => ({ sensorId: s.id, indicator: s.indicator, unit: s.unit })),
      days: classifyDays(means, { waterbody }).map(({ date, start, means: dayMeans, class: dayClass, limiting, items }) => ({
        date, start, class: dayClass, limiting, items, means: dayMeans,
      })),
    };
  });
}
