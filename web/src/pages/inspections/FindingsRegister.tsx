// Findings registers: misconnections (混错接) with their upstream source, and river/lake water
// intrusion (河湖水入侵) and leaks, each through its status workflow to verified remediation; a
// finding becomes a work order (an incident for the owner unit) with one click.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/supervision.ts';
import { inspectionsApi, type Finding, type FindingAction, type FindingKind, type FindingStatus, type FindingsWorkflow, type SourceKind } from '../../api/inspections.ts';
import type { PageProps } from '../registry.ts';
import './inspections.css';

const WRITERS = ['admin', 'centre_operator', 'bureau_supervisor', 'owner_dispatcher', 'field_crew'];

function NewFinding({ kinds, workflow, onCreated }: { kinds: FindingKind[]; workflow: FindingsWorkflow; onCreated: () => void }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<FindingKind>(kinds[0]!);
  const [subtype, setSubtype] = useState(workflow.subtypes[kinds[0]!][0]!);
  const [assetId, setAssetId] = useState('');
  const [upstreamSource, setUpstreamSource] = useState('');
  const [sourceKind, setSourceKind] = useState<SourceKind | ''>('');
  const [address, setAddress] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setError(null);
    inspectionsApi.createFinding({
      kind, subtype, assetId: assetId.trim(), ...(upstreamSource ? { upstreamSource } : {}), sourceKind: sourceKind || null, ...(address ? { address } : {}),
    }).then(() => {
      setAssetId('');
      setUpstreamSource('');
      setAddress('');
      onCreated();
    }, (e: Error) => setError(e.message));
  };
  return (
    <form className="insp-form" onSubmit={submit} data-testid="finding-form">
      {kinds.length > 1 && (
        <label>{t('findings.field.kind')}
          <select value={kind} onChange={(e) => { const k = e.target.value as FindingKind; setKind(k); setSubtype(workflow.subtypes[k][0]!); }}>
            {kinds.map((k) => <option key={k} value={k}>{t(`findings.kind.${k}`)}</option>)}
          </select>
        </label>
      )}
      <label>{t('findings.field.subtype')}
        <select value={subtype} onChange={(e) => setSubtype(e.target.value)} data-testid="finding-subtype">
          {workflow.subtypes[kind].map((s) => <option key={s} value={s}>{t(`findings.subtype.${s}`)}</option>)}
        </select>
      </label>
      <label>{t('findings.field.asset')}<input required value={assetId} onChange={(e) => setAssetId(e.target.value)} data-testid="finding-asset" /></label>
      <label>{t('findings.field.upstreamSource')}<input value={upstreamSource} onChange={(e) => setUpstreamSource(e.target.value)} data-testid="finding-source" /></label>
      <label>{t('findings.field.sourceKind')}
        <select value={sourceKind} onChange={(e) => setSourceKind(e.target.value as SourceKind | '')}>
          <option value="">—</option>
          {workflow.sourceKinds.map((s) => <option key={s} value={s}>{t(`findings.sourceKind.${s}`)}</option>)}
        </select>
      </label>
      <label>{t('findings.field.address')}<input value={address} onChange={(e) => setAddress(e.target.value)} /></label>
      <button type="submit" data-testid="finding-create">{t('findings.create')}</button>
      {error && <span className="page-error" data-testid="finding-error">{error}</span>}
    </form>
  );
}

