import { useTranslation } from 'react-i18next';
import type { ConnectionStatus, MeDto, SensorDto } from '../api.ts';
import { setLanguage } from '../i18n/index.ts';

interface Props {
  connection: ConnectionStatus;
  sensors: SensorDto[];
  error: string | null;
  /** The logged-in user (absent in isolated component use). */
  me?: MeDto;
  onLogout?: () => void;
}

export function Header({ connection, sensors, error, me, onLogout }: Props) {
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
      {me && (
        <div className="user" data-testid="user">
          <span className="user-name" title={me.roles.map((r) => t(`roles.${r}`, { defaultValue: r })).join(', ')}>
            {me.name}
            {/* The first-start accounts are named after their organisation: no need to say it twice. */}
            {me.orgName && !me.name.includes(me.orgName) ? ` · ${me.orgName}` : ''}
          </span>
          {me.via === 'session' && onLogout && (
            <button type="button" className="language-switch" onClick={onLogout}>
              {t('login.logout')}
            </button>
          )}
        </div>
      )}
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
