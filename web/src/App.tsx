import { useCallback, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { AlarmList } from './components/AlarmList.tsx';
import { DeadLetters } from './components/DeadLetters.tsx';
import { Header } from './components/Header.tsx';
import { IncidentList } from './components/IncidentList.tsx';
import { Legend } from './components/Legend.tsx';
import { MapView } from './components/MapView.tsx';
import { SensorCard } from './components/SensorCard.tsx';
import type { LifelineStore } from './store.ts';

export function App({ store }: { store: LifelineStore }) {
  const { t } = useTranslation();
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [focus, setFocus] = useState<{ sensorId: string; seq: number } | null>(null);

  const locate = useCallback((sensorId: string) => {
    setSelectedId(sensorId);
    setFocus((f) => ({ sensorId, seq: (f?.seq ?? 0) + 1 }));
  }, []);
  const transition = useCallback<typeof store.transition>((id, action, actor) => store.transition(id, action, actor), [store]);

  const selected = state.sensors.find((s) => s.id === selectedId) ?? null;
  const colocated = selected
    ? state.sensors.filter((s) => s.id !== selected.id && s.location[0] === selected.location[0] && s.location[1] === selected.location[1])
    : [];
  const dataReady = state.assets !== null && state.synced;

  return (
    <div className="app">
      <Header connection={state.connection} sensors={state.sensors} error={state.error} />
      <main className="main">
        <div className="map-area">
          <MapView
            assets={state.assets}
            sensors={state.sensors}
            dataReady={dataReady}
            selectedId={selectedId}
            focus={focus}
            onSelect={setSelectedId}
          />
          {selected && (
            <SensorCard sensor={selected} colocated={colocated} onSelect={setSelectedId} onClose={() => setSelectedId(null)} />
          )}
          <Legend />
          {!dataReady && <div className="loading">{t('app.loading')}</div>}
        </div>
        <div className="side-panel">
          <AlarmList alarms={state.alarms} onLocate={locate} />
          <IncidentList incidents={state.incidents} onTransition={transition} />
          <DeadLetters deadLetters={state.deadLetters} />
        </div>
      </main>
    </div>
  );
}
