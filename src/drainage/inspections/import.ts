// Import of inspection software exports (CSV, one defect per row, Chinese or English headers):
// every row is validated first — defect code and grade against CJJ 181-2012, the segment against
// the network twin, duplicates within the file and against what is stored — and only a file
// without a single rejected row is written, in one transaction. The report names line, field
// and reason for every rejected row.
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { anchor, lengthM as geometryLengthM } from '../../network/geo.ts';
import type { Geometry } from '../../network/index.ts';
import type { Db, Queryable } from '../../store/index.ts';
import {
  assessSegment, DEFECT_TYPES, defectProblem, REGION_CLASSES, SOIL_CLASSES, type DefectCode, type DefectObservation, type RegionClass, type SoilClass,
} from './grading.ts';
import { createCampaign, type NewCampaign } from './repository.ts';
import { readXlsxRows, XlsxError, type SheetRow } from './xlsx.ts';
import { INSPECTION_METHODS, InspectionError, type Inspection, type InspectionMethod } from './types.ts';

/** Canonical column → the headers inspection software exports under (English, then Chinese). */
const COLUMNS = {
  segment: ['segment', 'segment_id', '管段编号', '管段'],
  date: ['date', 'inspected_on', '检测日期'],
  method: ['method', '检测方法'],
  length: ['length_m', 'length', '检测长度', '管段长度'],
  diameter: ['diameter_mm', 'diameter', '管径'],
  region: ['region', '地区类别'],
  soil: ['soil', '土质'],
  code: ['code', 'defect_code', '缺陷代码'],
  grade: ['grade', '缺陷等级'],
  distance: ['distance_m', 'distance', 'at_m', '缺陷距离', '距离'],
  defectLength: ['defect_length_m', 'defect_length', '缺陷长度'],
  clock: ['clock', '时钟表示'],
  remark: ['remark', 'description', '缺陷描述', '备注'],
  photo: ['photo_url', 'photo', '照片'],
  video: ['video_url', 'video', '视频'],
  segmentVideo: ['segment_video_url', 'segment_video', '管段视频'],
} as const;
type Column = keyof typeof COLUMNS;

const METHOD_NAMES: Record<string, InspectionMethod> = {
  cctv: 'cctv', 'cctv检测': 'cctv', '电视检测': 'cctv', qv: 'qv', '潜望镜': 'qv', '管道潜望镜': 'qv', '潜望镜检测': 'qv',
  sonar: 'sonar', '声纳': 'sonar', '声呐': 'sonar', '声纳检测': 'sonar', boat: 'boat', '无人船': 'boat', drone: 'drone', '无人机': 'drone',
};
const REGION_NAMES: Record<string, RegionClass> = {
  '中心政治、商业及旅游区域': 'central', '中心区域': 'central', '交通干道和其他商业区域': 'arterial', '交通干道': 'arterial',
  '其他行车道路': 'road', '所有其他区域': 'other', '其他区域': 'other',
};
const SOIL_NAMES: Record<string, SoilClass> = {
  '一般土层': 'general', '粉砂层': 'silty_sand', '淤泥': 'muck', '淤泥质土': 'mucky_soil', '红黏土': 'red_clay',
};

/** A segment as the import needs it. */
export interface SegmentInfo {
  id: string;
  name: string;
  ownerId: string;
  network: string;
  assetType: string;
  lengthM: number;
  diameterMm: number | null;
  region: RegionClass | null;
  soil: SoilClass | null;
}

export interface RowRejection {
  /** Line in the file (the header is line 1). */
  line: number;
  field: string;
  reason: string;
  segmentId: string | null;
}

export interface ParsedDefect extends DefectObservation {
  clock: string | null;
  remark: string | null;
  photoUrl: string | null;
  videoUrl: string | null;
  line: number;
}

