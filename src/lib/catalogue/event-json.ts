/** The catalogue's public shape of one canonical event, as the API returns it. */
import type { EventRow, EventSourceRow } from '../db/queries/events.js';
import { isoOrNull as iso } from '../db/timestamptz.js';
import { numberOrNull as num, venueOfRow } from './records.js';
import type { NormalizedVenue } from '../normalize/types.js';

export interface EventSourceJson {
  source: string;
  externalId: string;
  url: string | null;
  status: string;
  firstSeenAt: string;
  lastSeenAt: string;
  /** set when the source stopped listing the event */
  missingSince: string | null;
}

export interface CanonicalEventJson {
  id: string;
  title: string;
  description: string | null;
  startsAt: string;
  endsAt: string | null;
  timezone: string;
  allDay: boolean;
  status: string;
  venue: NormalizedVenue;
  category: string;
  priceMin: number | null;
  priceMax: number | null;
  currency: string | null;
  isFree: boolean | null;
  url: string | null;
  imageUrl: string | null;
  cityId: string | null;
  /** every city the event's records were discovered for */
  cityIds: string[];
  /**
   * The event's source gave no coordinates: it is placed at the cities it was discovered for,
   * and `distanceKm` is the distance to the nearest of them.
   */
  locationApproximate: boolean;
  /** kilometres from the searched point, when the query gave one */
  distanceKm?: number;
  /** set when every source stopped listing the event */
  missingSince: string | null;
  /** weakest match score of the merged records; null when the event has one source */
  mergeScore: number | null;
  /** why its records were merged (getEvent only) */
  mergeReasons?: unknown;
  firstSeenAt: string;
  lastSeenAt: string;
  updatedAt: string;
  /** when a discovery last saw one of its source records; null before the first one since migration 0015 */
  lastConfirmedAt: string | null;
  sources: EventSourceJson[];
}

export function sourceJson(s: EventSourceRow): EventSourceJson {
  return {
    source: s.source,
    externalId: s.external_id,
    url: s.url,
    status: s.status,
    firstSeenAt: iso(s.first_seen_at)!,
    lastSeenAt: iso(s.last_seen_at)!,
    missingSince: iso(s.missing_since),
  };
}

export function eventJson(e: EventRow, sources: readonly EventSourceRow[], options: { reasons?: boolean } = {}): CanonicalEventJson {
  return {
    id: e.id,
    title: e.title,
    description: e.description,
    startsAt: iso(e.starts_at)!,
    endsAt: iso(e.ends_at),
    timezone: e.timezone,
    allDay: e.all_day,
    status: e.status,
    venue: venueOfRow(e),
    category: e.category,
    priceMin: num(e.price_min),
    priceMax: num(e.price_max),
    currency: e.currency,
    isFree: e.is_free,
    url: e.url,
    imageUrl: e.image_url,
    cityId: e.city_id,
    cityIds: e.city_ids ?? (e.city_id === null ? [] : [e.city_id]),
    locationApproximate: e.latitude === null || e.longitude === null,
    missingSince: iso(e.missing_since),
    mergeScore: num(e.merge_score),
    ...(options.reasons ? { mergeReasons: e.merge_reasons ?? null } : {}),
    firstSeenAt: iso(e.first_seen_at)!,
    lastSeenAt: iso(e.last_seen_at)!,
    updatedAt: iso(e.updated_at)!,
    lastConfirmedAt: iso(e.last_confirmed_at ?? null),
    sources: sources.map(sourceJson),
  };
}

/** Kilometres as the API gives them (`distanceKm`): to the metre. */
export const roundKm = (km: number | string) => Math.round(Number(km) * 1000) / 1000;
