/**
 * The events explorer: the filters of GET /api/events, read from the API's own OpenAPI
 * document (so a filter added to the API appears here), and the matching events with their
 * sources, status and approximate-location flag, a page at a time.
 */
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { CATEGORIES } from '../../../src/contracts/categories.js';
import { api, type ApiParameter, type CanonicalEvent, type City, type ParameterSchema } from '../api.js';
import { localTime } from '../format.js';

const LABELS: Record<string, string> = {
  q: 'Text',
  city: 'City',
  category: 'Category',
  from: 'From',
  to: 'To',
  lat: 'Latitude',
  lng: 'Longitude',
  radius_km: 'Radius (km)',
  status: 'Status',
  source: 'Source',
  free: 'Free',
  updated_since: 'Updated since',
  sort: 'Order',
  order: 'Order',
  tz: 'Time zone',
  limit: 'Per page',
};
const DEFAULTS: Record<string, string> = { limit: '20' };
/** Fields in this order first; any others the API documents follow in its order. */
const ORDER = ['q', 'city', 'from', 'to', 'category', 'status', 'free', 'source', 'lat', 'lng', 'radius_km', 'sort', 'limit'];
const rank = (name: string) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);
/**
 * Values of list parameters whose documented items carry no enumeration (a list parsed from
 * comma-separated text documents its items as anything). Others get a text field.
 * (categories.ts has no zod in it, so importing it keeps zod out of the bundle.)
 */
const KNOWN_VALUES: Record<string, readonly string[]> = {
  category: CATEGORIES,
  status: ['scheduled', 'cancelled', 'postponed', 'rescheduled'],
};

type Values = Record<string, string | string[]>;

function variants(schema: ParameterSchema | undefined): ParameterSchema[] {
  if (!schema) return [];
  const list = schema.anyOf ?? schema.oneOf;
  return list ? list.flatMap(variants) : [schema];
}

/** The values a parameter allows, when it is an enumeration. */
function choices(schema: ParameterSchema | undefined): string[] | undefined {
  const all = variants(schema);
  const values = all.flatMap((v) => (v.enum ? v.enum : v.const !== undefined ? [v.const] : [])).map(String);
  return values.length > 0 && all.every((v) => v.enum || v.const !== undefined) ? values : undefined;
}

const typeOf = (schema: ParameterSchema | undefined, type: string) => variants(schema).some((v) => v.type === type || (Array.isArray(v.type) && v.type.includes(type)));