export interface ParsedInspection
  extends Pick<Inspection, 'segmentId' | 'ownerId' | 'inspectedOn' | 'method' | 'lengthM' | 'diameterMm' | 'region' | 'soil' | 'videoUrl'> {
  defects: ParsedDefect[];
  firstLine: number;
}

export interface ParseContext {
  segments: Map<string, SegmentInfo>;
  /** Segment + date already recorded in the campaign → the stored inspection's id. */
  stored: Map<string, string>;
  /** The campaign's method: the default for rows that name none. */
  method: InspectionMethod | null;
  /** Owner scoping: segments of other units are reported as missing. */
  ownerScope: string | null;
}

const recordKey = (segmentId: string, date: string) => `${segmentId}@${date}`;

function safeUrl(value: string): string | null | undefined {
  if (!value) return null;
  // Shown as links in the web app: only web addresses and server-relative paths, never javascript: or data:.
  return /^https?:\/\/[^\s]+$/i.test(value) || /^\/[^\s]*$/.test(value) ? value : undefined;
}

function isoDate(value: string): string | null {
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(value);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso ? null : iso;
}

/** One data row of an export, keyed by its header, with its line (CSV) or row number (Excel). */
export interface SourceRow {
  line: number;
  record: Record<string, string>;
}

export function readCsvRows(text: string): SourceRow[] {
  try {
    const rows: { record: Record<string, string>; info: { lines: number } }[] = parse(text, { columns: true, skip_empty_lines: true, bom: true, trim: true, info: true, relax_column_count: false });
    return rows.map((r) => ({ line: r.info.lines, record: r.record }));
  } catch (error) {
    throw new InspectionError(`not a readable CSV file: ${(error as Error).message}`, 'invalid');
  }
}

/** The first sheet of an .xlsx export: the header is the first row naming a segment column (a title row above it is skipped). */
export function readXlsxSheet(data: Uint8Array): SourceRow[] {
  let rows: SheetRow[];
  try {
    rows = readXlsxRows(data);
  } catch (error) {
    if (error instanceof XlsxError) throw new InspectionError(error.message, 'invalid');
    throw error;
  }
  const nonEmpty = rows.filter((r) => r.cells.some((c) => c.trim() !== ''));
  const at = Math.max(0, nonEmpty.findIndex((r) => r.cells.some((c) => (COLUMNS.segment as readonly string[]).includes(c.trim().toLowerCase()))));
  const [header, ...body] = nonEmpty.slice(at);
  if (!header) return [];
  const names = header.cells.map((c) => c.trim());
  return body.map((r) => ({ line: r.line, record: Object.fromEntries(names.map((name, i) => [name, (r.cells[i] ?? '').trim()]).filter(([name]) => name !== '')) }));
}

/** Parses and validates a CSV export; nothing is read from or written to a database here. */
export function parseInspectionCsv(text: string, context: ParseContext): { inspections: ParsedInspection[]; rejected: RowRejection[]; rows: number } {
  return parseInspectionRows(readCsvRows(text), context);
}

