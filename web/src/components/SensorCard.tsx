import { useTranslation } from 'react-i18next';
import type { SensorDto } from '../api.ts';
import { LEVEL_COLORS, STATE_COLORS } from '../colors.ts';
import { formatTime, formatValue } from '../format.ts';
import { LevelBadge } from './LevelBadge.tsx';
import { SensorChart } from './SensorChart.tsx';

export function sensorColor(sensor: Pick<SensorDto, 'state' | 'level'>): string {
  if (sensor.state === 'alarm') return LEVEL_COLORS[sensor.level ?? 1];
  return STATE_COLORS[sensor.state];
}

interface Props {
  sensor: SensorDto;
  /** Other sensors at the same point (channels of the same device). */
  colocated: SensorDto[];
  onSelect(sensorId: string): void;
  onClose(): void;
}

export function SensorCard({ sensor, colocated, onSelect, onClose }: Props) {
  const { t, i18n } = useTranslation();
  return (
    <aside className="sensor-card" data-testid="sensor-card" data-sensor-id={sensor.id}>
      <div className="sensor-card-head">
        <h3>{sensor.name}</h3>
        <button type="button" className="close" onClick={onClose} aria-label={t('sensor.close')}>
          ×
        </button>
      </div>
      <dl>
        <dt>{t('sensor.id')}</dt>
        <dd>{sensor.id}</dd>
        <dt>{t('sensor.network')}</dt>
        <dd>{t(`network.${sensor.network}`)}</dd>
        <dt>{t('sensor.indicator')}</dt>
        <dd>{t(`indicator.${sensor.indicator}`, { defaultValue: sensor.indicator })}</dd>
        <dt>{t('sensor.state')}</dt>
        <dd>
          <span className="dot" style={{ backgroundColor: sensorColor(sensor) }} aria-hidden="true" />
          {t(`sensorState.${sensor.state}`)} {sensor.state === 'alarm' && sensor.level !== null && <LevelBadge level={sensor.level} />}
        </dd>
        <dt>{t('sensor.latest')}</dt>
        <dd className="sensor-value">
          {sensor.latest ? formatValue(sensor.latest.value, sensor.unit, i18n.language) : t('sensor.noValue')}
        </dd>
        {sensor.latest && (
          <>
            <dt>{t('sensor.at')}</dt>
            <dd>
              <time dateTime={sensor.latest.ts}>{formatTime(sensor.latest.ts, i18n.language)}</time>
            </dd>
          </>
        )}
      </dl>
      <SensorChart sensor={sensor} />
      {colocated.length > 0 && (
        <div className="colocated">
          <h4>{t('sensor.colocated')}</h4>
          <ul>
            {colocated.map((s) => (
              <li key={s.id}>
                <button type="button" onClick={() => onSelect(s.id)}>
                  <span className="dot" style={{ backgroundColor: sensorColor(s) }} aria-hidden="true" />
                  <span className="colocated-name">{t(`indicator.${s.indicator}`, { defaultValue: s.indicator })}</span>
                  <span className="colocated-value">
                    {s.latest ? formatValue(s.latest.value, s.unit, i18n.language) : t('sensor.noValue')}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </aside>
  );
}
