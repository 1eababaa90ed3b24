import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { drainageApi, type Action, type DashboardCell, type Project } from '../../api/drainage-programme.ts';
import { num, useLoad } from './useLoad.ts';

const ACTIONS: Action[] = ['end', 'middle', 'front', 'capacity', 'dredging', 'smart'];

function Bar({ value }: { value: number }) {
  return (
    <span className="dp-bar" aria-hidden="true">
      <span className="dp-bar-fill" style={{ width: `${Math.max(0, Math.min(100, value))}%` }} />
    </span>
  );
}

function Cell({ cell }: { cell: DashboardCell | undefined }) {
  if (!cell) return <td className="num">—</td>;
  return (
    <td className="num" title={`${cell.completed}/${cell.projects}`}>
      {cell.percent.toFixed(0)}% <Bar value={cell.percent} />
    </td>
  );
}

/** A progress update: percentage, what was done, a photo link ("speak with data, locations and photos"). */
function ProgressForm({ project, onSaved }: { project: Project; onSaved(p: Project): void }) {
  const { t } = useTranslation();
  const [percentValue, setPercent] = useState(String(project.percent));
  const [note, setNote] = useState('');
  const [photo, setPhoto] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  const save = (event: React.FormEvent) => {
    event.preventDefault();
    drainageApi.addProgress(project.id, { percent: Number(percentValue), note, photos: photo ? [photo] : [] })
      .then((p) => (setFailure(null), setNote(''), setPhoto(''), onSaved(p)), (e: unknown) => setFailure(e instanceof Error ? e.message : String(e)));
  };
  return (
    <form className="dp-form" onSubmit={save} data-testid="rem-progress-form">
      <label>{t('drainageProgramme.remediation.percent')} <input type="number" min={0} max={100} value={percentValue} onChange={(e) => setPercent(e.target.value)} name="percent" /></label>
      <label>{t('drainageProgramme.remediation.note')} <input value={note} onChange={(e) => setNote(e.target.value)} name="note" /></label>
      <label>{t('drainageProgramme.remediation.photoLink')} <input type="url" value={photo} onChange={(e) => setPhoto(e.target.value)} name="photo" placeholder="https://…" /></label>
      <button type="submit">{t('drainageProgramme.remediation.addUpdate')}</button>
      {failure && <span className="page-error">{failure}</span>}
    </form>
  );
}