/** Validates an export's rows (CSV or Excel) and groups them into inspections with their defects. */
export function parseInspectionRows(rows: SourceRow[], context: ParseContext): { inspections: ParsedInspection[]; rejected: RowRejection[]; rows: number } {
  const header = [...new Set(rows.flatMap((r) => Object.keys(r.record)))];
  const columnOf = {} as Record<Column, string | undefined>;
  for (const [column, names] of Object.entries(COLUMNS) as [Column, readonly string[]][]) {
    columnOf[column] = header.find((h) => names.includes(h.toLowerCase()) || names.includes(h));
  }
  for (const required of ['segment', 'date'] as const) {
    if (rows.length > 0 && !columnOf[required]) {
      throw new InspectionError(`the file has no ${required} column (one of ${COLUMNS[required].join(', ')}); columns: ${header.join(', ')}`, 'invalid');
    }
  }
  const rejected: RowRejection[] = [];
  const byKey = new Map<string, ParsedInspection>();
  const seenDefects = new Map<string, number>();
  for (const { record, line } of rows) {
    const cell = (c: Column) => (columnOf[c] ? (record[columnOf[c]!] ?? '').trim() : '');
    const segmentId = cell('segment');
    const reject = (field: string, reason: string) => rejected.push({ line, field, reason, segmentId: segmentId || null });
    const before = rejected.length;

    const segment = context.segments.get(segmentId);
    if (!segmentId) reject('segment', 'empty');
    else if (!segment || (context.ownerScope !== null && segment.ownerId !== context.ownerScope)) reject('segment', `segment ${segmentId} does not exist in the network`);
    else if (segment.network !== 'drainage' || !['pipe', 'channel'].includes(segment.assetType)) {
      reject('segment', `${segmentId} is a ${segment.network} ${segment.assetType}, not a drainage pipe or channel`);
    }
    const date = isoDate(cell('date'));
    if (!date) reject('date', `"${cell('date')}" is not a date (YYYY-MM-DD)`);
    const methodText = cell('method');
    const method = methodText ? METHOD_NAMES[methodText.toLowerCase()] ?? METHOD_NAMES[methodText] : context.method;
    if (!method) reject('method', methodText ? `"${methodText}" is not a method (${INSPECTION_METHODS.join(', ')})` : 'no method in the row and the campaign names none');
    const number = (c: Column, fallback: number | null, check: (n: number) => boolean, what: string): number | null => {
      const raw = cell(c);
      if (!raw) return fallback;
      const n = Number(raw);
      if (!Number.isFinite(n) || !check(n)) {
        reject(c, `"${raw}" is not ${what}`);
        return null;
      }
      return n;
    };
    const length = number('length', segment ? Math.round(segment.lengthM * 100) / 100 : null, (n) => n > 0 && n <= 2000, 'a length in metres (0–2000)');
    const diameter = number('diameter', segment?.diameterMm ?? null, (n) => n > 0 && n <= 10_000, 'a diameter in mm');
    const regionText = cell('region');
    const region = (regionText ? ((REGION_CLASSES as readonly string[]).includes(regionText) ? (regionText as RegionClass) : REGION_NAMES[regionText]) : segment?.region) ?? null;
    if (regionText && !region) reject('region', `"${regionText}" is not a region class (${REGION_CLASSES.join(', ')})`);
    const soilText = cell('soil');
    const soil = (soilText ? ((SOIL_CLASSES as readonly string[]).includes(soilText) ? (soilText as SoilClass) : SOIL_NAMES[soilText]) : segment?.soil) ?? null;
    if (soilText && !soil) reject('soil', `"${soilText}" is not a soil class (${SOIL_CLASSES.join(', ')})`);
    const segmentVideo = safeUrl(cell('segmentVideo'));
    if (segmentVideo === undefined) reject('segment_video', 'not an http(s) address or a path starting with /');

    // The defect, when the row codes one (a row without a code records a segment without defects).
    const code = cell('code').toUpperCase();
    let defect: ParsedDefect | null = null;
    if (code) {
      const grade = Number(cell('grade'));
      const problem = defectProblem(code, grade);
      if (problem) reject(problem.startsWith('unknown') ? 'code' : 'grade', problem);
      const at = number('distance', null, (n) => n >= 0, 'a distance in metres');
      if (at === null && !cell('distance')) reject('distance', `a defect needs its distance from the start manhole`);
      const extent = number('defectLength', 0, (n) => n >= 0, 'a length in metres') ?? 0;
      if (at !== null && length !== null && at + extent > length + 0.01) reject('distance', `${at} m${extent ? ` + ${extent} m` : ''} lies beyond the inspected length ${length} m`);
      const photo = safeUrl(cell('photo'));
      if (photo === undefined) reject('photo', 'not an http(s) address or a path starting with /');
      const video = safeUrl(cell('video'));
      if (video === undefined) reject('video', 'not an http(s) address or a path starting with /');
      if (rejected.length === before) {
        defect = {
          code: code as DefectCode, grade, atM: at!, lengthM: extent, clock: cell('clock') || null, remark: cell('remark') || null,
          photoUrl: photo ?? null, videoUrl: video ?? null, line,
        };
      }
    } else if (cell('grade') || cell('distance')) {
      reject('code', 'a grade or distance without a defect code');
    }
    if (rejected.length > before || !segment || !date || !method || length === null) continue;

    const key = recordKey(segmentId, date);
    const storedId = context.stored.get(key);
    if (storedId) {
      reject('segment', `${segmentId} inspected on ${date} is already recorded in this campaign (inspection ${storedId})`);
      continue;
    }
    const inspection: ParsedInspection = byKey.get(key) ?? {
      segmentId, ownerId: segment.ownerId, inspectedOn: date, method, lengthM: length, diameterMm: diameter, region, soil,
      videoUrl: segmentVideo ?? null, defects: [], firstLine: line,
    };
    if (!byKey.has(key)) byKey.set(key, inspection);
    else if (inspection.method !== method || inspection.lengthM !== length) {
      reject(inspection.method !== method ? 'method' : 'length', `conflicts with line ${inspection.firstLine} for the same segment and date`);
      continue;
    }
    if (defect) {
      const defectKey = `${key}|${defect.code}|${defect.atM}`;
      const twin = seenDefects.get(defectKey);
      if (twin !== undefined) {
        reject('code', `duplicate record: ${defect.code} at ${defect.atM} m on ${segmentId} already on line ${twin}`);
        continue;
      }
      seenDefects.set(defectKey, line);
      inspection.defects.push(defect);
    }
  }
  return { inspections: [...byKey.values()], rejected, rows: rows.length };
}

