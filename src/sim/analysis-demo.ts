import type { Asset } from '../network/index.ts';

// More underground spaces around AS-02, where the demo's gas leak happens, so that its gas-spread
// analysis (src/analysis/gas-spread.ts) has neighbours to rank: a power chamber on the same side
// of the gas main, a telecom chamber across the road, and a heating chamber farther east.
export const ANALYSIS_DEMO_SPACES: Asset[] = [
  { id: 'AS-03', name: '电力井 AS-03', network: 'gas', assetType: 'adjacent_space', ownerId: 'gas-co', geometry: { type: 'Point', coordinates: [112.2489, 30.3364] }, attributes: { utility: 'power' } },
  { id: 'AS-04', name: '通信井 AS-04', network: 'gas', assetType: 'adjacent_space', ownerId: 'gas-co', geometry: { type: 'Point', coordinates: [112.248, 30.336] }, attributes: { utility: 'telecom' } },
  { id: 'AS-05', name: '热力井 AS-05', network: 'gas', assetType: 'adjacent_space', ownerId: 'gas-co', geometry: { type: 'Point', coordinates: [112.25, 30.3366] }, attributes: { utility: 'heating' } },
];

/**
 * A 30 m span over the 荆襄内河 below outfall DO-01, so that the bridge checks
 * (src/analysis/bridge.ts) have a span to run on. Its deflection limit is L/600 = 50 mm (the
 * level-2 deflection rule); its first natural frequency was 3.2 Hz at commissioning (≈ 100/L Hz,
 * the usual first estimate for a concrete girder of this length).
 */
export const ANALYSIS_DEMO_BRIDGE: Asset = {
  id: 'BS-01', name: '荆襄内河桥 BS-01', network: 'bridge', assetType: 'span', ownerId: 'bureau',
  geometry: { type: 'LineString', coordinates: [[112.2553, 30.3298], [112.2553, 30.3295]] },
  attributes: { spanM: 30, baselineFrequencyHz: 3.2, installYear: 2006 },
};

/** The frequency the demo's accelerometer vibrates at: 6 % below the baseline, a drift the check reports. */
export const DEMO_BRIDGE_FREQUENCY_HZ = 3.0;
/** The demo's accelerometer uploads records of this many samples at this rate (a 3.2 s waveform). */
export const DEMO_ACCELERATION_RECORD = { samples: 64, rateHz: 20 } as const;
