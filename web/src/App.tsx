import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type AreaCollection, type AreaStatsDto, type MeDto } from './api.ts';
import { AlarmList } from './components/AlarmList.tsx';
import { ALERTING_ROLES } from './api/alerting.ts';
import { AreasPanel } from './components/AreasPanel.tsx';
import { AssetPanel } from './components/AssetPanel.tsx';
import { DeadLetters } from './components/DeadLetters.tsx';
import { DeviceHealth } from './components/DeviceHealth.tsx';
import { Header } from './components/Header.tsx';
import { IncidentList } from './components/IncidentList.tsx';
import { Legend } from './components/Legend.tsx';
import { MapView, type Highlight } from './components/MapView.tsx';
import { NavBar } from './components/NavBar.tsx';
import type { View3dInfo } from './components/Network3d.ts';
import { SensorCard } from './components/SensorCard.tsx';
import { pagesFor } from './pages/registry.ts';
import { currentPageId, usePageId } from './pages/route.ts';
import type { LifelineStore } from './store.ts';

export function App({ store, me, onLogout }: { store: LifelineStore; me?: MeDto; onLogout?: () => void }) {
  const { t } = useTranslation();
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [focus, setFocus] = useState<{ sensorId: string; seq: number } | null>(null);

  const locate = useCallback((sensorId: string) => {
    setSelectedId(sensorId);
    setFocus((f) => ({ sensorId, seq: (f?.seq ?? 0) + 1 }));
  }, []);
  const [assetId, setAssetId] = useState<string | null>(null);
  const [highlight, setHighlight] = useState<Highlight | null>(null);
  const [view3d, setView3d] = useState(false);
  const [view3dInfo, setView3dInfo] = useState<View3dInfo | null>(null);
  const [areas, setAreas] = useState<AreaCollection | null>(null);
  const [areaStats, setAreaStats] = useState<AreaStatsDto[] | null>(null);
  const [areaId, setAreaId] = useState<string | null>(null);
  const [fit, setFit] = useState<{ bbox: [number, number, number, number]; seq: number } | null>(null);

  useEffect(() => {
    let stale = false;
    const load = () =>
      Promise.all([api.areas(), api.areaStats()])
        .then(([a, s]) => {
          if (stale) return;
          setAreas(a);
          setAreaStats(s);
        })
        .catch(() => !stale && setTimeout(load, 5000));
    void load();
    return () => {
      stale = true;
    };
  }, []);

  const areaNames = useMemo(() => new Map((areas?.features ?? []).map((f) => [f.id, { name: f.properties.name, kind: f.properties.kind }])), [areas]);
  const zoomToArea = useCallback(
    (id: string) => {
      const area = areas?.features.find((f) => f.id === id);
      if (!area) return;
      const bbox: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
      for (const [lon, lat] of area.geometry.coordinates[0] ?? []) {
        bbox[0] = Math.min(bbox[0], lon);
        bbox[1] = Math.min(bbox[1], lat);
        bbox[2] = Math.max(bbox[2], lon);
        bbox[3] = Math.max(bbox[3], lat);
      }
      setAreaId(id);
      setFit((f) => ({ bbox, seq: (f?.seq ?? 0) + 1 }));
    },
    [areas],
  );
  const selectAsset = useCallback((id: string | null) => {
    setAssetId(id);
    if (!id) setHighlight(null);
  }, []);
  // `#/?asset=<id>`: a link from a page (the inspection and findings registers) opens the asset on the map.
  useEffect(() => {
    let stale = false;
    const open = () => {
      const id = currentPageId() === '' ? new URLSearchParams(window.location.hash.split('?')[1] ?? '').get('asset') : null;
      if (!id) return;
      selectAsset(id);
      api.asset(id).then(({ asset }) => {
        if (stale) return;
        const points = asset.geometry.type === 'Point' ? [asset.geometry.coordinates] : asset.geometry.coordinates;
        const lons = points.map((p) => p[0]);
        const lats = points.map((p) => p[1]);
        const pad = 0.0005;
        const bbox: [number, number, number, number] = [Math.min(...lons) - pad, Math.min(...lats) - pad, Math.max(...lons) + pad, Math.max(...lats) + pad];
        setFit((f) => ({ bbox, seq: (f?.seq ?? 0) + 1 }));
      }, () => undefined);
    };
    open();
    window.addEventListener('hashchange', open);
    return () => {
      stale = true;
      window.removeEventListener('hashchange', open);
    };
  }, [selectAsset]);
  const selectSensor = useCallback((id: string | null) => {
    setSelectedId(id);
    if (id) {
      setAssetId(null);
      setHighlight(null);
    }
  }, []);

  const transition = useCallback<typeof store.transition>((id, action, actor) => store.transition(id, action, actor), [store]);

  const selected = state.sensors.find((s) => s.id === selectedId) ?? null;
  const colocated = selected
    ? state.sensors.filter((s) => s.id !== selected.id && s.location[0] === selected.location[0] && s.location[1] === selected.location[1])
    : [];
  const dataReady = state.tileSet !== null && state.synced;
  const pages = useMemo(() => pagesFor(me), [me]);
  const pageId = usePageId();
  const page = pages.find((p) => p.id === pageId);

  return (
    <div className="app">
      <Header connection={state.connection} sensors={state.sensors} error={state.error} me={me} onLogout={onLogout} />
      <NavBar pages={pages} current={page ? page.id : ''} />
      {/* Pages cover the monitoring view instead of replacing it, so the map keeps its state. */}
      {pageId !== '' && (
        <section className="page" data-testid={`page-${pageId}`}>
          {page ? <page.component store={store} me={me} /> : <p className="page-missing">{t('nav.notFound', { id: pageId })}</p>}
        </section>
      )}
      <main className="main" hidden={pageId !== ''}>
        <div className="map-area">
          <MapView
            tileSet={state.tileSet}
            sensors={state.sensors}
            dataReady={dataReady}
            selectedId={selectedId}
            focus={focus}
            onSelect={selectSensor}
            onSelectAsset={selectAsset}
            highlight={highlight}
            areas={areas}
            selectedAreaId={areaId}
            fit={fit}
            view3d={view3d}
            onView3dInfo={setView3dInfo}
          />
          <div className="map-tools">
            <button type="button" className="view-toggle" data-testid="view-3d-toggle" aria-pressed={view3d} onClick={() => setView3d((v) => !v)}>
              {view3d ? t('view3d.off') : t('view3d.on')}
            </button>
            {view3d && view3dInfo && (
              <span className="view3d-info" data-testid="view-3d-info">
                {t('view3d.info', { count: view3dInfo.assets, exaggeration: view3dInfo.exaggeration })}
                {view3dInfo.mainsOnly && ` · ${t('view3d.mainsOnly')}`}
              </span>
            )}
          </div>
          {selected && (
            <SensorCard sensor={selected} colocated={colocated} onSelect={setSelectedId} onClose={() => setSelectedId(null)} />
          )}
          {!selected && assetId && (
            <AssetPanel
              assetId={assetId}
              sensors={state.sensors}
              areaNames={areaNames}
              onClose={() => selectAsset(null)}
              onHighlight={setHighlight}
              onSelectSensor={(id) => {
                setSelectedId(id);
                setFocus((f) => ({ sensorId: id, seq: (f?.seq ?? 0) + 1 }));
              }}
            />
          )}
          <Legend />
          {!dataReady && <div className="loading">{t('app.loading')}</div>}
        </div>
        <div className="side-panel">
          <AlarmList
            alarms={state.alarms}
            onLocate={locate}
            onAcknowledge={!me || me.roles.some((r) => ALERTING_ROLES.includes(r)) ? (id, comment) => store.acknowledge(id, comment) : undefined}
          />
          {(areaStats === null || areaStats.length > 0) && <AreasPanel stats={areaStats} selectedId={areaId} onZoom={zoomToArea} />}
          <IncidentList incidents={state.incidents} onTransition={transition} />
          <DeviceHealth devices={state.deviceHealth} stats={state.ingestStats} sensors={state.sensors} onLocate={locate} />
          <DeadLetters deadLetters={state.deadLetters} />
        </div>
      </main>
    </div>
  );
}
