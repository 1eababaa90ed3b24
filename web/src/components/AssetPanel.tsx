// The asset panel: what the twin knows of a clicked pipe or node (attributes, owner, status,
// areas, health record, sensors) and the network queries on it: upstream/downstream trace and,
// for gas and water pipes, valve isolation, drawn on the map as highlights with their counts.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type AssetDetailDto, type AssetFeature, type IsolationDto, type SensorDto, type TraceDto } from '../api.ts';
import type { HighlightRole } from '../colors.ts';
import type { Highlight } from './MapView.tsx';

/** Most assets a highlight draws (a trunk's upstream trace can hold tens of thousands). */
const MAX_HIGHLIGHT = 20_000;

type Result =
  | { kind: 'trace'; trace: TraceDto; drawn: number }
  | { kind: 'isolation'; isolation: IsolationDto; drawn: number }
  | { kind: 'error'; message: string };

interface Props {
  assetId: string;
  sensors: SensorDto[];
  areaNames: Map<string, { name: string; kind: string }>;
  onClose(): void;
  onHighlight(highlight: Highlight | null): void;
  onSelectSensor(sensorId: string): void;
}

function withRole(features: AssetFeature[], role: HighlightRole): Highlight['features'] {
  return features.map((f) => ({ ...f, properties: { ...f.properties, role } }));
}

/** Geometry of the listed ids, each with its role; the first list a feature appears in wins. */
async function highlightOf(groups: [HighlightRole, string[]][]): Promise<{ highlight: Highlight; drawn: number }> {
  const roleOf = new Map<string, HighlightRole>();
  for (const [role, ids] of groups) for (const id of ids) if (!roleOf.has(id) && roleOf.size < MAX_HIGHLIGHT) roleOf.set(id, role);
  const collection = await api.features([...roleOf.keys()]);
  const features = collection.features.map((f) => ({ ...f, properties: { ...f.properties, role: roleOf.get(f.id)! } }));
  // Draw order: lines of larger roles first, valves last (on top).
  const order: HighlightRole[] = ['cutoff', 'trace', 'segment', 'selected', 'inoperable', 'valve'];
  features.sort((a, b) => order.indexOf(a.properties.role) - order.indexOf(b.properties.role));
  return { highlight: { type: 'FeatureCollection', features }, drawn: features.length };
}