function Field({ param, value, cities, onChange }: { param: ApiParameter; value: string | string[] | undefined; cities: City[] | undefined; onChange(v: string | string[]): void }) {
  const { name, schema } = param;
  const id = `filter-${name}`;
  const label = LABELS[name] ?? name;
  const testId = `filter-${name}`;
  const text = typeof value === 'string' ? value : '';
  const array = variants(schema).find((v) => v.type === 'array');
  let input;
  const listed = array ? (choices(array.items) ?? KNOWN_VALUES[name]) : undefined;
  if (array && !listed) {
    input = <input id={id} type="text" placeholder="a, b" value={Array.isArray(value) ? value.join(', ') : text} onChange={(e) => onChange(e.target.value)} data-testid={testId} />;
  } else if (array) {
    const options = listed ?? [];
    input = (
      <select id={id} multiple value={Array.isArray(value) ? value : []} onChange={(e) => onChange([...e.target.selectedOptions].map((o) => o.value))} data-testid={testId}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  } else if (choices(schema) || typeOf(schema, 'boolean') || (name === 'city' && cities)) {
    const options = choices(schema) ?? (typeOf(schema, 'boolean') ? ['true', 'false'] : (cities ?? []).map((c) => c.id));
    input = (
      <select id={id} value={text} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {name === 'city' ? (cities?.find((c) => c.id === o)?.name ?? o) : o}
          </option>
        ))}
      </select>
    );
  } else {
    const dateOnly = variants(schema).some((v) => v.format === 'date');
    const numeric = typeOf(schema, 'number') || typeOf(schema, 'integer');
    input = (
      <input
        id={id}
        type={name === 'q' ? 'search' : dateOnly ? 'date' : 'text'}
        inputMode={numeric ? 'decimal' : undefined}
        placeholder={numeric && schema?.minimum !== undefined && schema.maximum !== undefined ? `${schema.minimum} – ${schema.maximum}` : undefined}
        value={text}
        onChange={(e) => onChange(e.target.value)}
        data-testid={testId}
      />
    );
  }
  return (
    <div className={`filter${name === 'q' ? ' filter-wide' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {input}
    </div>
  );
}

function toSearch(values: Values): URLSearchParams {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) {
    // Lists travel as comma-separated text, which the event query parses into its values.
    if (Array.isArray(v)) {
      if (v.length > 0) qs.set(k, v.join(','));
    }
    else if (v.trim() !== '') qs.set(k, v.trim());
  }
  return qs;
}

export function EventsExplorer({ token }: { token: string }) {
  const filters = useQuery({ queryKey: ['event-filters'], queryFn: api.eventFilters, staleTime: Infinity });
  const cities = useQuery({ queryKey: ['cities', token], queryFn: () => api.cities(token) });
  const [draft, setDraft] = useState<Values>(DEFAULTS);
  const [applied, setApplied] = useState<Values>(DEFAULTS);
  const search = toSearch(applied);
  const events = useInfiniteQuery({
    queryKey: ['events', search.toString()],
    queryFn: ({ pageParam }) => api.events(search, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const list = events.data?.pages.flatMap((p) => p.events) ?? [];
  const cityName = new Map((cities.data ?? []).map((c) => [c.id, c.name]));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setApplied({ ...draft });
  };
  const clear = () => {
    setDraft(DEFAULTS);
    setApplied(DEFAULTS);
  };

  return (
    <section className="panel" data-testid="events-explorer">
      <h2>Events</h2>
      {filters.error && <p className="error">Cannot load the filters: {filters.error.message}</p>}
      <form className="filters" onSubmit={submit} data-testid="event-filters">
        {[...(filters.data ?? [])].sort((a, b) => rank(a.name) - rank(b.name)).map((p) => (
          <Field key={p.name} param={p} value={draft[p.name]} cities={cities.data} onChange={(v) => setDraft((d) => ({ ...d, [p.name]: v }))} />
        ))}
        <div className="filter-actions">
          <button type="submit" data-testid="events-search">
            Search
          </button>
          <button type="button" className="button-secondary" onClick={clear}>
            Clear
          </button>
        </div>
      </form>
      <p className="muted small" role="status" data-testid="events-summary">
        {events.isPending
          ? 'Searching…'
          : events.error
            ? ''
            : `${list.length} event${list.length === 1 ? '' : 's'}${events.hasNextPage ? ' so far' : ''}`}
      </p>
      {events.error && (
        <p className="error" role="alert" data-testid="events-error">
          {events.error.message}
        </p>
      )}
      <ul className="events">
        {list.map((e) => (
          <EventRow key={e.id} event={e} cities={(e.cityIds ?? (e.cityId ? [e.cityId] : [])).map((id) => cityName.get(id) ?? id)} />
        ))}
      </ul>
      {events.hasNextPage && (
        <button type="button" className="button-secondary load-more" disabled={events.isFetchingNextPage} onClick={() => void events.fetchNextPage()} data-testid="events-more">
          {events.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}

function EventRow({ event: e, cities }: { event: CanonicalEvent; cities: string[] }) {
  const place = [e.venue.name, e.venue.city].filter(Boolean).join(', ');
  const price = e.isFree ? 'free' : e.priceMin !== null ? `${e.priceMin}${e.priceMax !== null && e.priceMax !== e.priceMin ? `–${e.priceMax}` : ''} ${e.currency ?? ''}`.trim() : null;
  return (
    <li className={`event event-${e.status}`} data-testid="event-row" data-event-id={e.id}>
      <div className="event-head">
        <strong className="event-title" data-testid="event-title">
          {e.url ? (
            <a href={e.url} target="_blank" rel="noreferrer noopener">
              {e.title}
            </a>
          ) : (
            e.title
          )}
        </strong>
        <span className={`badge badge-status-${e.status}`} data-testid="event-status">
          {e.status}
        </span>
        {e.locationApproximate && (
          <span className="badge badge-approx" title="The source gave no coordinates: the position is the city's" data-testid="event-approx">
            approximate location
          </span>
        )}
      </div>
      <p className="stats">
        <span className="stat">{localTime(e.startsAt, e.timezone, e.allDay)}</span>
        {place && <span className="stat event-place">{place}</span>}
        {cities.length > 0 && <span className="stat" data-testid="event-cities">{cities.join(' · ')}</span>}
        <span className="chip">{e.category}</span>
        {price && <span className="stat">{price}</span>}
        {e.distanceKm !== undefined && <span className="stat">{e.distanceKm.toFixed(1)} km</span>}
        {e.missingSince && <span className="stat error">no longer listed</span>}
      </p>
      <ul className="chips" aria-label="sources">
        {e.sources.map((s) => (
          <li key={`${s.source}:${s.externalId}`} className={`chip${s.missingSince ? ' chip-off' : ''}`} data-testid="event-source" data-source={s.source}>
            {s.url ? (
              <a href={s.url} target="_blank" rel="noreferrer noopener">
                {s.source}
              </a>
            ) : (
              s.source
            )}
            {s.status !== e.status ? ` · ${s.status}` : ''}
          </li>
        ))}
      </ul>
    </li>
  );
}
