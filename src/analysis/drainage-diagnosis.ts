// Drainage diagnosis (查病): misconnections, river water intrusion, infiltration, blockage and
// overflow risk, each pointing to pipe segments and governance zones. Pure functions over the
// network twin's drainage topology (flow direction from inverts) and reading series.
import { lengthM } from '../network/geo.ts';
import type { NetworkTwin } from '../network/twin.ts';
import { correlation, evidence, mean, message, round, slopePerHour, alignTo, type AnalysisResult, type Point } from './explain.ts';
import { nightMinima } from './night-flow.ts';

const HOUR = 3_600_000;

/** Times with no rain in the `antecedentHours` before them (rain gauge series in mm per reading). */
export function dryWeather(rain: readonly Point[], antecedentHours = 24): (ts: number) => boolean {
  const wet = rain.filter((p) => p.value > 0).map((p) => p.ts);
  return (ts) => !wet.some((w) => w <= ts && ts - w <= antecedentHours * HOUR);
}

type ZoneOf = (assetId: string) => string | null;

function zonesOf(ids: readonly string[], zoneOf?: ZoneOf): string[] {
  return zoneOf ? [...new Set(ids.map(zoneOf).filter((z): z is string => z !== null))].sort() : [];
}

function pipesOnly(twin: NetworkTwin, ids: Iterable<string>): string[] {
  return [...ids].filter((id) => twin.byId.get(id)?.geometry.type === 'LineString').sort();
}

export interface MonitoredPoint {
  /** The manhole (node) the sensor sits in. */
  assetId: string;
  sensorId: string;
  indicator: 'drain_flow' | 'cod' | 'nh3n';
  points: Point[];
}

/** In a storm pipe in dry weather: any flow (m³/h) above this, or sewage concentrations above the class V limits. */
export const MISCONNECTION_THRESHOLDS = { drain_flow: 2, cod: 40, nh3n: 2 } as const;

/**
 * Misconnections (混错接): storm-pipe monitors that carry dry-weather flow or sewage. The sewage
 * enters between the most upstream monitor that shows it and the monitors above it that do not:
 * the pipes upstream of the first but not upstream of (or at) any clean one.
 */
