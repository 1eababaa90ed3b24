// KPI inputs (plant influent days, served population, which area a plant serves) and the KPI
// report by area and month.
import type { Queryable } from '../../store/index.ts';
import {
  collectionRate, extraneousWater, flowWeightedBod5, kpisByPeriod, monthOf, PER_CAPITA_BOD5_G, type CollectionRate, type ExtraneousWater, type InfluentDay,
} from './formulas.ts';
import { registerKpi, type RegisterFinding, type RegisterKpi } from './register.ts';

export interface AreaNode {
  id: string;
  name: string;
  kind: string;
  parentId: string | null;
}

export async function listAreaNodes(db: Queryable): Promise<AreaNode[]> {
  return (await db.query<{ id: string; name: string; kind: string; parent_id: string | null }>('SELECT id, name, kind, parent_id FROM areas ORDER BY id'))
    .map((r) => ({ id: r.id, name: r.name, kind: r.kind, parentId: r.parent_id }));
}

/** The area and every area below it (zones below their district when their parent says so). */
export function subtree(areas: readonly AreaNode[], rootId: string): Set<string> {
  const ids = new Set([rootId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const a of areas) if (a.parentId && ids.has(a.parentId) && !ids.has(a.id)) ids.add(a.id), (grew = true);
  }
  return ids;
}

export async function upsertInfluentDays(tx: Queryable, days: readonly InfluentDay[], by: string): Promise<void> {
  for (const d of days) {
    await tx.query(
      `INSERT INTO plant_influent_days (plant_id, day, flow_m3, bod5_mg_l, industrial_bod5_kg, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (plant_id, day) DO UPDATE SET flow_m3 = EXCLUDED.flow_m3, bod5_mg_l = EXCLUDED.bod5_mg_l,
         industrial_bod5_kg = EXCLUDED.industrial_bod5_kg, recorded_by = EXCLUDED.recorded_by`,
      [d.plantId, d.day, d.flowM3, d.bod5MgL, d.industrialBod5Kg, by],
    );
  }
}

export async function listInfluentDays(db: Queryable, from: string, to: string, plantIds?: readonly string[]): Promise<InfluentDay[]> {
  const rows = await db.query<{ plant_id: string; day: string; flow_m3: number; bod5_mg_l: number; industrial_bod5_kg: number }>(
    `SELECT plant_id, to_char(day, 'YYYY-MM-DD') AS day, flow_m3, bod5_mg_l, industrial_bod5_kg FROM plant_influent_days
      WHERE day >= $1::date AND day <= $2::date AND ($3::text[] IS NULL OR plant_id = ANY($3::text[])) ORDER BY day, plant_id`,
    [from, to, plantIds ?? null],
  );
  return rows.map((r) => ({ plantId: r.plant_id, day: r.day, flowM3: r.flow_m3, bod5MgL: r.bod5_mg_l, industrialBod5Kg: r.industrial_bod5_kg }));
}

export async function setServedPopulation(tx: Queryable, areaId: string, servedPopulation: number, asOf: string): Promise<void> {
  await tx.query(
    `INSERT INTO area_population (area_id, served_population, as_of) VALUES ($1, $2, $3)
     ON CONFLICT (area_id) DO UPDATE SET served_population = EXCLUDED.served_population, as_of = EXCLUDED.as_of`,
    [areaId, servedPopulation, asOf],
  );
}

export async function setPlantService(tx: Queryable, plantId: string, areaId: string): Promise<void> {
  await tx.query(`INSERT INTO plant_service (plant_id, area_id) VALUES ($1, $2) ON CONFLICT (plant_id) DO UPDATE SET area_id = EXCLUDED.area_id`, [plantId, areaId]);
}

export interface RemediationMonth {
  month: string;
  extraneousWaterM3d: number;
  misconnectionsResolved: number;
  outfallsRemediated: number;
}

export interface AreaKpi {
  areaId: string;
  areaName: string;
  kind: string;
  servedPopulation: number | null;
  populationAsOf: string | null;
  plantIds: string[];
  collection: CollectionRate | null;
  influentBod5MgL: number | null;
  months: {
    month: string;
    collectionRate: number | null;
    collectedKgPerDay: number;
    producedKgPerDay: number;
    influentBod5MgL: number | null;
    influentM3PerDay: number;
    /** Influent less the sewage the served population is expected to discharge (null without population or records). */
    extraneous: ExtraneousWater | null;
  }[];
  /** Extraneous water over the period (null without population or records). */
  extraneous: ExtraneousWater | null;
  /** Misconnections and outfalls from the findings register (findings whose asset lies in the area or an area below it). */
  register: RegisterKpi;
  /** As reported on the remediation projects' progress updates, by the projects' zones. */
  remediation: RemediationMonth[];
  totals: { extraneousWaterM3d: number; misconnectionsResolved: number; outfallsRemediated: number };
}

