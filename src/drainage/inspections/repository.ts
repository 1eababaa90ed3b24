import type { Geometry } from '../../network/index.ts';
import type { Queryable } from '../../store/index.ts';
import type { ConditionGrade, DefectCode, DefectKind, RegionClass, SegmentAssessment, SoilClass } from './grading.ts';
import { segmentLocation } from './import.ts';
import { InspectionError, type Campaign, type CampaignSummary, type Defect, type Inspection, type InspectionMethod } from './types.ts';

export interface NewCampaign {
  id: string;
  name: string;
  method: InspectionMethod;
  areaId?: string | null;
  contractor?: string | null;
  ownerId?: string | null;
  startedOn?: string | null;
  endedOn?: string | null;
}

export async function createCampaign(tx: Queryable, c: NewCampaign): Promise<Campaign> {
  const [existing] = await tx.query('SELECT 1 FROM inspection_campaigns WHERE id = $1', [c.id]);
  if (existing) throw new InspectionError(`campaign ${c.id} already exists`, 'conflict');
  if (c.ownerId) {
    const [org] = await tx.query<{ kind: string }>('SELECT kind FROM organisations WHERE id = $1', [c.ownerId]);
    if (!org) throw new InspectionError(`ownerId: organisation ${c.ownerId} does not exist`, 'invalid');
  }
  await tx.query(
    `INSERT INTO inspection_campaigns (id, name, method, area_id, contractor, owner_id, started_on, ended_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [c.id, c.name, c.method, c.areaId ?? null, c.contractor ?? null, c.ownerId ?? null, c.startedOn ?? null, c.endedOn ?? null],
  );
  return { id: c.id, name: c.name, method: c.method, areaId: c.areaId ?? null, contractor: c.contractor ?? null, ownerId: c.ownerId ?? null, startedOn: c.startedOn ?? null, endedOn: c.endedOn ?? null };
}

interface CampaignRow {
  id: string; name: string; method: InspectionMethod; area_id: string | null; contractor: string | null; owner_id: string | null;
  started_on: string | null; ended_on: string | null; segments: number; km: number | null; defects: number;
  s1: number; s2: number; s3: number; s4: number; f1: number; f2: number; f3: number; f4: number; urgent: number;
}

/**
 * Campaigns with counts over the inspections `ownerId` may see (all when null). An owner unit
 * sees the campaigns it commissioned and those that inspected its segments.
 */
export async function listCampaigns(db: Queryable, ownerId: string | null, id?: string): Promise<CampaignSummary[]> {
  const rows = await db.query<CampaignRow & Record<string, unknown>>(
    `SELECT c.id, c.name, c.method, c.area_id, c.contractor, c.owner_id,
            to_char(c.started_on, 'YYYY-MM-DD') AS started_on, to_char(c.ended_on, 'YYYY-MM-DD') AS ended_on,
            count(i.id)::int AS segments, sum(i.length_m) / 1000 AS km,
            coalesce(sum((SELECT count(*) FROM inspection_defects d WHERE d.inspection_id = i.id)), 0)::int AS defects,
            count(*) FILTER (WHERE i.structural_grade = 1)::int AS s1, count(*) FILTER (WHERE i.structural_grade = 2)::int AS s2,
            count(*) FILTER (WHERE i.structural_grade = 3)::int AS s3, count(*) FILTER (WHERE i.structural_grade = 4)::int AS s4,
            count(*) FILTER (WHERE i.functional_grade = 1)::int AS f1, count(*) FILTER (WHERE i.functional_grade = 2)::int AS f2,
            count(*) FILTER (WHERE i.functional_grade = 3)::int AS f3, count(*) FILTER (WHERE i.functional_grade = 4)::int AS f4,
            count(*) FILTER (WHERE i.repair_grade = 4 OR i.maintenance_grade = 4)::int AS urgent
       FROM inspection_campaigns c
       LEFT JOIN inspections i ON i.campaign_id = c.id AND ($1::text IS NULL OR i.owner_id = $1)
      WHERE ($2::text IS NULL OR c.id = $2)
      GROUP BY c.id
     HAVING $1::text IS NULL OR c.owner_id = $1 OR count(i.id) > 0
      ORDER BY c.started_on DESC NULLS LAST, c.id`,
    [ownerId, id ?? null],
  );
  return rows.map((r) => ({
    id: r.id, name: r.name, method: r.method, areaId: r.area_id, contractor: r.contractor, ownerId: r.owner_id, startedOn: r.started_on, endedOn: r.ended_on,
    segments: r.segments, inspectedKm: Math.round((r.km ?? 0) * 1000) / 1000, defects: r.defects,
    structuralGrades: [r.s1, r.s2, r.s3, r.s4], functionalGrades: [r.f1, r.f2, r.f3, r.f4], urgent: r.urgent,
  }));
}

export interface InspectionFilter {
  ids?: string[];
  campaignId?: string;
  segmentId?: string;
  /** Segments in this area (district, block or governance zone). */
  areaId?: string;
  ownerId?: string | null;
  limit?: number;
}

interface InspectionRow {
  id: string; campaign_id: string; segment_id: string; segment_name: string | null; geometry: Geometry | null; owner_id: string; inspected_on: string;
  method: InspectionMethod; length_m: number; diameter_mm: number | null; region: RegionClass | null; soil: SoilClass | null; video_url: string | null;
  assessment: SegmentAssessment; structural_grade: ConditionGrade; functional_grade: ConditionGrade; ri: number; mi: number;
  repair_grade: ConditionGrade; maintenance_grade: ConditionGrade;
}

interface DefectRow {
  id: string; inspection_id: string; code: DefectCode; kind: DefectKind; grade: number; score: number; at_m: number; length_m: number;
  clock: string | null; remark: string | null; photo_url: string | null; video_url: string | null;
}

const defectOf = (d: DefectRow): Defect => ({
  id: d.id, code: d.code, kind: d.kind, grade: d.grade, score: d.score, atM: d.at_m, lengthM: d.length_m, clock: d.clock, remark: d.remark,
  photoUrl: d.photo_url, videoUrl: d.video_url,
});

/** Inspection records with their defects, worst first (priority, then RI + MI). */
export async function listInspections(db: Queryable, filter: InspectionFilter = {}): Promise<Inspection[]> {
  const rows = await db.query<InspectionRow & Record<string, unknown>>(
    `SELECT i.id::text AS id, i.campaign_id, i.segment_id, a.name AS segment_name, a.geometry, i.owner_id, to_char(i.inspected_on, 'YYYY-MM-DD') AS inspected_on,
            i.method, i.length_m, i.diameter_mm, i.region, i.soil, i.video_url, i.assessment, i.structural_grade, i.functional_grade, i.ri, i.mi,
            i.repair_grade, i.maintenance_grade
       FROM inspections i LEFT JOIN assets a ON a.id = i.segment_id
      WHERE ($1::bigint[] IS NULL OR i.id = ANY($1::bigint[])) AND ($2::text IS NULL OR i.campaign_id = $2)
        AND ($3::text IS NULL OR i.segment_id = $3) AND ($4::text IS NULL OR i.owner_id = $4)
        AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM asset_areas aa WHERE aa.asset_id = i.segment_id AND aa.area_id = $5))
      ORDER BY GREATEST(i.repair_grade, i.maintenance_grade) DESC, i.ri + i.mi DESC, i.segment_id, i.inspected_on DESC
      LIMIT $6`,
    [filter.ids ?? null, filter.campaignId ?? null, filter.segmentId ?? null, filter.ownerId ?? null, filter.areaId ?? null, filter.limit ?? 2000],
  );
  if (rows.length === 0) return [];
  const defects = await db.query<DefectRow & Record<string, unknown>>(
    `SELECT id::text AS id, inspection_id::text AS inspection_id, code, kind, grade, score, at_m, length_m, clock, remark, photo_url, video_url
       FROM inspection_defects WHERE inspection_id = ANY($1::bigint[]) ORDER BY inspection_id, at_m, id`,
    [rows.map((r) => r.id)],
  );
  const byInspection = new Map<string, Defect[]>();
  for (const d of defects) byInspection.set(d.inspection_id, [...(byInspection.get(d.inspection_id) ?? []), defectOf(d)]);
  return rows.map((r) => ({
    id: r.id, campaignId: r.campaign_id, segmentId: r.segment_id, segmentName: r.segment_name, ownerId: r.owner_id, inspectedOn: r.inspected_on,
    method: r.method, lengthM: r.length_m, diameterMm: r.diameter_mm, region: r.region, soil: r.soil, videoUrl: r.video_url, assessment: r.assessment,
    structuralGrade: r.structural_grade, functionalGrade: r.functional_grade, ri: r.ri, mi: r.mi, repairGrade: r.repair_grade,
    maintenanceGrade: r.maintenance_grade, location: r.geometry ? segmentLocation(r.geometry) : null, defects: byInspection.get(r.id) ?? [],
  }));
}

export interface DefectFilter {
  campaignId?: string;
  code?: DefectCode;
  kind?: DefectKind;
  minGrade?: number;
  ownerId?: string | null;
  limit?: number;
}

export interface DefectListing extends Defect {
  inspectionId: string;
  segmentId: string;
  campaignId: string;
  inspectedOn: string;
}

/** Defects across inspections, most severe first. */
export async function listDefects(db: Queryable, filter: DefectFilter = {}): Promise<DefectListing[]> {
  const rows = await db.query<DefectRow & Record<string, unknown> & { segment_id: string; campaign_id: string; inspected_on: string }>(
    `SELECT d.id::text AS id, d.inspection_id::text AS inspection_id, d.code, d.kind, d.grade, d.score, d.at_m, d.length_m, d.clock, d.remark,
            d.photo_url, d.video_url, i.segment_id, i.campaign_id, to_char(i.inspected_on, 'YYYY-MM-DD') AS inspected_on
       FROM inspection_defects d JOIN inspections i ON i.id = d.inspection_id
      WHERE ($1::text IS NULL OR i.campaign_id = $1) AND ($2::text IS NULL OR d.code = $2) AND ($3::text IS NULL OR d.kind = $3)
        AND d.grade >= $4 AND ($5::text IS NULL OR i.owner_id = $5)
      ORDER BY d.score DESC, d.grade DESC, i.segment_id, d.at_m LIMIT $6`,
    [filter.campaignId ?? null, filter.code ?? null, filter.kind ?? null, filter.minGrade ?? 1, filter.ownerId ?? null, filter.limit ?? 2000],
  );
  return rows.map((r) => ({ ...defectOf(r), inspectionId: r.inspection_id, segmentId: r.segment_id, campaignId: r.campaign_id, inspectedOn: r.inspected_on }));
}
