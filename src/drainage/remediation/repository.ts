// Remediation programme (治病): projects by governance zone and action type, progress updates
// with photo links and what they achieved, before/after indicators, and the dashboard by area
// and action type.
import type { Queryable } from '../../store/index.ts';
import { listAreaNodes, subtree } from '../kpi/repository.ts';

/** The six actions of the campaign: end (outfalls, gates), middle (misconnections, pipes), front (estates, institutions), capacity (plants), dredging, smart (monitoring). */
export const ACTIONS = ['end', 'middle', 'front', 'capacity', 'dredging', 'smart'] as const;
export type Action = (typeof ACTIONS)[number];
export const PROJECT_STATUSES = ['planned', 'in_progress', 'completed'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export interface Indicator {
  indicator: string;
  unit: string;
  before: number;
  after: number | null;
}

export interface ProgressUpdate {
  id: string;
  at: string;
  percent: number;
  spentYuan: number;
  note: string;
  photos: string[];
  location: [number, number] | null;
  misconnectionsResolved: number;
  outfallsRemediated: number;
  extraneousWaterM3d: number;
  recordedBy: string;
}

export interface Project {
  id: string;
  name: string;
  zoneId: string;
  zoneName: string;
  action: Action;
  ownerId: string;
  budgetYuan: number;
  status: ProjectStatus;
  startsOn: string | null;
  dueOn: string | null;
  description: string;
  /** The latest progress update's percentage (0 without one). */
  percent: number;
  spentYuan: number;
  updatedAt: string | null;
  indicators: Indicator[];
  progress: ProgressUpdate[];
}

export interface NewProject {
  name: string;
  zoneId: string;
  action: Action;
  ownerId: string;
  budgetYuan: number;
  status?: ProjectStatus;
  startsOn?: string | null;
  dueOn?: string | null;
  description?: string;
  indicators?: Indicator[];
}

export interface NewProgress {
  at?: string;
  percent: number;
  spentYuan?: number;
  note?: string;
  photos?: string[];
  location?: [number, number] | null;
  misconnectionsResolved?: number;
  outfallsRemediated?: number;
  extraneousWaterM3d?: number;
}

export class RemediationError extends Error {
  constructor(readonly status: 400 | 404, message: string) {
    super(message);
  }
}

export async function createProject(tx: Queryable, p: NewProject, by: string, at: Date): Promise<string> {
  const [zone] = await tx.query<{ kind: string }>('SELECT kind FROM areas WHERE id = $1', [p.zoneId]);
  if (!zone) throw new RemediationError(400, `zoneId: area ${p.zoneId} does not exist`);
  const [org] = await tx.query('SELECT 1 FROM organisations WHERE id = $1', [p.ownerId]);
  if (!org) throw new RemediationError(400, `ownerId: organisation ${p.ownerId} does not exist`);
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO remediation_projects (name, zone_id, action, owner_id, budget_yuan, status, starts_on, due_on, description, created_at, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id::text AS id`,
    [p.name, p.zoneId, p.action, p.ownerId, p.budgetYuan, p.status ?? 'planned', p.startsOn ?? null, p.dueOn ?? null, p.description ?? '', at, by],
  );
  for (const i of p.indicators ?? []) await setIndicator(tx, row!.id, i);
  return row!.id;
}

export async function setIndicator(tx: Queryable, projectId: string, i: Indicator): Promise<void> {
  await tx.query(
    `INSERT INTO remediation_indicators (project_id, indicator, unit, before_value, after_value) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (project_id, indicator) DO UPDATE SET unit = EXCLUDED.unit, before_value = EXCLUDED.before_value, after_value = EXCLUDED.after_value`,
    [projectId, i.indicator, i.unit, i.before, i.after],
  );
}

/** Records a progress update; 100 % completes the project, anything else puts a planned project in progress. */
export async function addProgress(tx: Queryable, projectId: string, u: NewProgress, by: string, now: Date): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO remediation_progress (project_id, at, percent, spent_yuan, note, photos, lon, lat, misconnections_resolved, outfalls_remediated, extraneous_water_m3d, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id::text AS id`,
    [projectId, u.at ?? now.toISOString(), u.percent, u.spentYuan ?? 0, u.note ?? '', JSON.stringify(u.photos ?? []), u.location?.[0] ?? null, u.location?.[1] ?? null,
      u.misconnectionsResolved ?? 0, u.outfallsRemediated ?? 0, u.extraneousWaterM3d ?? 0, by],
  );
  await tx.query(`UPDATE remediation_projects SET status = CASE WHEN $2::double precision >= 100 THEN 'completed' ELSE 'in_progress' END WHERE id = $1`, [projectId, u.percent]);
  return row!.id;
}

/** Projects (optionally one owner unit's, or a list of ids), with their indicators and progress, newest update last. */
export async function listProjects(db: Queryable, filter: { ownerId?: string | null; ids?: string[] } = {}): Promise<Project[]> {
  const rows = await db.query<{
    id: string; name: string; zone_id: string; zone_name: string; action: Action; owner_id: string; budget_yuan: number; status: ProjectStatus;
    starts_on: string | null; due_on: string | null; description: string;
  }>(
    `SELECT p.id::text AS id, p.name, p.zone_id, a.name AS zone_name, p.action, p.owner_id, p.budget_yuan, p.status,
            to_char(p.starts_on, 'YYYY-MM-DD') AS starts_on, to_char(p.due_on, 'YYYY-MM-DD') AS due_on, p.description
       FROM remediation_projects p JOIN areas a ON a.id = p.zone_id
      WHERE ($1::text IS NULL OR p.owner_id = $1) AND ($2::bigint[] IS NULL OR p.id = ANY($2::bigint[]))
      ORDER BY p.id`,
    [filter.ownerId ?? null, filter.ids ?? null],
  );
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const indicators = await db.query<{ project_id: string; indicator: string; unit: string; before_value: number; after_value: number | null }>(
    'SELECT project_id::text AS project_id, indicator, unit, before_value, after_value FROM remediation_indicators WHERE project_id = ANY($1::bigint[]) ORDER BY indicator', [ids],
  );
  const progress = await db.query<{
    id: string; project_id: string; at: Date; percent: number; spent_yuan: number; note: string; photos: string[]; lon: number | null; lat: number | null;
    misconnections_resolved: number; outfalls_remediated: number; extraneous_water_m3d: number; recorded_by: string;
  }>(
    `SELECT id::text AS id, project_id::text AS project_id, at, percent, spent_yuan, note, photos, lon, lat, misconnections_resolved, outfalls_remediated,
            extraneous_water_m3d, recorded_by FROM remediation_progress WHERE project_id = ANY($1::bigint[]) ORDER BY at, id`, [ids],
  );
  return rows.map((r) => {
    const updates: ProgressUpdate[] = progress.filter((g) => g.project_id === r.id).map((g) => ({
      id: g.id, at: g.at.toISOString(), percent: g.percent, spentYuan: g.spent_yuan, note: g.note, photos: g.photos,
      location: g.lon !== null && g.lat !== null ? [g.lon, g.lat] : null, misconnectionsResolved: g.misconnections_resolved,
      outfallsRemediated: g.outfalls_remediated, extraneousWaterM3d: g.extraneous_water_m3d, recordedBy: g.recorded_by,
    }));
    const last = updates.at(-1);
    return {
      id: r.id, name: r.name, zoneId: r.zone_id, zoneName: r.zone_name, action: r.action, ownerId: r.owner_id, budgetYuan: r.budget_yuan,
      status: r.status, startsOn: r.starts_on, dueOn: r.due_on, description: r.description,
      percent: last?.percent ?? 0, spentYuan: updates.reduce((s, u) => s + u.spentYuan, 0), updatedAt: last?.at ?? null,
      indicators: indicators.filter((i) => i.project_id === r.id).map((i) => ({ indicator: i.indicator, unit: i.unit, before: i.before_value, after: i.after_value })),
      progress: updates,
    };
  });
}

export interface DashboardCell {
  projects: number;
  completed: number;
  budgetYuan: number;
  spentYuan: number;
  /** Budget-weighted progress, 0–100: Σ(budget × percent) ÷ Σ budget. */
  percent: number;
}

export interface DashboardArea {
  areaId: string;
  areaName: string;
  kind: string;
  total: DashboardCell;
  byAction: Partial<Record<Action, DashboardCell>>;
}

export function dashboardCell(projects: readonly Pick<Project, 'budgetYuan' | 'spentYuan' | 'percent' | 'status'>[]): DashboardCell {
  const budget = projects.reduce((s, p) => s + p.budgetYuan, 0);
  return {
    projects: projects.length,
    completed: projects.filter((p) => p.status === 'completed').length,
    budgetYuan: budget,
    spentYuan: projects.reduce((s, p) => s + p.spentYuan, 0),
    percent: budget > 0 ? projects.reduce((s, p) => s + p.budgetYuan * p.percent, 0) / budget
      : projects.length > 0 ? projects.reduce((s, p) => s + p.percent, 0) / projects.length : 0,
  };
}

/** Per area holding projects in its subtree (city, districts, zones): totals and per action type. */
export async function dashboard(db: Queryable, projects: readonly Project[]): Promise<DashboardArea[]> {
  const areas = await listAreaNodes(db);
  const result: DashboardArea[] = [];
  for (const area of areas) {
    const below = subtree(areas, area.id);
    const own = projects.filter((p) => below.has(p.zoneId));
    if (own.length === 0) continue;
    const byAction: DashboardArea['byAction'] = {};
    for (const action of ACTIONS) {
      const of = own.filter((p) => p.action === action);
      if (of.length > 0) byAction[action] = dashboardCell(of);
    }
    result.push({ areaId: area.id, areaName: area.name, kind: area.kind, total: dashboardCell(own), byAction });
  }
  const order = ['city', 'district', 'block', 'zone'];
  return result.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.areaId.localeCompare(b.areaId));
}
