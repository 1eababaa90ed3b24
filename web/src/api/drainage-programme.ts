// Typed fetches for the drainage programme routes (src/api/drainage-programme-routes.ts).
import type { Facility, Patrol } from '../../../src/drainage/facilities/index.ts';
import type { KpiInputs, KpiReport } from '../../../src/drainage/kpi/index.ts';
import type { DashboardArea, Project } from '../../../src/drainage/remediation/index.ts';
import { requestJson as call } from '../api.ts';

export type { AreaKpi, KpiInputs, KpiReport } from '../../../src/drainage/kpi/index.ts';
export type { Action, DashboardArea, DashboardCell, Project } from '../../../src/drainage/remediation/index.ts';
export type { Facility, Patrol, Shift, Telemetry } from '../../../src/drainage/facilities/index.ts';

export interface DashboardDto {
  areas: DashboardArea[];
  projects: (Omit<Project, 'progress'> & { photos: string[] })[];
}

export interface WaterEnvironmentDto {
  from: string;
  to: string;
  timeZone: string;
  stations: { id: string; name: string; river: string | null; waterbody: string; targetClass: string | null; days: { date: string; class: string | null; limiting: string[]; means: Record<string, number> }[] }[];
  rivers: Record<string, { date: string; class: string; stations: number }[]>;
  waterlogging: {
    id: string; name: string; location: [number, number]; gaugeSensorId: string | null; depthM: number | null; depthAt: string | null;
    rainSensorId: string | null; rainOneHourMm: number | null; rainTwelveHourMm: number | null; rainDayMm: number | null; rainClass: string | null;
  }[];
}


export const drainageApi = {
  dashboard: () => call<DashboardDto>('/api/drainage/remediation/dashboard'),
  project: (id: string) => call<Project>(`/api/drainage/remediation/projects/${encodeURIComponent(id)}`),
  addProgress: (id: string, update: { percent: number; note: string; photos: string[]; spentYuan?: number }) =>
    call<Project>(`/api/drainage/remediation/projects/${encodeURIComponent(id)}/progress`, { method: 'POST', body: JSON.stringify(update) }),
  facilities: () => call<Facility[]>('/api/drainage/facilities'),
  checkIn: (patrolId: string, note: string) =>
    call<Patrol>(`/api/drainage/patrols/${encodeURIComponent(patrolId)}/checkins`, { method: 'POST', body: JSON.stringify({ note }) }),
  water: () => call<WaterEnvironmentDto>('/api/drainage/water-environment'),
  kpi: (from?: string, to?: string) => call<KpiReport>(`/api/drainage/kpi?${new URLSearchParams({ ...(from ? { from } : {}), ...(to ? { to } : {}) })}`),
  kpiCsvUrl: (from?: string, to?: string) => `/api/drainage/kpi?${new URLSearchParams({ ...(from ? { from } : {}), ...(to ? { to } : {}), format: 'csv' })}`,
  kpiInputs: () => call<KpiInputs>('/api/drainage/kpi/inputs'),
  setPopulation: (input: { areaId: string; servedPopulation: number; asOf: string }) =>
    call<typeof input>('/api/drainage/kpi/population', { method: 'POST', body: JSON.stringify(input) }),
  setPlantService: (input: { plantId: string; areaId: string }) =>
    call<typeof input>('/api/drainage/kpi/plant-service', { method: 'POST', body: JSON.stringify(input) }),
};
