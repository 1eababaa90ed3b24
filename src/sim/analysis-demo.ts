import type { Asset } from '../network/index.ts';

// More underground spaces around AS-02, where the demo's gas leak happens, so that its gas-spread
// analysis (src/analysis/gas-spread.ts) has neighbours to rank: a power chamber on the same side
// of the gas main, a telecom chamber across the road, and a heating chamber farther east.
export const ANALYSIS_DEMO_SPACES: Asset[] = [
  { id: 'AS-03', name: '电力井 AS-03', network: 'gas', assetType: 'adjacent_space', ownerId: 'gas-co', geometry: { type: 'Point', coordinates: [112.2489, 30.3364] }, attributes: { utility: 'power' } },
  { id: 'AS-04', name: '通信井 AS-04', network: 'gas', assetType: 'adjacent_space', ownerId: 'gas-co', geometry: { type: 'Point', coordinates: [112.248, 30.336] }, attributes: { utility: 'telecom' } },
  { id: 'AS-05', name: '热力井 AS-05', network: 'gas', assetType: 'adjacent_space', ownerId: 'gas-co', geometry: { type: 'Point', coordinates: [112.25, 30.3366] }, attributes: { utility: 'heating' } },
];
