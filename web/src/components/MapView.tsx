// The MapLibre map: pipes and nodes of every network from the server's vector tiles (any city
// size: low zooms carry only mains and facilities), the sensors as a live GeoJSON source coloured
// by state and warning level, highlights of traces and valve isolations, area outlines, and the
// 3-D view (deck.gl, Network3d.ts). The style is inline with no glyphs or sprites (node symbols
// are drawn on a canvas when first needed; labels are HTML), so the map fetches nothing but our
// own API.
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import {
  LngLatBounds,
  Map as MapLibreMap,
  NavigationControl,
  Popup,
  setWorkerUrl,
  type ExpressionSpecification,
  type GeoJSONSource,
  type MapGeoJSONFeature,
  type MapLayerMouseEvent,
  type StyleSpecification,
} from 'maplibre-gl';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type AreaCollection, type AssetCollection, type NetworkKind, type SensorDto, type TileSetDto } from '../api.ts';
import { HIGHLIGHT_COLORS, LEVEL_COLORS, MAP_BACKGROUND, NETWORK_COLORS, STATE_COLORS } from '../colors.ts';
import { nodeIcon, NODE_SHAPE } from '../icons.ts';
import { useNetwork3d } from './Network3d.ts';

// The bundler moves the worker file, so tell MapLibre where it ended up.
setWorkerUrl(workerUrl);

declare global {
  interface Window {
    /** The map instance, for end-to-end tests and debugging. */
    lifelineMap?: MapLibreMap;
  }
}

type GeoJSONData = Parameters<GeoJSONSource['setData']>[0];

const STYLE: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': MAP_BACKGROUND } }],
};

/** The map layers drawn from the network's vector tiles; clicks on them select an asset. */
export const NETWORK_LAYERS = ['pipes', 'nodes'] as const;

const networkColor: ExpressionSpecification = [
  'match',
  ['get', 'network'],
  ...Object.entries(NETWORK_COLORS).flat(),
  '#cccccc',
] as unknown as ExpressionSpecification;

const levelColor: ExpressionSpecification = [
  'match',
  ['get', 'level'],
  1,
  LEVEL_COLORS[1],
  2,
  LEVEL_COLORS[2],
  3,
  LEVEL_COLORS[3],
  4,
  LEVEL_COLORS[4],
  LEVEL_COLORS[1],
];

const sensorColor: ExpressionSpecification = [
  'match',
  ['get', 'state'],
  'alarm',
  levelColor,
  'offline',
  STATE_COLORS.offline,
  'nodata',
  STATE_COLORS.nodata,
  STATE_COLORS.normal,
];

const isAlarm: ExpressionSpecification = ['==', ['get', 'state'], 'alarm'];

/** Co-located sensors (channels of one device) draw the most severe on top: alarm 1 > … > 4 > normal > no data. */
const severityOrder: ExpressionSpecification = ['match', ['get', 'state'], 'alarm', ['-', 10, ['coalesce', ['get', 'level'], 1]], 'offline', 2, 'normal', 1, 0];

const roleColor: ExpressionSpecification = [
  'match',
  ['get', 'role'],
  ...Object.entries(HIGHLIGHT_COLORS).flat(),
  '#ffffff',
] as unknown as ExpressionSpecification;

/** Sensor features carry `id`, `state` and, while in alarm, `level` (1..4). */
function sensorData(sensors: SensorDto[]): GeoJSONData {
  return {
    type: 'FeatureCollection',
    features: sensors.map((s) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: s.location },
      properties: { id: s.id, name: s.name, network: s.network, state: s.state, ...(s.level !== null ? { level: s.level } : {}) },
    })),
  };
}

function boundsOf(tileSet: TileSetDto, sensors: SensorDto[]): LngLatBounds | null {
  const bounds = new LngLatBounds();
  let any = false;
  if (tileSet.bounds) {
    bounds.extend([tileSet.bounds[0], tileSet.bounds[1]]);
    bounds.extend([tileSet.bounds[2], tileSet.bounds[3]]);
    any = true;
  }
  for (const s of sensors) {
    bounds.extend(s.location);
    any = true;
  }
  return any ? bounds : null;
}

