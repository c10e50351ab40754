/**
 * Querying the catalogue: filters, keyset pages, and single events by (possibly old) id.
 *
 * `queryEvents` validates its input against the event-query contract (a ValidationError names
 * the field), turns it into a page request and reads one page:
 * - time: `from`/`to` match the events that overlap the range; a date without a time is that
 *   whole day in `tz`, else the `city`'s zone, else UTC;
 * - place: a point searches `radius_km` (default DEFAULT_RADIUS_KM) around it, a `city` its
 *   area (centre and radius). Events without coordinates are placed at the cities they were
 *   discovered for, and come back with `locationApproximate: true`;
 * - text: every word of `q`, anywhere in title, venue or city, ignoring case and accents;
 * - order: start time (default), distance, or text relevance; each pages by keyset.
 * Merged-away events never appear; their ids still resolve through `getEvent`.
 */
import { EVENT_QUERY_MAX_LIMIT, eventQuerySchema, type EventQuery, type EventQueryInput } from '../../contracts/event-query.js';
import { parseWith } from '../../contracts/parse.js';
import {
  selectEventPage, selectResolvedEvent,
  type Area, type EventPageFilter,
} from '../db/queries/events.js';
import { cityPlaces, type CityPlace } from '../db/queries/cities.js';
import type { Queryable } from '../db/types.js';
import { ValidationError } from '../errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { renderedEvents } from './event-cache.js';
import { eventJson, type CanonicalEventJson } from './event-json.js';
import { boundingBox, distanceKm } from '../geo.js';
import { localMidnight, nextLocalMidnight } from '../normalize/time.js';

export type { CanonicalEventJson } from './event-json.js';
export type { EventQueryInput } from '../../contracts/event-query.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = EVENT_QUERY_MAX_LIMIT;
/** Radius used when a point is given without one. */
export const DEFAULT_RADIUS_KM = 25;

export interface EventPage {
  events: CanonicalEventJson[];
  /** pass back as `cursor` for the next page; null on the last page */
  nextCursor: string | null;
}