export interface KpiReport {
  from: string;
  to: string;
  perCapitaBod5G: number;
  areas: AreaKpi[];
}

/**
 * Per area with a served population (and every area a plant serves or that has remediation
 * work): the collection rate and flow-weighted influent BOD5 over the period and per month,
 * from the plants serving the area or an area below it; extraneous water removed,
 * misconnections resolved and outfalls remediated from the remediation progress in its zones.
 */
export async function listRegisterFindings(db: Queryable): Promise<RegisterFinding[]> {
  const rows = await db.query<{ id: string; kind: RegisterFinding['kind']; status: RegisterFinding['status']; asset_id: string | null; asset_type: string | null;
    found_on: string; history: { to: RegisterFinding['status']; at: string }[]; area_ids: string[] }>(
    `SELECT f.id::text AS id, f.kind, f.status, f.asset_id, a.asset_type, to_char(f.found_on, 'YYYY-MM-DD') AS found_on, f.history,
            coalesce((SELECT array_agg(x.area_id ORDER BY x.area_id) FROM asset_areas x WHERE x.asset_id = f.asset_id), '{}') AS area_ids
       FROM drainage_findings f LEFT JOIN assets a ON a.id = f.asset_id ORDER BY f.id`,
  );
  return rows.map((r) => ({
    id: r.id, kind: r.kind, status: r.status, assetId: r.asset_id, assetType: r.asset_type, areaIds: r.area_ids, foundOn: r.found_on,
    history: r.history.map((h) => ({ to: h.to, at: h.at })),
  }));
}

export interface KpiOptions {
  perCapitaG?: number;
  /** Months of the findings' history instants are local months in this zone. */
  timeZone?: string;
}