/** Highlight features carry `role`: selected, trace, segment, cutoff, valve or inoperable. */
export type Highlight = AssetCollection & { features: (AssetCollection['features'][number] & { properties: { role: keyof typeof HIGHLIGHT_COLORS } })[] };

interface Props {
  tileSet: TileSetDto | null;
  sensors: SensorDto[];
  /** True once the tile set and the first sensor snapshot are in. */
  dataReady: boolean;
  selectedId: string | null;
  /** Changes whenever the map should ease to a sensor (e.g. an alarm was clicked). */
  focus: { sensorId: string; seq: number } | null;
  onSelect(sensorId: string | null): void;
  onSelectAsset(assetId: string | null): void;
  highlight: Highlight | null;
  areas: AreaCollection | null;
  selectedAreaId: string | null;
  /** Changes whenever the map should fit a box (an area was clicked). */
  fit: { bbox: [number, number, number, number]; seq: number } | null;
  view3d: boolean;
  onView3dInfo(info: { assets: number; mainsOnly: boolean; exaggeration: number } | null): void;
}

export function MapView(props: Props) {
  const { tileSet, sensors, dataReady, selectedId, focus, highlight, areas, selectedAreaId, fit, view3d } = props;
  const { t } = useTranslation();
  const container = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<MapLibreMap | null>(null);
  const handlers = useRef(props);
  handlers.current = props;
  const fitted = useRef(false);
  const readyArmed = useRef(false);

  useEffect(() => {
    if (!container.current) return;
    const m = new MapLibreMap({
      container: container.current,
      style: STYLE,
      center: [0, 0],
      zoom: 1,
      attributionControl: false,
      dragRotate: false,
      pitchWithRotate: false,
      maxPitch: 0,
    });
    m.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    m.touchZoomRotate.disableRotation();
    window.lifelineMap = m;

    const hover = new Popup({ closeButton: false, closeOnClick: false, className: 'hover-label', offset: 12 });

    m.on('styleimagemissing', (e: { id: string }) => {
      const icon = nodeIcon(e.id);
      if (icon && !m.hasImage(e.id)) m.addImage(e.id, icon, { pixelRatio: 2 });
    });

    m.on('load', () => {
      m.addSource('sensors', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      m.addSource('highlight', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      m.addSource('areas', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      m.addLayer({
        id: 'area-selected',
        type: 'fill',
        source: 'areas',
        filter: ['==', ['get', 'id'], ''],
        paint: { 'fill-color': '#80cbc4', 'fill-opacity': 0.12 },
      });
      m.addLayer({
        id: 'area-outlines',
        type: 'line',
        source: 'areas',
        filter: ['match', ['get', 'kind'], ['district', 'block'], true, false],
        paint: {
          'line-color': ['match', ['get', 'kind'], 'district', '#80cbc4', '#4f6f78'],
          'line-width': ['match', ['get', 'kind'], 'district', 2, 0.8],
          'line-dasharray': [3, 2],
          'line-opacity': 0.8,
        },
      });
      m.addLayer({
        id: 'highlight-lines',
        type: 'line',
        source: 'highlight',
        filter: ['==', ['geometry-type'], 'LineString'],
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: { 'line-color': roleColor, 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 4, 16, 9], 'line-opacity': 0.55 },
      });
      m.addLayer({
        id: 'sensors-alarm-halo',
        type: 'circle',
        source: 'sensors',
        filter: isAlarm,
        layout: { 'circle-sort-key': severityOrder },
        paint: { 'circle-color': levelColor, 'circle-opacity': 0.3, 'circle-radius': 17, 'circle-stroke-color': levelColor, 'circle-stroke-width': 1.5, 'circle-stroke-opacity': 0.8 },
      });
      m.addLayer({
        id: 'highlight-points',
        type: 'circle',
        source: 'highlight',
        filter: ['==', ['geometry-type'], 'Point'],
        layout: { 'circle-sort-key': ['match', ['get', 'role'], ['valve', 'inoperable'], 2, 1] },
        paint: {
          'circle-color': roleColor,
          'circle-radius': ['match', ['get', 'role'], ['valve', 'inoperable'], 8, 4],
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': ['match', ['get', 'role'], ['valve', 'inoperable'], 2, 0],
        },
      });
      m.addLayer({
        id: 'sensors-selected',
        type: 'circle',
        source: 'sensors',
        filter: ['==', ['get', 'id'], ''],
        paint: {
          'circle-color': 'rgba(0,0,0,0)',
          'circle-radius': 13,
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 2,
        },
      });
      m.addLayer({
        id: 'sensors',
        type: 'circle',
        source: 'sensors',
        layout: { 'circle-sort-key': severityOrder },
        paint: {
          'circle-color': sensorColor,
          // Small at city zoom, where thousands of sensors would hide the networks; alarms stay larger.
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, ['case', isAlarm, 6, 2], 13, ['case', isAlarm, 8, 4], 15, ['case', isAlarm, 9, 7]],
          'circle-stroke-color': '#f5f7fa',
          'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 10, 0.5, 15, 1.5],
        },
      });
      setMap(m);
    });

    m.on('click', 'sensors', (e: MapLayerMouseEvent) => {
      // Several channels of one device share a point: pick the most severe, as drawn on top.
      const rank = (p: Record<string, unknown>) => (p.state === 'alarm' ? 10 - Number(p.level ?? 1) : p.state === 'offline' ? 2 : p.state === 'normal' ? 1 : 0);
      const top = [...(e.features ?? [])].sort((a, b) => rank(b.properties) - rank(a.properties))[0];
      const id = top?.properties.id;
      if (typeof id === 'string') handlers.current.onSelect(id);
    });
    m.on('click', (e) => {
      if (!m.getLayer('sensors')) return;
      if (m.queryRenderedFeatures(e.point, { layers: ['sensors'] }).length > 0) return;
      handlers.current.onSelect(null);
      const layers = NETWORK_LAYERS.filter((l) => m.getLayer(l));
      const r = 5;
      const hits = m.queryRenderedFeatures(
        [
          [e.point.x - r, e.point.y - r],
          [e.point.x + r, e.point.y + r],
        ],
        { layers },
      );
      // Nodes above pipes; a feature of a city-zoom tile has no id: ask for the nearest asset of its network.
      const hit: MapGeoJSONFeature | undefined = hits.find((f) => f.layer.id === 'nodes') ?? hits[0];
      if (!hit) {
        handlers.current.onSelectAsset(null);
        return;
      }
      const id = hit.properties.id;
      if (typeof id === 'string') handlers.current.onSelectAsset(id);
      else {
        void api
          .nearest(e.lngLat.lng, e.lngLat.lat, 1, hit.properties.network as NetworkKind)
          .then(([nearest]) => handlers.current.onSelectAsset(nearest?.assetId ?? null))
          .catch(() => handlers.current.onSelectAsset(null));
      }
    });
    m.on('mousemove', (e) => {
      if (!m.getLayer('sensors')) return;
      const sensor = m.queryRenderedFeatures(e.point, { layers: ['sensors'] })[0];
      const onAsset = !sensor && m.queryRenderedFeatures(e.point, { layers: NETWORK_LAYERS.filter((l) => m.getLayer(l)) }).length > 0;
      m.getCanvas().style.cursor = sensor || onAsset ? 'pointer' : '';
      const name = sensor?.properties.name;
      if (sensor && typeof name === 'string' && sensor.geometry.type === 'Point') {
        hover.setLngLat(sensor.geometry.coordinates as [number, number]).setText(name).addTo(m);
      } else hover.remove();
    });

    return () => {
      hover.remove();
      m.remove();
      if (window.lifelineMap === m) delete window.lifelineMap;
      setMap(null);
    };
  }, []);

  // The network's vector source and layers, below the highlights and sensors.
  useEffect(() => {
    if (!map || !tileSet) return;
    if (map.getSource('network')) return;
    map.addSource('network', {
      type: 'vector',
      tiles: [new URL(tileSet.tiles, location.href).href.replace(/%7B/g, '{').replace(/%7D/g, '}')],
      minzoom: tileSet.minzoom,
      maxzoom: tileSet.maxzoom,
      ...(tileSet.bounds ? { bounds: tileSet.bounds } : {}),
    });
    map.addLayer(
      {
        id: 'pipes',
        type: 'line',
        source: 'network',
        'source-layer': 'pipes',
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: {
          'line-color': networkColor,
          'line-width': ['interpolate', ['linear'], ['zoom'], 10, ['case', ['==', ['get', 'main'], 1], 1, 0.5], 14, ['case', ['==', ['get', 'main'], 1], 2.5, 1.5], 17, 4, 19, 8],
          'line-opacity': ['interpolate', ['linear'], ['zoom'], 10, 0.75, 14, 1],
        },
      },
      'area-selected',
    );
    map.addLayer(
      {
        id: 'nodes',
        type: 'symbol',
        source: 'network',
        'source-layer': 'nodes',
        layout: {
          'icon-image': ['concat', NODE_SHAPE, ':', ['get', 'network']],
          'icon-size': ['interpolate', ['linear'], ['zoom'], 10, 0.45, 14, 0.7, 18, 1.1],
          'icon-allow-overlap': true,
          'icon-ignore-placement': true,
        },
      },
      'area-selected',
    );
  }, [map, tileSet]);

  useEffect(() => {
    map?.getSource<GeoJSONSource>('sensors')?.setData(sensorData(sensors));
  }, [map, sensors]);

  useEffect(() => {
    map?.getSource<GeoJSONSource>('highlight')?.setData((highlight ?? { type: 'FeatureCollection', features: [] }) as GeoJSONData);
  }, [map, highlight]);

  useEffect(() => {
    if (areas) map?.getSource<GeoJSONSource>('areas')?.setData(areas as GeoJSONData);
  }, [map, areas]);

  useEffect(() => {
    map?.setFilter('area-selected', ['==', ['get', 'id'], selectedAreaId ?? '']);
  }, [map, selectedAreaId]);

  // Fit to the networks once, when the tile set and the sensors are in.
  useEffect(() => {
    if (!map || !tileSet || !dataReady || fitted.current) return;
    const bounds = boundsOf(tileSet, sensors);
    if (!bounds) return;
    fitted.current = true;
    map.fitBounds(bounds, { padding: 48, animate: false, maxZoom: 17 });
  }, [map, tileSet, sensors, dataReady]);

  // Tests wait for this: data loaded, every visible tile drawn, and the map idle.
  useEffect(() => {
    if (!map || !dataReady || !fitted.current || readyArmed.current) return;
    readyArmed.current = true;
    map.once('idle', () => {
      document.body.dataset.ready = 'true';
    });
    map.triggerRepaint();
  });

  useEffect(() => {
    if (!map) return;
    map.setFilter('sensors-selected', ['==', ['get', 'id'], selectedId ?? '']);
  }, [map, selectedId]);

  useEffect(() => {
    if (!map || !focus) return;
    const sensor = sensors.find((s) => s.id === focus.sensorId);
    if (sensor) map.easeTo({ center: sensor.location, zoom: Math.max(map.getZoom(), 16) });
    // Only a new focus request moves the map, not later sensor updates.
  }, [map, focus]);

  useEffect(() => {
    if (!map || !fit) return;
    map.fitBounds(fit.bbox, { padding: 48, maxZoom: 17, pitch: map.getPitch(), bearing: map.getBearing() });
  }, [map, fit]);

  useNetwork3d(map, view3d, props.onView3dInfo);

  return <div ref={container} className="map" role="region" aria-label={t('map.label')} data-view={view3d ? '3d' : '2d'} />;
}
