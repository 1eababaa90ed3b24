import { useTranslation } from 'react-i18next';
import type { PageDefinition } from '../pages/registry.ts';

/** The monitoring map plus every page the user may see, as hash links (bookmarkable, back button works). */
export function NavBar({ pages, current }: { pages: PageDefinition[]; current: string }) {
  const { t } = useTranslation();
  if (pages.length === 0) return null;
  const link = (id: string, label: string, groupStart = false) => (
    <a key={id || 'map'} href={`#/${id}`} className={`nav-link${current === id ? ' nav-link-current' : ''}${groupStart ? ' nav-link-group-start' : ''}`} data-testid={`nav-${id || 'map'}`}
      aria-current={current === id ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <nav className="nav-bar" aria-label={t('nav.label')}>
      {link('', t('nav.map'))}
      {pages.map((p, i) => link(p.id, t(p.titleKey), i > 0 && pages[i - 1]!.group !== p.group))}
    </nav>
  );
}