/** `%word%` for LIKE, with the user's own %, _ and \ matched literally. */
function containsPattern(word: string): string {
  return `%${word.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** `from`: a date is its local midnight; `to`: a date is the last instant of that day. */
function instantOf(text: string, zone: string, edge: 'from' | 'to'): Date {
  if (!DATE_ONLY.test(text)) return new Date(text);
  const midnight = localMidnight(text, zone);
  if (midnight === null) throw new ValidationError(`${edge}: not a date`);
  if (edge === 'from') return midnight.toJSDate();
  return new Date(nextLocalMidnight(midnight, zone).toMillis() - 1);
}

async function loadCities(db: Queryable, q: EventQuery): Promise<{ all: CityPlace[]; asked?: CityPlace }> {
  if (q.city === undefined && q.lat === undefined) return { all: [] };
  let all = await cityPlaces(db);
  if (q.city === undefined) return { all };
  let asked = all.find((c) => c.id === q.city);
  // A city added a moment ago (by another process) may not be in the kept list yet.
  if (!asked) {
    all = await cityPlaces(db, { fresh: true });
    asked = all.find((c) => c.id === q.city);
  }
  if (!asked) throw new ValidationError(`city: no city with id ${JSON.stringify(q.city)}`);
  return { all, asked };
}

const area = (lat: number, lng: number, radiusKm: number): Area => ({ lat, lng, radiusKm, box: boundingBox(lat, lng, radiusKm) });

/** The page request a validated query stands for. */
async function pageFilter(db: Queryable, q: EventQuery, limit: number): Promise<EventPageFilter> {
  const cities = await loadCities(db, q);
  const zone = q.tz ?? cities.asked?.timezone ?? 'UTC';
  const areas: Area[] = [];
  const unlocatedCities: string[][] = [];
  let distanceFrom: EventPageFilter['distanceFrom'];
  if (q.lat !== undefined && q.lng !== undefined) {
    const radiusKm = q.radius_km ?? DEFAULT_RADIUS_KM;
    areas.push(area(q.lat, q.lng, radiusKm));
    // An event without coordinates is as near as the nearest city it was discovered for.
    const near = cities.all
      .map((c) => [c.id, distanceKm(q.lat!, q.lng!, c.latitude, c.longitude)] as const)
      .filter(([, d]) => d <= radiusKm);
    unlocatedCities.push(near.map(([id]) => id));
    distanceFrom = { lat: q.lat, lng: q.lng, cityDistances: near };
  }
  if (cities.asked) {
    const c = cities.asked;
    areas.push(area(c.latitude, c.longitude, c.radiusM / 1000));
    unlocatedCities.push([c.id]);
  }
  const from = q.from === undefined ? undefined : instantOf(q.from, zone, 'from');
  const to = q.to === undefined ? undefined : instantOf(q.to, zone, 'to');
  if (from && to && from > to) throw new ValidationError('from: must not be after to');
  const sort = q.sort ?? 'start';
  let after: EventPageFilter['after'];
  if (q.cursor !== undefined) {
    const c = decodeCursor(q.cursor);
    if ((c.kind ?? 'start') !== sort) throw new ValidationError(`cursor: belongs to a page sorted by ${c.kind ?? 'start'}, not ${sort}`);
    after = c.kind ? { key: c.key!, id: c.id } : { startsAt: c.startsAt!, id: c.id };
  }
  const words = q.q === undefined ? [] : q.q.split(/\s+/).filter((w) => w.length > 0);
  // The words index narrows to events having a word that starts with each word of the query
  // (the contract asks `q` for a letter or a digit).
  const wordQuery = q.q;
  return {
    from,
    to,
    categories: q.category,
    statuses: q.status,
    sources: q.source,
    free: q.free,
    updatedSince: q.updated_since === undefined ? undefined : new Date(q.updated_since),
    wordPatterns: words.map(containsPattern),
    wordQuery,
    text: q.q,
    areas,
    unlocatedCities,
    distanceFrom,
    sort,
    after,
    exclude: q.exclude,
    // One more than asked tells whether another page follows.
    limit: limit + 1,
  };
}

/**
 * One page as the API writes it: `{"events":[…],"nextCursor":…}` (EventPage), redacted, each
 * event's text kept by version (event-cache.ts).
 */
export async function queryEventsJson(db: Queryable, input: EventQueryInput): Promise<string> {
  const q = parseWith(eventQuerySchema, input ?? {});
  const limit = q.limit ?? DEFAULT_LIMIT;
  const filter = await pageFilter(db, q, limit);
  const keys = await selectEventPage(db, filter);
  const page = keys.slice(0, limit);
  const last = page[page.length - 1];
  let nextCursor: string | null = null;
  if (keys.length > limit && last) {
    nextCursor = filter.sort === 'start' || last.sort_key === undefined || last.sort_key === null
      ? encodeCursor({ startsAt: new Date(last.starts_at), id: last.id })
      : encodeCursor({ kind: filter.sort, key: Number(last.sort_key), id: last.id });
  }
  return `{"events":[${(await renderedEvents(db, page)).join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`;
}

/** One page of events (queryEventsJson, read back). */
export async function queryEvents(db: Queryable, input: EventQueryInput): Promise<EventPage> {
  return JSON.parse(await queryEventsJson(db, input)) as EventPage;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One event with its sources and merge reasons. An id that was merged away resolves to the
 * event that absorbed it (the result's `id` tells which). Null when no event has the id.
 */
export async function getEvent(db: Queryable, id: string): Promise<CanonicalEventJson | null> {
  if (typeof id !== 'string' || !UUID.test(id)) throw new ValidationError('id: must be a UUID');
  const row = await selectResolvedEvent(db, id);
  return row === null ? null : eventJson(row, row.sources ?? [], { reasons: true });
}
