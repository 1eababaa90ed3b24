// Drainage diagnosis, bridge checks and minimum night flow on cases known by construction.
import { describe, expect, it } from 'vitest';
import { metresPerDegree } from '../network/geo.ts';
import { NetworkTwin } from '../network/twin.ts';
import type { Asset, Position } from '../network/types.ts';
import { analyseBridge, dominantFrequency, fft } from './bridge.ts';
import { detectBlockage, detectRiverIntrusion, estimateInfiltration, fullBoreCapacity, locateMisconnections, overflowRisk } from './drainage-diagnosis.ts';
import { analyseNightFlow, nightMinima } from './night-flow.ts';

const m = metresPerDegree(30.3);
const at = (east: number, north: number): Position => [112.2 + east / m.lon, 30.3 + north / m.lat];
const node = (id: string, assetType: string, p: Position): Asset => ({ id, name: id, network: 'drainage', assetType, ownerId: 'o', geometry: { type: 'Point', coordinates: p }, attributes: {} });
const pipe = (id: string, from: Asset, to: Asset, invertUp: number, invertDown: number, diameterMm = 600): Asset => ({
  id, name: id, network: 'drainage', assetType: 'pipe', ownerId: 'o',
  geometry: { type: 'LineString', coordinates: [(from.geometry as { coordinates: Position }).coordinates, (to.geometry as { coordinates: Position }).coordinates] },
  attributes: { from: from.id, to: to.id, invertUpM: invertUp, invertDownM: invertDown, diameterMm, system: 'storm' },
});

// A storm branch M1 → M2 → M3 → M4 → M5 → OUT, 100 m per pipe falling 0.2 m, and a side
// manhole S joining at M4 (S → M4). Pipes: P1 = M1→M2 … P5 = M5→OUT, PS = S→M4.
const names = ['M1', 'M2', 'M3', 'M4', 'M5', 'OUT'];
const nodes = names.map((n, k) => node(n, n === 'OUT' ? 'outfall' : 'manhole', at(k * 100, 0)));
const side = node('S', 'manhole', at(300, 100));
const pipes = nodes.slice(1).map((n, k) => pipe(`P${k + 1}`, nodes[k]!, n, 10 - 0.2 * k, 9.8 - 0.2 * k));
const twin = new NetworkTwin([...nodes, side, ...pipes, pipe('PS', side, nodes[3]!, 9.8, 9.4)]);
const zoneOf = (id: string) => (['P4', 'P5', 'PS', 'M4', 'M5'].includes(id) ? 'Z-east' : 'Z-west');

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-01T16:00:00Z'); // local midnight, Asia/Shanghai
const hourly = (hours: number, f: (h: number) => number) => Array.from({ length: hours }, (_, h) => ({ ts: T0 + h * HOUR, value: f(h) }));

