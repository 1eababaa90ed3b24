// The MapLibre map: pipes and nodes of the three networks, and the sensors coloured by state and
// warning level. The style is inline with a single background layer, so the map fetches nothing
// but our own API data (no tiles, glyphs or sprites; labels are HTML).
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
  type MapLayerMouseEvent,
  type StyleSpecification,
} from 'maplibre-gl';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AssetCollection, SensorDto } from '../api.ts';
import { LEVEL_COLORS, MAP_BACKGROUND, NETWORK_COLORS, STATE_COLORS } from '../colors.ts';

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

const networkColor: ExpressionSpecification = [
  'match',
  ['get', 'network'],
  'gas',
  NETWORK_COLORS.gas,
  'water',
  NETWORK_COLORS.water,
  'drainage',
  NETWORK_COLORS.drainage,
  '#cccccc',
];

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

function assetData(assets: AssetCollection): GeoJSONData {
  return {
    type: 'FeatureCollection',
    features: assets.features.map((f) => ({
      type: 'Feature',
      id: f.id,
      geometry: f.geometry,
      properties: { id: f.properties.id, name: f.properties.name, network: f.properties.network, assetType: f.properties.assetType },
    })),
  };
}

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

function boundsOf(assets: AssetCollection, sensors: SensorDto[]): LngLatBounds | null {
  const bounds = new LngLatBounds();
  let any = false;
  const add = (c: [number, number]) => {
    bounds.extend(c);
    any = true;
  };
  for (const f of assets.features) {
    if (f.geometry.type === 'Point') add(f.geometry.coordinates);
    else f.geometry.coordinates.forEach(add);
  }
  sensors.forEach((s) => add(s.location));
  return any ? bounds : null;
}

interface Props {
  assets: AssetCollection | null;
  sensors: SensorDto[];
  /** True once assets and the first sensor snapshot are in. */
  dataReady: boolean;
  selectedId: string | null;
  /** Changes whenever the map should ease to a sensor (e.g. an alarm was clicked). */
  focus: { sensorId: string; seq: number } | null;
  onSelect(sensorId: string | null): void;
}

export function MapView({ assets, sensors, dataReady, selectedId, focus, onSelect }: Props) {
  const { t } = useTranslation();
  const container = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<MapLibreMap | null>(null);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
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

    m.on('load', () => {
      m.addSource('assets', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      m.addSource('sensors', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      m.addLayer({
        id: 'pipes',
        type: 'line',
        source: 'assets',
        filter: ['==', ['geometry-type'], 'LineString'],
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: {
          'line-color': networkColor,
          'line-width': ['interpolate', ['linear'], ['zoom'], 12, 1.5, 16, 4, 19, 8],
        },
      });
      m.addLayer({
        id: 'nodes',
        type: 'circle',
        source: 'assets',
        filter: ['==', ['geometry-type'], 'Point'],
        paint: {
          'circle-color': networkColor,
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 12, 2, 16, 3.5, 19, 6],
          'circle-stroke-color': MAP_BACKGROUND,
          'circle-stroke-width': 1,
        },
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
          'circle-radius': ['case', isAlarm, 9, 7],
          'circle-stroke-color': '#f5f7fa',
          'circle-stroke-width': 1.5,
        },
      });
      setMap(m);
    });

    m.on('click', 'sensors', (e: MapLayerMouseEvent) => {
      // Several channels of one device share a point: pick the most severe, as drawn on top.
      const rank = (p: Record<string, unknown>) => (p.state === 'alarm' ? 10 - Number(p.level ?? 1) : p.state === 'offline' ? 2 : p.state === 'normal' ? 1 : 0);
      const top = [...(e.features ?? [])].sort((a, b) => rank(b.properties) - rank(a.properties))[0];
      const id = top?.properties.id;
      if (typeof id === 'string') onSelectRef.current(id);
    });
    m.on('click', (e) => {
      if (!m.getLayer('sensors')) return;
      if (m.queryRenderedFeatures(e.point, { layers: ['sensors'] }).length === 0) onSelectRef.current(null);
    });
    m.on('mousemove', 'sensors', (e: MapLayerMouseEvent) => {
      const feature = e.features?.[0];
      const name = feature?.properties.name;
      m.getCanvas().style.cursor = 'pointer';
      if (feature && typeof name === 'string' && feature.geometry.type === 'Point') {
        hover.setLngLat(feature.geometry.coordinates as [number, number]).setText(name).addTo(m);
      }
    });
    m.on('mouseleave', 'sensors', () => {
      m.getCanvas().style.cursor = '';
      hover.remove();
    });

    return () => {
      hover.remove();
      m.remove();
      if (window.lifelineMap === m) delete window.lifelineMap;
      setMap(null);
    };
  }, []);

  useEffect(() => {
    if (!map || !assets) return;
    map.getSource<GeoJSONSource>('assets')?.setData(assetData(assets));
  }, [map, assets]);

  useEffect(() => {
    map?.getSource<GeoJSONSource>('sensors')?.setData(sensorData(sensors));
  }, [map, sensors]);

  // Fit to the networks once, when their data first arrives.
  useEffect(() => {
    if (!map || !assets || !dataReady || fitted.current) return;
    const bounds = boundsOf(assets, sensors);
    if (!bounds) return;
    fitted.current = true;
    map.fitBounds(bounds, { padding: 48, animate: false, maxZoom: 17 });
  }, [map, assets, sensors, dataReady]);

  // Tests wait for this: data loaded, drawn, and the map idle.
  useEffect(() => {
    if (!map || !dataReady || readyArmed.current) return;
    readyArmed.current = true;
    map.once('idle', () => {
      document.body.dataset.ready = 'true';
    });
    map.triggerRepaint();
  }, [map, dataReady]);

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

  return <div ref={container} className="map" role="region" aria-label={t('map.label')} />;
}
