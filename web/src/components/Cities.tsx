/**
 * The cities view: each city with its configured sources, its events, what each source
 * discovered and when discovery last ran, and a button that queues discovery of that city.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type City, type CityStats, type ScheduleDiscoveryResult, type SystemStatus } from '../api.js';
import { ago, count } from '../format.js';
import { ScrollTable, type Column } from './ScrollTable.js';

interface Props {
  token: string;
  interval: number;
  providers: SystemStatus['providers'] | undefined;
}

const SOURCE_COLUMNS: Column[] = ['Source', { label: 'Records', num: true }, 'Last seen', 'Last discovery'];

/** What the city's settings give each source, in words ("2 feeds", "on", "off"). */
function configuredSources(city: City, providers: Props['providers']): Array<{ source: string; detail: string; off: boolean }> {
  const s = city.sources;
  const keyed = (source: string) => providers?.find((p) => p.source === source)?.enabled;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const eventbrite = (s.eventbrite?.organizationIds?.length ?? 0) + (s.eventbrite?.venueIds?.length ?? 0);
  const list = [
    { source: 'ics', detail: plural(s.ics?.feeds.length ?? 0, 'feed'), off: !s.ics?.feeds.length },
    { source: 'jsonld', detail: plural(s.jsonld?.pages.length ?? 0, 'page'), off: !s.jsonld?.pages.length },
    { source: 'eventbrite', detail: plural(eventbrite, 'organizer/venue'), off: eventbrite === 0 || keyed('eventbrite') === false },
    { source: 'ticketmaster', detail: s.ticketmaster?.enabled === false ? 'off for this city' : keyed('ticketmaster') === false ? 'no API key' : 'search', off: s.ticketmaster?.enabled === false || keyed('ticketmaster') === false },
    { source: 'yelp', detail: s.yelp?.enabled === false ? 'off for this city' : keyed('yelp') === false ? 'no API key' : 'search', off: s.yelp?.enabled === false || keyed('yelp') === false },
  ];
  return list;
}

export function Cities({ token, interval, providers }: Props) {
  const queryClient = useQueryClient();
  const cities = useQuery({ queryKey: ['cities', token], queryFn: () => api.cities(token), refetchInterval: interval * 6 });
  const stats = useQuery({ queryKey: ['city-stats', token], queryFn: () => api.cityStats(token), refetchInterval: interval * 2 });
  const discover = useMutation({
    mutationFn: (cityId: string) => api.discoverCity(cityId, token),
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['city-stats'] }), queryClient.invalidateQueries({ queryKey: ['status'] })]),
  });
  const statsOf = new Map<string, CityStats>((stats.data ?? []).map((s) => [s.cityId, s]));

  return (
    <section className="panel" data-testid="cities">
      <h2>
        Cities <span className="muted small">{cities.data ? cities.data.length : ''}</span>
      </h2>
      {cities.error && <p className="error">Cannot load the cities: {cities.error.message}</p>}
      {stats.error && <p className="error">Cannot load the counts: {stats.error.message}</p>}
      {cities.isPending && <p className="muted">Loading…</p>}
      {cities.data && cities.data.length === 0 && <p className="muted">No cities yet: add one with POST /api/cities or the cities file.</p>}
      <ul className="cities">
        {(cities.data ?? []).map((city) => {
          const s = statsOf.get(city.id);
          const pending = discover.isPending && discover.variables === city.id;
          const answered = discover.variables === city.id && !discover.isPending;
          return (
            <li key={city.id} className={`city${city.enabled ? '' : ' city-off'}`} data-testid="city-row" data-city-id={city.id}>
              <div className="city-head">
                <div className="city-name">
                  <strong>{city.name}</strong> <code className="muted">{city.id}</code>
                  {!city.enabled && <span className="badge badge-stopped">disabled</span>}
                </div>
                <button type="button" className="button-small" disabled={pending} onClick={() => discover.mutate(city.id)} data-testid="city-discover">
                  {pending ? 'Queuing…' : 'Discover now'}
                </button>
              </div>
              <p className="stats">
                <span className="stat">
                  <strong data-testid="city-events">{count(s?.events)}</strong> events
                </span>
                <span className="stat">
                  <strong data-testid="city-upcoming">{count(s?.upcomingEvents)}</strong> upcoming
                </span>
                <span className="stat" data-testid="city-last-discovery">
                  last discovery <strong>{s ? ago(s.lastDiscoveryAt) : '—'}</strong>
                </span>
                <span className="stat">{city.timezone}</span>
                <span className="stat">priority {city.priority}</span>
              </p>
              <ul className="chips" aria-label="configured sources">
                {configuredSources(city, providers).map((c) => (
                  <li key={c.source} className={`chip${c.off ? ' chip-off' : ''}`} data-testid="city-source" data-source={c.source} data-off={c.off}>
                    {c.source} · {c.detail}
                  </li>
                ))}
              </ul>
              {s && s.sources.length > 0 && (
                <ScrollTable columns={SOURCE_COLUMNS}>
                  {s.sources.map((src) => (
                    <tr key={src.source} data-testid="city-source-stats" data-source={src.source}>
                      <td>{src.source}</td>
                      <td className="num" data-testid="city-source-records">{count(src.records)}</td>
                      <td>{ago(src.lastSeenAt)}</td>
                      <td>{ago(src.lastDiscoveryAt)}</td>
                    </tr>
                  ))}
                </ScrollTable>
              )}
              {answered && (
                <p className="control-result" role="status" data-testid="city-discover-result">
                  {discover.isSuccess && <DiscoveryAnswer result={discover.data} />}
                  {discover.isError && <span className="error">Discovery failed: {discover.error.message}</span>}
                </p>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function DiscoveryAnswer({ result }: { result: ScheduleDiscoveryResult }) {
  const queued = result.queued.length;
  return (
    <span className={queued > 0 ? 'ok' : 'muted'}>
      {queued} task{queued === 1 ? '' : 's'} queued{queued > 0 ? ` (${result.queued.map((q) => q.source).join(', ')})` : ''}
      {result.skipped.length > 0 && (
        <>
          ; skipped {result.skipped.map((s) => `${s.source}: ${s.reason}`).join('; ')}
        </>
      )}
    </span>
  );
}