export interface ImportInspectionsRequest {
  /** The export: CSV text, or the bytes of an .xlsx workbook (its first sheet is read). */
  text?: string;
  xlsx?: Uint8Array;
  fileName: string;
  campaignId: string;
  /** Creates the campaign when it does not exist yet. */
  newCampaign?: Omit<NewCampaign, 'id'>;
  ownerScope?: string | null;
}

export interface InspectionImportReport {
  written: boolean;
  source: string;
  campaignId: string;
  counts: { rows: number; inspections: number; defects: number };
  rejected: RowRejection[];
  inspectionIds: string[];
  /** Why nothing was written, when it was not. */
  error?: string;
}

type AssetRow = Record<string, unknown> & { id: string; name: string; owner_id: string; network: string; asset_type: string; geometry: Geometry; attributes: Record<string, unknown> };

export async function loadSegments(db: Queryable, ids: string[]): Promise<Map<string, SegmentInfo>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<AssetRow>('SELECT id, name, owner_id, network, asset_type, geometry, attributes FROM assets WHERE id = ANY($1::text[])', [ids]);
  return new Map(rows.map((r) => {
    const diameter = Number(r.attributes.diameterMm);
    const region = r.attributes.region;
    const soil = r.attributes.soil;
    return [r.id, {
      id: r.id, name: r.name, ownerId: r.owner_id, network: r.network, assetType: r.asset_type, lengthM: geometryLengthM(r.geometry),
      diameterMm: Number.isFinite(diameter) && diameter > 0 ? diameter : null,
      region: (REGION_CLASSES as readonly unknown[]).includes(region) ? (region as RegionClass) : null,
      soil: (SOIL_CLASSES as readonly unknown[]).includes(soil) ? (soil as SoilClass) : null,
    }];
  }));
}

/** The middle of a segment's geometry. */
export function segmentLocation(geometry: Geometry): { lon: number; lat: number } {
  const [lon, lat] = anchor(geometry);
  return { lon, lat };
}

