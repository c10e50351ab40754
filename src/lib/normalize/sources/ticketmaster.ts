/** Ticketmaster Discovery API v2 event → NormalizedEvent. */
import { categorize } from '../categories.js';
import { EMPTY_VENUE, priceRange, statusFromWord } from '../event.js';
import { FieldReader, asArray, asString, getPath, isObject, type JsonObject } from '../fields.js';
import { cleanDescription, cleanText, joinParts, toCoordinates, toCurrency, toPrice, toUrl } from '../text.js';
import { endInstant, localMidnight, midnightTime, parseDateTime, pickZone, toDate, type ParsedTime } from '../time.js';
import type { NormalizeContext, NormalizedEvent, NormalizedVenue } from '../types.js';

function widestImage(images: unknown[]): string | null {
  let best: { url: string; width: number } | null = null;
  for (const image of images) {
    const url = toUrl(getPath(image, 'url'));
    const width = Number(getPath(image, 'width')) || 0;
    if (url !== null && (best === null || width > best.width)) best = { url, width };
  }
  return best?.url ?? null;
}

function readVenue(venue: JsonObject | null): NormalizedVenue {
  if (venue === null) return { ...EMPTY_VENUE };
  return {
    name: cleanText(venue.name),
    address: joinParts(asString(getPath(venue, 'address.line1')), asString(getPath(venue, 'address.line2'))),
    city: cleanText(getPath(venue, 'city.name')),
    region: asString(getPath(venue, 'state.stateCode')) ?? cleanText(getPath(venue, 'state.name')),
    postalCode: asString(venue.postalCode),
    country: asString(getPath(venue, 'country.countryCode')) ?? cleanText(getPath(venue, 'country.name')),
    ...toCoordinates(getPath(venue, 'location.latitude'), getPath(venue, 'location.longitude')),
  };
}

/**
 * `dates.start` (or `dates.end`): `dateTime` is the UTC instant; `localDate`/`localTime` are the
 * wall clock in the event's zone. With `dateTBD`/`dateTBA`/`timeTBA`/`noSpecificTime` the time is
 * not meaningful (Ticketmaster then often fills `dateTime` with a placeholder), so the event is
 * all day on `localDate`. Null when the object gives no date at all.
 */
function readPoint(reader: FieldReader, path: string, zone: string): { at: ParsedTime; allDay: boolean } | null {
  const point = reader.object(path);
  if (point === null) return null;
  const noTime = ['dateTBD', 'dateTBA', 'timeTBA', 'noSpecificTime'].some((flag) => point[flag] === true);
  if (!noTime) {
    const dateTime = reader.time(`${path}.dateTime`, 'UTC');
    if (dateTime !== null) return { at: dateTime, allDay: dateTime.dateOnly };
  }
  const localDate = asString(point.localDate);
  if (localDate === null) return null;
  const midnight = localMidnight(localDate, zone);
  if (midnight === null) reader.invalid(`${path}.localDate`, localDate, 'is not a YYYY-MM-DD date');
  const localTime = asString(point.localTime);
  if (noTime || localTime === null) return { at: midnightTime(midnight), allDay: true };
  const local = parseDateTime(`${localDate}T${localTime}`, zone);
  if (local === null || local.hasOffset) reader.invalid(`${path}.localTime`, localTime, 'is not a HH:mm[:ss] local time');
  return { at: local, allDay: false };
}

export function normalizeTicketmaster(data: JsonObject, context: NormalizeContext): NormalizedEvent {
  const reader = new FieldReader('ticketmaster', data);
  const externalId = reader.requireString('id');
  reader.recordId = externalId;
  const title = cleanText(data.name) ?? reader.missing('name');

  const venueObject = reader.object('_embedded.venues.0');
  const timezone = pickZone(reader.get('dates.timezone'), venueObject?.timezone, context.timezone);
  const start = readPoint(reader, 'dates.start', timezone) ?? reader.missing('dates.start', 'need dateTime or localDate');
  const end = readPoint(reader, 'dates.end', timezone);

  const classifications = asArray(data.classifications).filter(isObject);
  const classification = classifications.find((c) => c.primary === true) ?? classifications[0];
  // Ticketmaster lists the face value ("standard") beside variants such as "standard including fees".
  const allRanges = asArray(data.priceRanges).filter(isObject);
  const standardRanges = allRanges.filter((range) => range.type === 'standard');
  const priceRanges = standardRanges.length > 0 ? standardRanges : allRanges;

  return {
    source: 'ticketmaster',
    externalId,
    title,
    description: cleanDescription(data.description) ?? cleanDescription(data.info),
    startsAt: toDate(start.at),
    endsAt: endInstant(end?.at ?? null, timezone),
    timezone,
    allDay: start.allDay,
    status: statusFromWord(reader.get('dates.status.code')),
    venue: readVenue(venueObject),
    ...priceRange(priceRanges.flatMap((range) => [toPrice(range.min), toPrice(range.max)])),
    currency: toCurrency(priceRanges[0]?.currency),
    isFree: null,
    url: toUrl(data.url),
    imageUrl: widestImage(asArray(data.images)),
    category: categorize('ticketmaster', {
      segment: asString(getPath(classification, 'segment.name')),
      genre: asString(getPath(classification, 'genre.name')),
      title,
    }),
  };
}
