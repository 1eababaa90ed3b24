// The generated cities: deterministic, at the brief's scale, and clean by construction
// (no topology findings; every storm pipe drains to the outfall of the zone it lies in).
import { describe, expect, it } from 'vitest';
import { assignAreas } from '../../src/network/areas.ts';
import { buildTopologies } from '../../src/network/topology.ts';
import { generateCity } from '../../src/sim/generator.ts';
import { PRESETS } from '../../src/sim/presets/index.ts';

describe('city generator', () => {
  it('is deterministic per seed', () => {
    const a = JSON.stringify(generateCity(PRESETS.small, 3).model);
    expect(JSON.stringify(generateCity(PRESETS.small, 3).model)).toBe(a);
    expect(JSON.stringify(generateCity(PRESETS.small, 4).model)).not.toBe(a);
  });

  it('builds jingzhou at the scale of the brief', () => {
    const { model, summary } = generateCity(PRESETS.jingzhou, 1);
    expect(summary).toMatchObject({
      districts: 6, blocks: 67, zones: 199, outfalls: 252, gates: 42, pumpStations: 12, treatmentPlants: 7, riverSections: 7, bridges: 1,
    });
    expect(summary.gasKm).toBeGreaterThan(3436 * 0.99);
    expect(summary.gasKm).toBeLessThan(3436 * 1.01);
    expect(summary.drainageKm).toBeGreaterThan(1667 * 0.99);
    expect(summary.drainageKm).toBeLessThan(1667 * 1.01);
    expect(summary.sensors).toBeGreaterThan(1000);
    const findings = [...buildTopologies(model.assets).values()].flatMap((t) => t.findings);
    expect(findings).toEqual([]);
  });

  it('drains every storm pipe of the small city to the outfall of its own zone', () => {
    const { model } = generateCity(PRESETS.small, 1);
    const topologies = buildTopologies(model.assets);
    const drainage = topologies.get('drainage')!;
    const membership = assignAreas(model.assets, model.areas, drainage);
    const zones = new Map(model.areas.filter((a) => a.kind === 'zone').map((z) => [z.id, z]));
    const storm = model.assets.filter((a) => a.network === 'drainage' && a.attributes.system === 'storm');
    expect(storm.length).toBeGreaterThan(50);
    for (const pipe of storm) {
      const zone = zones.get(membership.get(pipe.id)!.find((id) => zones.has(id))!)!;
      const outfalls = [zone.attributes.outfallId, ...((zone.attributes.outfallIds as string[] | undefined) ?? [])];
      const reached = drainage.trace(pipe.id, 'downstream').filter((id) => outfalls.includes(id));
      expect(reached, pipe.id).toHaveLength(1);
    }
    expect(topologies.get('gas')!.isolate(model.assets.find((a) => a.network === 'gas' && a.assetType === 'pipe')!.id).valves.length).toBeGreaterThan(0);
  });
});