/** Validates a whole file, then writes all of it in one transaction, or nothing. */
export async function importInspections(db: Db, request: ImportInspectionsRequest): Promise<InspectionImportReport> {
  const source = path.basename(request.fileName);
  const [campaign] = await db.query<{ method: InspectionMethod; owner_id: string | null }>('SELECT method, owner_id FROM inspection_campaigns WHERE id = $1', [request.campaignId]);
  const empty = { written: false, source, campaignId: request.campaignId, counts: { rows: 0, inspections: 0, defects: 0 }, rejected: [], inspectionIds: [] };
  if (!campaign && !request.newCampaign) {
    return { ...empty, error: `campaign ${request.campaignId} does not exist: create it first, or name it and its method (--name, --method) to create it with the import` };
  }
  const method = campaign?.method ?? request.newCampaign!.method;
  const rows = request.xlsx ? readXlsxSheet(request.xlsx) : readCsvRows(request.text ?? '');
  // Only the assets the file names are loaded: a first pass against an empty network names them all.
  const probe = parseInspectionRows(rows, { segments: new Map(), stored: new Map(), method, ownerScope: null });
  const segmentIds = [...new Set(probe.rejected.map((r) => r.segmentId).filter((id): id is string => !!id))];
  const segments = await loadSegments(db, segmentIds);
  const stored = new Map((await db.query<{ segment_id: string; inspected_on: string; id: string }>(
    `SELECT segment_id, to_char(inspected_on, 'YYYY-MM-DD') AS inspected_on, id::text AS id FROM inspections WHERE campaign_id = $1 AND segment_id = ANY($2::text[])`,
    [request.campaignId, segmentIds],
  )).map((r) => [recordKey(r.segment_id, r.inspected_on), r.id]));
  const { inspections, rejected } = parseInspectionRows(rows, { segments, stored, method, ownerScope: request.ownerScope ?? null });
  const counts = { rows: rows.length, inspections: inspections.length, defects: inspections.reduce((n, i) => n + i.defects.length, 0) };
  const report: InspectionImportReport = { ...empty, counts, rejected };
  if (rejected.length > 0) return { ...report, error: `${rejected.length} row(s) rejected; nothing was written (fix them and import the file again)` };
  if (inspections.length === 0) return { ...report, error: 'the file holds no inspection rows' };
  const ids = await db.transaction(async (tx) => {
    if (!campaign) await createCampaign(tx, { id: request.campaignId, ...request.newCampaign! });
    const written: string[] = [];
    for (let i = 0; i < inspections.length; i += WRITE_BATCH) written.push(...await insertInspections(tx, request.campaignId, inspections.slice(i, i + WRITE_BATCH), source));
    return written;
  });
  return { ...report, written: true, inspectionIds: ids };
}

/** Inspections per INSERT … SELECT FROM unnest (one statement per table and batch, not per row). */
const WRITE_BATCH = 1000;

