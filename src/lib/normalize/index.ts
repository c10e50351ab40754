/**
 * Raw provider records → the catalogue's one event shape.
 *
 * `normalizeRawEvent(source, data, context)` dispatches to one reader per source
 * (`sources/<source>.ts`), then applies the rules every source shares (`finishEvent`). A record
 * that cannot become an event throws a NormalizationError naming the source, record and field.
 *
 * Shared rules: text has HTML entities decoded, tags stripped and whitespace collapsed;
 * coordinates may be strings and are dropped when invalid or out of range; `timezone` is always a
 * valid IANA zone (the source's, else `context.timezone`, else 'UTC'); naive local times are read
 * in that zone with the DST rules described in `time.ts`; an end before the start is
 * dropped; a bare end date includes that day.
 */
import { normalizeEventbrite } from './sources/eventbrite.js';
import { finishEvent } from './event.js';
import { isObject, type JsonObject } from './fields.js';
import { normalizeIcs } from './sources/ics.js';
import { normalizeJsonLd } from './sources/jsonld.js';
import { normalizeTicketmaster } from './sources/ticketmaster.js';
import {
  INGEST_SOURCES,
  NormalizationError,
  type IngestSource,
  type NormalizeContext,
  type NormalizedEvent,
} from './types.js';
import { normalizeYelp } from './sources/yelp.js';

export { CATEGORIES, categorize, type Category, type CategoryHints } from './categories.js';
export {
  INGEST_SOURCES,
  NormalizationError,
  type EventStatus,
  type IngestSource,
  type NormalizeContext,
  type NormalizedEvent,
  type NormalizedVenue,
} from './types.js';

const READERS: Record<IngestSource, (data: JsonObject, context: NormalizeContext) => NormalizedEvent> = {
  ticketmaster: normalizeTicketmaster,
  eventbrite: normalizeEventbrite,
  yelp: normalizeYelp,
  ics: normalizeIcs,
  jsonld: normalizeJsonLd,
};

export function isIngestSource(source: string): source is IngestSource {
  return (INGEST_SOURCES as readonly string[]).includes(source);
}

export function normalizeRawEvent(source: string, data: unknown, context: NormalizeContext = {}): NormalizedEvent {
  if (!isIngestSource(source)) {
    throw new NormalizationError(source, null, 'source', `unknown source "${source}" (expected one of ${INGEST_SOURCES.join(', ')})`);
  }
  if (!isObject(data)) {
    const got = data === null ? 'null' : Array.isArray(data) ? 'an array' : typeof data;
    throw new NormalizationError(source, null, '$', `invalid record: expected an object, got ${got}`);
  }
  return finishEvent(READERS[source](data, context), context);
}