/** Remediation programme (治病): progress by area and action type, and each project with its evidence. */
export function RemediationPage() {
  const { t, i18n } = useTranslation();
  const { data, error, reload } = useLoad(drainageApi.dashboard);
  const [open, setOpen] = useState<string | null>(null);
  const [detail, setDetail] = useState<Project | null>(null);
  const show = (id: string) => {
    setOpen(id === open ? null : id);
    setDetail(null);
    if (id !== open) void drainageApi.project(id).then(setDetail);
  };
  const city = data?.areas.find((a) => a.kind === 'city') ?? data?.areas[0];
  return (
    <div data-testid="remediation-page">
      <div className="page-header"><h1>{t('drainageProgramme.remediation.title')}</h1></div>
      {error && <p className="page-error">{error}</p>}
      {city && (
        <div className="figure-cards">
          <div className="figure-card"><div className="figure-value" data-testid="rem-projects">{city.total.projects}</div><div className="figure-label">{t('drainageProgramme.remediation.projects')}</div></div>
          <div className="figure-card"><div className="figure-value">{city.total.completed}</div><div className="figure-label">{t('drainageProgramme.remediation.completed')}</div></div>
          <div className="figure-card"><div className="figure-value">{num(city.total.budgetYuan / 10_000, 0, i18n.language)}</div><div className="figure-label">{t('drainageProgramme.remediation.budgetWan')}</div></div>
          <div className="figure-card"><div className="figure-value">{city.total.percent.toFixed(1)}%</div><div className="figure-label">{t('drainageProgramme.remediation.progress')}</div></div>
        </div>
      )}
      {data && (
        <>
          <h2 className="dp-h2">{t('drainageProgramme.remediation.byArea')}</h2>
          <table className="page-table" data-testid="rem-dashboard">
            <thead>
              <tr>
                <th>{t('drainageProgramme.area')}</th>
                <th className="num">{t('drainageProgramme.remediation.total')}</th>
                {ACTIONS.map((a) => <th key={a} className="num">{t(`drainageProgramme.action.${a}`)}</th>)}
              </tr>
            </thead>
            <tbody>
              {data.areas.map((a) => (
                <tr key={a.areaId} data-area-id={a.areaId}>
                  <td>{a.areaName} <small className="dp-muted">{t(`drainageProgramme.kind.${a.kind}`)}</small></td>
                  <Cell cell={a.total} />
                  {ACTIONS.map((action) => <Cell key={action} cell={a.byAction[action]} />)}
                </tr>
              ))}
              {data.areas.length === 0 && <tr><td colSpan={ACTIONS.length + 2} className="dp-muted">{t('drainageProgramme.noData')}</td></tr>}
            </tbody>
          </table>
          <h2 className="dp-h2">{t('drainageProgramme.remediation.list')}</h2>
          <table className="page-table" data-testid="rem-projects-table">
            <thead>
              <tr>
                <th>{t('drainageProgramme.remediation.name')}</th><th>{t('drainageProgramme.zone')}</th><th>{t('drainageProgramme.remediation.action')}</th>
                <th>{t('drainageProgramme.remediation.status')}</th><th className="num">{t('drainageProgramme.remediation.budgetWan')}</th>
                <th className="num">{t('drainageProgramme.remediation.percent')}</th><th>{t('drainageProgramme.remediation.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {data.projects.map((p) => (
                <Fragment key={p.id}>
                  <tr className="dp-clickable" onClick={() => show(p.id)} data-testid="rem-project" data-project-id={p.id}>
                    <td>{p.name}</td><td>{p.zoneName}</td><td>{t(`drainageProgramme.action.${p.action}`)}</td>
                    <td>{t(`drainageProgramme.status.${p.status}`)}</td><td className="num">{num(p.budgetYuan / 10_000, 0, i18n.language)}</td>
                    <td className="num">{p.percent.toFixed(0)}% <Bar value={p.percent} /></td>
                    <td>{p.updatedAt ? new Date(p.updatedAt).toLocaleDateString(i18n.language) : '—'}</td>
                  </tr>
                  {open === p.id && (
                    <tr>
                      <td colSpan={7} data-testid="rem-project-detail">
                        {!detail ? '…' : (
                          <div className="dp-detail">
                            <div>
                              <strong>{t('drainageProgramme.remediation.indicators')}</strong>
                              <table className="page-table">
                                <thead><tr><th>{t('drainageProgramme.remediation.indicator')}</th><th className="num">{t('drainageProgramme.remediation.before')}</th><th className="num">{t('drainageProgramme.remediation.after')}</th></tr></thead>
                                <tbody>
                                  {detail.indicators.map((i) => (
                                    <tr key={i.indicator}><td>{i.indicator} ({i.unit})</td><td className="num">{num(i.before, 2, i18n.language)}</td><td className="num">{i.after === null ? '—' : num(i.after, 2, i18n.language)}</td></tr>
                                  ))}
                                </tbody>
                              </table>
                            </div>
                            <div>
                              <strong>{t('drainageProgramme.remediation.updates')}</strong>
                              <ul className="dp-updates">
                                {detail.progress.map((u) => (
                                  <li key={u.id}>
                                    {new Date(u.at).toLocaleDateString(i18n.language)} · {u.percent}% · {u.note}
                                    {u.misconnectionsResolved > 0 && <> · {t('drainageProgramme.remediation.misconnections', { count: u.misconnectionsResolved })}</>}
                                    {u.photos.map((ph, k) => <Fragment key={ph}> · <a href={ph} target="_blank" rel="noreferrer">{t('drainageProgramme.remediation.photo', { n: k + 1 })}</a></Fragment>)}
                                  </li>
                                ))}
                                {detail.progress.length === 0 && <li>{t('drainageProgramme.remediation.noUpdates')}</li>}
                              </ul>
                              <ProgressForm project={detail} onSaved={(p) => (setDetail(p), reload())} />
                            </div>
                          </div>
                        )}
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
              {data.projects.length === 0 && <tr><td colSpan={7} className="dp-muted">{t('drainageProgramme.noData')}</td></tr>}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
