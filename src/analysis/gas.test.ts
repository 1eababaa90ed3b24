// Gas spread and gas source on cases whose answers are known by construction.
import { describe, expect, it } from 'vitest';
import { metresPerDegree } from '../network/geo.ts';
import { NetworkTwin } from '../network/twin.ts';
import type { Asset, Position } from '../network/types.ts';
import { analyseGasSpread } from './gas-spread.ts';
import { classifyGasSource } from './gas-source.ts';

const ORIGIN: Position = [112.2, 30.3];
const m = metresPerDegree(ORIGIN[1]);
/** A position `east` and `north` metres from the origin. */
const at = (east: number, north: number): Position => [ORIGIN[0] + east / m.lon, ORIGIN[1] + north / m.lat];
const point = (id: string, network: Asset['network'], assetType: string, p: Position, attributes: Record<string, unknown> = {}): Asset =>
  ({ id, name: id, network, assetType, ownerId: 'o', geometry: { type: 'Point', coordinates: p }, attributes });
const line = (id: string, network: Asset['network'], from: Asset, to: Asset, attributes: Record<string, unknown> = {}): Asset => ({
  id, name: id, network, assetType: 'pipe', ownerId: 'o',
  geometry: { type: 'LineString', coordinates: [(from.geometry as { coordinates: Position }).coordinates, (to.geometry as { coordinates: Position }).coordinates] },
  attributes: { from: from.id, to: to.id, ...attributes },
});

describe('gas spread along a manhole chain with gas at one end', () => {
  // Ten manholes 100 m apart joined by sewer pipes, and one manhole X 30 m north of M3 with no
  // pipe to it. No gas pipe nearby. Expected %LEL at Mk = 40·exp(−(k−1)·100/200); at X, through
  // M3 and 30 m of soil, 40·exp(−1 − 30/20).
  const manholes = Array.from({ length: 10 }, (_, k) => point(`M${k + 1}`, 'drainage', 'manhole', at(k * 100, 0)));
  const pipes = manholes.slice(1).map((mh, k) => line(`P${k + 1}`, 'drainage', manholes[k]!, mh, { system: 'sewage' }));
  const x = point('X', 'drainage', 'manhole', at(200, 30));
  const twin = new NetworkTwin([...manholes, ...pipes, x]);
  const result = analyseGasSpread({ twin, sourceId: 'M1', lel: 40, options: { maxReachM: 1000 } });
  const byId = new Map(result.detail.spaces.map((s) => [s.assetId, s]));

  it('expects the concentration the decay along conduits and soil gives', () => {
    for (let k = 1; k <= 10; k++) expect(byId.get(`M${k}`)!.predictedLel).toBeCloseTo(40 * Math.exp(-(k - 1) / 2), 1);
    expect(byId.get('X')!.predictedLel).toBeCloseTo(40 * Math.exp(-2.5), 1);
    expect(byId.get('X')!.via).toEqual(['conduit', 'soil']);
    expect(byId.get('M4')!.via).toEqual(['conduit']);
    expect(byId.get('M4')!.pathM).toBeCloseTo(300, 0);
  });

  it('reaches the spaces expected at ≥ 1 %LEL, and ranks them by risk', () => {
    // 40·e^(−3.5) = 1.21 (M8) reaches; 40·e^(−4) = 0.73 (M9) does not.
    expect(result.detail.spaces.filter((s) => s.reached).map((s) => s.assetId).sort()).toEqual(['M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7', 'M8', 'X'].sort());
    expect(result.detail.spaces.map((s) => s.assetId)).toEqual(['M1', 'M2', 'M3', 'M4', 'M5', 'X', 'M6', 'M7', 'M8', 'M9', 'M10']);
    expect(byId.get('M1')!.riskClass).toBe('high');
    expect(byId.get('M2')!.riskClass).toBe('medium');
    expect(result.verdict).toBe('spreading');
  });

  it('sets the evacuation radius to cover every space expected at ≥ 10 %LEL', () => {
    // M3 (14.7 %LEL) is the farthest at ≥ 10 %LEL: 200 m + 30 m, wider than the 100 m base.
    expect(result.detail.evacuation.radiusM).toBe(230);
    expect(result.detail.isolation).toBeNull();
    expect(result.evidence.find((e) => e.key === 'evacuationRadius')!.value).toBe(230);
  });

  it('ranks a space near a crowded place higher', () => {
    const withPlace = analyseGasSpread({ twin, sourceId: 'M1', lel: 40, options: { maxReachM: 1000 }, places: [{ id: 'school', name: 'school', kind: 'crowded', position: at(300, 20) }] });
    const order = withPlace.detail.spaces.map((s) => s.assetId);
    expect(order.indexOf('M4')).toBeLessThan(order.indexOf('M3'));
    expect(withPlace.detail.spaces.find((s) => s.assetId === 'M4')!.nearPlace).toMatchObject({ kind: 'crowded' });
  });
});

