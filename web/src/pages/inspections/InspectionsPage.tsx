// 管网检测 (查病): inspection campaigns and, per campaign, each segment's CJJ 181-2012 result —
// structural and functional grades in their colours, RI and MI with the recommended action, and
// on a click the coded defects with their photo and video links.
import { Fragment, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { inspectionsApi, type CampaignSummary, type DefectType, type Inspection, type InspectionImportReport } from '../../api/inspections.ts';
import type { PageProps } from '../registry.ts';
import './inspections.css';

const ROMAN = ['I', 'II', 'III', 'IV'];
const GRADE_COLOURS = ['#66bb6a', '#fdd835', '#fb8c00', '#e53935'];
const fixed = (v: number, digits = 2) => v.toFixed(digits);

export function Grade({ grade, testId }: { grade: number; testId?: string }) {
  return <span className={`insp-grade insp-grade-${grade}`} data-testid={testId} data-grade={grade}>{ROMAN[grade - 1]}</span>;
}

function GradeBars({ counts }: { counts: number[] }) {
  const total = counts.reduce((a, b) => a + b, 0) || 1;
  return (
    <span className="insp-bars" title={counts.map((c, i) => `${ROMAN[i]}: ${c}`).join(' · ')}>
      {counts.map((c, i) => <span key={i} style={{ width: `${(100 * c) / total}%`, background: GRADE_COLOURS[i] }} />)}
    </span>
  );
}

function Link({ href, label }: { href: string | null; label: string }) {
  return href ? <a href={href} target="_blank" rel="noreferrer noopener">{label}</a> : <span className="insp-muted">—</span>;
}

function Defects({ inspection, types }: { inspection: Inspection; types: Map<string, DefectType> }) {
  const { t, i18n } = useTranslation();
  const zh = i18n.language.startsWith('zh');
  if (inspection.defects.length === 0) return <p className="insp-muted">{t('inspections.noDefects')}</p>;
  return (
    <table className="insp-defects" data-testid="defects">
      <thead>
        <tr>{['code', 'kind', 'grade', 'score', 'at', 'length', 'clock', 'remark', 'photo', 'video'].map((c) => <th key={c}>{t(`inspections.defect.${c}`)}</th>)}</tr>
      </thead>
      <tbody>
        {inspection.defects.map((d) => {
          const type = types.get(d.code);
          return (
            <tr key={d.id} data-testid="defect-row" data-code={d.code}>
              <td>{d.code} {type ? (zh ? type.name : type.nameEn) : ''}</td>
              <td>{t(`inspections.kind.${d.kind}`)}</td>
              <td>{d.grade}</td>
              <td className="num">{d.score}</td>
              <td className="num">{fixed(d.atM, 1)}</td>
              <td className="num">{d.lengthM ? fixed(d.lengthM, 1) : '—'}</td>
              <td>{d.clock ?? '—'}</td>
              <td>{d.remark ?? ''}</td>
              <td><Link href={d.photoUrl} label={t('inspections.defect.photo')} /></td>
              <td><Link href={d.videoUrl} label={t('inspections.defect.video')} /></td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const WRITERS = ['admin', 'centre_operator', 'bureau_supervisor', 'owner_dispatcher'];

/** Upload of an inspection software export (CSV or .xlsx) into a campaign, with the per-row report. */
function ImportForm({ campaignId, onImported }: { campaignId: string; onImported: () => void }) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<InspectionImportReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setError(null);
    setReport(null);
    inspectionsApi.importFile(campaignId, file).then((r) => {
      setReport(r);
      if (r.written) onImported();
    }, (e: Error) => setError(e.message));
  };
  return (
    <>
      <form className="insp-form" onSubmit={submit} data-testid="import-form">
        <label>{t('inspections.import.file', { id: campaignId })}
          <input type="file" accept=".csv,.xlsx" onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="import-file" />
        </label>
        <button type="submit" disabled={!file} data-testid="import-submit">{t('inspections.import.submit')}</button>
        {error && <span className="page-error">{error}</span>}
        {report && (
          <span data-testid="import-result" data-written={report.written}>
            {report.written ? t('inspections.import.written', report.counts) : t('inspections.import.refused', { count: report.rejected.length })}
          </span>
        )}
      </form>
      {report && report.rejected.length > 0 && (
        <table className="page-table" data-testid="import-rejected">
          <thead><tr><th className="num">{t('inspections.import.line')}</th><th>{t('inspections.import.segment')}</th><th>{t('inspections.import.field')}</th><th>{t('inspections.import.reason')}</th></tr></thead>
          <tbody>
            {report.rejected.map((r, i) => (
              <tr key={i} data-testid="import-rejected-row" data-line={r.line}><td className="num">{r.line}</td><td>{r.segmentId ?? '—'}</td><td>{r.field}</td><td>{r.reason}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export function InspectionsPage({ me }: PageProps) {
  const { t } = useTranslation();
  const [reloads, setReloads] = useState(0);
  const [campaigns, setCampaigns] = useState<CampaignSummary[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [inspections, setInspections] = useState<Inspection[] | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [types, setTypes] = useState(new Map<string, DefectType>());
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    inspectionsApi.campaigns().then((list) => {
      setCampaigns(list);
      setSelected((s) => s ?? list[0]?.id ?? null);
    }, (e: Error) => setError(e.message));
    inspectionsApi.codes().then((c) => setTypes(new Map(c.defects.map((d) => [d.code, d]))), () => undefined);
  }, [reloads]);
  useEffect(() => {
    if (!selected) return;
    let live = true;
    setInspections(null);
    inspectionsApi.inspections(selected).then((list) => live && setInspections(list), (e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [selected, reloads]);

  return (
    <div data-testid="inspections-page">
      <div className="page-header"><h1>{t('inspections.title')}</h1><span className="insp-muted">{t('inspections.standard')}</span></div>
      {error && <p className="page-error">{error}</p>}
      <table className="page-table" data-testid="campaigns">
        <thead>
          <tr>
            <th>{t('inspections.campaign.name')}</th><th>{t('inspections.campaign.method')}</th><th>{t('inspections.campaign.period')}</th>
            <th className="num">{t('inspections.campaign.segments')}</th><th className="num">{t('inspections.campaign.km')}</th>
            <th className="num">{t('inspections.campaign.defects')}</th><th>{t('inspections.campaign.structural')}</th>
            <th>{t('inspections.campaign.functional')}</th><th className="num">{t('inspections.campaign.urgent')}</th>
          </tr>
        </thead>
        <tbody>
          {campaigns?.length === 0 && <tr><td colSpan={9} className="insp-muted">{t('inspections.noCampaigns')}</td></tr>}
          {campaigns?.map((c) => (
            <tr key={c.id} className="insp-row" aria-selected={c.id === selected} data-testid="campaign-row" data-campaign-id={c.id} onClick={() => setSelected(c.id)}>
              <td>{c.name}<div className="insp-muted">{c.id}{c.contractor ? ` · ${c.contractor}` : ''}</div></td>
              <td>{t(`inspections.method.${c.method}`)}</td>
              <td>{c.startedOn ?? '—'}{c.endedOn && c.endedOn !== c.startedOn ? ` – ${c.endedOn}` : ''}</td>
              <td className="num">{c.segments}</td>
              <td className="num">{c.inspectedKm.toFixed(2)}</td>
              <td className="num">{c.defects}</td>
              <td><GradeBars counts={c.structuralGrades} /></td>
              <td><GradeBars counts={c.functionalGrades} /></td>
              <td className="num">{c.urgent}</td>
            </tr>
          ))}
        </tbody>
      </table>

      {selected && <h2 className="insp-h2">{t('inspections.segmentsOf', { id: selected })}</h2>}
      {selected && (!me || me.roles.some((r) => WRITERS.includes(r))) && <ImportForm key={selected} campaignId={selected} onImported={() => setReloads((n) => n + 1)} />}
      {inspections && (
        <table className="page-table" data-testid="segments">
          <thead>
            <tr>
              <th>{t('inspections.segment.id')}</th><th>{t('inspections.segment.date')}</th><th className="num">{t('inspections.segment.length')}</th>
              <th className="num">DN</th><th>{t('inspections.segment.structural')}</th><th className="num">F</th><th className="num">SM</th>
              <th className="num">RI</th><th>{t('inspections.segment.repair')}</th><th>{t('inspections.segment.functional')}</th>
              <th className="num">G</th><th className="num">YM</th><th className="num">MI</th><th>{t('inspections.segment.maintenance')}</th>
              <th className="num">{t('inspections.segment.defects')}</th>
            </tr>
          </thead>
          <tbody>
            {inspections.map((i) => (
              <Fragment key={i.id}>
                <tr className="insp-row" aria-selected={open === i.id} data-testid="segment-row" data-segment-id={i.segmentId}
                  data-structural-grade={i.structuralGrade} data-functional-grade={i.functionalGrade} onClick={() => setOpen(open === i.id ? null : i.id)}>
                  <td>
                    <a href={`#/?asset=${encodeURIComponent(i.segmentId)}`} onClick={(e) => e.stopPropagation()} title={t('inspections.segment.onMap')} data-testid="segment-map-link">{i.segmentId}</a>
                    {i.location && <div className="insp-muted" data-testid="segment-location" title={t('inspections.segment.location')}>{i.location.lon.toFixed(5)}, {i.location.lat.toFixed(5)}</div>}
                  </td>
                  <td>{i.inspectedOn}</td>
                  <td className="num">{fixed(i.lengthM, 1)}</td>
                  <td className="num">{i.diameterMm ?? '—'}</td>
                  <td><Grade grade={i.structuralGrade} testId="structural-grade" /></td>
                  <td className="num">{fixed(i.assessment.structural.parameter)}</td>
                  <td className="num">{fixed(i.assessment.structural.density, 3)}</td>
                  <td className="num" data-testid="ri">{fixed(i.ri)}</td>
                  <td><Grade grade={i.repairGrade} /> {t(`inspections.action.${i.assessment.action.repair}`)}</td>
                  <td><Grade grade={i.functionalGrade} testId="functional-grade" /></td>
                  <td className="num">{fixed(i.assessment.functional.parameter)}</td>
                  <td className="num">{fixed(i.assessment.functional.density, 3)}</td>
                  <td className="num" data-testid="mi">{fixed(i.mi)}</td>
                  <td><Grade grade={i.maintenanceGrade} /> {t(`inspections.action.${i.assessment.action.maintenance}`)}</td>
                  <td className="num">{i.defects.length}</td>
                </tr>
                {open === i.id && (
                  <tr>
                    <td colSpan={15}>
                      <Defects inspection={i} types={types} />
                      {i.assessment.assumed.length > 0 && <p className="insp-muted">{t('inspections.assumed')}: {i.assessment.assumed.join('; ')}</p>}
                      {i.videoUrl && <p><Link href={i.videoUrl} label={t('inspections.segmentVideo')} /></p>}
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
