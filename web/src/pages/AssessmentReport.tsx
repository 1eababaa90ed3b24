// 监督考核报告: the assessment of a period per owner unit and per area (district, block,
// governance zone), with CSV exports and a print layout for A4 (supervision.css). An owner
// unit's user gets its own figures only: the server scopes the data.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { assessmentUrl, fetchAssessment, type Assessment, type Figures } from '../api/supervision.ts';
import type { PageProps } from './registry.ts';
import './supervision.css';

type PeriodKind = 'month' | 'quarter' | 'year';

function initialPeriod(now = new Date()): { kind: PeriodKind; month: string; year: number; quarter: number } {
  const year = now.getFullYear();
  return { kind: 'month', month: `${year}-${String(now.getMonth() + 1).padStart(2, '0')}`, year, quarter: Math.floor(now.getMonth() / 3) + 1 };
}

const rate = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const minutes = (v: number | null) => (v === null ? '—' : v.toFixed(1));

const COLUMNS: { key: keyof Figures; format: (f: Figures) => string }[] = [
  { key: 'incidents', format: (f) => String(f.incidents) },
  { key: 'closed', format: (f) => String(f.closed) },
  { key: 'closureRate', format: (f) => rate(f.closureRate) },
  { key: 'disposed', format: (f) => String(f.disposed) },
  { key: 'onTimeDisposalRate', format: (f) => rate(f.onTimeDisposalRate) },
  { key: 'meanMinutesToVerify', format: (f) => minutes(f.meanMinutesToVerify) },
  { key: 'meanMinutesToDispatch', format: (f) => minutes(f.meanMinutesToDispatch) },
  { key: 'meanMinutesToDispose', format: (f) => minutes(f.meanMinutesToDispose) },
  { key: 'falseAlarmRate', format: (f) => rate(f.falseAlarmRate) },
  { key: 'reopenRate', format: (f) => rate(f.reopenRate) },
  { key: 'escalations', format: (f) => String(f.escalations) },
];

function FigureCells({ figures }: { figures: Figures }) {
  return <>{COLUMNS.map((c) => <td key={c.key} className="num" data-column={c.key}>{c.format(figures)}</td>)}</>;
}

