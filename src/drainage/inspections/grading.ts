// Defect grading and segment indices of CJJ 181-2012 《城镇排水管道检测与评估技术规程》
// (Technical specification for inspection and evaluation of urban sewer), chapter 8:
//   §8.1  general rules: a defect no longer than 1 m counts as 1 m; defects within 1 m of each
//         other add their scores, capped at 10; the segment between two manholes is the unit.
//   §8.2  defect codes, grades 1–4 and scores (table 8.2.2 structural, table 8.2.3 functional).
//   §8.3  structural condition: S, Smax → F, density SM, grade by F, extent by SM, repair index
//         RI = 0.7F + 0.1K + 0.05E + 0.15T with the region (K), pipe (E) and soil (T) tables,
//         repair grade by RI.
//   §8.4  functional condition: Y, Ymax → G, density YM, grade by G, extent by YM, maintenance
//         index MI = 0.8G + 0.15K + 0.05E, maintenance grade by MI.
// Pure functions: no database, no clock. See docs/inspections.md for the worked examples and
// the choices made where the standard leaves room.

export type DefectKind = 'structural' | 'functional';
export const STRUCTURAL_CODES = ['PL', 'BX', 'FS', 'CK', 'QF', 'TJ', 'TL', 'AJ', 'CR', 'SL'] as const;
export const FUNCTIONAL_CODES = ['CJ', 'JG', 'ZW', 'CQ', 'SG', 'FZ'] as const;
export type DefectCode = (typeof STRUCTURAL_CODES)[number] | (typeof FUNCTIONAL_CODES)[number];
export const DEFECT_CODES: readonly DefectCode[] = [...STRUCTURAL_CODES, ...FUNCTIONAL_CODES];

export interface DefectType {
  code: DefectCode;
  kind: DefectKind;
  name: string;
  nameEn: string;
  /** Score of grade 1, 2, … (the standard gives some defects only 2 or 3 grades). */
  scores: readonly number[];
}

const type = (code: DefectCode, kind: DefectKind, name: string, nameEn: string, scores: number[]): DefectType => ({ code, kind, name, nameEn, scores });

/** Tables 8.2.2 (structural) and 8.2.3 (functional): score by grade. */
export const DEFECT_TYPES: Readonly<Record<DefectCode, DefectType>> = {
  PL: type('PL', 'structural', '破裂', 'fracture', [0.5, 2, 5, 10]),
  BX: type('BX', 'structural', '变形', 'deformation', [1, 2, 5, 10]),
  FS: type('FS', 'structural', '腐蚀', 'corrosion', [0.5, 2, 5]),
  CK: type('CK', 'structural', '错口', 'offset joint', [0.5, 2, 5, 10]),
  QF: type('QF', 'structural', '起伏', 'sag', [0.5, 2, 5, 10]),
  TJ: type('TJ', 'structural', '脱节', 'open joint', [0.5, 2, 5, 10]),
  TL: type('TL', 'structural', '接口材料脱落', 'joint material displaced', [1, 3]),
  AJ: type('AJ', 'structural', '支管暗接', 'concealed lateral connection', [0.5, 2, 5]),
  CR: type('CR', 'structural', '异物穿入', 'intruding object', [0.5, 2, 5]),
  SL: type('SL', 'structural', '渗漏', 'infiltration', [0.5, 2, 5, 10]),
  CJ: type('CJ', 'functional', '沉积', 'deposits', [0.5, 2, 5, 10]),
  JG: type('JG', 'functional', '结垢', 'encrustation', [0.5, 2, 5, 10]),
  ZW: type('ZW', 'functional', '障碍物', 'obstacle', [0.1, 2, 5, 10]),
  CQ: type('CQ', 'functional', '残墙、坝根', 'remains of wall or dam', [1, 3, 5, 10]),
  SG: type('SG', 'functional', '树根', 'roots', [0.5, 2, 5, 10]),
  FZ: type('FZ', 'functional', '浮渣', 'scum', [0, 0, 0]),
};

export function isDefectCode(code: string): code is DefectCode {
  return Object.hasOwn(DEFECT_TYPES, code);
}

/** Why a code and grade cannot be scored, or null when they can. */
export function defectProblem(code: string, grade: number): string | null {
  if (!isDefectCode(code)) return `unknown defect code "${code}" (CJJ 181-2012 codes: ${DEFECT_CODES.join(', ')})`;
  const grades = DEFECT_TYPES[code].scores.length;
  if (!Number.isInteger(grade) || grade < 1 || grade > grades) return `${code} (${DEFECT_TYPES[code].name}) has grades 1–${grades}, not ${grade}`;
  return null;
}

/** The score of one defect (tables 8.2.2 and 8.2.3). */
export function defectScore(code: DefectCode, grade: number): number {
  const problem = defectProblem(code, grade);
  if (problem) throw new RangeError(problem);
  return DEFECT_TYPES[code].scores[grade - 1]!;
}

