// Silences and maintenance windows (docs/alerting.md): list, create, expire early; and the
// active alarms grouped by asset, area or network. Muted alarms stay in the alarm list, marked.
import { useCallback, useEffect, useState, useSyncExternalStore, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ALERTING_ROLES, alertingApi, type AlarmGroupDto, type SilenceDto, type SilenceMatchers } from '../api/alerting.ts';
import { LevelBadge } from '../components/LevelBadge.tsx';
import type { PageProps } from './registry.ts';
import './Silences.css';

const MATCHERS = ['sensorId', 'assetId', 'deviceId', 'indicator', 'ruleId', 'network', 'areaId'] as const;
const NETWORKS = ['gas', 'water', 'drainage', 'heating', 'utility_tunnel', 'bridge', 'tunnel', 'river'];

type Form = { kind: 'silence' | 'maintenance'; reason: string; durationMinutes: string } & Record<(typeof MATCHERS)[number], string>;
const EMPTY: Form = { kind: 'maintenance', reason: '', durationMinutes: '60', sensorId: '', assetId: '', deviceId: '', indicator: '', ruleId: '', network: '', areaId: '' };

function stateOf(s: SilenceDto, now: number): 'active' | 'scheduled' | 'ended' | 'expired' {
  if (s.active) return 'active';
  if (s.endedAt) return 'ended';
  return Date.parse(s.startsAt) > now ? 'scheduled' : 'expired';
}

