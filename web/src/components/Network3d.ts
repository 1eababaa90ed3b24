// The 3-D view of the monitoring centre: the networks in the map's view drawn below the ground
// surface by depth (deck.gl PathLayer and ScatterplotLayer over MapLibre, depth exaggerated so
// that metres show at city scale), the camera pitched. deck.gl is loaded only when the view is
// first switched on. The data comes from GET /api/network/3d (only mains when the view holds too
// many assets) and is refetched when the map stops moving.
import type { Map as MapLibreMap } from 'maplibre-gl';
import { useEffect, useRef } from 'react';
import { api, type Asset3dDto, type Network3dDto } from '../api.ts';
import { NETWORK_COLORS } from '../colors.ts';

/** How many times depths are drawn deeper than they are, by zoom: metres must show at city scale. */
export function exaggeration(zoom: number): number {
  return Math.round(Math.min(400, Math.max(8, 4 * 2 ** (18 - zoom))));
}

const MAX_ASSETS = 40_000;
const MINOR_NODES = new Set(['junction', 'manhole', 'valve', 'service_connection', 'end_cap', 'inlet', 'hydrant', 'meter', 'adjacent_space', 'access_shaft']);

function rgb(hex: string, alpha = 255): [number, number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255, alpha];
}

export interface View3dInfo {
  assets: number;
  mainsOnly: boolean;
  exaggeration: number;
}

export function useNetwork3d(map: MapLibreMap | null, enabled: boolean, onInfo: (info: View3dInfo | null) => void): void {
  const onInfoRef = useRef(onInfo);
  onInfoRef.current = onInfo;

  useEffect(() => {
    if (!map || !enabled) return;
    let cancelled = false;
    let controller: AbortController | null = null;
    let overlay: import('@deck.gl/mapbox').MapboxOverlay | null = null;
    const container = map.getContainer();
    container.dataset.view3d = 'loading';

    map.setMaxPitch(75);
    map.dragRotate.enable();
    map.touchZoomRotate.enableRotation();
    map.easeTo({ pitch: 60, bearing: -20, duration: 500 });
    // The 2-D network stays as the ground plan, dimmed.
    if (map.getLayer('pipes')) map.setPaintProperty('pipes', 'line-opacity', 0.18);
    if (map.getLayer('nodes')) map.setLayoutProperty('nodes', 'visibility', 'none');

    const load = async () => {
      if (!overlay) return;
      controller?.abort();
      const mine = new AbortController();
      controller = mine;
      const b = map.getBounds();
      const bbox: [number, number, number, number] = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
      let data: Network3dDto;
      try {
        data = await api.network3d(bbox, MAX_ASSETS, mine.signal);
      } catch {
        if (!mine.signal.aborted) container.dataset.view3d = 'error';
        return;
      }
      if (mine.signal.aborted || cancelled || !overlay) return;
      const exag = exaggeration(map.getZoom());
      const { LineLayer, PathLayer, ScatterplotLayer } = await import('@deck.gl/layers');
      if (mine.signal.aborted || cancelled || !overlay) return;
      const lines = data.assets.filter((a) => a.coordinates.length > 1);
      const points = data.assets.filter((a) => a.coordinates.length === 1);
      const z = (a: Asset3dDto) => -a.depthM * exag;
      // Shafts: a vertical line from the surface down to each facility, manhole and access shaft.
      const shafts = points.filter((a) => !MINOR_NODES.has(a.assetType) || a.assetType === 'manhole' || a.assetType === 'access_shaft');
      overlay.setProps({
        layers: [
          new LineLayer<Asset3dDto>({
            id: 'network-3d-shafts',
            data: shafts,
            getSourcePosition: (a) => [a.coordinates[0]![0], a.coordinates[0]![1], 0],
            getTargetPosition: (a) => [a.coordinates[0]![0], a.coordinates[0]![1], z(a)],
            getColor: (a) => rgb(NETWORK_COLORS[a.network] ?? '#cccccc', 110),
            getWidth: 1,
            updateTriggers: { getTargetPosition: exag },
          }),
          new PathLayer<Asset3dDto>({
            id: 'network-3d-pipes',
            data: lines,
            getPath: (a) => a.coordinates.map(([lon, lat]): [number, number, number] => [lon, lat, z(a)]),
            getColor: (a) => rgb(NETWORK_COLORS[a.network] ?? '#cccccc'),
            getWidth: (a) => ((a.diameterMm ?? 0) >= 800 ? 4 : (a.diameterMm ?? 0) >= 300 ? 2.5 : 1.5),
            widthUnits: 'pixels',
            capRounded: true,
            jointRounded: true,
            updateTriggers: { getPath: exag },
          }),
          new ScatterplotLayer<Asset3dDto>({
            id: 'network-3d-nodes',
            data: points,
            getPosition: (a) => [a.coordinates[0]![0], a.coordinates[0]![1], z(a)],
            getFillColor: (a) => rgb(NETWORK_COLORS[a.network] ?? '#cccccc', 230),
            getRadius: (a) => (MINOR_NODES.has(a.assetType) ? 2 : 5),
            radiusUnits: 'pixels',
            updateTriggers: { getPosition: exag },
          }),
        ],
      });
      container.dataset.view3d = 'ready';
      container.dataset.view3dAssets = String(data.assets.length);
      onInfoRef.current({ assets: data.assets.length, mainsOnly: data.mainsOnly, exaggeration: exag });
    };
    const onMoveEnd = () => void load();

    void (async () => {
      const { MapboxOverlay } = await import('@deck.gl/mapbox');
      if (cancelled) return;
      overlay = new MapboxOverlay({ interleaved: false, layers: [] });
      map.addControl(overlay);
      map.on('moveend', onMoveEnd);
      await load();
    })();

    return () => {
      cancelled = true;
      controller?.abort();
      map.off('moveend', onMoveEnd);
      if (overlay) map.removeControl(overlay);
      overlay = null;
      delete container.dataset.view3d;
      delete container.dataset.view3dAssets;
      if (map.getLayer('pipes')) map.setPaintProperty('pipes', 'line-opacity', ['interpolate', ['linear'], ['zoom'], 10, 0.75, 14, 1]);
      if (map.getLayer('nodes')) map.setLayoutProperty('nodes', 'visibility', 'visible');
      map.jumpTo({ pitch: 0, bearing: 0 });
      map.setMaxPitch(0);
      map.dragRotate.disable();
      map.touchZoomRotate.disableRotation();
      onInfoRef.current(null);
    };
  }, [map, enabled]);
}