describe('gas spread beside a gas main: valves and trench', () => {
  // Gate station — GP1 — V1 — GP2 — V2 — GP3 — end cap, 200 m each, along the x axis; the
  // adjacent space AS 10 m north of GP2's middle; another, AS2, 10 m north of GP2, 80 m further
  // along (beyond the 60 m of a soil path between the two).
  const gs = point('GS', 'gas', 'gate_station', at(0, 0));
  const v1 = point('V1', 'gas', 'valve', at(200, 0));
  const v2 = point('V2', 'gas', 'valve', at(400, 0));
  const end = point('END', 'gas', 'end_cap', at(600, 0));
  const assets = [gs, v1, v2, end, line('GP1', 'gas', gs, v1), line('GP2', 'gas', v1, v2), line('GP3', 'gas', v2, end),
    point('AS', 'gas', 'adjacent_space', at(300, 10)), point('AS2', 'gas', 'adjacent_space', at(380, 10))];
  const twin = new NetworkTwin(assets);
  const result = analyseGasSpread({ twin, sourceId: 'AS', lel: 40 });

  it('proposes the valves that isolate the nearest gas pipe', () => {
    expect(result.detail.isolation).toMatchObject({ pipeId: 'GP2', pipeDistanceM: 10 });
    expect(result.detail.isolation!.valves.map((v) => v.id)).toEqual(['V1', 'V2']);
    expect(result.detail.isolation!.cutOff).toBeGreaterThan(0);
  });

  it('carries gas along the pipe trench to the second space', () => {
    const as2 = result.detail.spaces.find((s) => s.assetId === 'AS2')!;
    // 10 m soil + 80 m trench + 10 m soil: 40·exp(−10/20 − 80/100 − 10/20) = 6.61 %LEL
    expect(as2.predictedLel).toBeCloseTo(40 * Math.exp(-0.5 - 0.8 - 0.5), 1);
    expect(as2.via).toEqual(['soil', 'trench', 'soil']);
    expect(result.detail.evacuation.radiusM).toBe(100);
  });
});

const MIN = 60_000;
const T0 = Date.parse('2026-11-23T00:00:00Z');
const series = (n: number, f: (i: number) => number, stepMs = MIN) => Array.from({ length: n }, (_, i) => ({ ts: T0 + i * stepMs, value: f(i) }));
/** 0 for 20 minutes, then a rise to `peak` held for 40 minutes. */
const leakShape = (peak: number) => (i: number) => (i < 20 ? 0 : Math.min(1, (i - 20) / 10)) * peak;

