import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { IncidentAction, IncidentDto } from '../api.ts';
import { formatTime } from '../format.ts';
import { LevelBadge } from './LevelBadge.tsx';

interface Props {
  incidents: IncidentDto[];
  onTransition(id: string, action: IncidentAction, actor: string): Promise<void>;
}

const ACTOR_KEY = 'lifeline.actor';
const DEFAULT_ACTOR = 'operator';

function storedActor(): string {
  try {
    return localStorage.getItem(ACTOR_KEY) || DEFAULT_ACTOR;
  } catch {
    return DEFAULT_ACTOR;
  }
}

/** Open incidents first, then newest first. */
const byUrgency = (a: IncidentDto, b: IncidentDto) =>
  Number(a.state === 'closed') - Number(b.state === 'closed') || Date.parse(b.openedAt) - Date.parse(a.openedAt);

export function IncidentList({ incidents, onTransition }: Props) {
  const { t, i18n } = useTranslation();
  const [actor, setActor] = useState(storedActor);
  const [busy, setBusy] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});

  const changeActor = (value: string) => {
    setActor(value);
    try {
      localStorage.setItem(ACTOR_KEY, value);
    } catch {
      // not remembered
    }
  };

  const run = async (id: string, action: IncidentAction) => {
    setBusy(id);
    setErrors(({ [id]: _, ...rest }) => rest);
    try {
      await onTransition(id, action, actor.trim() || DEFAULT_ACTOR);
    } catch (err) {
      setErrors((e) => ({ ...e, [id]: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="panel-section incidents" aria-labelledby="incidents-heading">
      <h2 id="incidents-heading">
        {t('incidents.heading')} <span className="count">{incidents.filter((i) => i.state !== 'closed').length}</span>
      </h2>
      <label className="actor">
        <span>{t('incidents.actor')}</span>
        <input value={actor} onChange={(e) => changeActor(e.target.value)} maxLength={64} />
      </label>
      {incidents.length === 0 ? (
        <p className="empty">{t('incidents.empty')}</p>
      ) : (
        <ul className="list">
          {[...incidents].sort(byUrgency).map((incident) => (
            <li key={incident.id} className={`incident-item state-${incident.state}`} data-testid="incident-item" data-state={incident.state}>
              <div className="item-row">
                <LevelBadge level={incident.level} />
                <span className="item-title" title={incident.title}>
                  {incident.title}
                </span>
                <span className={`state-chip state-${incident.state}`}>{t(`incidents.state.${incident.state}`)}</span>
              </div>
              <div className="item-row item-detail">
                <span>{t('incidents.owner', { owner: incident.ownerName })}</span>
                <time dateTime={incident.openedAt}>{formatTime(incident.openedAt, i18n.language)}</time>
              </div>
              {incident.nextActions.length > 0 && (
                <div className="actions">
                  {incident.nextActions.map((action) => (
                    <button
                      key={action}
                      type="button"
                      className={`action action-${action}`}
                      disabled={busy === incident.id}
                      onClick={() => void run(incident.id, action)}
                    >
                      {t(`incidents.action.${action}`)}
                    </button>
                  ))}
                </div>
              )}
              {errors[incident.id] && (
                <p className="error" role="alert">
                  {t('incidents.failed', { message: errors[incident.id] })}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
