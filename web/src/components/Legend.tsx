import { useTranslation } from 'react-i18next';
import { LEVEL_COLORS, LEVELS, NETWORK_COLORS, NETWORKS, STATE_COLORS } from '../colors.ts';

export function Legend() {
  const { t } = useTranslation();
  return (
    <div className="legend" aria-label={t('legend.title')}>
      <div className="legend-group">
        <span className="legend-heading">{t('legend.networks')}</span>
        {NETWORKS.map((n) => (
          <span key={n} className="legend-entry">
            <span className="swatch-line" style={{ backgroundColor: NETWORK_COLORS[n] }} />
            {t(`network.${n}`)}
          </span>
        ))}
      </div>
      <div className="legend-group">
        <span className="legend-heading">{t('legend.sensors')}</span>
        {(['normal', 'offline', 'nodata'] as const).map((s) => (
          <span key={s} className="legend-entry">
            <span className="swatch-dot" style={{ backgroundColor: STATE_COLORS[s] }} />
            {t(`sensorState.${s}`)}
          </span>
        ))}
      </div>
      <div className="legend-group">
        <span className="legend-heading">{t('legend.levels')}</span>
        {LEVELS.map((l) => (
          <span key={l} className="legend-entry">
            <span className="swatch-dot" style={{ backgroundColor: LEVEL_COLORS[l] }} />
            {t(`level.${l}`)}
          </span>
        ))}
      </div>
    </div>
  );
}
