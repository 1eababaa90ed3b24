// Which analyses the service runs for an asset, from series held in memory: a bridge span's
// overload and frequency checks, a water meter's night flow, and what it says it could not run.
import { describe, expect, it } from 'vitest';
import { NetworkTwin } from '../network/twin.ts';
import type { Asset } from '../network/types.ts';
import type { Point } from './explain.ts';
import { analyseAsset, type SensorInfo } from './service.ts';

const span: Asset = {
  id: 'BR-1-S2', name: 'span 2', network: 'bridge', assetType: 'span', ownerId: 'bridge-co',
  geometry: { type: 'LineString', coordinates: [[112.2, 30.3], [112.2004, 30.3]] }, attributes: { spanM: 38, baselineFrequencyHz: 3.2 },
};
const meter: Asset = { id: 'WM-1', name: 'DMA-1 inlet', network: 'water', assetType: 'meter', ownerId: 'water-co', geometry: { type: 'Point', coordinates: [112.21, 30.3] }, attributes: { customers: 800 } };
const twin = new NetworkTwin([span, meter]);
const sensors: SensorInfo[] = [
  { id: 'BS.strain', assetId: span.id, indicator: 'strain', location: [112.2002, 30.3] },
  { id: 'BA.acc', assetId: span.id, indicator: 'acceleration', location: [112.2002, 30.3] },
  { id: 'WM.q', assetId: meter.id, indicator: 'water_flow', location: [112.21, 30.3] },
];
const T0 = Date.parse('2026-11-20T16:00:00Z'); // local midnight
const series = new Map<string, Point[]>([
  ['BS.strain', Array.from({ length: 60 }, (_, i) => ({ ts: T0 + i * 60_000, value: i === 30 ? 420 : 110 }))],
  // 20 Hz for 102.4 s: the first mode has dropped from 3.2 to 2.9 Hz.
  ['BA.acc', Array.from({ length: 2048 }, (_, i) => ({ ts: T0 + i * 50, value: Math.sin(2 * Math.PI * 2.9 * i * 0.05) }))],
  ['WM.q', Array.from({ length: 72 }, (_, h) => ({ ts: T0 + h * 3_600_000, value: h % 24 >= 2 && h % 24 < 4 ? 6 : 40 }))],
]);
const read = async (ids: string[], from: Date, to: Date) =>
  new Map(ids.map((id) => [id, (series.get(id) ?? []).filter((p) => p.ts >= from.getTime() && p.ts <= to.getTime())]));
const window = [new Date(T0), new Date(T0 + 3 * 86_400_000)] as const;

describe('analyses of an asset', () => {
  it('checks a bridge span: one strain overload and the frequency drift, tied to the span', async () => {
    const out = await analyseAsset({ twin, sensors, read }, span.id, ...window);
    const names = out.results.map((r) => `${r.model.name}:${r.verdict}`);
    expect(names).toEqual(['bridge/overload-strain:overload', 'bridge/frequency-drift:frequency_drift']);
    expect(out.results.every((r) => r.assetIds[0] === span.id)).toBe(true);
    const drift = out.results[1]!;
    expect(drift.model.parameters.sampleRateHz).toBe(20);
    expect((drift.detail as { frequencyHz: number }).frequencyHz).toBeCloseTo(2.9, 2);
  });

  it('reads a water meter\'s minimum night flow against its customers', async () => {
    const out = await analyseAsset({ twin, sensors, read }, meter.id, ...window);
    expect(out.results.map((r) => r.kind)).toEqual(['night_flow']);
    // 800 customers × 1.7 L/h = 1.36 m³/h legitimate; 6 − 1.36 = 4.64 m³/h.
    expect((out.results[0]!.detail as { leakageM3h: number }).leakageM3h).toBeCloseTo(4.64, 6);
  });

  it('says why nothing ran', async () => {
    const out = await analyseAsset({ twin, sensors: [], read }, span.id, ...window);
    expect(out.results).toEqual([]);
    expect(out.skipped).toEqual(['bridge: BR-1-S2 has no strain, deflection, acceleration, tilt or crack sensor']);
    expect((await analyseAsset({ twin, sensors, read }, 'nope', ...window)).skipped).toEqual(['asset nope is not in the network model']);
  });

  it('runs infiltration at a lift station and river intrusion at an outfall from their monitors', async () => {
    const pt = (id: string, assetType: string, lon: number, attributes: Record<string, unknown> = {}): Asset =>
      ({ id, name: id, network: 'drainage', assetType, ownerId: 'drain-co', geometry: { type: 'Point', coordinates: [lon, 30.31] }, attributes });
    const m1 = pt('M1', 'manhole', 112.3);
    const out = pt('OUT', 'outfall', 112.301, { elevationM: 9 });
    const ps = pt('PS', 'pump_station', 112.305, { population: 10_000 });
    const pipe: Asset = { id: 'P1', name: 'P1', network: 'drainage', assetType: 'pipe', ownerId: 'drain-co', geometry: { type: 'LineString', coordinates: [[112.3, 30.31], [112.301, 30.31]] }, attributes: { from: 'M1', to: 'OUT' } };
    const drainTwin = new NetworkTwin([m1, out, ps, pipe]);
    const drainSensors: SensorInfo[] = [
      { id: 'L1.level', assetId: 'M1', indicator: 'drain_level', location: [112.3, 30.31] },
      { id: 'R.level', assetId: 'RIVER', indicator: 'river_level', location: [112.3012, 30.3101] },
      { id: 'PS.q', assetId: 'PS', indicator: 'drain_flow', location: [112.305, 30.31] },
    ];
    const stage = Array.from({ length: 48 }, (_, h) => ({ ts: T0 + h * 3_600_000, value: 9 + Math.sin(h / 4) }));
    const drainSeries = new Map<string, Point[]>([
      ['R.level', stage],
      ['L1.level', stage.map((p) => ({ ts: p.ts, value: 0.4 + 0.5 * Math.max(0, p.value - 9) }))],
      ['PS.q', Array.from({ length: 48 }, (_, h) => ({ ts: T0 + h * 3_600_000, value: h % 24 >= 2 && h % 24 < 4 ? 52.5 : 100 }))],
    ]);
    const drainRead = async (ids: string[]) => new Map(ids.map((id) => [id, drainSeries.get(id) ?? []]));
    const src = { twin: drainTwin, sensors: drainSensors, read: drainRead, zoneOf: () => 'Z-1' };
    const atOutfall = await analyseAsset(src, 'OUT', ...window);
    expect(atOutfall.results.map((r) => r.verdict)).toEqual(['river_intrusion']);
    expect(atOutfall.results[0]!.zoneIds).toEqual(['Z-1']);
    const atStation = await analyseAsset(src, 'PS', ...window);
    expect(atStation.results.map((r) => r.verdict)).toEqual(['infiltration']);
  });
});

