/** One occurrence object from our iCalendar client → NormalizedEvent. */
import { categorize } from '../categories.js';
import { EMPTY_VENUE, statusFromWord } from '../event.js';
import { FieldReader, asArray, asString, getPath, type JsonObject } from '../fields.js';
import { cleanDescription, cleanText, splitLocation, toCoordinates, toUrl } from '../text.js';
import { localMidnight, midnightTime, pickZone, toDate, type ParsedTime } from '../time.js';
import type { NormalizeContext, NormalizedEvent, NormalizedVenue } from '../types.js';

/**
 * `start`/`end`: all-day values are dates; they start at local midnight in the event's zone
 * (DTEND of an all-day event is already exclusive, so it is taken as is). Timed values use `utc`,
 * which the client has resolved (floating times included); `local` is read in the zone only when
 * `utc` is absent.
 */
function readPoint(reader: FieldReader, path: string, zone: string): ParsedTime | null {
  if (reader.object(path) === null) return null;
  if (reader.get(`${path}.allDay`) === true) {
    const local = reader.string(`${path}.local`) ?? reader.missing(`${path}.local`, 'an all-day value needs its date');
    const midnight = localMidnight(local.slice(0, 10), zone);
    if (midnight === null) reader.invalid(`${path}.local`, local, 'is not a YYYY-MM-DD date');
    return midnightTime(midnight);
  }
  return reader.time(`${path}.utc`, 'UTC') ?? reader.time(`${path}.local`, zone);
}

function readVenue(location: unknown, geo: unknown): NormalizedVenue {
  return { ...EMPTY_VENUE, ...splitLocation(location), ...toCoordinates(getPath(geo, 'lat'), getPath(geo, 'lon')) };
}

export function normalizeIcs(data: JsonObject, context: NormalizeContext): NormalizedEvent {
  const reader = new FieldReader('ics', data);
  const uid = reader.requireString('uid');
  reader.recordId = reader.string('externalId') ?? uid;
  const title = cleanText(data.summary) ?? reader.missing('summary');

  const timezone = pickZone(reader.get('start.tzid'), context.timezone);
  const start = readPoint(reader, 'start', timezone) ?? reader.missing('start', 'need start.utc or start.local');
  const endZone = pickZone(reader.get('end.tzid'), timezone);
  const end = readPoint(reader, 'end', endZone);
  // Same derivation as the iCalendar client (the raw `start.utc` string): one id per occurrence.
  const isOccurrence = asString(data.recurrenceId) !== null || data.occurrence === true;
  const occurrenceKey = reader.string('start.utc') ?? start.instant.toUTC().toISO();
  const externalId = reader.string('externalId') ?? (isOccurrence ? `${uid}@${occurrenceKey}` : uid);
  const labels = asArray(data.categories).map(asString).filter((label): label is string => label !== null);

  return {
    source: 'ics',
    externalId,
    title,
    description: cleanDescription(data.description),
    startsAt: toDate(start),
    endsAt: end === null ? null : toDate(end),
    timezone,
    allDay: start.dateOnly,
    status: statusFromWord(data.status),
    venue: readVenue(data.location, data.geo),
    priceMin: null,
    priceMax: null,
    currency: null,
    isFree: null,
    url: toUrl(data.url),
    imageUrl: toUrl(data.image),
    category: categorize('ics', { labels, title }),
  };
}