export function AssetPanel({ assetId, sensors, areaNames, onClose, onHighlight, onSelectSensor }: Props) {
  const { t, i18n } = useTranslation();
  const [detail, setDetail] = useState<AssetDetailDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    let stale = false;
    setDetail(null);
    setError(null);
    setResult(null);
    api
      .asset(assetId)
      .then((d) => {
        if (stale) return;
        setDetail(d);
        onHighlight({ type: 'FeatureCollection', features: withRole([d.asset], 'selected') });
      })
      .catch((err: unknown) => !stale && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      stale = true;
    };
  }, [assetId]);

  const run = async (action: 'upstream' | 'downstream' | 'isolation') => {
    if (!detail) return;
    setBusy(action);
    try {
      if (action === 'isolation') {
        const isolation = await api.isolation(assetId);
        const { highlight, drawn } = await highlightOf([
          ['valve', isolation.valves],
          ['inoperable', isolation.inoperableValves],
          ['selected', [assetId]],
          ['segment', isolation.segment],
          ['cutoff', isolation.cutOff],
        ]);
        onHighlight(highlight);
        setResult({ kind: 'isolation', isolation, drawn });
      } else {
        const trace = await api.trace(assetId, action);
        const { highlight, drawn } = await highlightOf([
          ['selected', [assetId]],
          ['trace', trace.assetIds],
        ]);
        onHighlight(highlight);
        setResult({ kind: 'trace', trace, drawn });
      }
    } catch (err) {
      setResult({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(null);
    }
  };

  const number = (v: number) => new Intl.NumberFormat(i18n.language, { maximumFractionDigits: 2 }).format(v);
  const p = detail?.asset.properties;
  const isPipe = detail?.asset.geometry.type === 'LineString';
  const canIsolate = isPipe && (p?.network === 'gas' || p?.network === 'water');
  const assetSensors = detail ? detail.sensorIds.map((id) => sensors.find((s) => s.id === id) ?? { id, name: id, state: 'nodata' as const }) : [];
  const attributes = p ? Object.entries(p.attributes).filter(([k, v]) => k !== 'from' && k !== 'to' && v !== null && typeof v !== 'object') : [];

  return (
    <aside className="asset-panel" data-testid="asset-panel" data-asset-id={assetId} aria-labelledby="asset-panel-title">
      <div className="asset-panel-head">
        <h3 id="asset-panel-title">{p?.name ?? assetId}</h3>
        <button type="button" className="close" onClick={onClose} aria-label={t('asset.close')}>
          ×
        </button>
      </div>
      {error && <p className="panel-error" role="alert">{t('asset.error', { message: error })}</p>}
      {!detail && !error && <p role="status">{t('asset.loading')}</p>}
      {detail && p && (
        <>
          <dl className="asset-facts">
            <dt>{t('asset.id')}</dt>
            <dd>{p.id}</dd>
            <dt>{t('asset.type')}</dt>
            <dd>
              {t(`network.${p.network}`)} · {t(`assetType.${p.assetType}`, { defaultValue: p.assetType })}
            </dd>
            <dt>{t('asset.owner')}</dt>
            <dd data-testid="asset-owner" data-owner-id={p.ownerId}>
              {p.ownerName}
            </dd>
            <dt>{t('asset.status')}</dt>
            <dd>{t(`assetStatus.${p.status}`, { defaultValue: p.status })}</dd>
            {attributes.map(([k, v]) => (
              <div key={k} className="fact-row">
                <dt>{t(`attr.${k}`, { defaultValue: k })}</dt>
                <dd>{typeof v === 'number' ? (k === 'installYear' ? String(v) : number(v)) : typeof v === 'boolean' ? t(v ? 'asset.yes' : 'asset.no') : String(v)}</dd>
              </div>
            ))}
            <dt>{t('asset.areas')}</dt>
            <dd data-testid="asset-areas">
              {detail.areaIds.length === 0
                ? t('asset.none')
                : detail.areaIds.map((id) => areaNames.get(id)?.name ?? id).join(' · ')}
            </dd>
          </dl>

          <section className="asset-section">
            <h4>{t('asset.health')}</h4>
            {detail.health ? (
              <div data-testid="asset-health">
                <p>
                  {t('asset.commissioned', { date: detail.health.commissionedOn ?? '—' })}
                  {detail.health.runHours !== null && ` · ${t('asset.runHours', { hours: number(detail.health.runHours) })}`}
                </p>
                <ul className="maintenance">
                  {[...detail.health.maintenance]
                    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
                    .slice(0, 5)
                    .map((m, i) => (
                      <li key={i}>
                        <time dateTime={m.at}>{new Date(m.at).toLocaleDateString(i18n.language)}</time> {t(`maintenance.${m.kind}`, { defaultValue: m.kind })}: {m.description}
                      </li>
                    ))}
                </ul>
              </div>
            ) : (
              <p className="muted">{t('asset.noHealth')}</p>
            )}
          </section>

          <section className="asset-section">
            <h4>{t('asset.sensors', { count: assetSensors.length })}</h4>
            {assetSensors.length === 0 ? (
              <p className="muted">{t('asset.none')}</p>
            ) : (
              <ul className="asset-sensors">
                {assetSensors.map((s) => (
                  <li key={s.id}>
                    <button type="button" className="link" onClick={() => onSelectSensor(s.id)}>
                      {s.name}
                    </button>{' '}
                    <span className={`state state-${s.state}`}>{t(`sensorState.${s.state}`)}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>

          <section className="asset-section">
            <h4>{t('asset.analysis')}</h4>
            <div className="asset-actions">
              <button type="button" data-testid="asset-trace-upstream" disabled={busy !== null} onClick={() => void run('upstream')}>
                {t('asset.upstream')}
              </button>
              <button type="button" data-testid="asset-trace-downstream" disabled={busy !== null} onClick={() => void run('downstream')}>
                {t('asset.downstream')}
              </button>
              {canIsolate && (
                <button type="button" data-testid="asset-isolate" disabled={busy !== null} onClick={() => void run('isolation')}>
                  {t('asset.isolate')}
                </button>
              )}
              {result && (
                <button type="button" className="link" onClick={() => (setResult(null), onHighlight({ type: 'FeatureCollection', features: withRole([detail.asset], 'selected') }))}>
                  {t('asset.clear')}
                </button>
              )}
            </div>
            {busy && <p role="status">{t('asset.working')}</p>}
            {result?.kind === 'error' && <p className="panel-error" role="alert">{result.message}</p>}
            {result?.kind === 'trace' && (
              <p data-testid="trace-result" data-count={result.trace.assetIds.length} data-direction={result.trace.direction}>
                {t(`asset.traceResult.${result.trace.direction}`, { count: result.trace.assetIds.length })}
                {result.drawn < result.trace.assetIds.length && ` ${t('asset.drawnOnly', { count: result.drawn })}`}
              </p>
            )}
            {result?.kind === 'isolation' && (
              <div data-testid="isolation-result" data-valves={result.isolation.valves.length} data-cutoff={result.isolation.cutOff.length}>
                <ul className="isolation-counts">
                  <li>
                    <span className="swatch-dot valve" /> {t('asset.isolation.valves', { count: result.isolation.valves.length })}
                  </li>
                  {result.isolation.inoperableValves.length > 0 && (
                    <li>
                      <span className="swatch-dot inoperable" /> {t('asset.isolation.inoperable', { count: result.isolation.inoperableValves.length })}
                    </li>
                  )}
                  <li>
                    <span className="swatch-line segment" /> {t('asset.isolation.segment', { count: result.isolation.segment.length })}
                  </li>
                  <li>
                    <span className="swatch-line cutoff" /> {t('asset.isolation.cutoff', { count: result.isolation.cutOff.length })}
                  </li>
                  <li>{t('asset.isolation.customers', { count: result.isolation.customers })}</li>
                </ul>
                {result.isolation.valves.length > 0 && (
                  <p className="muted valve-list">{result.isolation.valves.slice(0, 12).join(', ')}{result.isolation.valves.length > 12 ? ' …' : ''}</p>
                )}
              </div>
            )}
          </section>
        </>
      )}
    </aside>
  );
}
