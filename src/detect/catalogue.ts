import type { Queryable } from '../store/index.ts';
import { insertRules } from './repository.ts';
import type { ThresholdRule } from './types.ts';

/**
 * Default threshold rules per indicator (level 1 red … level 4 blue, with the recovery value
 * behind each), in force in every deployment and overridable per sensor. Each cites where its
 * numbers come from; where a source gives only one or two levels, the others are our spacing.
 */
export const DEFAULT_RULES: ThresholdRule[] = [
  // Gas detectors alarm at 25 %LEL (low) and 50 %LEL (high): the usual two alarm points of
  // combustible-gas detectors (GB 15322 series); 5 and 10 %LEL as early warnings.
  { id: 'methane-lel', name: '可燃气体浓度', indicator: 'methane_lel', sensorId: null, direction: 'above', thresholds: { 1: 50, 2: 25, 3: 10, 4: 5 }, recovery: 3, version: 1 },
  // A medium-pressure-A gas main runs at 0.2–0.4 MPa (GB 50028); falling pressure means a leak or a supply fault.
  { id: 'gas-pressure-low', name: '燃气管网压力低', indicator: 'gas_pressure', sensorId: null, direction: 'below', thresholds: { 1: 0.1, 2: 0.15, 3: 0.2, 4: 0.25 }, recovery: 0.28, version: 1 },
  // Urban supply keeps ≥ 0.14 MPa at the tap of a 6-storey building (GB 50013 service-pressure practice); 0.28 MPa is the common target.
  { id: 'water-pressure-low', name: '供水管网压力低', indicator: 'water_pressure', sensorId: null, direction: 'below', thresholds: { 1: 0.1, 2: 0.14, 3: 0.18, 4: 0.2 }, recovery: 0.22, version: 1 },
  // Drainage level: alarm ≥ 2.5 m, warning ≥ 2.0 m (BRIEF.md, typical project defaults).
  { id: 'drain-level-high', name: '排水管网液位高', indicator: 'drain_level', sensorId: null, direction: 'above', thresholds: { 1: 3, 2: 2.5, 3: 2, 4: 1.5 }, recovery: 1.3, version: 1 },
  // River water quality: COD ≥ 40 mg/L and NH3-N ≥ 2.0 mg/L alarm (BRIEF.md; both are the GB 3838-2002 class V limits).
  { id: 'cod-high', name: '化学需氧量超标', indicator: 'cod', sensorId: null, direction: 'above', thresholds: { 2: 40, 3: 30, 4: 20 }, recovery: 18, version: 1 },
  { id: 'nh3n-high', name: '氨氮超标', indicator: 'nh3n', sensorId: null, direction: 'above', thresholds: { 2: 2, 3: 1.5, 4: 1 }, recovery: 0.9, version: 1 },
  // pH outside 6–9 alarms (BRIEF.md; GB 3838-2002 classes I–V all require 6–9).
  { id: 'ph-high', name: 'pH 偏高', indicator: 'ph', sensorId: null, direction: 'above', thresholds: { 3: 9 }, recovery: 8.8, version: 1 },
  { id: 'ph-low', name: 'pH 偏低', indicator: 'ph', sensorId: null, direction: 'below', thresholds: { 3: 6 }, recovery: 6.2, version: 1 },
  // Battery devices: replace below 20 %, urgent below 10 % (maintenance, so never above level 3).
  { id: 'battery-low', name: '设备电量低', indicator: 'battery', sensorId: null, direction: 'below', thresholds: { 3: 10, 4: 20 }, recovery: 25, version: 1 },
];

/** Inserts the default rules a deployment does not have yet; rules already there are left as they are. */
export async function ensureDefaultRules(db: Queryable): Promise<void> {
  const [row] = await db.query<{ ids: string[] }>(`SELECT coalesce(array_agg(id), '{}') AS ids FROM rules`);
  const present = new Set(row?.ids ?? []);
  await insertRules(db, DEFAULT_RULES.filter((r) => !present.has(r.id)));
}
