/** schema.org Event (JSON-LD found on a venue's page) → NormalizedEvent. */
import { createHash } from 'node:crypto';
import { categorize } from '../categories.js';
import { EMPTY_VENUE, priceRange, statusFromWord } from '../event.js';
import { FieldReader, asArray, asString, getPath, isObject, type JsonObject } from '../fields.js';
import { cleanDescription, cleanText, splitLocation, toCoordinates, toCurrency, toPrice, toUrl } from '../text.js';
import { endInstant, pickZone, toDate } from '../time.js';
import type { EventStatus, NormalizeContext, NormalizedEvent, NormalizedVenue } from '../types.js';

/** A schema.org value that may be a bare name, a URL (https://schema.org/X) or a node {"@id": URL}. */
function schemaName(value: unknown): string | null {
  const text = asString(isObject(value) ? (value['@id'] ?? value.name) : value);
  return text === null ? null : text.replace(/^.*[/#:]/, '');
}

/**
 * EventMovedOnline becomes 'scheduled': the event still happens at the announced time, and our
 * statuses say whether and when it happens, not where ('rescheduled' would send readers looking
 * for a new date). The venue is kept as published.
 */
function readStatus(value: unknown): EventStatus {
  const name = schemaName(value);
  return name === 'EventMovedOnline' ? 'scheduled' : statusFromWord(name);
}

function readOffers(offers: unknown) {
  const list = asArray(offers).filter(isObject);
  const prices: Array<number | null> = [];
  let currency: string | null = null;
  for (const offer of list) {
    const specs = asArray(offer.priceSpecification).filter(isObject);
    for (const node of [offer, ...specs]) {
      prices.push(toPrice(node.price), toPrice(node.lowPrice), toPrice(node.highPrice), toPrice(node.minPrice), toPrice(node.maxPrice));
      currency ??= toCurrency(node.priceCurrency);
    }
  }
  return { ...priceRange(prices), currency };
}

function imageUrl(image: unknown, base: string | null): string | null {
  for (const item of asArray(image)) {
    const url = isObject(item) ? (toUrl(item.url, base) ?? toUrl(item.contentUrl, base)) : toUrl(item, base);
    if (url !== null) return url;
  }
  return null;
}

function readVenue(location: unknown): NormalizedVenue {
  const places = asArray(location);
  // A VirtualLocation (an online stream) has no place on a map.
  const place = places.find((p) => typeof p === 'string' || (isObject(p) && schemaName(p['@type']) !== 'VirtualLocation'));
  if (typeof place === 'string') return { ...EMPTY_VENUE, ...splitLocation(place) };
  if (!isObject(place)) return { ...EMPTY_VENUE };
  const address = asArray(place.address)[0];
  const coordinates = toCoordinates(getPath(place, 'geo.latitude'), getPath(place, 'geo.longitude'));
  if (!isObject(address)) return { ...EMPTY_VENUE, name: cleanText(place.name), address: cleanText(address), ...coordinates };
  const country = address.addressCountry;
  return {
    name: cleanText(place.name),
    address: cleanText(address.streetAddress),
    city: cleanText(address.addressLocality),
    region: cleanText(address.addressRegion),
    postalCode: asString(address.postalCode),
    country: cleanText(isObject(country) ? (country.name ?? country.identifier) : country),
    ...coordinates,
  };
}

function stableHash(...parts: Array<string | null>): string {
  return createHash('sha1').update(parts.map((part) => part ?? '').join('\n')).digest('hex').slice(0, 16);
}

/**
 * JSON-LD carries no zone: times with an offset are instants; naive ones and bare dates (all day)
 * are read in the city's zone, which is also the event's `timezone`. Relative `@id`, `url` and
 * image links are resolved against `@sourcePage`, the page the object was found on.
 */
export function normalizeJsonLd(data: JsonObject, context: NormalizeContext): NormalizedEvent {
  const reader = new FieldReader('jsonld', data);
  const sourcePage = toUrl(data['@sourcePage']);
  const id = toUrl(data['@id'], sourcePage) ?? asString(data['@id']);
  const ownUrl = toUrl(data.url, sourcePage);
  reader.recordId = id ?? ownUrl;
  const title = cleanText(data.name) ?? reader.missing('name');

  const timezone = pickZone(context.timezone);
  const start = reader.time('startDate', timezone) ?? reader.missing('startDate');
  const end = reader.time('endDate', timezone);
  const venue = readVenue(data.location);
  const offers = readOffers(data.offers);
  const free = reader.boolean('isAccessibleForFree');

  return {
    source: 'jsonld',
    externalId: id ?? ownUrl ?? stableHash(title, reader.string('startDate'), venue.name),
    title,
    description: cleanDescription(data.description),
    startsAt: toDate(start),
    endsAt: endInstant(end, timezone),
    timezone,
    allDay: start.dateOnly,
    status: readStatus(data.eventStatus),
    venue,
    ...offers,
    isFree: free,
    url: ownUrl ?? sourcePage,
    imageUrl: imageUrl(data.image, sourcePage),
    category: categorize('jsonld', { schemaType: asArray(data['@type']).map(asString).filter((t): t is string => t !== null), title }),
  };
}
