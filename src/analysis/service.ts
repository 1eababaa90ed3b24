// Which analyses apply to an asset, and the data they need: the network twin, the sensors on and
// around the asset and their readings over a window. Reading the database is the caller's
// (`read`), so this stays testable with series made up in memory.
import { distanceM, pointToGeometryM } from '../network/geo.ts';
import { SPACE_TYPES } from '../network/schema.ts';
import type { NetworkTwin } from '../network/twin.ts';
import type { Position } from '../network/types.ts';
import type { AnalysisResult, Point } from './explain.ts';
import { analyseGasSpread, type Place } from './gas-spread.ts';
import { classifyGasSource } from './gas-source.ts';

export interface SensorInfo {
  id: string;
  assetId: string;
  indicator: string;
  location: Position;
}

export type SeriesReader = (sensorIds: string[], from: Date, to: Date) => Promise<Map<string, Point[]>>;

export interface AnalysisSources {
  twin: NetworkTwin;
  sensors: readonly SensorInfo[];
  read: SeriesReader;
  places?: readonly Place[];
}

/** Gas pressure monitors this close (straight line) to a space speak for "the nearby pipe". */
export const PRESSURE_SEARCH_M = 2000;
const GAS_PIPE_SEARCH_M = 500;

/** What an analysis of an asset looked at, beside its results. */
export interface AssetAnalysis {
  assetId: string;
  from: string;
  to: string;
  results: AnalysisResult[];
  /** Why an analysis that might apply did not run (no sensor, no data). */
  skipped: string[];
}

export async function analyseAsset(src: AnalysisSources, assetId: string, from: Date, to: Date): Promise<AssetAnalysis> {
  const asset = src.twin.byId.get(assetId);
  const out: AssetAnalysis = { assetId, from: from.toISOString(), to: to.toISOString(), results: [], skipped: [] };
  if (!asset) {
    out.skipped.push(`asset ${assetId} is not in the network model`);
    return out;
  }
  const on = src.sensors.filter((s) => s.assetId === assetId);
  const methane = on.find((s) => s.indicator === 'methane_lel');
  if (asset.geometry.type === 'Point' && (SPACE_TYPES.has(asset.assetType) || methane)) {
    if (!methane) out.skipped.push(`gas: ${assetId} has no combustible-gas detector`);
    else out.results.push(...(await gasAnalyses(src, assetId, methane, on, from, to, out.skipped)));
  }
  if (out.results.length === 0 && out.skipped.length === 0) out.skipped.push(`no analysis applies to a ${asset.network} ${asset.assetType}`);
  return out;
}

async function gasAnalyses(
  src: AnalysisSources, assetId: string, methane: SensorInfo, on: SensorInfo[], from: Date, to: Date, skipped: string[],
): Promise<AnalysisResult[]> {
  const asset = src.twin.byId.get(assetId)!;
  const at = (asset.geometry as { coordinates: Position }).coordinates;
  const h2s = on.find((s) => s.indicator === 'h2s');
  const pressure = src.sensors
    .filter((s) => s.indicator === 'gas_pressure' && src.twin.byId.get(s.assetId)?.network === 'gas')
    .map((s) => ({ s, d: distanceM(at, s.location) }))
    .filter((p) => p.d <= PRESSURE_SEARCH_M)
    .sort((a, b) => a.d - b.d);
  const others = src.sensors.filter((s) => s.indicator === 'methane_lel' && s.assetId !== assetId && distanceM(at, s.location) <= 500);
  const series = await src.read([methane.id, ...(h2s ? [h2s.id] : []), ...pressure.map((p) => p.s.id), ...others.map((s) => s.id)], from, to);
  const methanePoints = series.get(methane.id) ?? [];
  if (methanePoints.length === 0) {
    skipped.push(`gas: no readings of ${methane.id} between ${from.toISOString()} and ${to.toISOString()}`);
    return [];
  }
  const peak = Math.max(...methanePoints.map((p) => p.value));
  const measured = new Map<string, number>();
  for (const s of others) {
    const points = series.get(s.id);
    if (points && points.length > 0) measured.set(s.assetId, points[points.length - 1]!.value);
  }
  const spreadResult = analyseGasSpread({ twin: src.twin, sourceId: assetId, lel: peak, measured, places: src.places });
  spreadResult.evidence.unshift({ key: 'sourceSeries', data: `peak of ${methane.id} between ${from.toISOString()} and ${to.toISOString()}`, value: peak, unit: '%LEL', source: methane.id });
  const pipes = src.twin.spatial.within(at, GAS_PIPE_SEARCH_M, (a) => a.network === 'gas' && a.assetType === 'pipe' && a.status !== 'abandoned');
  const sourceResult = classifyGasSource({
    spaceId: assetId, spaceType: asset.assetType, network: asset.network, methaneSensorId: methane.id, methane: methanePoints,
    h2s: h2s ? { sensorId: h2s.id, points: series.get(h2s.id) ?? [] } : null,
    pressure: pressure.map((p) => ({ sensorId: p.s.id, distanceM: p.d, points: series.get(p.s.id) ?? [] })),
    gasPipeDistanceM: pipes.length > 0 ? Math.min(...pipes.map((p) => pointToGeometryM(at, p.asset.geometry))) : null,
  });
  return [spreadResult, sourceResult];
}
