import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AlarmDto } from '../api.ts';
import { OFFLINE_RULE } from '../colors.ts';
import { formatDuration, formatTime, formatValue } from '../format.ts';
import { LevelBadge } from './LevelBadge.tsx';
import './AlarmList.css';

/** Which alarms the list shows: muted ones are listed too (nothing is hidden by noise control), filterable. */
export type AlarmFilter = 'all' | 'unmuted' | 'muted' | 'unacknowledged';
const FILTERS: AlarmFilter[] = ['all', 'unmuted', 'muted', 'unacknowledged'];

interface Props {
  alarms: AlarmDto[];
  onLocate(sensorId: string): void;
  /** Acknowledges with a comment; absent for users who may not acknowledge. */
  onAcknowledge?(alarmId: string, comment: string): Promise<void>;
}

function shown(alarm: AlarmDto, filter: AlarmFilter): boolean {
  if (filter === 'muted') return !!alarm.muted;
  if (filter === 'unmuted') return !alarm.muted;
  if (filter === 'unacknowledged') return !alarm.ack;
  return true;
}

export function AlarmList({ alarms, onLocate, onAcknowledge }: Props) {
  const { t, i18n } = useTranslation();
  const [filter, setFilter] = useState<AlarmFilter>('all');
  const [acking, setAcking] = useState<string | null>(null);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const visible = alarms.filter((a) => shown(a, filter));

  const submit = (e: FormEvent, alarmId: string) => {
    e.preventDefault();
    if (!onAcknowledge) return;
    setError(null);
    onAcknowledge(alarmId, comment.trim()).then(() => {
      setAcking(null);
      setComment('');
    }, (err: Error) => setError(err.message));
  };

  return (
    <section className="panel-section alarms" aria-labelledby="alarms-heading">
      <h2 id="alarms-heading">
        {t('alarms.heading')} <span className="count">{visible.length}</span>
        <select
          className="alarm-filter"
          data-testid="alarm-filter"
          aria-label={t('alerting.filter.label')}
          value={filter}
          onChange={(e) => setFilter(e.target.value as AlarmFilter)}
        >
          {FILTERS.map((f) => (
            <option key={f} value={f}>
              {t(`alerting.filter.${f}`)}
            </option>
          ))}
        </select>
      </h2>
      {visible.length === 0 ? (
        <p className="empty">{t('alarms.empty')}</p>
      ) : (
        <ul className="list">
          {visible.map((alarm) => (
            <li
              key={alarm.id}
              className={`alarm-item level-${alarm.level}${alarm.muted ? ' muted' : ''}`}
              data-testid="alarm-item"
              data-sensor-id={alarm.sensorId}
              data-level={alarm.level}
              data-muted={alarm.muted?.by ?? ''}
              data-acked={alarm.ack ? 'true' : 'false'}
            >
              <button type="button" className="item-button" title={t('alarms.locate')} onClick={() => onLocate(alarm.sensorId)}>
                <div className="item-row">
                  <LevelBadge level={alarm.level} />
                  <span className="item-title">{alarm.sensorName}</span>
                  {alarm.category === 'maintenance' && (
                    <span
                      className="category-badge"
                      data-testid="alarm-category"
                      title={t('alarmCategory.maintenanceTitle')}
                      style={{ fontSize: '0.75em', border: '1px solid currentColor', borderRadius: 3, padding: '0 4px', opacity: 0.75, whiteSpace: 'nowrap' }}
                    >
                      {t('alarmCategory.maintenance')}
                    </span>
                  )}
                  <time className="item-time" dateTime={alarm.openedAt}>
                    {formatTime(alarm.openedAt, i18n.language)}
                  </time>
                </div>
                <div className="item-row item-detail">
                  <span>
                    {t(`network.${alarm.network}`)} ·{' '}
                    {alarm.ruleId === OFFLINE_RULE ? t('indicator.offline') : t(`indicator.${alarm.indicator}`, { defaultValue: alarm.indicator })}
                  </span>
                  <span className="item-value">
                    {alarm.ruleId === OFFLINE_RULE
                      ? t('alarms.silentFor', { duration: formatDuration(alarm.lastValue, i18n.language) })
                      : formatValue(alarm.lastValue, alarm.unit, i18n.language)}
                  </span>
                </div>
              </button>
              {(alarm.muted || alarm.flapping || alarm.ack || onAcknowledge) && (
                <div className="item-row alarm-status">
                  {alarm.muted && (
                    <span className="alarm-badge badge-muted" data-testid="badge-muted" title={alarm.muted.reason}>
                      {t(`alerting.muted.${alarm.muted.by}`)}
                    </span>
                  )}
                  {alarm.flapping && <span className="alarm-badge badge-flapping" data-testid="badge-flapping">{t('alerting.flapping')}</span>}
                  {alarm.ack ? (
                    <span className="alarm-badge badge-acked" data-testid="badge-acked" title={`${alarm.ack.by} · ${formatTime(alarm.ack.at, i18n.language)}`}>
                      {t('alerting.acked', { comment: alarm.ack.comment })}
                    </span>
                  ) : (
                    onAcknowledge && acking !== alarm.id && (
                      <button type="button" className="ack-button" data-testid="ack-button" onClick={() => { setAcking(alarm.id); setComment(''); setError(null); }}>
                        {t('alerting.acknowledge')}
                      </button>
                    )
                  )}
                </div>
              )}
              {acking === alarm.id && !alarm.ack && (
                <form className="ack-form" onSubmit={(e) => submit(e, alarm.id)}>
                  <input
                    data-testid="ack-comment"
                    aria-label={t('alerting.comment')}
                    placeholder={t('alerting.comment')}
                    value={comment}
                    required
                    maxLength={2000}
                    onChange={(e) => setComment(e.target.value)}
                  />
                  <button type="submit" data-testid="ack-submit" disabled={comment.trim() === ''}>
                    {t('alerting.confirm')}
                  </button>
                  <button type="button" onClick={() => setAcking(null)}>
                    {t('alerting.cancel')}
                  </button>
                  {error && <span className="ack-error" role="alert">{error}</span>}
                </form>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
