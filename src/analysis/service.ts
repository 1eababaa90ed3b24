// Which analyses apply to an asset, and the data they need: the network twin, the sensors on and
// around the asset and their readings over a window. Reading the database is the caller's
// (`read`), so this stays testable with series made up in memory.
import { distanceM, pointToGeometryM } from '../network/geo.ts';
import { SPACE_TYPES } from '../network/schema.ts';
import type { NetworkTwin } from '../network/twin.ts';
import type { Position } from '../network/types.ts';
import { analyseBridge, type BridgeInput } from './bridge.ts';
import { detectBlockage, detectRiverIntrusion, estimateInfiltration, locateMisconnections, type MonitoredPoint } from './drainage-diagnosis.ts';
import { evidence, type AnalysisResult, type Point } from './explain.ts';
import { analyseGasSpread, type Place } from './gas-spread.ts';
import { classifyGasSource } from './gas-source.ts';
import { analyseNightFlow } from './night-flow.ts';

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
  /** The governance zone (治理分区) of an asset, for drainage results. */
  zoneOf?: (assetId: string) => string | null;
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
  if (asset.network === 'drainage' && asset.geometry.type === 'Point') out.results.push(...(await drainageAnalyses(src, assetId, from, to, out.skipped)));
  if (asset.network === 'bridge') out.results.push(...(await bridgeAnalyses(src, assetId, on, from, to, out.skipped)));
  const meter = on.find((s) => s.indicator === 'water_flow');
  if (asset.network === 'water' && meter) {
    const flow = (await src.read([meter.id], from, to)).get(meter.id) ?? [];
    const customers = typeof asset.attributes.customers === 'number' ? asset.attributes.customers : 0;
    const result = analyseNightFlow({ areaId: assetId, sensorId: meter.id, flow, properties: customers });
    if (result.verdict === 'no_data') out.skipped.push(`night flow: no 02:00–04:00 readings of ${meter.id} in the window`);
    else out.results.push(result);
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
  spreadResult.evidence.unshift(evidence('sourceSeries', `peak of ${methane.id} between ${from.toISOString()} and ${to.toISOString()}`, peak, '%LEL', methane.id));
  const pipes = src.twin.spatial.within(at, GAS_PIPE_SEARCH_M, (a) => a.network === 'gas' && a.assetType === 'pipe' && a.status !== 'abandoned');
  const sourceResult = classifyGasSource({
    spaceId: assetId, spaceType: asset.assetType, network: asset.network, methaneSensorId: methane.id, methane: methanePoints,
    h2s: h2s ? { sensorId: h2s.id, points: series.get(h2s.id) ?? [] } : null,
    pressure: pressure.map((p) => ({ sensorId: p.s.id, distanceM: p.d, points: series.get(p.s.id) ?? [] })),
    gasPipeDistanceM: pipes.length > 0 ? Math.min(...pipes.map((p) => pointToGeometryM(at, p.asset.geometry))) : null,
  });
  return [spreadResult, sourceResult];
}

const RAIN_INDICATORS = new Set(['rainfall', 'rain']);
const SEWAGE_INDICATORS = new Set(['drain_flow', 'cod', 'nh3n']);

