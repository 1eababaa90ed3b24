import { useTranslation } from 'react-i18next';
import type { ConnectionStatus, SensorDto } from '../api.ts';
import { setLanguage } from '../i18n/index.ts';

interface Props {
  connection: ConnectionStatus;
  sensors: SensorDto[];
  error: string | null;
}

export function Header({ connection, sensors, error }: Props) {
  const { t, i18n } = useTranslation();
  const count = (state: SensorDto['state']) => sensors.filter((s) => s.state === state).length;
  return (
    <header className="header">
      <div className="brand">
        <span className="brand-name">{t('app.product')}</span>
        <span className="brand-subtitle">{t('app.subtitle')}</span>
      </div>
      <div className="header-summary">
        {t('app.summary', { total: sensors.length, alarm: count('alarm'), nodata: count('nodata') })}
      </div>
      {error && (
        <div className="header-error" role="alert">
          {t('app.loadError', { message: error })}
        </div>
      )}
      <div className={`connection connection-${connection}`} data-testid="connection" data-status={connection}>
        <span className="connection-dot" aria-hidden="true" />
        {t(`connection.${connection}`)}
      </div>
      <button
        type="button"
        className="language-switch"
        aria-label={t('language.label')}
        onClick={() => setLanguage(i18n.language === 'zh-CN' ? 'en' : 'zh-CN')}
      >
        {t('language.switchTo')}
      </button>
    </header>
  );
}