/** Region importance (地区重要性参数 K, table 8.3.4-1). */
export const REGION_CLASSES = ['central', 'arterial', 'road', 'other'] as const;
export type RegionClass = (typeof REGION_CLASSES)[number];
export const REGION_K: Readonly<Record<RegionClass, number>> = {
  central: 10, // 中心政治、商业及旅游区域
  arterial: 6, // 交通干道和其他商业区域
  road: 3, // 其他行车道路
  other: 0, // 所有其他区域
};

/** Soil (土质影响参数 T, table 8.3.4-3). */
export const SOIL_CLASSES = [
  'general', 'silty_sand', 'loess_1_2', 'loess_3', 'loess_4', 'expansive_weak', 'expansive_medium', 'expansive_strong', 'mucky_soil', 'muck', 'red_clay',
] as const;
export type SoilClass = (typeof SOIL_CLASSES)[number];
export const SOIL_T: Readonly<Record<SoilClass, number>> = {
  general: 0, // 一般土层
  silty_sand: 10, // 粉砂层
  loess_1_2: 6, // 湿陷性黄土 I、II 级
  loess_3: 8, // 湿陷性黄土 III 级
  loess_4: 10, // 湿陷性黄土 IV 级
  expansive_weak: 6, // 膨胀土 弱
  expansive_medium: 8, // 膨胀土 中
  expansive_strong: 10, // 膨胀土 强
  mucky_soil: 8, // 淤泥质土
  muck: 10, // 淤泥
  red_clay: 8, // 红黏土
};

/**
 * Defaults where an inspection names no region or soil. Municipal sewers run under carriageways,
 * so an unnamed region is "other roads" (K 3), not "all other areas" (K 0); an unnamed soil is
 * "general" (T 0), so an index is never raised by a soil nobody surveyed. Both are reported in
 * `assumed` so a reader sees where they apply.
 */
export const DEFAULT_REGION: RegionClass = 'road';
export const DEFAULT_SOIL: SoilClass = 'general';

/** Pipe importance (管道重要性参数 E, table 8.3.4-2) by diameter; 0 when the parameter is below 4. */
export function pipeImportance(diameterMm: number | null | undefined, parameter: number): number {
  if (parameter < 4 || !diameterMm || diameterMm < 600) return 0;
  if (diameterMm <= 1000) return 3;
  if (diameterMm <= 1500) return 6;
  return 10;
}

export interface DefectObservation {
  code: DefectCode;
  grade: number;
  /** Distance from the start manhole along the inspection, m. */
  atM: number;
  /** Longitudinal extent, m (0 or absent: a local defect). */
  lengthM?: number;
}

export interface SegmentContext {
  /** Segment (inspected) length L, m. */
  lengthM: number;
  diameterMm?: number | null;
  region?: RegionClass | null;
  soil?: SoilClass | null;
}

export type Extent = 'local' | 'partial' | 'whole';
export type ConditionGrade = 1 | 2 | 3 | 4;

export interface Condition {
  /** Defect points after defects within 1 m were combined (§8.1). */
  points: number;
  /** S or Y: the mean score, points in 1.0–1.5 m of a neighbour weighted by α = β = 1.1. */
  mean: number;
  /** Smax or Ymax. */
  max: number;
  /** F (structural) or G (functional): Smax when Smax ≥ S, else S. */
  parameter: number;
  /** SM or YM. */
  density: number;
  grade: ConditionGrade;
  /** By density: < 0.1 local, 0.1–0.5 partial or whole, > 0.5 whole; null without defects. */
  extent: Extent | null;
}

export type RepairAction = 'none' | 'plan_repair' | 'repair_soon' | 'repair_now';
export type MaintenanceAction = 'none' | 'plan_maintenance' | 'maintain_soon' | 'maintain_now';
export const REPAIR_ACTIONS: readonly RepairAction[] = ['none', 'plan_repair', 'repair_soon', 'repair_now'];
export const MAINTENANCE_ACTIONS: readonly MaintenanceAction[] = ['none', 'plan_maintenance', 'maintain_soon', 'maintain_now'];

export interface SegmentAssessment {
  structural: Condition;
  functional: Condition;
  /** Factors of RI (K, E, T: zero where the standard's tables say so for a small F) and of MI (K, E). */
  repairFactors: { K: number; E: number; T: number };
  maintenanceFactors: { K: number; E: number };
  ri: number;
  repairGrade: ConditionGrade;
  mi: number;
  maintenanceGrade: ConditionGrade;
  /** Table 8.3.5 and 8.4.5: what the grades call for. */
  action: { repair: RepairAction; maintenance: MaintenanceAction; priority: ConditionGrade };
  /** Defaults that were applied (region, soil, unknown diameter). */
  assumed: string[];
}

/** α (structural) and β (functional): the weight of a defect 1.0–1.5 m from its neighbour. */
export const NEIGHBOUR_WEIGHT = 1.1;

interface Point {
  start: number;
  end: number;
  score: number;
}