export function locateMisconnections(input: { twin: NetworkTwin; monitors: MonitoredPoint[]; rain: Point[]; zoneOf?: ZoneOf }): AnalysisResult {
  const { twin } = input;
  const dry = dryWeather(input.rain);
  const judged = input.monitors.map((m) => {
    const values = m.points.filter((p) => dry(p.ts)).map((p) => p.value);
    const dryMean = values.length > 0 ? mean(values) : null;
    return { ...m, dryMean, dirty: dryMean !== null && dryMean > MISCONNECTION_THRESHOLDS[m.indicator], samples: values.length };
  });
  const dirty = new Set(judged.filter((j) => j.dirty).map((j) => j.assetId));
  const clean = new Set(judged.filter((j) => !j.dirty && j.dryMean !== null).map((j) => j.assetId));
  const upstreamOf = new Map<string, Set<string>>();
  const up = (id: string) => upstreamOf.get(id) ?? upstreamOf.set(id, new Set(twin.trace(id, 'upstream'))).get(id)!;
  // The first dirty monitors: no other dirty monitor upstream of them.
  const first = [...dirty].filter((d) => ![...dirty].some((o) => o !== d && up(d).has(o)));
  const segments = new Set<string>();
  for (const d of first) {
    const excluded = new Set<string>();
    for (const c of clean) if (up(d).has(c)) for (const id of [c, ...up(c)]) excluded.add(id);
    for (const id of up(d)) if (!excluded.has(id)) segments.add(id);
  }
  const segmentIds = pipesOnly(twin, segments);
  const zones = zonesOf([...first, ...segmentIds], input.zoneOf);
  return {
    kind: 'drainage_diagnosis', verdict: first.length > 0 ? 'misconnection' : 'normal',
    conclusion: first.length > 0
      ? `Dry-weather sewage in storm pipes first seen at ${first.join(', ')}: suspected misconnection(s) on ${segmentIds.length} pipe(s) above it (${segmentIds.join(', ')}), below the clean monitors ${[...clean].join(', ') || '(none)'}.`
      : `No storm monitor carries dry-weather flow or sewage (${judged.length} monitors).`,
    message: first.length > 0
      ? message('drainage.misconnection', { first: first.join(', '), count: segmentIds.length, segments: segmentIds.join(', '), clean: [...clean].join(', ') || '—' })
      : message('drainage.noMisconnection', { monitors: judged.length }),
    // Fewer candidate pipes between the monitors: a tighter answer.
    confidence: first.length > 0 ? round(0.6 + 0.3 / Math.max(1, segmentIds.length), 2) : 0.6,
    evidence: judged.map((j) => evidence(`dryWeather.${j.indicator}`, `${j.assetId} dry-weather mean of ${j.indicator} (${j.samples} readings)${j.dirty ? ' above threshold' : ''}`, j.dryMean, j.indicator === 'drain_flow' ? 'm³/h' : 'mg/L', j.sensorId)),
    model: {
      name: 'drainage/misconnection-bracketing', version: 1,
      method: 'Dry weather = no rain in the previous 24 h; a storm monitor whose dry-weather mean exceeds the threshold is dirty; the segment is upstream of the first dirty monitor and not upstream of a clean one (flow direction from inverts).',
      parameters: { antecedentDryHours: 24, flowM3h: MISCONNECTION_THRESHOLDS.drain_flow, codMgL: MISCONNECTION_THRESHOLDS.cod, nh3nMgL: MISCONNECTION_THRESHOLDS.nh3n },
    },
    assetIds: first, segmentIds, zoneIds: zones, detail: { dirty: [...dirty], clean: [...clean], first },
  };
}

/**
 * Blockage (堵塞): level rising at the upstream monitor and falling at the downstream one with no
 * rain; the blockage lies on the pipes between them.
 */
export function detectBlockage(input: {
  twin: NetworkTwin; upstream: { assetId: string; sensorId: string; points: Point[] }; downstream: { assetId: string; sensorId: string; points: Point[] }; rain: Point[]; zoneOf?: ZoneOf;
  /** The rain gauge the rain came from; absent: no gauge, the window is taken as dry. */
  rainSensorId?: string | null;
}): AnalysisResult {
  const riseUp = slopePerHour(input.upstream.points);
  const riseDown = slopePerHour(input.downstream.points);
  const rainMm = input.rain.reduce((a, p) => a + p.value, 0);
  const blocked = riseUp > 0.05 && riseDown < -0.02 && rainMm === 0;
  const below = new Set(input.twin.trace(input.upstream.assetId, 'downstream'));
  const between = pipesOnly(input.twin, input.twin.trace(input.downstream.assetId, 'upstream').filter((id) => below.has(id)));
  return {
    kind: 'drainage_diagnosis', verdict: blocked ? 'blockage' : 'normal',
    conclusion: blocked
      ? `Level rising ${round(riseUp, 3)} m/h at ${input.upstream.assetId} and falling ${round(-riseDown, 3)} m/h at ${input.downstream.assetId} with no rain: suspected blockage on ${between.join(', ')}.`
      : `No blockage signature between ${input.upstream.assetId} and ${input.downstream.assetId} (upstream ${round(riseUp, 3)} m/h, downstream ${round(riseDown, 3)} m/h, rain ${round(rainMm, 1)} mm).`,
    message: blocked
      ? message('drainage.blockage', { up: input.upstream.assetId, down: input.downstream.assetId, riseUp: round(riseUp, 3), fallDown: round(-riseDown, 3), segments: between.join(', ') })
      : message('drainage.noBlockage', { up: input.upstream.assetId, down: input.downstream.assetId, riseUp: round(riseUp, 3), riseDown: round(riseDown, 3), rain: round(rainMm, 1) }),
    confidence: blocked ? 0.75 : 0.6,
    evidence: [
      evidence('levelTrendUp', `level trend at ${input.upstream.assetId}`, riseUp, 'm/h', input.upstream.sensorId),
      evidence('levelTrendDown', `level trend at ${input.downstream.assetId}`, riseDown, 'm/h', input.downstream.sensorId),
      evidence('rain', 'rain in the window', rainMm, 'mm', input.rainSensorId ?? 'no rain gauge: taken as dry'),
    ],
    model: { name: 'drainage/blockage-level-trends', version: 1, method: 'Least-squares level trends: upstream > +0.05 m/h, downstream < −0.02 m/h, no rain.', parameters: { upMinMh: 0.05, downMaxMh: -0.02 } },
    assetIds: [input.upstream.assetId, input.downstream.assetId], segmentIds: blocked ? between : [], zoneIds: zonesOf(between, input.zoneOf), detail: { riseUp, riseDown, rainMm },
  };
}

