import { useTranslation } from 'react-i18next';
import type { AlarmDto } from '../api.ts';
import { OFFLINE_RULE } from '../colors.ts';
import { formatDuration, formatTime, formatValue } from '../format.ts';
import { LevelBadge } from './LevelBadge.tsx';

interface Props {
  alarms: AlarmDto[];
  onLocate(sensorId: string): void;
}

export function AlarmList({ alarms, onLocate }: Props) {
  const { t, i18n } = useTranslation();
  return (
    <section className="panel-section alarms" aria-labelledby="alarms-heading">
      <h2 id="alarms-heading">
        {t('alarms.heading')} <span className="count">{alarms.length}</span>
      </h2>
      {alarms.length === 0 ? (
        <p className="empty">{t('alarms.empty')}</p>
      ) : (
        <ul className="list">
          {alarms.map((alarm) => (
            <li
              key={alarm.id}
              className={`alarm-item level-${alarm.level}`}
              data-testid="alarm-item"
              data-sensor-id={alarm.sensorId}
              data-level={alarm.level}
            >
              <button type="button" className="item-button" title={t('alarms.locate')} onClick={() => onLocate(alarm.sensorId)}>
                <div className="item-row">
                  <LevelBadge level={alarm.level} />
                  <span className="item-title">{alarm.sensorName}</span>
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
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
