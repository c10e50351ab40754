/** Eventbrite v3 event (expand=venue,ticket_availability) → NormalizedEvent. */
import { categorize } from '../categories.js';
import { EMPTY_VENUE, priceRange, statusFromWord } from '../event.js';
import { FieldReader, asString, getPath, type JsonObject } from '../fields.js';
import { cleanDescription, cleanText, joinParts, toCoordinates, toCurrency, toPrice, toUrl } from '../text.js';
import { pickZone, toDate, type ParsedTime } from '../time.js';
import type { NormalizeContext, NormalizedEvent, NormalizedVenue } from '../types.js';

function readVenue(data: JsonObject): NormalizedVenue {
  const venue = getPath(data, 'venue');
  // Online events carry no venue (or a placeholder one); they have no place to put on a map.
  if (data.online_event === true || venue === null || venue === undefined) return { ...EMPTY_VENUE };
  const address = (field: string) => getPath(venue, `address.${field}`);
  return {
    name: cleanText(getPath(venue, 'name')),
    address: joinParts(asString(address('address_1')), asString(address('address_2'))),
    city: cleanText(address('city')),
    region: asString(address('region')),
    postalCode: asString(address('postal_code')),
    country: asString(address('country')),
    ...toCoordinates(address('latitude') ?? getPath(venue, 'latitude'), address('longitude') ?? getPath(venue, 'longitude')),
  };
}

/** `major_value` is the decimal amount ("25.00"); `value` is in minor units (2500). */
function ticketPrice(price: unknown): number | null {
  const major = toPrice(getPath(price, 'major_value'));
  if (major !== null) return major;
  const minor = toPrice(getPath(price, 'value'));
  return minor === null ? null : minor / 100;
}

/**
 * `utc` is authoritative (read as UTC even if its "Z" went missing); `local`, the wall clock in
 * `timezone`, is the fallback when it is absent.
 */
function readPoint(reader: FieldReader, path: string, zone: string): ParsedTime | null {
  return reader.time(`${path}.utc`, 'UTC') ?? reader.time(`${path}.local`, zone);
}

export function normalizeEventbrite(data: JsonObject, context: NormalizeContext): NormalizedEvent {
  const reader = new FieldReader('eventbrite', data);
  const externalId = reader.requireString('id');
  reader.recordId = externalId;
  const title = cleanText(reader.get('name.text')) ?? cleanText(reader.get('name.html')) ?? reader.missing('name.text');

  const timezone = pickZone(reader.get('start.timezone'), reader.get('end.timezone'), context.timezone);
  const start = readPoint(reader, 'start', timezone) ?? reader.missing('start.utc', 'need start.utc or start.local');
  const end = readPoint(reader, 'end', timezone);
  const minimum = reader.get('ticket_availability.minimum_ticket_price');
  const maximum = reader.get('ticket_availability.maximum_ticket_price');

  return {
    source: 'eventbrite',
    externalId,
    title,
    description:
      cleanDescription(reader.get('description.text')) ?? cleanDescription(reader.get('description.html')) ?? cleanDescription(data.summary),
    startsAt: toDate(start),
    endsAt: end === null ? null : toDate(end),
    timezone,
    allDay: start.dateOnly,
    status: statusFromWord(data.status),
    venue: readVenue(data),
    ...priceRange([ticketPrice(minimum), ticketPrice(maximum)]),
    currency: toCurrency(getPath(minimum, 'currency')) ?? toCurrency(getPath(maximum, 'currency')) ?? toCurrency(data.currency),
    isFree: reader.boolean('is_free'),
    url: toUrl(data.url),
    imageUrl: toUrl(reader.get('logo.original.url')) ?? toUrl(reader.get('logo.url')),
    category: categorize('eventbrite', { categoryId: asString(data.category_id), title }),
  };
}