/**
 * River or lake water entering the network (河湖水入侵): the level in the network tracks the river
 * stage (correlation of hourly means) while the river stands above the outfall's invert; a
 * conductivity that tracks it too confirms river water.
 */
export function detectRiverIntrusion(input: {
  outfallId: string; outfallInvertM: number; level: { sensorId: string; points: Point[] }; river: { sensorId: string; points: Point[] }; conductivity?: { sensorId: string; points: Point[] }; zoneOf?: ZoneOf;
}): AnalysisResult {
  const times = input.level.points.map((p) => p.ts);
  const stage = alignTo(input.river.points, times);
  const ok = times.map((_, i) => Number.isFinite(stage[i]!));
  const levels = input.level.points.filter((_, i) => ok[i]).map((p) => p.value);
  const stages = stage.filter((_, i) => ok[i]);
  const r = correlation(levels, stages);
  const above = stages.filter((s) => s > input.outfallInvertM).length / Math.max(1, stages.length);
  const rc = input.conductivity ? correlation(alignTo(input.conductivity.points, times).filter((_, i) => ok[i]), stages) : null;
  const intrusion = r > 0.8 && above > 0.25;
  return {
    kind: 'drainage_diagnosis', verdict: intrusion ? 'river_intrusion' : 'normal',
    conclusion: intrusion
      ? `Level at ${input.level.sensorId} tracks the river stage (r = ${round(r, 2)}) while the river stands above the outfall invert ${round(above * 100, 0)}% of the time: river water is likely entering through ${input.outfallId}${rc !== null ? ` (conductivity r = ${round(rc, 2)})` : ''}.`
      : `Level does not track the river (r = ${round(r, 2)}, river above the outfall invert ${round(above * 100, 0)}% of the time).`,
    message: intrusion
      ? message(rc !== null ? 'drainage.riverIntrusionConductivity' : 'drainage.riverIntrusion', { sensor: input.level.sensorId, r: round(r, 2), share: round(above * 100, 0), outfall: input.outfallId, rc: rc === null ? null : round(rc, 2) })
      : message('drainage.noRiverIntrusion', { r: round(r, 2), share: round(above * 100, 0) }),
    confidence: intrusion ? (rc !== null && rc > 0.6 ? 0.85 : 0.7) : 0.6,
    evidence: [
      evidence('riverCorrelation', 'correlation of network level with river stage', r, '', `${input.level.sensorId} × ${input.river.sensorId}`),
      evidence('riverAboveInvert', 'share of time the river stands above the outfall invert', above * 100, '%', input.river.sensorId),
      ...(rc !== null ? [evidence('conductivityCorrelation', 'correlation of conductivity with river stage', rc, '', input.conductivity!.sensorId)] : []),
    ],
    model: { name: 'drainage/river-intrusion', version: 1, method: 'Pearson correlation of level and river stage; intrusion when r > 0.8 and the river is above the outfall invert > 25% of the time.', parameters: { minCorrelation: 0.8, minShareAbove: 0.25, outfallInvertM: input.outfallInvertM } },
    assetIds: [input.outfallId], segmentIds: [], zoneIds: zonesOf([input.outfallId], input.zoneOf), detail: { correlation: r, shareAbove: above, conductivityCorrelation: rc },
  };
}

