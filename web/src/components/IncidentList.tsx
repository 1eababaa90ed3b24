import { useEffect, useMemo, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { AuditVerificationDto, IncidentAction, IncidentDto, IncidentState, OrganisationDto, Role, WorkflowDto } from '../api.ts';
import { currentPosition, evidenceApi } from '../api/evidence.ts';
import { formatTime } from '../format.ts';
import { actionsFor, consoleApi, isOverdue, type ConsoleUser } from '../incidentConsole.ts';
import { IncidentAnalysis } from './IncidentAnalysis.tsx';
import { Evidence } from './Evidence.tsx';
import { LevelBadge } from './LevelBadge.tsx';
import './IncidentList.css';

interface Props {
  incidents: IncidentDto[];
  /** Kept for callers of the earlier list; the console posts its richer requests itself. */
  onTransition?(id: string, action: IncidentAction, actor: string): Promise<void>;
}

const PERSONA_KEY = 'lifeline.persona';
const DEFAULT_PERSONA: ConsoleUser = { userId: 'anonymous:operator', name: 'operator', orgId: 'centre', orgKind: 'operator', roles: ['centre_operator'], authenticated: false };
const PERSONA_ROLES: Role[] = ['centre_operator', 'owner_dispatcher', 'field_crew', 'bureau_supervisor', 'viewer', 'admin'];
const STATES: IncidentState[] = ['reported', 'verified', 'dispatched', 'accepted', 'on_site', 'disposed', 'closed', 'rejected'];
const TERMINAL: IncidentState[] = ['closed', 'rejected'];
/** The server's limit per file (src/evidence/media.ts). */
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

function storedPersona(): ConsoleUser {
  try {
    const stored = JSON.parse(localStorage.getItem(PERSONA_KEY) ?? 'null') as ConsoleUser | null;
    return stored && Array.isArray(stored.roles) ? { ...stored, authenticated: false } : DEFAULT_PERSONA;
  } catch {
    return DEFAULT_PERSONA;
  }
}

type Filter = 'all' | 'mine' | 'overdue';

/** Overdue first, then live ones, then newest first. */
function byUrgency(now: number) {
  return (a: IncidentDto, b: IncidentDto) =>
    Number(isOverdue(b, now) && !TERMINAL.includes(b.state)) - Number(isOverdue(a, now) && !TERMINAL.includes(a.state))
    || Number(TERMINAL.includes(a.state)) - Number(TERMINAL.includes(b.state))
    || Date.parse(b.openedAt) - Date.parse(a.openedAt);
}

interface Pending {
  id: string;
  action: IncidentAction;
  reason: string;
  orgId: string;
  /** dispose: photos and files to upload and cite. */
  files: File[];
  /** dispose: one reading taken on site (e.g. lel 0 %LEL), optional. */
  reading: { name: string; value: string; unit: string };
}

type Reading = { name: string; value: number; unit?: string };

/** The form's reading, when it names something and a finite value. */
function readingOf(form: Pending): Reading[] | undefined {
  const { name, value, unit } = form.reading;
  const number = Number(value);
  return name.trim() && value.trim() !== '' && Number.isFinite(number) ? [{ name: name.trim(), value: number, unit: unit.trim() || undefined }] : undefined;
}

/** "Signed in as …", naming the roles only where the account's name does not already say them. */
function signedInAs(t: TFunction, name: string, roleLabels: string[]): string {
  const unsaid = roleLabels.filter((label) => !name.includes(label));
  return unsaid.length > 0 ? t('incidents.signedInAs', { name, roles: unsaid.join(' · ') }) : t('incidents.signedInAsName', { name });
}

export function IncidentList({ incidents }: Props) {
  const { t, i18n } = useTranslation();
  const [workflow, setWorkflow] = useState<WorkflowDto | null>(null);
  const [organisations, setOrganisations] = useState<OrganisationDto[]>([]);
  const [me, setMe] = useState<ConsoleUser | null>(null);
  const [persona, setPersona] = useState<ConsoleUser>(storedPersona);
  const [filter, setFilter] = useState<Filter>('all');
  const [stateFilter, setStateFilter] = useState<IncidentState | ''>('');
  const [busy, setBusy] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [pending, setPending] = useState<Pending | null>(null);
  const [fresh, setFresh] = useState<Record<string, IncidentDto>>({});
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const [verified, setVerified] = useState<Record<string, AuditVerificationDto>>({});
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    void consoleApi.workflow().then(setWorkflow).catch(() => undefined);
    void consoleApi.organisations().then(setOrganisations).catch(() => undefined);
    void consoleApi.me().then(setMe);
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);

  const user = me ?? persona;
  const owners = organisations.filter((o) => o.kind === 'owner');

  const changePersona = (change: Partial<ConsoleUser>) => {
    const next = { ...persona, ...change };
    if (change.orgId !== undefined) next.orgKind = organisations.find((o) => o.id === change.orgId)?.kind ?? null;
    next.userId = `anonymous:${next.name}`;
    setPersona(next);
    try {
      localStorage.setItem(PERSONA_KEY, JSON.stringify(next));
    } catch {
      // not remembered
    }
  };

  // The list as the app's store has it, with the answers of this console's own requests where newer.
  const merged = useMemo(
    () => incidents.map((i) => (fresh[i.id] && Date.parse(fresh[i.id]!.updatedAt) > Date.parse(i.updatedAt) ? fresh[i.id]! : i)),
    [incidents, fresh],
  );
  const actionsOf = (incident: IncidentDto) => (workflow ? actionsFor(workflow, incident, user) : []);
  const mine = (incident: IncidentDto) =>
    actionsOf(incident).length > 0 || (user.orgKind === 'owner' && incident.ownerId === user.orgId && !TERMINAL.includes(incident.state));
  const shown = merged
    .filter((i) => (filter === 'mine' ? mine(i) : filter === 'overdue' ? isOverdue(i, now) && !TERMINAL.includes(i.state) : true))
    .filter((i) => !stateFilter || i.state === stateFilter)
    .sort(byUrgency(now));
  const overdueCount = merged.filter((i) => isOverdue(i, now) && !TERMINAL.includes(i.state)).length;

  const reasonRequired = (action: IncidentAction) => workflow?.actions.find((a) => a.action === action)?.reasonRequired ?? false;

  const run = async (incident: IncidentDto, action: IncidentAction, reason?: string, orgId?: string, files: File[] = [], readings?: Reading[]) => {
    setBusy(incident.id);
    setErrors(({ [incident.id]: _, ...rest }) => rest);
    try {
      // Evidence first: each file uploaded with the location stamp, then the disposal cites them.
      // Sizes are checked before any upload, so a refused file leaves no others stored uncited.
      const tooLarge = files.find((f) => f.size > MAX_UPLOAD_BYTES);
      if (tooLarge) throw new Error(t('evidence.tooLarge', { name: tooLarge.name }));
      const here = files.length > 0 ? await currentPosition() : null;
      const attachmentIds: string[] = [];
      for (const file of files) {
        const stamp = here ? { ...here, takenAt: new Date(file.lastModified || Date.now()).toISOString() } : null;
        attachmentIds.push((await evidenceApi.upload(incident.id, file, stamp)).id);
      }
      const updated = await consoleApi.transition(incident.id, user, {
        action, reason: reason?.trim() || undefined, orgId: orgId || undefined,
        attachmentIds: attachmentIds.length > 0 ? attachmentIds : undefined, location: here ? { lon: here.lon, lat: here.lat } : undefined, readings,
      });
      setFresh((f) => ({ ...f, [updated.id]: updated }));
      setPending(null);
    } catch (err) {
      setErrors((e) => ({ ...e, [incident.id]: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(null);
    }
  };

  const start = (incident: IncidentDto, action: IncidentAction) => {
    if (reasonRequired(action) || action === 'dispatch') {
      setPending({ id: incident.id, action, reason: '', orgId: incident.ownerId ?? owners[0]?.id ?? '', files: [], reading: { name: '', value: '', unit: '' } });
    } else {
      void run(incident, action);
    }
  };

  const verify = async (id: string) => {
    try {
      const audit = await consoleApi.audit(id);
      setVerified((v) => ({ ...v, [id]: audit.verification }));
    } catch (err) {
      setErrors((e) => ({ ...e, [id]: err instanceof Error ? err.message : String(err) }));
    }
  };

  return (
    <section className="panel-section incidents incident-console" aria-labelledby="incidents-heading">
      <h2 id="incidents-heading">
        {t('incidents.heading')} <span className="count">{merged.filter((i) => !TERMINAL.includes(i.state)).length}</span>
        {overdueCount > 0 && <span className="count overdue-count" data-testid="overdue-count">{t('incidents.overdueCount', { count: overdueCount })}</span>}
      </h2>

      {me ? (
        <p className="console-user" data-testid="console-user">
          {signedInAs(t, me.name, me.roles.map((r) => t(`incidents.role.${r}`)))}
        </p>
      ) : (
        <fieldset className="persona" data-testid="persona">
          <legend>{t('incidents.actingAs')}</legend>
          <input aria-label={t('incidents.actor')} value={persona.name} onChange={(e) => changePersona({ name: e.target.value || 'operator' })} maxLength={64} />
          <select aria-label={t('incidents.roleLabel')} value={persona.roles[0]} onChange={(e) => changePersona({ roles: [e.target.value as Role] })}>
            {PERSONA_ROLES.map((r) => <option key={r} value={r}>{t(`incidents.role.${r}`)}</option>)}
          </select>
          <select aria-label={t('incidents.unitLabel')} value={persona.orgId ?? ''} onChange={(e) => changePersona({ orgId: e.target.value || null })}>
            {organisations.map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
          </select>
        </fieldset>
      )}

      <div className="incident-filters" role="toolbar" aria-label={t('incidents.filters')}>
        {(['all', 'mine', 'overdue'] as const).map((f) => (
          <button key={f} type="button" className={`chip${filter === f ? ' active' : ''}`} aria-pressed={filter === f} data-testid={`filter-${f}`} onClick={() => setFilter(f)}>
            {t(`incidents.filter.${f}`)}
          </button>
        ))}
        <select aria-label={t('incidents.stateLabel')} value={stateFilter} data-testid="filter-state" onChange={(e) => setStateFilter(e.target.value as IncidentState | '')}>
          <option value="">{t('incidents.anyState')}</option>
          {STATES.map((s) => <option key={s} value={s}>{t(`incidents.state.${s}`)}</option>)}
        </select>
      </div>

      {shown.length === 0 ? (
        <p className="empty">{t('incidents.empty')}</p>
      ) : (
        <ul className="list">
          {shown.map((incident) => {
            const overdue = isOverdue(incident, now) && !TERMINAL.includes(incident.state);
            const actions = actionsOf(incident);
            const form = pending?.id === incident.id ? pending : null;
            return (
              <li
                key={incident.id}
                className={`incident-item state-${incident.state}${overdue ? ' overdue' : ''}`}
                data-testid="incident-item" data-state={incident.state} data-incident-id={incident.id} data-overdue={overdue}
              >
                <div className="item-row">
                  <LevelBadge level={incident.level} />
                  <span className="item-title" title={incident.description ?? incident.title}>{incident.title}</span>
                  <span className={`state-chip state-${incident.state}`} data-testid="state-chip">{t(`incidents.state.${incident.state}`)}</span>
                </div>
                <div className="item-row item-detail">
                  <span>{incident.ownerName ? t('incidents.owner', { owner: incident.ownerName }) : t('incidents.noOwner')}</span>
                  <span className="kind">{t(`incidents.kind.${incident.kind}`)}</span>
                  {incident.type && <span className="incident-type" data-testid="incident-type">{t(`incidentType.${incident.type}`)}</span>}
                  <time dateTime={incident.openedAt}>{formatTime(incident.openedAt, i18n.language)}</time>
                </div>
                {incident.dueAt && incident.dueStage && (
                  <div className={`item-row deadline${overdue ? ' overdue' : ''}`} data-testid="deadline">
                    {t(overdue ? 'incidents.overdueSince' : 'incidents.dueBy', {
                      stage: t(`incidents.stage.${incident.dueStage}`), time: formatTime(incident.dueAt, i18n.language),
                    })}
                    {incident.overdue && <span className="escalated">{t('incidents.escalated')}</span>}
                  </div>
                )}
                {actions.length > 0 && !form && (
                  <div className="actions">
                    {actions.map(({ action }) => (
                      <button
                        key={action} type="button" className={`action action-${action}`} data-testid={`action-${action}`}
                        disabled={busy === incident.id} onClick={() => start(incident, action)}
                      >
                        {t(`incidents.action.${action}`)}
                      </button>
                    ))}
                  </div>
                )}
                {form && (
                  <form
                    className="action-form" data-testid="action-form"
                    onSubmit={(e) => {
                      e.preventDefault();
                      void run(incident, form.action, form.reason, form.action === 'dispatch' ? form.orgId : undefined, form.files, form.action === 'dispose' ? readingOf(form) : undefined);
                    }}
                  >
                    {form.action === 'dispatch' && (
                      <label>
                        <span>{t('incidents.dispatchTo')}</span>
                        <select value={form.orgId} data-testid="dispatch-unit" onChange={(e) => setPending({ ...form, orgId: e.target.value })}>
                          {owners.map((o) => <option key={o.id} value={o.id}>{o.name}{o.id === incident.ownerId ? ` (${t('incidents.suggested')})` : ''}</option>)}
                        </select>
                      </label>
                    )}
                    {reasonRequired(form.action) && (
                      <label>
                        <span>{t(form.action === 'dispose' ? 'incidents.feedback' : 'incidents.reason')}</span>
                        <textarea
                          required value={form.reason} maxLength={2000} rows={2} data-testid="action-reason"
                          onChange={(e) => setPending({ ...form, reason: e.target.value })}
                        />
                      </label>
                    )}
                    {form.action === 'dispose' && (
                      <label>
                        <span>{t('evidence.attach')}</span>
                        <input
                          type="file" accept="image/jpeg,image/png,image/webp,application/pdf" multiple data-testid="dispose-files"
                          onChange={(e) => setPending({ ...form, files: [...(e.target.files ?? [])] })}
                        />
                        {form.files.length > 0 && (
                          <span className="dispose-files" data-testid="dispose-file-list">
                            {form.files.map((f) => <span key={`${f.name}-${f.size}`}>{t('evidence.chosen', { name: f.name, kb: Math.ceil(f.size / 1024) })}</span>)}
                          </span>
                        )}
                      </label>
                    )}
                    {form.action === 'dispose' && (
                      <fieldset className="dispose-reading" data-testid="dispose-reading">
                        <legend>{t('evidence.reading')}</legend>
                        <input
                          aria-label={t('evidence.readingName')} placeholder={t('evidence.readingName')} maxLength={100} value={form.reading.name} data-testid="reading-name"
                          onChange={(e) => setPending({ ...form, reading: { ...form.reading, name: e.target.value } })}
                        />
                        <input
                          type="number" step="any" aria-label={t('evidence.readingValue')} placeholder={t('evidence.readingValue')} value={form.reading.value} data-testid="reading-value"
                          onChange={(e) => setPending({ ...form, reading: { ...form.reading, value: e.target.value } })}
                        />
                        <input
                          aria-label={t('evidence.readingUnit')} placeholder={t('evidence.readingUnit')} maxLength={20} value={form.reading.unit} data-testid="reading-unit"
                          onChange={(e) => setPending({ ...form, reading: { ...form.reading, unit: e.target.value } })}
                        />
                      </fieldset>
                    )}
                    <div className="actions">
                      <button type="submit" className={`action action-${form.action}`} data-testid="action-confirm" disabled={busy === incident.id}>
                        {t(`incidents.action.${form.action}`)}
                      </button>
                      <button type="button" className="action" onClick={() => setPending(null)}>{t('incidents.cancel')}</button>
                    </div>
                  </form>
                )}
                {errors[incident.id] && (
                  <p className="error" role="alert">{t('incidents.failed', { message: errors[incident.id] })}</p>
                )}
                <IncidentAnalysis incidentId={incident.id} />
                <button
                  type="button" className="timeline-toggle" aria-expanded={open[incident.id] ?? false} data-testid="timeline-toggle"
                  onClick={() => setOpen((o) => ({ ...o, [incident.id]: !o[incident.id] }))}
                >
                  {t('incidents.timeline', { count: incident.events.length })}
                </button>
                {open[incident.id] && (
                  <div className="timeline-box">
                    <Evidence incidentId={incident.id} version={incident.updatedAt} />
                    <ol className="timeline" data-testid="timeline">
                      {incident.events.map((e) => (
                        <li key={e.seq} className={`event event-${e.action}`}>
                          <time dateTime={e.at}>{formatTime(e.at, i18n.language)}</time>
                          <span className="event-action">{t(`incidents.event.${e.action}`)}</span>
                          <span className="event-actor">{e.actor}</span>
                          {e.toState !== e.fromState && <span className="event-state">→ {t(`incidents.state.${e.toState}`)}</span>}
                          {e.note && <q className="event-note">{e.note}</q>}
                        </li>
                      ))}
                    </ol>
                    <button type="button" className="action" data-testid="verify-chain" onClick={() => void verify(incident.id)}>{t('incidents.verifyChain')}</button>
                    {verified[incident.id] && (
                      <span className={`chain ${verified[incident.id]!.ok ? 'chain-ok' : 'chain-broken'}`} data-testid="chain-result">
                        {verified[incident.id]!.ok
                          ? t('incidents.chainOk', { count: verified[incident.id]!.entries })
                          : t('incidents.chainBroken', { problem: verified[incident.id]!.problems[0]?.problem ?? '' })}
                      </span>
                    )}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