/** Writes a batch of inspections with their defects and assessments; returns their ids in order. */
async function insertInspections(tx: Queryable, campaignId: string, batch: ParsedInspection[], source: string): Promise<string[]> {
  const assessed = batch.map((i) => ({ i, a: assessSegment(i.defects, { lengthM: i.lengthM, diameterMm: i.diameterMm, region: i.region, soil: i.soil }) }));
  const col = <T,>(f: (x: (typeof assessed)[number]) => T) => assessed.map(f);
  const rows = await tx.query<{ id: string; segment_id: string; inspected_on: string }>(
    `INSERT INTO inspections (campaign_id, segment_id, owner_id, inspected_on, method, length_m, diameter_mm, region, soil, video_url, assessment,
                              structural_grade, functional_grade, ri, mi, repair_grade, maintenance_grade, source)
     SELECT $1, s, o, d::date, m, l, dia, r, so, v, a::jsonb, sg, fg, ri, mi, rg, mg, $2
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[], $9::text[], $10::text[], $11::text[], $12::text[],
                   $13::int[], $14::int[], $15::float8[], $16::float8[], $17::int[], $18::int[])
            AS t(s, o, d, m, l, dia, r, so, v, a, sg, fg, ri, mi, rg, mg)
     RETURNING id::text AS id, segment_id, to_char(inspected_on, 'YYYY-MM-DD') AS inspected_on`,
    [campaignId, source, col((x) => x.i.segmentId), col((x) => x.i.ownerId), col((x) => x.i.inspectedOn), col((x) => x.i.method), col((x) => x.i.lengthM),
      col((x) => x.i.diameterMm), col((x) => x.i.region), col((x) => x.i.soil), col((x) => x.i.videoUrl), col((x) => JSON.stringify(x.a)),
      col((x) => x.a.structural.grade), col((x) => x.a.functional.grade), col((x) => x.a.ri), col((x) => x.a.mi), col((x) => x.a.repairGrade), col((x) => x.a.maintenanceGrade)],
  );
  // Matched by the record's key (unique per campaign), not by the order RETURNING happens to give.
  const idOf = new Map(rows.map((r) => [recordKey(r.segment_id, r.inspected_on), r.id]));
  const defects = batch.flatMap((i) => i.defects.map((d) => ({ id: idOf.get(recordKey(i.segmentId, i.inspectedOn))!, d })));
  if (defects.length > 0) {
    const dcol = <T,>(f: (x: (typeof defects)[number]) => T) => defects.map(f);
    await tx.query(
      `INSERT INTO inspection_defects (inspection_id, code, kind, grade, score, at_m, length_m, clock, remark, photo_url, video_url)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::float8[], $6::float8[], $7::float8[], $8::text[], $9::text[], $10::text[], $11::text[])`,
      [dcol((x) => x.id), dcol((x) => x.d.code), dcol((x) => DEFECT_TYPES[x.d.code].kind), dcol((x) => x.d.grade), dcol((x) => DEFECT_TYPES[x.d.code].scores[x.d.grade - 1]),
        dcol((x) => x.d.atM), dcol((x) => x.d.lengthM ?? 0), dcol((x) => x.d.clock), dcol((x) => x.d.remark), dcol((x) => x.d.photoUrl), dcol((x) => x.d.videoUrl)],
    );
  }
  return batch.map((i) => idOf.get(recordKey(i.segmentId, i.inspectedOn))!);
}

/** Writes one inspection with its defects and its assessment; returns its id. */
export async function insertInspection(tx: Queryable, campaignId: string, inspection: Omit<ParsedInspection, 'firstLine' | 'defects'> & { defects: Omit<ParsedDefect, 'line'>[] }, source: string | null): Promise<string> {
  const assessment = assessSegment(inspection.defects, { lengthM: inspection.lengthM, diameterMm: inspection.diameterMm, region: inspection.region, soil: inspection.soil });
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO inspections (campaign_id, segment_id, owner_id, inspected_on, method, length_m, diameter_mm, region, soil, video_url, assessment,
                              structural_grade, functional_grade, ri, mi, repair_grade, maintenance_grade, source)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id::text AS id`,
    [campaignId, inspection.segmentId, inspection.ownerId, inspection.inspectedOn, inspection.method, inspection.lengthM, inspection.diameterMm,
      inspection.region, inspection.soil, inspection.videoUrl, JSON.stringify(assessment), assessment.structural.grade, assessment.functional.grade,
      assessment.ri, assessment.mi, assessment.repairGrade, assessment.maintenanceGrade, source],
  );
  for (const d of inspection.defects) {
    await tx.query(
      `INSERT INTO inspection_defects (inspection_id, code, kind, grade, score, at_m, length_m, clock, remark, photo_url, video_url)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [row!.id, d.code, DEFECT_TYPES[d.code].kind, d.grade, DEFECT_TYPES[d.code].scores[d.grade - 1], d.atM, d.lengthM ?? 0, d.clock, d.remark, d.photoUrl, d.videoUrl],
    );
  }
  return row!.id;
}