/** Blockage against the nearest level monitor downstream; misconnections among the storm monitors of the same drainage line. */
async function drainageAnalyses(src: AnalysisSources, assetId: string, from: Date, to: Date, skipped: string[]): Promise<AnalysisResult[]> {
  const { twin } = src;
  const at = (twin.byId.get(assetId)!.geometry as { coordinates: Position }).coordinates;
  const below = new Set(twin.trace(assetId, 'downstream'));
  const above = new Set(twin.trace(assetId, 'upstream'));
  const level = src.sensors.find((s) => s.assetId === assetId && s.indicator === 'drain_level');
  const downLevel = src.sensors.filter((s) => s.indicator === 'drain_level' && below.has(s.assetId)).sort((a, b) => distanceM(at, a.location) - distanceM(at, b.location))[0];
  const rain = src.sensors.filter((s) => RAIN_INDICATORS.has(s.indicator)).sort((a, b) => distanceM(at, a.location) - distanceM(at, b.location))[0];
  const line = src.sensors.filter((s) => SEWAGE_INDICATORS.has(s.indicator) && (s.assetId === assetId || below.has(s.assetId) || above.has(s.assetId))
    && twin.byId.get(s.assetId)?.geometry.type === 'Point');
  const ids = [level, downLevel, rain, ...line].filter((s): s is SensorInfo => s !== undefined).map((s) => s.id);
  const series = await src.read(ids, from, to);
  const rainPoints = rain ? series.get(rain.id) ?? [] : [];
  const out: AnalysisResult[] = [];
  const asset = twin.byId.get(assetId)!;
  // A lift station with its flow and the population it serves: infiltration from the night flow.
  const stationFlow = src.sensors.find((s) => s.assetId === assetId && s.indicator === 'drain_flow');
  if (asset.assetType === 'pump_station' && stationFlow) {
    const population = asset.attributes.population;
    if (typeof population === 'number') {
      const flow = (await src.read([stationFlow.id], from, to)).get(stationFlow.id) ?? [];
      out.push(estimateInfiltration({ stationId: assetId, sensorId: stationFlow.id, flow, population, zoneOf: src.zoneOf }));
    } else skipped.push(`drainage infiltration: ${assetId} has no population attribute`);
  }
  // An outfall: does the level above it follow the river stage?
  if (asset.assetType === 'outfall') {
    const invert = [asset.attributes.invertM, asset.attributes.elevationM].find((v): v is number => typeof v === 'number');
    const river = src.sensors.filter((s) => s.indicator === 'river_level' && distanceM(at, s.location) <= 1000).sort((a, b) => distanceM(at, a.location) - distanceM(at, b.location))[0];
    const upLevel = src.sensors.filter((s) => s.indicator === 'drain_level' && above.has(s.assetId)).sort((a, b) => distanceM(at, a.location) - distanceM(at, b.location))[0];
    const conductivity = src.sensors.find((s) => s.indicator === 'conductivity' && upLevel && s.assetId === upLevel.assetId);
    if (invert === undefined || !river || !upLevel) skipped.push(`river intrusion: needs the outfall's invertM, a river level within 1 km and a level monitor upstream of ${assetId}`);
    else {
      const s2 = await src.read([river.id, upLevel.id, ...(conductivity ? [conductivity.id] : [])], from, to);
      out.push(detectRiverIntrusion({
        outfallId: assetId, outfallInvertM: invert, zoneOf: src.zoneOf,
        level: { sensorId: upLevel.id, points: s2.get(upLevel.id) ?? [] }, river: { sensorId: river.id, points: s2.get(river.id) ?? [] },
        conductivity: conductivity ? { sensorId: conductivity.id, points: s2.get(conductivity.id) ?? [] } : undefined,
      }));
    }
  }
  if (level && downLevel) {
    if (!rain) skipped.push('drainage: no rain gauge; the blockage check takes the window as dry');
    out.push(detectBlockage({
      twin, rain: rainPoints, zoneOf: src.zoneOf, rainSensorId: rain?.id ?? null,
      upstream: { assetId, sensorId: level.id, points: series.get(level.id) ?? [] },
      downstream: { assetId: downLevel.assetId, sensorId: downLevel.id, points: series.get(downLevel.id) ?? [] },
    }));
  } else if (asset.assetType !== 'outfall' && asset.assetType !== 'pump_station') skipped.push(`drainage blockage: needs level monitors at ${assetId} and downstream of it`);
  const storm = line.filter((s) => [...twin.topologies.get('drainage')!.graph.neighbors(s.assetId)].some((p) => twin.byId.get(p)?.attributes.system === 'storm'));
  if (storm.length > 0) {
    const monitors: MonitoredPoint[] = storm.map((s) => ({ assetId: s.assetId, sensorId: s.id, indicator: s.indicator as MonitoredPoint['indicator'], points: series.get(s.id) ?? [] }));
    out.push(locateMisconnections({ twin, monitors, rain: rainPoints, zoneOf: src.zoneOf }));
  } else skipped.push('drainage misconnection: no flow or sewage-quality monitor on this storm line');
  return out;
}

/**
 * The latest run of evenly spaced samples (gaps at most 1.5× the median): accelerometers upload
 * waveform records with pauses between them, and an FFT across a pause would smear the peak.
 */
export function latestRecord(points: readonly Point[]): { points: Point[]; stepMs: number } | null {
  if (points.length < 2) return null;
  const gaps = points.slice(1).map((p, i) => p.ts - points[i]!.ts).sort((a, b) => a - b);
  const stepMs = gaps[Math.floor(gaps.length / 2)]!;
  if (stepMs <= 0) return null;
  let start = points.length - 1;
  while (start > 0 && points[start]!.ts - points[start - 1]!.ts <= 1.5 * stepMs) start--;
  return { points: points.slice(start), stepMs };
}

const BRIDGE_INDICATORS = ['strain', 'deflection', 'acceleration', 'tilt', 'crack'] as const;

/** Checks of a span from its own sensors; the FFT needs the span's `baselineFrequencyHz`. */
async function bridgeAnalyses(src: AnalysisSources, assetId: string, on: SensorInfo[], from: Date, to: Date, skipped: string[]): Promise<AnalysisResult[]> {
  const asset = src.twin.byId.get(assetId)!;
  const pick = (indicator: string) => on.find((s) => s.indicator === indicator);
  const present = BRIDGE_INDICATORS.map((i) => pick(i)).filter((s): s is SensorInfo => s !== undefined);
  if (present.length === 0) {
    skipped.push(`bridge: ${assetId} has no strain, deflection, acceleration, tilt or crack sensor`);
    return [];
  }
  const series = await src.read(present.map((s) => s.id), from, to);
  const get = (indicator: string) => {
    const s = pick(indicator);
    return s ? { sensorId: s.id, points: series.get(s.id) ?? [] } : undefined;
  };
  const num = (key: string) => (typeof asset.attributes[key] === 'number' ? (asset.attributes[key] as number) : undefined);
  const input: BridgeInput = { spanId: assetId, spanM: num('spanM'), strain: get('strain'), deflection: get('deflection'), tilt: get('tilt'), crack: get('crack') };
  const acc = get('acceleration');
  const baselineHz = num('baselineFrequencyHz');
  const record = acc ? latestRecord(acc.points) : null;
  if (acc && record && record.points.length >= 64 && baselineHz) {
    input.acceleration = { sensorId: acc.sensorId, samples: record.points.map((p) => p.value), sampleRateHz: 1000 / record.stepMs, baselineHz };
  } else if (acc) skipped.push(`bridge frequency: needs a record of ≥ 64 evenly spaced acceleration samples and the span's baselineFrequencyHz`);
  return analyseBridge(input);
}
