import type { SystemStatus } from '../api.js';
import { count } from '../format.js';

const NAMES: Record<string, string> = {
  ticketmaster: 'Ticketmaster',
  eventbrite: 'Eventbrite',
  yelp: 'Yelp',
  ics: 'iCalendar feeds',
  jsonld: 'JSON-LD pages',
};

export function ProviderBudgets({ providers }: { providers: SystemStatus['providers'] | undefined }) {
  return (
    <section className="panel" data-testid="providers">
      <h2>Provider budgets <span className="muted small">today</span></h2>
      {!providers || providers.length === 0 ? (
        <p className="muted">No providers reported.</p>
      ) : (
        <ul className="budgets">
          {providers.map((p) => {
            const ratio = p.budget > 0 ? Math.min(1, p.used / p.budget) : 0;
            const level = !p.enabled ? 'off' : ratio >= 0.9 ? 'bad' : ratio >= 0.7 ? 'warn' : 'ok';
            return (
              <li key={p.source} className={`budget budget-${level}`} data-testid={`budget-${p.source}`}>
                <div className="budget-head">
                  <span className="budget-name">{NAMES[p.source] ?? p.source}</span>
                  <span className="muted small">
                    {p.enabled ? `${count(p.used)} / ${count(p.budget)} · ${count(p.remaining)} left` : 'disabled'}
                  </span>
                </div>
                <div
                  className="bar"
                  role="progressbar"
                  aria-label={`${p.source} budget used`}
                  aria-valuemin={0}
                  aria-valuemax={p.budget}
                  aria-valuenow={p.used}
                >
                  <div className="bar-fill" style={{ width: `${(ratio * 100).toFixed(1)}%` }} />
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
