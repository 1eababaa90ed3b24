import { useEffect, useState } from 'react';

/** The page id in `location.hash` (`#/inspections` → `inspections`); '' is the monitoring map. */
export function currentPageId(): string {
  return decodeURIComponent(window.location.hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '');
}

export function usePageId(): string {
  const [id, setId] = useState(currentPageId);
  useEffect(() => {
    const update = () => setId(currentPageId());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return id;
}
