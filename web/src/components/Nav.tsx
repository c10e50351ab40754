/** The dashboard's views, one per URL hash (`#workers`, `#cities`, `#events`). */
import { useEffect, useState } from 'react';

export const VIEWS = [
  { id: 'workers', label: 'Workers' },
  { id: 'cities', label: 'Cities' },
  { id: 'events', label: 'Events' },
] as const;
export type ViewId = (typeof VIEWS)[number]['id'];

function fromHash(hash: string): ViewId {
  const id = hash.replace(/^#\/?/, '');
  return VIEWS.some((v) => v.id === id) ? (id as ViewId) : 'workers';
}

export function useView(): ViewId {
  const [view, setView] = useState<ViewId>(() => fromHash(location.hash));
  useEffect(() => {
    const onHash = () => setView(fromHash(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return view;
}

export function Nav({ view }: { view: ViewId }) {
  return (
    <nav className="tabs" aria-label="Views">
      {VIEWS.map((v) => (
        <a key={v.id} href={`#${v.id}`} className={`tab${v.id === view ? ' tab-active' : ''}`} aria-current={v.id === view ? 'page' : undefined} data-testid={`tab-${v.id}`}>
          {v.label}
        </a>
      ))}
    </nav>
  );
}