describe('drainage diagnosis', () => {
  it('finds the segment of an injected misconnection between the clean and the dirty monitor', () => {
    // Sewage (8 m³/h) enters at M4 through the side branch: monitors at M1 and M3 stay dry, M5 carries it.
    // A storm on day 2 wets everything; only dry weather counts.
    const rain = hourly(96, (h) => (h >= 30 && h < 34 ? 12 : 0));
    const flow = (base: number) => hourly(96, (h) => (h >= 30 && h < 58 ? 300 : base));
    const result = locateMisconnections({
      twin, rain, zoneOf,
      monitors: [
        { assetId: 'M1', sensorId: 'F1.q', indicator: 'drain_flow', points: flow(0) },
        { assetId: 'M3', sensorId: 'F3.q', indicator: 'drain_flow', points: flow(0.3) },
        { assetId: 'M5', sensorId: 'F5.q', indicator: 'drain_flow', points: flow(8) },
      ],
    });
    expect(result.verdict).toBe('misconnection');
    expect(result.assetIds).toEqual(['M5']);
    expect(result.segmentIds).toEqual(['P3', 'P4', 'PS']);
    expect(result.zoneIds).toEqual(['Z-east', 'Z-west']);
    expect(result.evidence.find((e) => e.source === 'F5.q')!.value).toBe(8);
  });

  it('finds a blockage between a rising upstream and a falling downstream level, and not in rain', () => {
    const upstream = { assetId: 'M2', sensorId: 'L2.level', points: hourly(6, (h) => 0.5 + 0.2 * h) };
    const downstream = { assetId: 'M5', sensorId: 'L5.level', points: hourly(6, (h) => 0.8 - 0.1 * h) };
    const dry = detectBlockage({ twin, upstream, downstream, rain: hourly(6, () => 0), zoneOf });
    expect(dry.verdict).toBe('blockage');
    expect(dry.segmentIds).toEqual(['P2', 'P3', 'P4']);
    expect(detectBlockage({ twin, upstream, downstream, rain: hourly(6, (h) => (h === 2 ? 5 : 0)) }).verdict).toBe('normal');
  });

  it('sees river water when the level tracks the river stage above the outfall invert', () => {
    const stage = hourly(48, (h) => 9 + Math.sin(h / 4));
    const result = detectRiverIntrusion({
      outfallId: 'OUT', outfallInvertM: 9, river: { sensorId: 'R.level', points: stage }, zoneOf,
      level: { sensorId: 'L5.level', points: stage.map((p) => ({ ts: p.ts, value: 0.4 + 0.5 * Math.max(0, p.value - 9) })) },
    });
    expect(result.verdict).toBe('river_intrusion');
    expect(result.zoneIds).toEqual(['Z-west']);
    const unrelated = detectRiverIntrusion({ outfallId: 'OUT', outfallInvertM: 9, river: { sensorId: 'R', points: stage }, level: { sensorId: 'L', points: hourly(48, (h) => 0.5 + 0.1 * Math.cos(h * 1.3)) } });
    expect(unrelated.verdict).toBe('normal');
  });

  it('estimates infiltration from the night flow of a lift station against its population', () => {
    // 10,000 people × 180 L/d = 75 m³/h on average; 30% at night = 22.5 m³/h. Night flow 52.5 → 30 m³/h extraneous.
    const flow = hourly(72, (h) => { const local = h % 24; return local >= 2 && local < 4 ? 52.5 : 100; });
    const result = estimateInfiltration({ stationId: 'PS-1', sensorId: 'PS.q', flow, population: 10_000 });
    expect(result.verdict).toBe('infiltration');
    expect(result.evidence.find((e) => e.key === 'extraneousWater')!.value).toBeCloseTo(30, 6);
  });

  it('ranks pipes by flow against full-bore capacity under a rainfall input', () => {
    // Manning, Ø0.6 m, slope 0.002: (1/0.013)·0.2827·0.15^(2/3)·√0.002 = 0.2746 m³/s.
    expect(fullBoreCapacity(0.6, 0.002)).toBeCloseTo(0.2746, 3);
    const result = overflowRisk({ twin, rainfallMmH: 60, zoneOf });
    // P5 drains every pipe: 5 × 100 m + PS (100 m) = 600 m × 60 m = 3.6 ha; Q = 0.6·60·36000/3.6e6 = 0.36 m³/s > 0.2746.
    const p5 = (result.detail as { pipes: { pipeId: string; flowM3s: number; ratio: number }[] }).pipes.find((p) => p.pipeId === 'P5')!;
    expect(p5.flowM3s).toBeCloseTo(0.36, 2);
    expect(result.segmentIds[0]).toBe('P5');
    expect(result.verdict).toBe('overflow_risk');
    expect(overflowRisk({ twin, rainfallMmH: 10 }).verdict).toBe('normal');
  });
});

