/** Yelp Fusion v3 /events item → NormalizedEvent. */
import { categorize } from '../categories.js';
import { priceRange } from '../event.js';
import { FieldReader, asArray, asString, getPath, type JsonObject } from '../fields.js';
import { cleanDescription, cleanText, joinParts, toCoordinates, toPrice, toUrl } from '../text.js';
import { endInstant, pickZone, toDate } from '../time.js';
import type { NormalizeContext, NormalizedEvent } from '../types.js';

/**
 * Yelp times come with an offset ("2026-03-01T19:00:00-08:00") or as a naive wall clock
 * ("2026-03-01 19:00"), which is the city's: Yelp gives no zone, so the city's zone is used
 * both for reading naive times and as the event's `timezone`. Yelp gives no currency either.
 */
export function normalizeYelp(data: JsonObject, context: NormalizeContext): NormalizedEvent {
  const reader = new FieldReader('yelp', data);
  const externalId = reader.requireString('id');
  reader.recordId = externalId;
  const title = cleanText(data.name) ?? reader.missing('name');

  const timezone = pickZone(context.timezone);
  const start = reader.time('time_start', timezone) ?? reader.missing('time_start');
  const end = reader.time('time_end', timezone);
  const location = reader.object('location');
  const street = joinParts(asString(location?.address1), asString(location?.address2), asString(location?.address3));

  return {
    source: 'yelp',
    externalId,
    title,
    description: cleanDescription(data.description),
    startsAt: toDate(start),
    endsAt: endInstant(end, timezone),
    timezone,
    allDay: start.dateOnly,
    status: data.is_canceled === true ? 'cancelled' : 'scheduled',
    venue: {
      // Yelp names the hosting business only by `business_id`.
      name: null,
      address: street ?? cleanText(asArray(location?.display_address)[0]),
      city: cleanText(location?.city),
      region: asString(location?.state),
      postalCode: asString(location?.zip_code),
      country: asString(location?.country),
      ...toCoordinates(data.latitude, data.longitude),
    },
    ...priceRange([toPrice(data.cost), toPrice(data.cost_max)]),
    currency: null,
    isFree: reader.boolean('is_free'),
    url: toUrl(data.event_site_url) ?? toUrl(data.tickets_url),
    imageUrl: toUrl(data.image_url),
    category: categorize('yelp', { yelpCategory: asString(getPath(data, 'category')), title }),
  };
}
