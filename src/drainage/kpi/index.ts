export { collectedLoadKgPerDay, collectionRate, domesticLoadKg, flowWeightedBod5, influentLoadKg, kpisByPeriod, monthOf, PER_CAPITA_BOD5_G, producedLoadKgPerDay } from './formulas.ts';
export type { CollectionRate, InfluentDay, PeriodKpi } from './formulas.ts';
export { kpiCsv, kpiReport, listAreaNodes, listInfluentDays, setPlantService, setServedPopulation, subtree, upsertInfluentDays } from './repository.ts';
export type { AreaKpi, AreaNode, KpiReport, RemediationMonth } from './repository.ts';
