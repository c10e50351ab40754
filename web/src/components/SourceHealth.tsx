/**
 * Source health: every (city, source, feed), worst first (quarantined, then most failures in a
 * row, then the oldest success), as GET /api/sources orders them, with an Un-quarantine button.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type SourceHealth as Health } from '../api.js';
import { ago, count } from '../format.js';
import { ScrollTable, type Column } from './ScrollTable.js';

interface Props {
  token: string;
  interval: number;
}

const COLUMNS: Column[] = ['City', 'Source', 'Feed', 'State', { label: 'Failures', num: true }, { label: 'Events', num: true }, 'Last success', 'Last error', ''];

function state(h: Health): { label: string; badge: string } {
  if (h.quarantined) return { label: 'quarantined', badge: 'badge-crashed' };
  if (h.consecutiveFailures > 0) return { label: 'failing', badge: 'badge-starting' };
  return { label: 'ok', badge: 'badge-idle' };
}

export function SourceHealth({ token, interval }: Props) {
  const queryClient = useQueryClient();
  const health = useQuery({ queryKey: ['sources', token], queryFn: () => api.sources(token), refetchInterval: interval * 2 });
  const lift = useMutation({
    mutationFn: (id: string) => api.unquarantine(id, token),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['sources'] }),
  });
  const rows = health.data ?? [];

  return (
    <section className="panel" data-testid="source-health">
      <h2>
        Source health <span className="muted small">{health.data ? `${rows.filter((h) => h.quarantined).length} quarantined` : ''}</span>
      </h2>
      {health.error && <p className="error">Cannot load source health: {health.error.message}</p>}
      {lift.error && <p className="error" data-testid="source-unquarantine-error">{lift.error.message}</p>}
      {health.isPending && <p className="muted">Loading…</p>}
      {health.data && rows.length === 0 && <p className="muted">No source health yet: discovery has not run.</p>}
      {rows.length > 0 && (
        <ScrollTable columns={COLUMNS} testId="source-health-table">
          {rows.map((h) => {
            const s = state(h);
            return (
              <tr key={h.id} data-testid="source-health-row" data-source-id={h.id} data-state={s.label}>
                <td>{h.cityId}</td>
                <td>{h.source}</td>
                <td className="truncate" title={h.feed ?? ''}>{h.feed ?? '—'}</td>
                <td>
                  <span className={`badge ${s.badge}`}>{s.label}</span>
                  {h.quarantined && h.quarantinedUntil && <span className="muted small"> until {new Date(h.quarantinedUntil).toLocaleString()}</span>}
                </td>
                <td className="num" data-testid="source-failures">{count(h.consecutiveFailures)}</td>
                <td className="num">{h.eventsLastSeen === null ? '—' : count(h.eventsLastSeen)}</td>
                <td>{ago(h.lastSuccessAt)}</td>
                <td className="truncate" title={h.lastError ?? ''}>{h.lastError ?? '—'}</td>
                <td>
                  {h.quarantined && (
                    <button type="button" className="button-small" disabled={lift.isPending && lift.variables === h.id} onClick={() => lift.mutate(h.id)} data-testid="source-unquarantine">
                      Un-quarantine
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </ScrollTable>
      )}
    </section>
  );
}
