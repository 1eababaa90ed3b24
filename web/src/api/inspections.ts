// Typed fetches for the inspection register (src/drainage/inspections/routes.ts) and the findings
// registers (src/drainage/findings/routes.ts).
import type { Finding, FindingAction, FindingKind, FindingStatus, SourceKind } from '../../../src/drainage/findings/types.ts';
import type { DefectType } from '../../../src/drainage/inspections/grading.ts';
import type { CampaignSummary, Defect, Inspection } from '../../../src/drainage/inspections/types.ts';

export type { CampaignSummary, Defect, DefectType, Finding, FindingAction, FindingKind, FindingStatus, Inspection, SourceKind };

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, {
    ...init, credentials: 'same-origin',
    headers: { accept: 'application/json', ...(init?.body ? { 'content-type': 'application/json' } : {}) },
  });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const error = body && typeof body === 'object' && 'error' in body && typeof body.error === 'string' ? body.error : `${res.status} ${res.statusText}`;
    throw new Error(error);
  }
  return body as T;
}

export interface FindingsWorkflow {
  kinds: FindingKind[];
  subtypes: Record<FindingKind, string[]>;
  sourceKinds: SourceKind[];
  statuses: FindingStatus[];
  transitions: Record<FindingAction, { from: FindingStatus[]; to: FindingStatus; roles: string[]; note?: true }>;
}

export interface NewFindingInput {
  kind: FindingKind;
  subtype: string;
  assetId: string;
  upstreamSource?: string;
  sourceKind?: SourceKind | null;
  address?: string;
  description?: string;
}

export const inspectionsApi = {
  campaigns: () => call<CampaignSummary[]>('/api/inspections/campaigns'),
  inspections: (campaignId: string) => call<Inspection[]>(`/api/inspections?campaign=${encodeURIComponent(campaignId)}`),
  codes: () => call<{ defects: DefectType[] }>('/api/inspections/codes'),
  findings: (kind: FindingKind) => call<Finding[]>(`/api/findings?kind=${kind}`),
  workflow: () => call<FindingsWorkflow>('/api/findings/workflow'),
  createFinding: (input: NewFindingInput) => call<Finding>('/api/findings', { method: 'POST', body: JSON.stringify(input) }),
  transition: (id: string, action: FindingAction, note: string | null) =>
    call<Finding>(`/api/findings/${encodeURIComponent(id)}/transitions`, { method: 'POST', body: JSON.stringify({ action, note }) }),
  workOrder: (id: string) => call<{ incidentId: string; finding: Finding }>(`/api/findings/${encodeURIComponent(id)}/work-order`, { method: 'POST', body: '{}' }),
};
