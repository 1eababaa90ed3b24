// Typed fetches for the inspection register (src/drainage/inspections/routes.ts) and the findings
// registers (src/drainage/findings/routes.ts).
import type { Finding, FindingAction, FindingKind, FindingStatus, SourceKind } from '../../../src/drainage/findings/types.ts';
import type { DefectType } from '../../../src/drainage/inspections/grading.ts';
import type { InspectionImportReport } from '../../../src/drainage/inspections/import.ts';
import type { CampaignSummary, Defect, Inspection } from '../../../src/drainage/inspections/types.ts';
import { requestJson as call } from '../api.ts';

export type { CampaignSummary, Defect, DefectType, Finding, FindingAction, FindingKind, FindingStatus, Inspection, InspectionImportReport, SourceKind };


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

/** The file as the import route takes it: CSV as text, an Excel workbook in base64. */
async function exportBody(file: File): Promise<{ csv: string } | { xlsxBase64: string }> {
  if (!/\.xlsx$/i.test(file.name)) return { csv: await file.text() };
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { xlsxBase64: btoa(binary) };
}

export const inspectionsApi = {
  /** 201 written or 422 with the per-row report: both answer the report. */
  importFile: async (campaignId: string, file: File) =>
    call<InspectionImportReport>('/api/inspections/import', { method: 'POST', body: JSON.stringify({ campaignId, fileName: file.name, ...(await exportBody(file)) }) }, [422]),
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