describe('pipe leak or biogas', () => {
  it('calls a pipe leak: pressure falls with the rise, no H2S, beside the gas pipe', () => {
    const result = classifyGasSource({
      spaceId: 'AS-02', spaceType: 'adjacent_space', network: 'gas', methaneSensorId: 'GD.lel',
      methane: series(60, (i) => 0.5 + leakShape(38)(i)),
      h2s: { sensorId: 'GD.h2s', points: series(60, (i) => 0.2 + 0.05 * Math.sin(i)) },
      pressure: [{ sensorId: 'GP.p', distanceM: 800, points: series(60, (i) => 0.38 + 0.003 * Math.sin(i * 1.7) - leakShape(0.12)(i)) }],
      gasPipeDistanceM: 33,
    });
    expect(result.verdict).toBe('pipe_leak');
    expect(result.detail.pressureDrop).toMatchObject({ sensorId: 'GP.p', significant: true });
    expect(result.detail.pressureDrop!.dropMPa).toBeGreaterThan(0.1);
    expect(result.detail.pressureDrop!.correlation).toBeLessThan(-0.9);
    expect(result.detail.reasons.map((r) => r.key).sort()).toEqual(['h2sAbsent', 'nearGasPipe', 'pressureDrop', 'singleEpisode']);
    expect(result.detail.score).toBe(4.5);
    expect(result.confidence).toBeCloseTo(0.99, 2);
    expect(result.conclusion).toContain('gas-pipe leak');
    expect(result.message).toEqual({ key: 'gasSource.pipe_leak', params: { space: 'AS-02', score: 4.5, confidence: 0.99 } });
    expect(result.detail.reasons.find((r) => r.key === 'nearGasPipe')!.params).toEqual({ distance: 33 });
  });

  it('calls biogas: recurring episodes with H2S in a sewer manhole, pressure steady', () => {
    // Three episodes a few hours apart, H2S 20 ppm whenever methane is up.
    const up = (i: number) => [30, 150, 270].some((s) => i >= s && i < s + 40);
    const result = classifyGasSource({
      spaceId: 'DN02', spaceType: 'manhole', network: 'drainage', methaneSensorId: 'M.lel',
      methane: series(360, (i) => (up(i) ? 15 : 1)),
      h2s: { sensorId: 'M.h2s', points: series(360, (i) => (up(i) ? 20 : 0.5)) },
      pressure: [{ sensorId: 'GP.p', distanceM: 90, points: series(360, (i) => 0.38 + 0.003 * Math.sin(i * 1.7)) }],
      gasPipeDistanceM: 90,
    });
    expect(result.verdict).toBe('biogas');
    expect(result.detail.episodes).toBe(3);
    expect(result.detail.reasons.map((r) => r.key).sort()).toEqual(['h2sPresent', 'pressureSteady', 'recurring', 'sewerSpace']);
    expect(result.detail.score).toBe(-4.5);
  });

  it('stays undetermined when only the location speaks', () => {
    const result = classifyGasSource({
      spaceId: 'AS-09', spaceType: 'adjacent_space', network: 'gas', methaneSensorId: 'X.lel',
      methane: series(60, (i) => leakShape(30)(i)), gasPipeDistanceM: 80,
    });
    expect(result.verdict).toBe('undetermined');
    expect(result.detail.score).toBe(0.5);
    expect(result.evidence.some((e) => e.key === 'reason.h2sNotMeasured')).toBe(true);
  });

  it('refuses pipe gas far from any gas pipe', () => {
    const result = classifyGasSource({
      spaceId: 'DN09', spaceType: 'manhole', network: 'drainage', methaneSensorId: 'X.lel', methane: series(60, (i) => leakShape(30)(i)), gasPipeDistanceM: null,
    });
    expect(result.verdict).toBe('biogas');
    expect(result.detail.score).toBe(-1.5);
  });
});

describe('the demo simulator\'s leak, as it runs live', () => {
  it('stays a pipe leak over repeated cycles: each episode comes with its pressure dip', async () => {
    const { DEMO_SENSORS, simulatedSensors, simulatedValue } = await import('../sim/index.ts');
    const sim = simulatedSensors(DEMO_SENSORS);
    const by = (id: string) => sim.find((s) => `${s.deviceId}.${s.channel}` === id)!;
    // Three 6-minute cycles at the default 5 s interval, up to the peak of the fourth leak.
    const ticks = Math.floor((3.425 * 360_000) / 5000);
    const at = (id: string) => Array.from({ length: ticks }, (_, i) => ({ ts: T0 + i * 5000, value: simulatedValue(by(id), i * 5000, 360_000, i + 1) }));
    const result = classifyGasSource({
      spaceId: 'AS-02', spaceType: 'adjacent_space', network: 'gas', methaneSensorId: 'GD-002.lel', methane: at('GD-002.lel'),
      h2s: { sensorId: 'GD-002.h2s', points: at('GD-002.h2s') }, pressure: [{ sensorId: 'GP-001.p', distanceM: 1200, points: at('GP-001.p') }], gasPipeDistanceM: 33,
    });
    expect(result.detail.episodes).toBe(4);
    expect(result.detail.reasons.map((r) => r.key).sort()).toEqual(['h2sAbsent', 'nearGasPipe', 'pressureDrop', 'recurringWithPressure']);
    expect(result.verdict).toBe('pipe_leak');
  });
});
