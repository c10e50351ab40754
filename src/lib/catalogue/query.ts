/**
 * Querying the catalogue: filters, keyset pages, and single events by (possibly old) id.
 *
 * `queryEvents` validates its input (a ValidationError names the field), then reads one page
 * in (starts_at, id) order. `from`/`to` bound starts_at, both inclusive; a point without
 * `radius_km` searches DEFAULT_RADIUS_KM around it. Radius searches prefilter on a bounding box the (latitude,
 * longitude) index serves, then keep rows by exact haversine distance; text search is a LIKE
 * over the lower-cased `search_text` (title, venue, city) with the user's wildcards escaped,
 * which runs the same on PGlite. Merged-away events never appear; their ids still resolve
 * through `getEvent`.
 */
import { EVENT_QUERY_MAX_LIMIT, eventQuerySchema, type EventQueryInput } from '../../contracts/event-query.js';
import { parseWith } from '../../contracts/parse.js';
import { selectEvent, selectEventPage, selectEventSources, resolveEventId, type EventSourceRow } from '../db/queries/events.js';
import type { Queryable } from '../db/types.js';
import { ValidationError } from '../errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { eventJson, type CanonicalEventJson } from './event-json.js';
import { boundingBox } from '../geo.js';

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

/** `%text%` for LIKE, with the user's own %, _ and \ matched literally. */
function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function groupSources(rows: readonly EventSourceRow[]): Map<string, EventSourceRow[]> {
  const byEvent = new Map<string, EventSourceRow[]>();
  for (const s of rows) {
    const list = byEvent.get(s.event_id);
    if (list) list.push(s);
    else byEvent.set(s.event_id, [s]);
  }
  return byEvent;
}

export async function queryEvents(db: Queryable, input: EventQueryInput): Promise<EventPage> {
  const q = parseWith(eventQuerySchema, input ?? {});
  const limit = q.limit ?? DEFAULT_LIMIT;
  const near = q.lat !== undefined && q.lng !== undefined
    ? { lat: q.lat, lng: q.lng, radiusKm: q.radius_km ?? DEFAULT_RADIUS_KM }
    : undefined;
  const rows = await selectEventPage(db, {
    from: q.from === undefined ? undefined : new Date(q.from),
    to: q.to === undefined ? undefined : new Date(q.to),
    category: q.category,
    searchPattern: q.q === undefined ? undefined : containsPattern(q.q),
    near: near && { ...near, box: boundingBox(near.lat, near.lng, near.radiusKm) },
    after: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
    exclude: q.exclude,
    // One more than asked tells whether another page follows.
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const sources = groupSources(await selectEventSources(db, page.map((r) => r.id)));
  const last = page[page.length - 1];
  return {
    events: page.map((r) => eventJson(r, sources.get(r.id) ?? [])),
    nextCursor: rows.length > limit && last ? encodeCursor({ startsAt: new Date(last.starts_at), id: last.id }) : null,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One event with its sources and merge reasons. An id that was merged away resolves to the
 * event that absorbed it (the result's `id` tells which). Null when no event has the id.
 */
export async function getEvent(db: Queryable, id: string): Promise<CanonicalEventJson | null> {
  if (typeof id !== 'string' || !UUID.test(id)) throw new ValidationError('id: must be a UUID');
  const resolved = await resolveEventId(db, id);
  if (resolved === null) return null;
  const row = await selectEvent(db, resolved);
  if (row === null) return null;
  return eventJson(row, await selectEventSources(db, [resolved]), { reasons: true });
}
