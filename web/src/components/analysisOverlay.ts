// Draws a gas-spread analysis on the monitoring map (the MapLibre map MapView exposes as
// window.lifelineMap): the evacuation circle, the ranked spaces coloured by risk and the valves to
// close. A layer set of its own, so it never disturbs the map's highlights.
import type { GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import type { GasSpreadDetail } from '../api/analysis.ts';

const SOURCE = 'analysis-overlay';
const LAYERS = ['analysis-evacuation-fill', 'analysis-evacuation-line', 'analysis-spaces', 'analysis-valves'];
export const RISK_COLORS = { high: '#ff1744', medium: '#ff9100', low: '#ffd740' } as const;
const VALVE_COLOR = '#76ff03';

type Feature = { type: 'Feature'; geometry: { type: 'Point'; coordinates: [number, number] } | { type: 'Polygon'; coordinates: [number, number][][] }; properties: Record<string, string | number> };

function circle([lon, lat]: [number, number], radiusM: number): [number, number][] {
  const mLat = 111_320;
  const mLon = mLat * Math.cos((lat * Math.PI) / 180);
  return Array.from({ length: 65 }, (_, i) => {
    const a = (i / 64) * 2 * Math.PI;
    return [lon + (radiusM * Math.cos(a)) / mLon, lat + (radiusM * Math.sin(a)) / mLat] as [number, number];
  });
}

function ensureLayers(map: MapLibreMap): void {
  if (map.getSource(SOURCE)) return;
  map.addSource(SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({ id: LAYERS[0]!, type: 'fill', source: SOURCE, filter: ['==', ['get', 'part'], 'evacuation'], paint: { 'fill-color': '#ff1744', 'fill-opacity': 0.12 } });
  map.addLayer({ id: LAYERS[1]!, type: 'line', source: SOURCE, filter: ['==', ['get', 'part'], 'evacuation'], paint: { 'line-color': '#ff1744', 'line-width': 2, 'line-dasharray': [2, 1] } });
  map.addLayer({
    id: LAYERS[2]!, type: 'circle', source: SOURCE, filter: ['==', ['get', 'part'], 'space'],
    paint: {
      'circle-color': ['match', ['get', 'risk'], 'high', RISK_COLORS.high, 'medium', RISK_COLORS.medium, RISK_COLORS.low],
      'circle-radius': 7, 'circle-stroke-color': '#000000', 'circle-stroke-width': 1,
    },
  });
  map.addLayer({ id: LAYERS[3]!, type: 'circle', source: SOURCE, filter: ['==', ['get', 'part'], 'valve'], paint: { 'circle-color': VALVE_COLOR, 'circle-radius': 8, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 } });
}

/** Shows the analysis and fits the map to the evacuation circle; false when no map is there. */
export function showGasSpread(detail: GasSpreadDetail): boolean {
  const map = window.lifelineMap;
  if (!map || !map.isStyleLoaded()) return false;
  ensureLayers(map);
  const { center, radiusM } = detail.evacuation;
  const ring = radiusM > 0 ? circle(center, radiusM) : [];
  const features: Feature[] = [
    ...(ring.length > 0 ? [{ type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring] }, properties: { part: 'evacuation', radiusM } } as Feature] : []),
    ...detail.spaces.filter((s) => s.reached).map((s): Feature => ({ type: 'Feature', geometry: { type: 'Point', coordinates: s.position }, properties: { part: 'space', id: s.assetId, risk: s.riskClass } })),
    ...(detail.isolation?.valves ?? []).map((v): Feature => ({ type: 'Feature', geometry: { type: 'Point', coordinates: v.position }, properties: { part: 'valve', id: v.id } })),
  ];
  map.getSource<GeoJSONSource>(SOURCE)!.setData({ type: 'FeatureCollection', features } as Parameters<GeoJSONSource['setData']>[0]);
  const points = [...ring, ...features.filter((f) => f.geometry.type === 'Point').map((f) => f.geometry.coordinates as [number, number])];
  if (points.length > 0) {
    const lons = points.map((p) => p[0]);
    const lats = points.map((p) => p[1]);
    map.fitBounds([[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]], { padding: 60, duration: 0, maxZoom: 17 });
  }
  document.body.dataset.analysisOverlay = String(features.length);
  return true;
}

export function clearGasSpread(): void {
  const map = window.lifelineMap;
  map?.getSource<GeoJSONSource>(SOURCE)?.setData({ type: 'FeatureCollection', features: [] });
  delete document.body.dataset.analysisOverlay;
}
