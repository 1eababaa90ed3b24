// The colours the map, the legend and the badges share.
import type { NetworkKind, WarningLevel } from './api.ts';

/** Chinese early-warning colours: level 1 red (most severe) … level 4 blue (least severe). */
export const LEVEL_COLORS: Record<WarningLevel, string> = {
  1: '#d32f2f',
  2: '#f57c00',
  3: '#fbc02d',
  4: '#1976d2',
};

/** Network colours: gas amber, water light blue, drainage earth brown, the others distinct from those and from the state colours. */
export const NETWORK_COLORS: Record<NetworkKind, string> = {
  gas: '#ffb300',
  water: '#4fc3f7',
  drainage: '#b0875a',
  heating: '#ef6c8a',
  utility_tunnel: '#90a4ae',
  bridge: '#e0e0e0',
  tunnel: '#78909c',
  river: '#26c6da',
};

/** Sensors that are not in alarm. */
export const STATE_COLORS = {
  normal: '#43a047',
  offline: '#8e6bbf',
  nodata: '#9e9e9e',
} as const;

/** Device health statuses, worst first; offline matches the offline sensors on the map. */
export const HEALTH_STATUSES = ['offline', 'low_battery', 'weak_signal', 'silent', 'ok'] as const;
export const HEALTH_COLORS: Record<(typeof HEALTH_STATUSES)[number], string> = {
  offline: STATE_COLORS.offline,
  low_battery: '#f57c00',
  weak_signal: '#fbc02d',
  silent: STATE_COLORS.nodata,
  ok: STATE_COLORS.normal,
};

/** The rule of alarms raised by silence rather than by a value. */
export const OFFLINE_RULE = 'offline';

export const MAP_BACKGROUND = '#0d1620';

export const LEVELS: WarningLevel[] = [1, 2, 3, 4];
export const NETWORKS: NetworkKind[] = ['gas', 'water', 'drainage'];

/** Highlights drawn on the map for an asset's trace and valve isolation. */
export const HIGHLIGHT_COLORS = {
  selected: '#ffffff',
  trace: '#00e5ff',
  segment: '#ff4081',
  cutoff: '#ff9100',
  valve: '#76ff03',
  inoperable: '#ff1744',
} as const;

export type HighlightRole = keyof typeof HIGHLIGHT_COLORS;
