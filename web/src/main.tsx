import { StrictMode, useCallback, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n/index.ts';
import { api, ApiError, setUnauthorisedHandler, type MeDto } from './api.ts';
import { App } from './App.tsx';
import { Login } from './components/Login.tsx';
import { LifelineStore } from './store.ts';
import './styles.css';

/** Shows the login page until there is a session, then the app with its store running. */
function Root() {
  const [me, setMe] = useState<MeDto | null | 'loading'>('loading');
  const [store, setStore] = useState<LifelineStore | null>(null);
  const [expired, setExpired] = useState(false);

  const check = useCallback(() => {
    api.me().then(setMe, (e: unknown) => {
      if (e instanceof ApiError && e.status === 401) setMe(null);
      else setTimeout(check, 3000);
    });
  }, []);

  useEffect(() => {
    setUnauthorisedHandler(() => {
      setExpired(true);
      setMe(null);
    });
    check();
  }, [check]);

  useEffect(() => {
    if (me === null || me === 'loading') return;
    const s = new LifelineStore();
    s.start();
    setStore(s);
    return () => {
      s.stop();
      setStore(null);
    };
  }, [me]);

  const logout = useCallback(() => {
    void api.logout().catch(() => undefined).finally(() => {
      setExpired(false);
      setMe(null);
    });
  }, []);

  if (me === 'loading') return null;
  if (me === null) return <Login expired={expired} onLoggedIn={() => { setExpired(false); check(); }} />;
  return store ? <App store={store} me={me} onLogout={logout} /> : null;
}

const root = document.getElementById('root');
if (!root) throw new Error('missing #root');
createRoot(root).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