export function Silences({ store, me }: PageProps) {
  const { t, i18n } = useTranslation();
  const sensors = useSyncExternalStore(store.subscribe, () => store.getState().sensors);
  const [show, setShow] = useState<'current' | 'all'>('current');
  const [silences, setSilences] = useState<SilenceDto[]>([]);
  const [groupBy, setGroupBy] = useState<AlarmGroupDto['by']>('asset');
  const [groups, setGroups] = useState<AlarmGroupDto[]>([]);
  const [form, setForm] = useState<Form>(EMPTY);
  const [error, setError] = useState<string | null>(null);
  const mayAct = !me || me.roles.some((r) => ALERTING_ROLES.includes(r));

  const reload = useCallback(async () => {
    const [s, g] = await Promise.all([alertingApi.silences(show), alertingApi.groups(groupBy)]);
    setSilences(s);
    setGroups(g);
  }, [show, groupBy]);
  useEffect(() => {
    reload().catch((e: Error) => setError(e.message));
    const timer = setInterval(() => void reload().catch(() => undefined), 10_000);
    return () => clearInterval(timer);
  }, [reload]);

  const run = (work: () => Promise<unknown>) => {
    setError(null);
    work().then(reload).catch((e: Error) => setError(e.message));
  };
  const create = (e: FormEvent) => {
    e.preventDefault();
    const matchers: SilenceMatchers = Object.fromEntries(MATCHERS.filter((k) => form[k].trim() !== '').map((k) => [k, form[k].trim()]));
    run(async () => {
      await alertingApi.createSilence({ kind: form.kind, matchers, reason: form.reason.trim(), durationMinutes: Number(form.durationMinutes) });
      setForm(EMPTY);
    });
  };
  const time = (iso: string | null) => (iso ? new Date(iso).toLocaleString(i18n.language) : '—');
  const describe = (m: SilenceMatchers) => MATCHERS.filter((k) => m[k] !== undefined).map((k) => `${t(`alerting.matcher.${k}`)} = ${m[k]}`).join(' · ');
  const now = Date.now();

  return (
    <div className="silences-page" data-testid="silences-page">
      <h2>{t('alerting.silences.title')}</h2>
      <p className="page-note">{t('alerting.silences.note')}</p>
      {error && <p className="silence-error" role="alert">{error}</p>}

      {mayAct && (
        <form className="silence-form" onSubmit={create} data-testid="silence-form">
          <h3>{t('alerting.silences.new')}</h3>
          <label>
            {t('alerting.silences.kind')}
            <select value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as Form['kind'] })}>
              <option value="maintenance">{t('alerting.kind.maintenance')}</option>
              <option value="silence">{t('alerting.kind.silence')}</option>
            </select>
          </label>
          <label>
            {t('alerting.matcher.sensorId')}
            <select data-testid="silence-sensor" value={form.sensorId} onChange={(e) => setForm({ ...form, sensorId: e.target.value })}>
              <option value="">—</option>
              {sensors.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} ({s.id})
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('alerting.matcher.network')}
            <select value={form.network} onChange={(e) => setForm({ ...form, network: e.target.value })}>
              <option value="">—</option>
              {NETWORKS.map((n) => (
                <option key={n} value={n}>
                  {t(`network.${n}`, { defaultValue: n })}
                </option>
              ))}
            </select>
          </label>
          {(['assetId', 'deviceId', 'indicator', 'ruleId', 'areaId'] as const).map((k) => (
            <label key={k}>
              {t(`alerting.matcher.${k}`)}
              <input value={form[k]} onChange={(e) => setForm({ ...form, [k]: e.target.value })} />
            </label>
          ))}
          <label className="wide">
            {t('alerting.silences.reason')}
            <input data-testid="silence-reason" value={form.reason} required onChange={(e) => setForm({ ...form, reason: e.target.value })} />
          </label>
          <label>
            {t('alerting.silences.duration')}
            <input type="number" min={1} value={form.durationMinutes} required onChange={(e) => setForm({ ...form, durationMinutes: e.target.value })} />
          </label>
          <button type="submit" data-testid="silence-create">{t('alerting.silences.create')}</button>
        </form>
      )}

      <div className="silence-toolbar">
        <label>
          <input type="checkbox" checked={show === 'all'} onChange={(e) => setShow(e.target.checked ? 'all' : 'current')} /> {t('alerting.silences.showAll')}
        </label>
      </div>
      {silences.length === 0 ? (
        <p className="empty">{t('alerting.silences.empty')}</p>
      ) : (
        <table className="silence-table" data-testid="silence-table">
          <thead>
            <tr>
              <th>{t('alerting.silences.kind')}</th>
              <th>{t('alerting.silences.matchers')}</th>
              <th>{t('alerting.silences.reason')}</th>
              <th>{t('alerting.silences.owner')}</th>
              <th>{t('alerting.silences.window')}</th>
              <th>{t('alerting.silences.state')}</th>
              <th>{t('alerting.silences.muting')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {silences.map((s) => {
              const state = stateOf(s, now);
              return (
                <tr key={s.id} data-testid="silence-row" data-state={state}>
                  <td>{t(`alerting.kind.${s.kind}`)}</td>
                  <td>{describe(s.matchers)}</td>
                  <td>{s.reason}</td>
                  <td>{s.createdBy}</td>
                  <td>
                    {time(s.startsAt)} – {time(s.endedAt ?? s.endsAt)}
                  </td>
                  <td>{t(`alerting.state.${state}`)}</td>
                  <td>{s.muting}</td>
                  <td>
                    {mayAct && (state === 'active' || state === 'scheduled') && (
                      <button type="button" data-testid="silence-expire" onClick={() => run(() => alertingApi.expireSilence(s.id))}>
                        {t('alerting.silences.expire')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}

      <h3>{t('alerting.groups.title')}</h3>
      <div className="silence-toolbar">
        {(['asset', 'area', 'network'] as const).map((by) => (
          <label key={by}>
            <input type="radio" name="group-by" checked={groupBy === by} onChange={() => setGroupBy(by)} /> {t(`alerting.groups.${by}`)}
          </label>
        ))}
      </div>
      {groups.length === 0 ? (
        <p className="empty">{t('alarms.empty')}</p>
      ) : (
        <ul className="alarm-groups" data-testid="alarm-groups">
          {groups.map((g) => (
            <li key={g.key}>
              <LevelBadge level={g.level} /> <strong>{g.by === 'network' ? t(`network.${g.key}`, { defaultValue: g.key }) : g.name}</strong>{' '}
              {t('alerting.groups.summary', { count: g.count, muted: g.muted, unacknowledged: g.unacknowledged })}
              <div className="group-members">{g.alarms.map((a) => a.sensorName).join(' · ')}</div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
