export {
  collectedLoadKgPerDay, collectionRate, domesticLoadKg, extraneousWater, flowWeightedBod5, meanDailyFlowM3, PER_CAPITA_WATER_L, SEWAGE_RETURN_COEFFICIENT, influentLoadKg, kpisByPeriod, monthOf, PER_CAPITA_BOD5_G, producedLoadKgPerDay } from './formulas.ts';
export type { CollectionRate, ExtraneousWater, InfluentDay, PeriodKpi } from './formulas.ts';
export { localDay, registerKpi, resolvedAt, verifiedAt } from './register.ts';
export type { RegisterFinding, RegisterKpi, RegisterMonth } from './register.ts';
export { kpiCsv, kpiInputs, kpiReport, listAreaNodes, listRegisterFindings, listInfluentDays, setPlantService, setServedPopulation, subtree, upsertInfluentDays } from './repository.ts';
export type { AreaKpi, AreaNode, KpiInputs, KpiOptions, KpiReport, RemediationMonth } from './repository.ts';