/**
 * Infiltration (外水入渗) at a sewage lift station: night minimum of its flow against the sewage
 * the population it serves makes at night. GB 50014-2021 allows 10–15 % of the average daily
 * flow for groundwater infiltration; more is extraneous water to find.
 */
export function estimateInfiltration(input: {
  stationId: string; sensorId: string; flow: Point[]; population: number; perCapitaLpd?: number; nightFactor?: number; utcOffsetHours?: number; zoneOf?: ZoneOf;
}): AnalysisResult {
  const perCapita = input.perCapitaLpd ?? 180;
  const nightFactor = input.nightFactor ?? 0.3;
  const nights = nightMinima(input.flow, input.utcOffsetHours ?? 8);
  const night = nights.length > 0 ? mean(nights.map((n) => n.minimum)) : NaN;
  const averageM3h = (input.population * perCapita) / 1000 / 24;
  const expectedNight = averageM3h * nightFactor;
  const extraneous = Math.max(0, night - expectedNight);
  const share = extraneous / (mean(input.flow.map((p) => p.value)) || 1);
  const infiltration = share > 0.15;
  return {
    kind: 'drainage_diagnosis', verdict: nights.length === 0 ? 'no_data' : infiltration ? 'infiltration' : 'normal',
    conclusion: `${input.stationId}: night minimum ${round(night, 1)} m³/h against ${round(expectedNight, 1)} m³/h of night sewage from ${input.population} people; extraneous water ≈ ${round(extraneous, 1)} m³/h (${round(share * 100, 0)}% of the mean flow${infiltration ? ', above the 15% allowance of GB 50014' : ''}).`,
    message: message(infiltration ? 'drainage.infiltration' : 'drainage.noInfiltration', {
      station: input.stationId, night: round(night, 1), expected: round(expectedNight, 1), population: input.population, extraneous: round(extraneous, 1), share: round(share * 100, 0),
    }),
    confidence: infiltration ? 0.7 : 0.6,
    evidence: [
      evidence('nightMinimum', `mean night minimum over ${nights.length} nights`, night, 'm³/h', input.sensorId),
      evidence('expectedNightSewage', `${input.population} people × ${perCapita} L/d × ${nightFactor} night factor`, expectedNight, 'm³/h', 'model defaults'),
      evidence('extraneousWater', 'night minimum − expected night sewage', extraneous, 'm³/h', 'computation'),
      evidence('extraneousShare', 'extraneous water / mean flow', share * 100, '%', 'computation'),
    ],
    model: { name: 'drainage/infiltration-night-flow', version: 1, method: 'Extraneous water = night minimum − population × per-capita sewage × night factor; infiltration when > 15% of the mean flow (GB 50014-2021 allowance).', parameters: { perCapitaLpd: perCapita, nightFactor, allowance: 0.15 } },
    assetIds: [input.stationId], segmentIds: [], zoneIds: zonesOf([input.stationId], input.zoneOf), detail: { nights, extraneousM3h: round(extraneous, 3), share: round(share, 3) },
  };
}

/** Manning full-bore capacity (m³/s) of a circular pipe. */
export function fullBoreCapacity(diameterM: number, slope: number, n = 0.013): number {
  const area = (Math.PI * diameterM ** 2) / 4;
  return (1 / n) * area * (diameterM / 4) ** (2 / 3) * Math.sqrt(Math.max(slope, 1e-5));
}

/**
 * Overflow risk under a rainfall intensity: each pipe drains a strip `stripWidthM` wide along
 * every pipe upstream of it (rational method Q = C·i·A), against its Manning full-bore capacity.
 * Contributing lengths accumulate down the flow graph in one topological pass.
 */
