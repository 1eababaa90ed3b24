// The analysis section of an incident in the operator console: what the models conclude about the
// incident's asset, with the evidence (data, value, source) and the model behind each result;
// for gas, the ranked at-risk spaces, the valves to close and the evacuation radius, drawn on the map.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchIncidentAnalysis, type AnalysisResultDto, type Evidence, type GasSourceDetail, type GasSpreadDetail, type IncidentAnalysisDto } from '../api/analysis.ts';
import { clearGasSpread, RISK_COLORS, showGasSpread } from './analysisOverlay.ts';
import './IncidentAnalysis.css';

const SPACES_SHOWN = 8;

function EvidenceTable({ evidence }: { evidence: Evidence[] }) {
  const { t } = useTranslation();
  const rows = evidence.filter((e) => !e.key.startsWith('reason.'));
  if (rows.length === 0) return null;
  return (
    <table className="analysis-evidence" data-testid="analysis-evidence">
      <thead>
        <tr><th>{t('analysis.col.data')}</th><th>{t('analysis.col.value')}</th><th>{t('analysis.col.source')}</th></tr>
      </thead>
      <tbody>
        {rows.map((e, i) => (
          <tr key={i} title={e.data}>
            <td>{t(`analysis.evidence.${e.key}`, { defaultValue: e.data })}</td>
            <td className="num">{e.value ?? '—'} {e.unit && t(`analysis.unit.${e.unit}`, { defaultValue: e.unit })}</td>
            <td className="source">{e.source}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function GasSpread({ result }: { result: AnalysisResultDto }) {
  const { t } = useTranslation();
  const d = result.detail as GasSpreadDetail;
  const [shown, setShown] = useState(false);
  const reached = d.spaces.filter((s) => s.reached);
  return (
    <div className="analysis-gas-spread" data-testid="analysis-gas-spread">
      <p className="analysis-summary">
        {t('analysis.spread.summary', {
          source: d.source.assetId, lel: d.source.lel, reached: reached.length - 1, high: d.spaces.filter((s) => s.riskClass === 'high').length,
        })}
      </p>
      <table className="analysis-spaces" data-testid="analysis-spaces">
        <thead>
          <tr><th>#</th><th>{t('analysis.col.space')}</th><th>{t('analysis.col.expected')}</th><th>{t('analysis.col.measured')}</th><th>{t('analysis.col.risk')}</th></tr>
        </thead>
        <tbody>
          {d.spaces.slice(0, SPACES_SHOWN).map((s, i) => (
            <tr key={s.assetId} data-testid="analysis-space" data-risk={s.riskClass} title={`${s.via.join(' + ')} ${s.pathM} m`}>
              <td>{i + 1}</td>
              <td>{s.name}</td>
              <td className="num">{s.predictedLel} %LEL</td>
              <td className="num">{s.measuredLel ?? '—'}</td>
              <td><span className="risk" style={{ color: RISK_COLORS[s.riskClass] }}>{t(`analysis.risk.${s.riskClass}`)}</span> {s.risk}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p data-testid="analysis-valves">
        {d.isolation
          ? t('analysis.spread.valves', { pipe: d.isolation.pipeId, valves: d.isolation.valves.map((v) => v.id).join(', ') || '—', customers: d.isolation.customers })
          : t('analysis.spread.noPipe')}
      </p>
      <p data-testid="analysis-evacuation">{t('analysis.spread.evacuation', { radius: d.evacuation.radiusM })}</p>
      <button
        type="button" className="action" data-testid="analysis-show-map" aria-pressed={shown}
        onClick={() => {
          if (shown) {
            clearGasSpread();
            setShown(false);
          } else setShown(showGasSpread(d));
        }}
      >
        {shown ? t('analysis.spread.hideMap') : t('analysis.spread.showMap')}
      </button>
    </div>
  );
}

function GasSource({ result }: { result: AnalysisResultDto }) {
  const { t } = useTranslation();
  const d = result.detail as GasSourceDetail;
  return (
    <div className="analysis-gas-source" data-testid="analysis-gas-source">
      <ul className="analysis-reasons">
        {d.reasons.map((r) => (
          <li key={r.key} title={r.text} className={r.weight > 0 ? 'for-leak' : r.weight < 0 ? 'for-biogas' : 'neutral'}>
            <span className="weight">{r.weight > 0 ? `+${r.weight}` : r.weight}</span> {t(`analysis.reason.${r.key}`, { ...r.params, defaultValue: r.text })}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Result({ result }: { result: AnalysisResultDto }) {
  const { t } = useTranslation();
  return (
    <article className={`analysis-result kind-${result.kind}`} data-testid="analysis-result" data-kind={result.kind} data-verdict={result.verdict}>
      <h4>
        {t(`analysis.kind.${result.kind}`)}
        <span className={`verdict verdict-${result.verdict}`} data-testid="analysis-verdict">{t(`analysis.verdict.${result.verdict}`, { defaultValue: result.verdict })}</span>
        <span className="confidence">{t('analysis.confidence', { value: Math.round(result.confidence * 100) })}</span>
      </h4>
      <p className="conclusion" data-testid="analysis-conclusion" title={result.conclusion}>
        {t(`analysis.message.${result.message.key}`, { ...result.message.params, defaultValue: result.conclusion })}
      </p>
      {result.kind === 'gas_spread' && <GasSpread result={result} />}
      {result.kind === 'gas_source' && <GasSource result={result} />}
      <EvidenceTable evidence={result.evidence} />
      <details className="analysis-model">
        <summary>{t('analysis.model', { name: result.model.name, version: result.model.version })}</summary>
        <p lang="en">{result.model.method}</p>
        <p className="params">{Object.entries(result.model.parameters).map(([k, v]) => `${k} = ${v}`).join(' · ')}</p>
      </details>
    </article>
  );
}

export function IncidentAnalysis({ incidentId }: { incidentId: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [data, setData] = useState<IncidentAnalysisDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = async () => {
    setLoading(true);
    setError(null);
    try {
      setData(await fetchIncidentAnalysis(incidentId));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setLoading(false);
    }
  };

  return (
    <div className="incident-analysis">
      <button
        type="button" className="timeline-toggle" aria-expanded={open} data-testid="analysis-toggle"
        onClick={() => {
          if (!open && !data) void load();
          setOpen(!open);
        }}
      >
        {t('analysis.toggle')}
      </button>
      {open && (
        <section className="analysis-box" data-testid="incident-analysis" aria-busy={loading}>
          {loading && <p className="muted">{t('analysis.loading')}</p>}
          {error && <p className="error" role="alert">{t('analysis.failed', { message: error })}</p>}
          {data && (
            <>
              {data.analyses.flatMap((a) => a.results).length === 0 && <p className="muted">{t('analysis.none')}</p>}
              {data.analyses.map((a) => (
                <div key={a.assetId} className="analysis-asset">
                  {a.results.map((r, i) => <Result key={`${r.kind}-${i}`} result={r} />)}
                  {a.skipped.map((s) => <p key={s} className="muted skipped" lang="en">{s}</p>)}
                </div>
              ))}
              <button type="button" className="action" onClick={() => void load()}>{t('analysis.refresh')}</button>
            </>
          )}
        </section>
      )}
    </div>
  );
}