export async function kpiReport(db: Queryable, from: string, to: string, options: KpiOptions = {}): Promise<KpiReport> {
  const perCapitaG = options.perCapitaG ?? PER_CAPITA_BOD5_G;
  const timeZone = options.timeZone ?? 'UTC';
  const areas = await listAreaNodes(db);
  const population = new Map((await db.query<{ area_id: string; served_population: number; as_of: string }>(
    `SELECT area_id, served_population, to_char(as_of, 'YYYY-MM-DD') AS as_of FROM area_population`,
  )).map((r) => [r.area_id, r]));
  const service = await db.query<{ plant_id: string; area_id: string }>('SELECT plant_id, area_id FROM plant_service ORDER BY plant_id');
  const days = await listInfluentDays(db, from, to);
  const progress = await db.query<{ zone_id: string; month: string; water: number; misconnections: number; outfalls: number }>(
    `SELECT p.zone_id, to_char(g.at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, sum(g.extraneous_water_m3d) AS water,
            sum(g.misconnections_resolved)::int AS misconnections, sum(g.outfalls_remediated)::int AS outfalls
       FROM remediation_progress g JOIN remediation_projects p ON p.id = g.project_id
      WHERE g.at >= $1::date AND g.at < $2::date + 1
      GROUP BY 1, 2 ORDER BY 2`,
    [from, to],
  );
  const findings = await listRegisterFindings(db);
  const withFindings = new Set(findings.flatMap((f) => f.areaIds));
  const relevant = areas.filter((a) => population.has(a.id) || service.some((s) => s.area_id === a.id) || progress.some((p) => p.zone_id === a.id) || withFindings.has(a.id));
  const result: AreaKpi[] = relevant.map((area) => {
    const below = subtree(areas, area.id);
    const plantIds = service.filter((s) => below.has(s.area_id)).map((s) => s.plant_id);
    const own = days.filter((d) => plantIds.includes(d.plantId));
    const pop = population.get(area.id) ?? null;
    const months = pop ? kpisByPeriod(own, pop.served_population, monthOf, perCapitaG) : [];
    const work = new Map<string, RemediationMonth>();
    for (const p of progress.filter((row) => below.has(row.zone_id))) {
      const m = work.get(p.month) ?? { month: p.month, extraneousWaterM3d: 0, misconnectionsResolved: 0, outfallsRemediated: 0 };
      m.extraneousWaterM3d += p.water;
      m.misconnectionsResolved += p.misconnections;
      m.outfallsRemediated += p.outfalls;
      work.set(p.month, m);
    }
    const remediation = [...work.values()].sort((a, b) => a.month.localeCompare(b.month));
    const water = (group: readonly InfluentDay[]) => (pop && group.length > 0 ? extraneousWater(group, pop.served_population) : null);
    return {
      areaId: area.id, areaName: area.name, kind: area.kind,
      servedPopulation: pop?.served_population ?? null, populationAsOf: pop?.as_of ?? null, plantIds,
      collection: pop && own.length > 0 ? collectionRate(own, pop.served_population, perCapitaG) : null,
      influentBod5MgL: flowWeightedBod5(own),
      months: months.map((m) => ({
        month: m.period, collectionRate: m.collection.rate, collectedKgPerDay: m.collection.collectedKgPerDay,
        producedKgPerDay: m.collection.producedKgPerDay, influentBod5MgL: m.influentBod5MgL, influentM3PerDay: m.influentM3PerDay,
        extraneous: water(own.filter((d) => monthOf(d.day) === m.period)),
      })),
      extraneous: water(own),
      register: registerKpi(findings.filter((f) => f.areaIds.some((id) => below.has(id))), from, to, timeZone),
      remediation,
      totals: {
        extraneousWaterM3d: remediation.reduce((s, m) => s + m.extraneousWaterM3d, 0),
        misconnectionsResolved: remediation.reduce((s, m) => s + m.misconnectionsResolved, 0),
        outfallsRemediated: remediation.reduce((s, m) => s + m.outfallsRemediated, 0),
      },
    };
  });
  const order = ['city', 'district', 'block', 'zone'];
  result.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.areaId.localeCompare(b.areaId));
  return { from, to, perCapitaBod5G: perCapitaG, areas: result };
}

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : typeof v === 'number' ? String(Math.round(v * 1e6) / 1e6) : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** One row per area and month (CSV, RFC 4180, UTF-8 with a BOM so spreadsheet programs read the Chinese names). */
export function kpiCsv(report: KpiReport): string {
  const header = ['area_id', 'area_name', 'kind', 'month', 'served_population', 'per_capita_bod5_g', 'collected_bod5_kg_d', 'produced_bod5_kg_d',
    'collection_rate', 'influent_bod5_mg_l', 'influent_m3_d', 'extraneous_water_removed_m3_d', 'misconnections_resolved', 'outfalls_remediated',
    'expected_sewage_m3_d', 'extraneous_water_m3_d', 'register_misconnections_found', 'register_misconnections_resolved', 'register_misconnections_verified',
    'register_outfalls_remediated'];
  const lines = [header.join(',')];
  for (const a of report.areas) {
    const months = [...new Set([...a.months.map((m) => m.month), ...a.remediation.map((m) => m.month), ...a.register.months.map((m) => m.month)])].sort();
    for (const month of months) {
      const k = a.months.find((m) => m.month === month);
      const r = a.remediation.find((m) => m.month === month);
      const g = a.register.months.find((m) => m.month === month);
      lines.push([a.areaId, a.areaName, a.kind, month, a.servedPopulation, report.perCapitaBod5G, k?.collectedKgPerDay, k?.producedKgPerDay,
        k?.collectionRate, k?.influentBod5MgL, k?.influentM3PerDay, r?.extraneousWaterM3d ?? 0, r?.misconnectionsResolved ?? 0, r?.outfallsRemediated ?? 0,
        k?.extraneous?.expectedSewageM3PerDay, k?.extraneous?.extraneousM3PerDay, g?.misconnectionsFound ?? 0, g?.misconnectionsResolved ?? 0,
        g?.misconnectionsVerified ?? 0, g?.outfallsRemediated ?? 0].map(csvCell).join(','));
    }
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export interface KpiInputs {
  areas: (AreaNode & { servedPopulation: number | null; populationAsOf: string | null })[];
  plants: { id: string; name: string | null; ownerId: string; areaId: string | null }[];
}

/** What the KPI input form edits: every area with its served population, every treatment plant with the area it serves. */
export async function kpiInputs(db: Queryable): Promise<KpiInputs> {
  const population = new Map((await db.query<{ area_id: string; served_population: number; as_of: string }>(
    `SELECT area_id, served_population, to_char(as_of, 'YYYY-MM-DD') AS as_of FROM area_population`,
  )).map((r) => [r.area_id, r]));
  const plants = await db.query<{ id: string; name: string | null; owner_id: string; area_id: string | null }>(
    `SELECT a.id, a.name, a.owner_id, s.area_id FROM assets a LEFT JOIN plant_service s ON s.plant_id = a.id WHERE a.asset_type = 'treatment_plant' ORDER BY a.id`,
  );
  return {
    areas: (await listAreaNodes(db)).map((a) => ({ ...a, servedPopulation: population.get(a.id)?.served_population ?? null, populationAsOf: population.get(a.id)?.as_of ?? null })),
    plants: plants.map((p) => ({ id: p.id, name: p.name, ownerId: p.owner_id, areaId: p.area_id })),
  };
}
