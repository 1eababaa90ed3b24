import type { ConditionGrade, DefectCode, DefectKind, RegionClass, SegmentAssessment, SoilClass } from './grading.ts';

/** CCTV crawler (CCTV 管道内窥检测机器人), QV periscope (管道潜望镜), sonar (声纳), unmanned boat (无人船), drone patrol (无人机). */
export const INSPECTION_METHODS = ['cctv', 'qv', 'sonar', 'boat', 'drone'] as const;
export type InspectionMethod = (typeof INSPECTION_METHODS)[number];

export interface Campaign {
  id: string;
  name: string;
  method: InspectionMethod;
  areaId: string | null;
  contractor: string | null;
  ownerId: string | null;
  startedOn: string | null;
  endedOn: string | null;
}

export interface CampaignSummary extends Campaign {
  /** Counts over the inspections the caller may see. */
  segments: number;
  inspectedKm: number;
  defects: number;
  /** Segments per structural grade I–IV and per functional grade I–IV. */
  structuralGrades: [number, number, number, number];
  functionalGrades: [number, number, number, number];
  /** Segments whose repair or maintenance index calls for action now (grade IV). */
  urgent: number;
}

export interface Defect {
  id: string;
  code: DefectCode;
  kind: DefectKind;
  grade: number;
  score: number;
  atM: number;
  lengthM: number;
  clock: string | null;
  remark: string | null;
  photoUrl: string | null;
  videoUrl: string | null;
}

export interface Inspection {
  id: string;
  campaignId: string;
  segmentId: string;
  segmentName: string | null;
  ownerId: string;
  inspectedOn: string;
  method: InspectionMethod;
  lengthM: number;
  diameterMm: number | null;
  region: RegionClass | null;
  soil: SoilClass | null;
  videoUrl: string | null;
  assessment: SegmentAssessment;
  structuralGrade: ConditionGrade;
  functionalGrade: ConditionGrade;
  ri: number;
  mi: number;
  repairGrade: ConditionGrade;
  maintenanceGrade: ConditionGrade;
  /** Where the segment is (its middle), for the map. */
  location: { lon: number; lat: number } | null;
  defects: Defect[];
}

export class InspectionError extends Error {
  constructor(message: string, readonly code: 'not_found' | 'invalid' | 'conflict') {
    super(message);
  }
}