export function overflowRisk(input: { twin: NetworkTwin; rainfallMmH: number; runoffCoefficient?: number; stripWidthM?: number; defaultSlope?: number; zoneOf?: ZoneOf; top?: number }): AnalysisResult {
  const { twin } = input;
  const c = input.runoffCoefficient ?? 0.6;
  const strip = input.stripWidthM ?? 60;
  const defaultSlope = input.defaultSlope ?? 0.002;
  const topo = twin.topologies.get('drainage');
  const rows: { pipeId: string; areaHa: number; flowM3s: number; capacityM3s: number; ratio: number }[] = [];
  if (topo) {
    const flow = topo.flow;
    const contributing = new Map<string, number>();
    const indegree = new Map<string, number>();
    flow.forEachNode((v) => indegree.set(v, flow.inDegree(v)));
    const queue = [...indegree].filter(([, d]) => d === 0).map(([v]) => v);
    while (queue.length > 0) {
      const v = queue.shift()!;
      const asset = twin.byId.get(v);
      const own = asset?.geometry.type === 'LineString' ? lengthM(asset.geometry) : 0;
      let total = own;
      flow.forEachInNeighbor(v, (u) => (total += contributing.get(u) ?? 0));
      contributing.set(v, total);
      if (asset?.geometry.type === 'LineString') {
        const d = typeof asset.attributes.diameterMm === 'number' ? asset.attributes.diameterMm / 1000 : 0.6;
        const up = asset.attributes.invertUpM;
        const down = asset.attributes.invertDownM;
        const slope = typeof up === 'number' && typeof down === 'number' && own > 0 ? Math.abs(up - down) / own : defaultSlope;
        const areaM2 = total * strip;
        const q = (c * input.rainfallMmH * areaM2) / 3_600_000;
        const cap = fullBoreCapacity(d, slope);
        rows.push({ pipeId: v, areaHa: round(areaM2 / 10_000, 2), flowM3s: round(q, 3), capacityM3s: round(cap, 3), ratio: round(q / cap, 2) });
      }
      flow.forEachOutNeighbor(v, (w) => {
        indegree.set(w, indegree.get(w)! - 1);
        if (indegree.get(w) === 0) queue.push(w);
      });
    }
  }
  rows.sort((a, b) => b.ratio - a.ratio);
  const over = rows.filter((r) => r.ratio > 1);
  const zones = zonesOf(over.map((r) => r.pipeId), input.zoneOf);
  return {
    kind: 'drainage_diagnosis', verdict: over.length > 0 ? 'overflow_risk' : 'normal',
    conclusion: `Under ${input.rainfallMmH} mm/h, ${over.length} of ${rows.length} drainage pipes would run above full-bore capacity${over.length > 0 ? ` (worst ${over[0]!.pipeId} at ${over[0]!.ratio}×)` : ''}.`,
    message: over.length > 0
      ? message('drainage.overflowRisk', { rainfall: input.rainfallMmH, over: over.length, rated: rows.length, worst: over[0]!.pipeId, ratio: over[0]!.ratio })
      : message('drainage.noOverflowRisk', { rainfall: input.rainfallMmH, rated: rows.length }),
    confidence: 0.5,
    evidence: [
      evidence('rainfall', 'rainfall intensity', input.rainfallMmH, 'mm/h', 'input'),
      evidence('pipesOverCapacity', 'pipes above full-bore capacity', over.length, 'pipes', 'rational method × Manning'),
      ...(over[0] ? [evidence('worstRatio', `worst pipe ${over[0].pipeId}: flow / capacity`, over[0].ratio, '×', 'computation')] : []),
    ],
    model: { name: 'drainage/overflow-rational-manning', version: 1, method: 'Q = C·i·A with A = upstream pipe length × strip width; capacity by Manning full bore (n = 0.013, slope from inverts).', parameters: { runoffCoefficient: c, stripWidthM: strip, manningN: 0.013, defaultSlope } },
    assetIds: [], segmentIds: over.map((r) => r.pipeId), zoneIds: zones, detail: { rated: rows.length, pipes: rows.slice(0, input.top ?? 20) },
  };
}