describe('bridge', () => {
  it('transforms a unit impulse to a flat spectrum and a cosine to its bin', () => {
    const re = new Float64Array(8);
    const im = new Float64Array(8);
    re[0] = 1;
    fft(re, im);
    expect([...re]).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    const cos = Float64Array.from({ length: 16 }, (_, i) => Math.cos((2 * Math.PI * 3 * i) / 16));
    const zero = new Float64Array(16);
    fft(cos, zero);
    expect(cos[3]).toBeCloseTo(8, 9);
    expect(cos[13]).toBeCloseTo(8, 9);
    expect(Math.abs(cos[4]!)).toBeLessThan(1e-9);
  });

  it('measures a drift of the first natural frequency from 2.50 Hz to 2.30 Hz', () => {
    const rate = 50;
    const samples = (hz: number) => Array.from({ length: 3000 }, (_, i) => Math.sin(2 * Math.PI * hz * (i / rate)) + 0.3 * Math.sin(2 * Math.PI * 7.9 * (i / rate)) + 0.2 * Math.sin(i * 12.9898) );
    expect(dominantFrequency(samples(2.5), rate, 1, 5).hz).toBeCloseTo(2.5, 2);
    const [drift] = analyseBridge({ spanId: 'SPAN-1', acceleration: { sensorId: 'BA.acc', samples: samples(2.3), sampleRateHz: rate, baselineHz: 2.5 } });
    expect(drift!.verdict).toBe('frequency_drift');
    expect((drift!.detail as { frequencyHz: number }).frequencyHz).toBeCloseTo(2.3, 2);
    expect((drift!.detail as { shift: number }).shift).toBeCloseTo(-0.08, 2);
    const [steady] = analyseBridge({ spanId: 'SPAN-1', acceleration: { sensorId: 'BA.acc', samples: samples(2.45), sampleRateHz: rate, baselineHz: 2.5 } });
    expect(steady!.verdict).toBe('normal');
  });

  it('counts overload events against the limits and projects a tilt trend to its limit', () => {
    const strain = hourly(10, (h) => (h === 3 || h === 4 || h === 8 ? 350 : 120));
    const deflection = hourly(10, (h) => (h === 8 ? 70 : 10)); // span 36 m: limit 60 mm
    const tilt = hourly(49, (h) => 0.1 + (0.01 * h) / 24); // 0.01°/day from 0.10° to 0.12° over two days
    const results = analyseBridge({ spanId: 'SPAN-2', spanM: 36, strain: { sensorId: 'BS.strain', points: strain }, deflection: { sensorId: 'BD.def', points: deflection }, tilt: { sensorId: 'BT.tilt', points: tilt } });
    const by = (name: string) => results.find((r) => r.model.name === name)!;
    expect(by('bridge/overload-strain').verdict).toBe('overload');
    expect((by('bridge/overload-strain').detail as { events: unknown[] }).events).toHaveLength(2);
    expect(by('bridge/overload-deflection').evidence.find((e) => e.key === 'deflectionLimit')!.value).toBe(60);
    expect((by('bridge/tilt-trend').detail as { perDay: number }).perDay).toBeCloseTo(0.01, 6);
    // From 0.12° at 0.01°/day the 0.5° limit is 38 days away: beyond the 30-day horizon.
    expect(by('bridge/tilt-trend').verdict).toBe('normal');
    expect(results.every((r) => r.assetIds[0] === 'SPAN-2')).toBe(true);
  });
});

describe('minimum night flow', () => {
  it('takes the 02:00–04:00 minimum per night and flags a night well above the earlier ones', () => {
    // Four nights at 12 m³/h, the fifth at 20: 500 properties × 1.7 L/h = 0.85 m³/h legitimate.
    const flow = hourly(120, (h) => { const local = h % 24; const night = Math.floor(h / 24); return local >= 2 && local < 4 ? (night === 4 ? 20 : 12) : 60; });
    expect(nightMinima(flow).map((n) => n.minimum)).toEqual([12, 12, 12, 12, 20]);
    const result = analyseNightFlow({ areaId: 'DMA-1', sensorId: 'WF.q', flow, properties: 500 });
    expect(result.verdict).toBe('leakage');
    expect((result.detail as { leakageM3h: number }).leakageM3h).toBeCloseTo(19.15, 6);
    expect((result.detail as { riseM3h: number }).riseM3h).toBe(8);
    expect(analyseNightFlow({ areaId: 'DMA-1', sensorId: 'WF.q', flow: flow.slice(0, 96), properties: 500 }).verdict).toBe('normal');
  });
});
