import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api.ts';
import { setLanguage } from '../i18n/index.ts';

/** The login page: user name and password; the server answers with an HttpOnly session cookie. */
export function Login({ onLoggedIn, expired }: { onLoggedIn: () => void; expired: boolean }) {
  const { t, i18n } = useTranslation();
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(expired ? t('login.expired') : null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.login(user.trim(), password);
      onLoggedIn();
    } catch (e) {
      const status = e instanceof ApiError ? e.status : 0;
      setError(status === 401 ? t('login.wrong') : status === 429 ? t('login.throttled', { message: (e as Error).message }) : t('login.failed', { message: (e as Error).message }));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login" data-testid="login">
      <form className="login-form" onSubmit={(e) => void submit(e)}>
        <div className="brand">
          <span className="brand-name">{t('app.product')}</span>
          <span className="brand-subtitle">{t('app.subtitle')}</span>
        </div>
        <h1>{t('login.title')}</h1>
        <label>
          {t('login.user')}
          <input name="user" autoComplete="username" autoFocus required value={user} onChange={(e) => setUser(e.target.value)} />
        </label>
        <label>
          {t('login.password')}
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && (
          <div className="login-error" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="login-submit" disabled={busy}>
          {t('login.submit')}
        </button>
        <p className="login-hint">{t('login.hint')}</p>
        <button type="button" className="language-switch" aria-label={t('language.label')} onClick={() => setLanguage(i18n.language === 'zh-CN' ? 'en' : 'zh-CN')}>
          {t('language.switchTo')}
        </button>
      </form>
    </main>
  );
}
