import type { Actor } from '../../incidents/index.ts';

/** The registers of the drainage campaign's diagnosis (查病): misconnections (混错接), river/lake water intrusion (河湖水入侵), leaks (漏损). */
export const FINDING_KINDS = ['misconnection', 'intrusion', 'leak'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export const FINDING_SUBTYPES: Readonly<Record<FindingKind, readonly string[]>> = {
  // 污水接入雨水管 (sewage into the storm system), 雨水接入污水管, a combined sewer into a separated system.
  misconnection: ['sewage_into_storm', 'storm_into_sewage', 'combined_into_separate'],
  // River water through an outfall or a leaking gate (倒灌), lake water, groundwater infiltration.
  intrusion: ['river_backflow', 'lake_backflow', 'groundwater'],
  // A water main leaking into the drainage network (自来水管网漏损), a sewer leaking out.
  leak: ['water_main', 'sewer_exfiltration'],
};

/** Where a misconnection's water comes from. */
export const SOURCE_KINDS = ['residential', 'commercial', 'institution', 'industrial', 'municipal', 'other'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const FINDING_STATUSES = ['found', 'confirmed', 'remediating', 'remediated', 'verified', 'dismissed'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

export const FINDING_ACTIONS = ['confirm', 'dismiss', 'start_remediation', 'complete', 'verify', 'send_back', 'reopen'] as const;
export type FindingAction = (typeof FINDING_ACTIONS)[number];

export interface FindingHistoryEntry {
  action: FindingAction | 'create' | 'work_order';
  from: FindingStatus | null;
  to: FindingStatus;
  note: string | null;
  actor: string;
  at: string;
  incidentId?: string;
}

export interface Finding {
  id: string;
  kind: FindingKind;
  subtype: string;
  status: FindingStatus;
  assetId: string | null;
  ownerId: string;
  location: { lon: number; lat: number };
  address: string | null;
  upstreamSource: string | null;
  sourceKind: SourceKind | null;
  description: string | null;
  campaignId: string | null;
  incidentId: string | null;
  foundOn: string;
  updatedAt: string;
  history: FindingHistoryEntry[];
  /** The actions the asking user may take now. */
  allowedActions: FindingAction[];
  /** Whether the asking user may turn it into a work order now. */
  canCreateWorkOrder: boolean;
}

export class FindingError extends Error {
  constructor(message: string, readonly code: 'not_found' | 'invalid' | 'illegal_transition' | 'forbidden') {
    super(message);
  }
}

export type { Actor };