/** Defects within 1 m (net) of each other form one point whose score is their sum, at most 10 (§8.1). */
function combine(defects: readonly DefectObservation[]): Point[] {
  const sorted = [...defects].sort((a, b) => a.atM - b.atM);
  const points: Point[] = [];
  for (const d of sorted) {
    const start = d.atM;
    const end = d.atM + Math.max(0, d.lengthM ?? 0);
    const score = defectScore(d.code, d.grade);
    const last = points.at(-1);
    if (last && start - last.end <= 1.0) {
      last.end = Math.max(last.end, end);
      last.score = Math.min(10, last.score + score);
    } else {
      points.push({ start, end, score });
    }
  }
  return points;
}

/** Grade I–IV of a parameter or index by the standard's bounds (F, G: 1/3/6; RI, MI: 1/4/7). */
function gradeOf(value: number, bounds: readonly [number, number, number]): ConditionGrade {
  const v = Number(value.toPrecision(10));
  if (v <= bounds[0]) return 1;
  if (v <= bounds[1]) return 2;
  if (v <= bounds[2]) return 3;
  return 4;
}

const CONDITION_BOUNDS = [1, 3, 6] as const;
const INDEX_BOUNDS = [1, 4, 7] as const;

/** S/Smax/F/SM (§8.3) or Y/Ymax/G/YM (§8.4) of one kind's defects on a segment of length L. */
export function condition(defects: readonly DefectObservation[], lengthM: number): Condition {
  const points = combine(defects);
  const n = points.length;
  if (n === 0) return { points: 0, mean: 0, max: 0, parameter: 0, density: 0, grade: 1, extent: null };
  let weightedScores = 0;
  let weightedLengths = 0;
  points.forEach((p, i) => {
    const gaps = [i > 0 ? p.start - points[i - 1]!.end : Infinity, i < n - 1 ? points[i + 1]!.start - p.end : Infinity];
    const weight = Math.min(...gaps) <= 1.5 ? NEIGHBOUR_WEIGHT : 1;
    weightedScores += weight * p.score;
    // A defect no longer than 1 m counts as 1 m (§8.1).
    weightedLengths += weight * p.score * Math.max(1, p.end - p.start);
  });
  const mean = weightedScores / n;
  const max = Math.max(...points.map((p) => p.score));
  const parameter = max >= mean ? max : mean;
  const density = mean > 0 && lengthM > 0 ? weightedLengths / (mean * lengthM) : 0;
  const extent: Extent = density < 0.1 ? 'local' : density <= 0.5 ? 'partial' : 'whole';
  return { points: n, mean, max, parameter, density, grade: gradeOf(parameter, CONDITION_BOUNDS), extent };
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;

/** The structural and functional assessment of one segment from its coded defects. */
export function assessSegment(defects: readonly DefectObservation[], context: SegmentContext): SegmentAssessment {
  const assumed: string[] = [];
  const region = context.region ?? DEFAULT_REGION;
  const soil = context.soil ?? DEFAULT_SOIL;
  if (!context.region) assumed.push(`region: ${DEFAULT_REGION} (K ${REGION_K[DEFAULT_REGION]}), none given`);
  if (!context.soil) assumed.push(`soil: ${DEFAULT_SOIL} (T ${SOIL_T[DEFAULT_SOIL]}), none given`);
  if (!context.diameterMm) assumed.push('diameter unknown: E 0');
  const structural = condition(defects.filter((d) => DEFECT_TYPES[d.code].kind === 'structural'), context.lengthM);
  const functional = condition(defects.filter((d) => DEFECT_TYPES[d.code].kind === 'functional'), context.lengthM);
  const F = structural.parameter;
  const G = functional.parameter;
  // Tables 8.3.4-1/-2: K and E are 0 when F < 4; table 8.3.4-3: T is 0 when F = 0.
  const repairFactors = { K: F < 4 ? 0 : REGION_K[region], E: pipeImportance(context.diameterMm, F), T: F === 0 ? 0 : SOIL_T[soil] };
  // MI takes K and E from the same tables; their "F < 4" row is read as "G < 4" for the functional index.
  const maintenanceFactors = { K: G < 4 ? 0 : REGION_K[region], E: pipeImportance(context.diameterMm, G) };
  const ri = round(0.7 * F + 0.1 * repairFactors.K + 0.05 * repairFactors.E + 0.15 * repairFactors.T);
  const mi = round(0.8 * G + 0.15 * maintenanceFactors.K + 0.05 * maintenanceFactors.E);
  const repairGrade = gradeOf(ri, INDEX_BOUNDS);
  const maintenanceGrade = gradeOf(mi, INDEX_BOUNDS);
  return {
    structural: { ...structural, mean: round(structural.mean), parameter: round(structural.parameter), density: round(structural.density) },
    functional: { ...functional, mean: round(functional.mean), parameter: round(functional.parameter), density: round(functional.density) },
    repairFactors, maintenanceFactors, ri, repairGrade, mi, maintenanceGrade,
    action: {
      repair: REPAIR_ACTIONS[repairGrade - 1]!,
      maintenance: MAINTENANCE_ACTIONS[maintenanceGrade - 1]!,
      priority: Math.max(repairGrade, maintenanceGrade) as ConditionGrade,
    },
    assumed,
  };
}
