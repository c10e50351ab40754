/** Assembling a NormalizedEvent: the rules every source shares once its fields are read. */
import type { EventStatus, NormalizeContext, NormalizedEvent, NormalizedVenue } from './types.js';

/** Maps a provider's status word (any case, "canceled" or "cancelled", schema.org names) onto ours. */
export function statusFromWord(value: unknown): EventStatus {
  if (typeof value !== 'string') return 'scheduled';
  const word = value.toLowerCase().replace(/[^a-z]/g, '');
  if (word.includes('cancel')) return 'cancelled';
  if (word.includes('postpone')) return 'postponed';
  if (word.includes('reschedule')) return 'rescheduled';
  return 'scheduled';
}

export const EMPTY_VENUE: Readonly<NormalizedVenue> = Object.freeze({
  name: null,
  address: null,
  city: null,
  region: null,
  postalCode: null,
  country: null,
  latitude: null,
  longitude: null,
});

/** Lowest and highest of the prices a source lists. */
export function priceRange(prices: Array<number | null>): { priceMin: number | null; priceMax: number | null } {
  const known = prices.filter((price): price is number => price !== null);
  if (known.length === 0) return { priceMin: null, priceMax: null };
  return { priceMin: Math.min(...known), priceMax: Math.max(...known) };
}

/**
 * The cross-source rules applied last:
 * - an end before the start is dropped (providers send placeholders such as the start date at 00:00);
 * - `isFree` is derived from the prices when the source does not say (all zero → free, some > 0 → not);
 * - a venue with a name or address but no city gets the city being ingested.
 */
export function finishEvent(event: NormalizedEvent, context: NormalizeContext): NormalizedEvent {
  const endsAt = event.endsAt !== null && event.endsAt.getTime() < event.startsAt.getTime() ? null : event.endsAt;
  let isFree = event.isFree;
  if (isFree === null && event.priceMax === 0) isFree = true;
  else if (isFree === null && event.priceMin !== null && event.priceMin > 0) isFree = false;
  const venue = { ...event.venue };
  const cityName = context.cityName?.trim();
  if (venue.city === null && cityName && (venue.name !== null || venue.address !== null)) venue.city = cityName;
  return { ...event, endsAt, isFree, venue };
}