export function AssessmentReport({ me }: PageProps) {
  const { t, i18n } = useTranslation();
  const [choice, setChoice] = useState(initialPeriod);
  const period = choice.kind === 'month' ? choice.month : choice.kind === 'quarter' ? `${choice.year}-Q${choice.quarter}` : String(choice.year);
  const [report, setReport] = useState<Assessment | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stale = false;
    setError(null);
    fetchAssessment(period)
      .then((a) => !stale && setReport(a))
      .catch((e: Error) => !stale && setError(e.message));
    return () => {
      stale = true;
    };
  }, [period]);

  const ownUnitOnly = me?.orgKind === 'owner' && !me.roles.includes('admin');
  const periodLabel = choice.kind === 'month'
    ? t('assessment.periodMonth', { year: choice.month.slice(0, 4), month: Number(choice.month.slice(5)) })
    : choice.kind === 'quarter' ? t('assessment.periodQuarter', { year: choice.year, quarter: choice.quarter }) : t('assessment.periodYear', { year: choice.year });
  const areaKinds = ['district', 'block', 'zone'] as const;

  return (
    <div className="report" data-testid="assessment-report">
      <div className="page-header no-print">
        <h1>{t('assessment.nav')}</h1>
        <div className="page-actions report-controls">
          <select aria-label={t('assessment.periodKind')} data-testid="period-kind" value={choice.kind}
            onChange={(e) => setChoice((c) => ({ ...c, kind: e.target.value as PeriodKind }))}>
            {(['month', 'quarter', 'year'] as const).map((k) => <option key={k} value={k}>{t(`assessment.kind.${k}`)}</option>)}
          </select>
          {choice.kind === 'month' ? (
            <input type="month" aria-label={t('assessment.kind.month')} data-testid="period-month" value={choice.month} required
              onChange={(e) => e.target.value && setChoice((c) => ({ ...c, month: e.target.value }))} />
          ) : (
            <input type="number" aria-label={t('assessment.year')} data-testid="period-year" min={2000} max={2100} value={choice.year}
              onChange={(e) => Number(e.target.value) >= 2000 && setChoice((c) => ({ ...c, year: Number(e.target.value) }))} />
          )}
          {choice.kind === 'quarter' && (
            <select aria-label={t('assessment.kind.quarter')} data-testid="period-quarter" value={choice.quarter}
              onChange={(e) => setChoice((c) => ({ ...c, quarter: Number(e.target.value) }))}>
              {[1, 2, 3, 4].map((q) => <option key={q} value={q}>Q{q}</option>)}
            </select>
          )}
          <a href={assessmentUrl(period, 'csv', 'unit')} download data-testid="csv-units">{t('assessment.csvUnits')}</a>
          <a href={assessmentUrl(period, 'csv', 'area')} download data-testid="csv-areas">{t('assessment.csvAreas')}</a>
          <button type="button" onClick={() => window.print()} data-testid="print">{t('assessment.print')}</button>
        </div>
      </div>

      <h1 className="report-title">{t('assessment.title')}</h1>
      <div className="report-meta" data-testid="report-meta">
        {periodLabel}
        {report && ` · ${new Date(report.from).toLocaleDateString(i18n.language)} – ${new Date(Date.parse(report.to) - 1).toLocaleDateString(i18n.language)}`}
        {ownUnitOnly && ` · ${t('assessment.ownUnit', { unit: me?.orgName ?? me?.orgId })}`}
        {` · ${t('assessment.generated', { time: new Date().toLocaleString(i18n.language) })}`}
      </div>
      {error && <p className="page-error" role="alert">{error}</p>}

      {report && (
        <>
          <div className="figure-cards" data-testid="report-summary">
            {([['incidents', String(report.total.incidents)], ['onTimeDisposalRate', rate(report.total.onTimeDisposalRate)],
              ['closureRate', rate(report.total.closureRate)], ['falseAlarmRate', rate(report.total.falseAlarmRate)]] as const).map(([key, value]) => (
              <div className="figure-card" key={key}>
                <div className="figure-value">{value}</div>
                <div className="figure-label">{t(`assessment.col.${key}`)}</div>
              </div>
            ))}
          </div>

          <h2>{t('assessment.byUnit')}</h2>
          <table className="page-table" data-testid="units-table">
            <thead>
              <tr>
                <th>{t('assessment.unit')}</th>
                {COLUMNS.map((c) => <th key={c.key} className="num">{t(`assessment.col.${c.key}`)}</th>)}
              </tr>
            </thead>
            <tbody>
              {report.units.map((u) => (
                <tr key={u.ownerId ?? 'none'} data-testid="report-unit-row" data-owner={u.ownerId ?? ''}>
                  <td>{u.ownerName ?? u.ownerId ?? t('assessment.noUnit')}</td>
                  <FigureCells figures={u} />
                </tr>
              ))}
              <tr className="total-row" data-testid="report-unit-total">
                <td>{t('assessment.total')}</td>
                <FigureCells figures={report.total} />
              </tr>
            </tbody>
          </table>
          {report.units.length === 0 && <p className="page-missing">{t('assessment.empty')}</p>}

          <h2>{t('assessment.byArea')}</h2>
          <table className="page-table" data-testid="areas-table">
            <thead>
              <tr>
                <th>{t('assessment.area')}</th>
                {COLUMNS.map((c) => <th key={c.key} className="num">{t(`assessment.col.${c.key}`)}</th>)}
              </tr>
            </thead>
            <tbody>
              {areaKinds.flatMap((kind) => {
                const rows = report.areas.filter((a) => a.areaKind === kind);
                if (rows.length === 0) return [];
                return [
                  <tr key={`kind-${kind}`} className="area-kind-row"><td colSpan={COLUMNS.length + 1}>{t(`assessment.areaKind.${kind}`)}</td></tr>,
                  ...rows.map((a) => (
                    <tr key={a.areaId} data-testid="report-area-row" data-area={a.areaId ?? ''}>
                      <td>{a.areaName ?? a.areaId}</td>
                      <FigureCells figures={a} />
                    </tr>
                  )),
                ];
              })}
              {report.areas.filter((a) => a.areaId === null).map((a) => (
                <tr key="unplaced" data-testid="report-area-row" data-area="">
                  <td>{t('assessment.unplaced')}</td>
                  <FigureCells figures={a} />
                </tr>
              ))}
            </tbody>
          </table>

          <ul className="report-notes">
            {(['onTime', 'closure', 'falseAlarm', 'times', 'reopen', 'areas'] as const).map((k) => <li key={k}>{t(`assessment.notes.${k}`)}</li>)}
          </ul>
        </>
      )}
    </div>
  );
}
