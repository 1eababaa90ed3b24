import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { drainageApi, type KpiReport } from '../../api/drainage-programme.ts';
import type { PageProps } from '../registry.ts';
import { KpiInputsForm } from './KpiInputsForm.tsx';
import { num, percent, useLoad } from './useLoad.ts';

/**
 * Campaign KPIs by area and month: sewage collection rate, influent BOD5, extraneous water,
 * misconnections and outfalls from the findings register (and the work projects reported); CSV;
 * for supervisors the served population and plant-service form.
 */
/** The roles that keep the KPI inputs (the API refuses the rest). */
const INPUT_KEEPERS = ['bureau_supervisor', 'admin'];

export function KpiPage({ me }: Partial<PageProps>) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [range, setRange] = useState<{ from?: string; to?: string }>({});
  const { data, error, reload } = useLoad<KpiReport>(() => drainageApi.kpi(range.from, range.to));
  const [areaId, setAreaId] = useState<string | null>(null);
  // The first load is useLoad's own; a changed period loads again.
  const initial = useRef(range);
  useEffect(() => {
    if (range !== initial.current) reload();
  }, [range, reload]);
  const area = data?.areas.find((a) => a.areaId === areaId) ?? data?.areas[0];
  return (
    <div data-testid="kpi-page">
      <div className="page-header">
        <h1>{t('drainageProgramme.kpi.title')}</h1>
        <div className="page-actions">
          <label>{t('drainageProgramme.kpi.from')} <input type="date" data-testid="kpi-from" value={range.from ?? data?.from ?? ''} onChange={(e) => setRange((r) => ({ ...r, from: e.target.value || undefined }))} /></label>
          <label>{t('drainageProgramme.kpi.to')} <input type="date" data-testid="kpi-to" value={range.to ?? data?.to ?? ''} onChange={(e) => setRange((r) => ({ ...r, to: e.target.value || undefined }))} /></label>
          {data && <a className="dp-button" href={drainageApi.kpiCsvUrl(data.from, data.to)} download data-testid="kpi-csv">{t('drainageProgramme.kpi.csv')}</a>}
        </div>
      </div>
      {error && <p className="page-error">{error}</p>}
      {data && (
        <>
          <p className="dp-muted">{t('drainageProgramme.kpi.period', { from: data.from, to: data.to })} · {t('drainageProgramme.kpi.formula', { g: data.perCapitaBod5G })}</p>
          <table className="page-table" data-testid="kpi-areas">
            <thead>
              <tr>
                <th>{t('drainageProgramme.area')}</th><th className="num">{t('drainageProgramme.kpi.population')}</th><th className="num">{t('drainageProgramme.kpi.collected')}</th>
                <th className="num">{t('drainageProgramme.kpi.produced')}</th><th className="num">{t('drainageProgramme.kpi.rate')}</th><th className="num">{t('drainageProgramme.kpi.bod5')}</th>
                <th className="num">{t('kpiInputs.extraneous')}</th><th className="num">{t('kpiInputs.misconnections')}</th><th className="num">{t('kpiInputs.resolvedRate')}</th>
                <th className="num">{t('drainageProgramme.kpi.outfalls')}</th><th className="num">{t('kpiInputs.reported')}</th>
              </tr>
            </thead>
            <tbody>
              {data.areas.map((a) => (
                <tr key={a.areaId} className="dp-clickable" aria-selected={a === area} onClick={() => setAreaId(a.areaId)} data-testid="kpi-area" data-area-id={a.areaId}>
                  <td>{a.areaName} <small className="dp-muted">{t(`drainageProgramme.kind.${a.kind}`)}</small></td>
                  <td className="num">{num(a.servedPopulation, 0, lang)}</td>
                  <td className="num">{a.collection ? num(a.collection.collectedKgPerDay, 0, lang) : '—'}</td>
                  <td className="num">{a.collection ? num(a.collection.producedKgPerDay, 0, lang) : '—'}</td>
                  <td className="num" data-testid="kpi-rate">{percent(a.collection?.rate)}</td>
                  <td className="num">{num(a.influentBod5MgL, 2, lang)}</td>
                  <td className="num" data-testid="kpi-extraneous">{num(a.extraneous?.extraneousM3PerDay, 0, lang)}</td>
                  <td className="num" data-testid="kpi-misconnections" title={t('kpiInputs.misconnectionsTitle')}>
                    {a.register.misconnections.resolved} / {a.register.misconnections.registered} <small className="dp-muted">{t('kpiInputs.open', { n: a.register.misconnections.open })}</small>
                  </td>
                  <td className="num" data-testid="kpi-resolved-rate">{percent(a.register.misconnections.resolvedRate)}</td>
                  <td className="num" data-testid="kpi-outfalls">{a.register.outfalls.remediated} / {a.register.outfalls.withFindings}</td>
                  <td className="num" title={t('kpiInputs.reportedTitle')}>{num(a.totals.extraneousWaterM3d, 0, lang)} · {a.totals.misconnectionsResolved} · {a.totals.outfallsRemediated}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {area && (
            <>
              <h2 className="dp-h2">{t('drainageProgramme.kpi.byMonth', { area: area.areaName })}</h2>
              <table className="page-table" data-testid="kpi-months">
                <thead><tr><th>{t('drainageProgramme.kpi.month')}</th><th className="num">{t('drainageProgramme.kpi.rate')}</th><th /><th className="num">{t('drainageProgramme.kpi.bod5')}</th><th className="num">{t('drainageProgramme.kpi.flow')}</th>
                  <th className="num">{t('kpiInputs.extraneous')}</th></tr></thead>
                <tbody>
                  {area.months.map((m) => (
                    <tr key={m.month}>
                      <td>{m.month}</td>
                      <td className="num">{percent(m.collectionRate)}</td>
                      <td><span className="dp-bar dp-bar-wide"><span className="dp-bar-fill" style={{ width: `${Math.min(100, (m.collectionRate ?? 0) * 100)}%` }} /></span></td>
                      <td className="num">{num(m.influentBod5MgL, 2, lang)}</td>
                      <td className="num">{num(m.influentM3PerDay, 0, lang)}</td>
                      <td className="num">{num(m.extraneous?.extraneousM3PerDay, 0, lang)}</td>
                    </tr>
                  ))}
                  {area.months.length === 0 && <tr><td colSpan={6}>{t('drainageProgramme.kpi.noRecords')}</td></tr>}
                </tbody>
              </table>
              <h2 className="dp-h2">{t('kpiInputs.registerByMonth', { area: area.areaName })}</h2>
              <table className="page-table" data-testid="kpi-register-months">
                <thead><tr><th>{t('drainageProgramme.kpi.month')}</th><th className="num">{t('kpiInputs.found')}</th><th className="num">{t('kpiInputs.resolved')}</th>
                  <th className="num">{t('kpiInputs.verified')}</th><th className="num">{t('drainageProgramme.kpi.outfalls')}</th></tr></thead>
                <tbody>
                  {area.register.months.map((m) => (
                    <tr key={m.month}>
                      <td>{m.month}</td><td className="num">{m.misconnectionsFound}</td><td className="num">{m.misconnectionsResolved}</td>
                      <td className="num">{m.misconnectionsVerified}</td><td className="num">{m.outfallsRemediated}</td>
                    </tr>
                  ))}
                  {area.register.months.length === 0 && <tr><td colSpan={5}>{t('kpiInputs.noFindings')}</td></tr>}
                </tbody>
              </table>
            </>
          )}
        </>
      )}
      {(!me || me.roles.some((r) => INPUT_KEEPERS.includes(r))) && <KpiInputsForm onSaved={reload} />}
    </div>
  );
}