function FindingsRegister({ kinds, title, testId, me }: { kinds: FindingKind[]; title: string; testId: string } & PageProps) {
  const { t } = useTranslation();
  const [workflow, setWorkflow] = useState<FindingsWorkflow | null>(null);
  const [findings, setFindings] = useState<Finding[] | null>(null);
  const [status, setStatus] = useState<FindingStatus | ''>('');
  const [pending, setPending] = useState<{ id: string; action: FindingAction } | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  // Owner units by name, not id; without the list the id still identifies the unit.
  const [orgNames, setOrgNames] = useState<Map<string, string>>(new Map());

  const load = useCallback(() => {
    Promise.all(kinds.map((k) => inspectionsApi.findings(k))).then((lists) => setFindings(lists.flat()), (e: Error) => setError(e.message));
    // `kinds` is a constant per page.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    inspectionsApi.workflow().then(setWorkflow, (e: Error) => setError(e.message));
    adminApi.organisations().then((orgs) => setOrgNames(new Map(orgs.map((o) => [o.id, o.name]))), () => undefined);
    load();
  }, [load]);

  const act = (id: string, action: FindingAction, reason: string | null) => {
    setError(null);
    inspectionsApi.transition(id, action, reason).then(() => { setPending(null); setNote(''); load(); }, (e: Error) => setError(e.message));
  };
  const start = (id: string, action: FindingAction) => (workflow?.transitions[action].note ? setPending({ id, action }) : act(id, action, null));
  const workOrder = (id: string) => inspectionsApi.workOrder(id).then(load, (e: Error) => setError(e.message));
  const shown = (findings ?? []).filter((f) => !status || f.status === status);
  const canWrite = !me || me.roles.some((r) => WRITERS.includes(r));

  return (
    <div data-testid={testId}>
      <div className="page-header">
        <h1>{title}</h1>
        <div className="page-actions">
          <select value={status} onChange={(e) => setStatus(e.target.value as FindingStatus | '')} data-testid="finding-status-filter" aria-label={t('findings.field.status')}>
            <option value="">{t('findings.allStatuses')}</option>
            {workflow?.statuses.map((s) => <option key={s} value={s}>{t(`findings.status.${s}`)}</option>)}
          </select>
        </div>
      </div>
      {error && <p className="page-error" data-testid="findings-error">{error}</p>}
      {workflow && canWrite && <NewFinding kinds={kinds} workflow={workflow} onCreated={load} />}
      <table className="page-table" data-testid="findings">
        <thead>
          <tr>
            {['id', 'kind', 'status', 'asset', 'location', 'upstreamSource', 'foundOn', 'workOrder', 'actions'].map((c) => <th key={c}>{t(`findings.field.${c}`)}</th>)}
          </tr>
        </thead>
        <tbody>
          {findings && shown.length === 0 && <tr><td colSpan={9} className="insp-muted">{t('findings.empty')}</td></tr>}
          {shown.map((f) => (
            <tr key={f.id} data-testid="finding-row" data-finding-id={f.id} data-status={f.status} data-kind={f.kind}>
              <td>#{f.id}</td>
              <td>{t(`findings.kind.${f.kind}`)}<div className="insp-muted">{t(`findings.subtype.${f.subtype}`)}</div></td>
              <td><span className={`insp-status insp-status-${f.status}`} data-testid="finding-status">{t(`findings.status.${f.status}`)}</span></td>
              <td>{f.assetId ? <a href={`#/?asset=${encodeURIComponent(f.assetId)}`} data-testid="finding-map-link">{f.assetId}</a> : '—'}<div className="insp-muted">{f.ownerId ? orgNames.get(f.ownerId) ?? f.ownerId : null}</div></td>
              <td>{f.address ?? ''}<div className="insp-muted">{f.location.lon.toFixed(5)}, {f.location.lat.toFixed(5)}</div></td>
              <td>{f.upstreamSource ?? f.description ?? ''}{f.sourceKind && <div className="insp-muted">{t(`findings.sourceKind.${f.sourceKind}`)}</div>}</td>
              <td>{f.foundOn}</td>
              <td data-testid="finding-incident">{f.incidentId ? t('findings.incident', { id: f.incidentId }) : '—'}</td>
              <td>
                <div className="insp-actions">
                  {f.allowedActions.map((a) => (
                    <button key={a} type="button" onClick={() => start(f.id, a)} data-testid={`finding-action-${a}`}>{t(`findings.action.${a}`)}</button>
                  ))}
                  {f.canCreateWorkOrder && <button type="button" onClick={() => void workOrder(f.id)} data-testid="finding-work-order">{t('findings.workOrder')}</button>}
                  {pending?.id === f.id && (
                    <>
                      <input required placeholder={t('findings.note')} value={note} onChange={(e) => setNote(e.target.value)} data-testid="finding-note" />
                      <button type="button" disabled={!note.trim()} onClick={() => act(f.id, pending.action, note)} data-testid="finding-confirm">{t('findings.confirm')}</button>
                    </>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function MisconnectionsPage(props: PageProps) {
  const { t } = useTranslation();
  return <FindingsRegister {...props} kinds={['misconnection']} title={t('findings.misconnectionsTitle')} testId="misconnections-page" />;
}

export function IntrusionsLeaksPage(props: PageProps) {
  const { t } = useTranslation();
  return <FindingsRegister {...props} kinds={['intrusion', 'leak']} title={t('findings.intrusionsTitle')} testId="intrusions-page" />;
}
