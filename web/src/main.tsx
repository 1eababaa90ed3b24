import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n/index.ts';
import { App } from './App.tsx';
import { LifelineStore } from './store.ts';
import './styles.css';

const store = new LifelineStore();
store.start();

const root = document.getElementById('root');
if (!root) throw new Error('missing #root');
createRoot(root).render(
  <StrictMode>
    <App store={store} />
  </StrictMode>,
);
