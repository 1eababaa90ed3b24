// Typed fetches for the analysis routes (src/api/analysis-routes.ts).
import type { IncidentAnalysisDto } from '../../../src/api/analysis-routes.ts';

export type { AnalysisResultDto, AssetAnalysisDto, IncidentAnalysisDto } from '../../../src/api/analysis-routes.ts';
export type { GasSpreadDetail, RankedSpace } from '../../../src/analysis/gas-spread.ts';
export type { GasSourceDetail, Reason } from '../../../src/analysis/gas-source.ts';
export type { Evidence } from '../../../src/analysis/explain.ts';

export async function fetchIncidentAnalysis(incidentId: string): Promise<IncidentAnalysisDto> {
  const res = await fetch(`/api/incidents/${encodeURIComponent(incidentId)}/analysis`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const error = body && typeof body === 'object' && 'error' in body && typeof body.error === 'string' ? body.error : `${res.status} ${res.statusText}`;
    throw new Error(error);
  }
  return body as IncidentAnalysisDto;
}
