/**
 * Dedupe's first stage: everything blocking and scoring read of an event, computed once per
 * event (normalized title and venue, session markers, usable coordinates, local day, city), so
 * that comparing a pair is cheap.
 */
import { DateTime } from 'luxon';
import { foldText } from './fold-text.js';
import { normalizeCity, normalizeTitle, normalizeVenue } from './match-text.js';
import { sessionMarkers } from './session-markers.js';
import { tokenSet, type TokenSet } from './text-similarity.js';

/** The part of a NormalizedEvent (src/lib/normalize/types.ts) that dedupe reads; a NormalizedEvent satisfies it. */
export interface DedupeEvent {
  source: string;
  externalId: string;
  title: string;
  startsAt: Date;
  /** When the listing ends, if it says; a span over a day makes it an umbrella (festival, multi-day pass). */
  endsAt?: Date | null;
  timezone: string;
  allDay: boolean;
  venue: {
    name: string | null;
    address?: string | null;
    city: string | null;
    latitude: number | null;
    longitude: number | null;
  };
  /**
   * The city the record was discovered for (a city id such as `new-york`): stands in for
   * `venue.city` in blocking when the source gives no venue city.
   */
  cityId?: string | null;
}

/** Everything scoring and blocking need of one event. */
export interface Features {
  source: string;
  externalId: string;
  title: TokenSet;
  markers: string[];
  /** The title says its start is the doors time ("(doors)", "Einlass"): the show starts later. */
  doors: boolean;
  /** The normalized venue name; null when the listing names none. */
  venue: TokenSet | null;
  /** The normalized street address (venue-style: "St" → street, no city); null when none. */
  address: TokenSet | null;
  lat: number | null;
  lng: number | null;
  startMs: number;
  /** End of the listing when it gives one after its start, else null. */
  endMs: number | null;
  /** The listing spans more than a day (a festival, a multi-day pass): an umbrella over the shows inside it. */
  multiDay: boolean;
  allDay: boolean;
  /** Local calendar day in the event's timezone, as days since 1970-01-01. */
  day: number;
  city: string | null;
  /** The normalized city the record was discovered for, when the caller gave one. */
  discoveredCity: string | null;
}

export const DAY_MS = 86_400_000;
/** Words with which listings say they give the doors time (English, German, French). */
const DOORS = /\b(?:doors?|einlass|portes)\b/;
/** A listing longer than this (a day and an hour: all-day listings of one day end at the next midnight, DST included) is an umbrella. */
const UMBRELLA_MS = DAY_MS + 3_600_000;
/** All UTC offsets in use are multiples of 15 minutes, so the local day is constant within such a slot. */
const SLOT_MS = 900_000;
const dayCache = new Map<string, number>();

function localDay(ms: number, zone: string, allDay: boolean): number {
  const key = `${zone}|${Math.floor(ms / SLOT_MS)}|${allDay ? (ms % DAY_MS === 0 ? 'u' : 'a') : ''}`;
  const cached = dayCache.get(key);
  if (cached !== undefined) return cached;
  let dt = DateTime.fromMillis(ms, { zone });
  if (!dt.isValid) dt = DateTime.fromMillis(ms, { zone: 'utc' });
  let day = Date.UTC(dt.year, dt.month - 1, dt.day) / DAY_MS;
  // Some sources encode an all-day event as UTC midnight rather than local midnight; read such a
  // start as the UTC date, or "May 3" in Los Angeles would land on May 2.
  if (allDay && ms % DAY_MS === 0 && (dt.hour !== 0 || dt.minute !== 0)) day = ms / DAY_MS;
  if (dayCache.size > 100_000) dayCache.clear();
  dayCache.set(key, day);
  return day;
}

function validCoordinate(value: number | null, limit: number): value is number {
  return value !== null && Number.isFinite(value) && Math.abs(value) <= limit;
}

/** Bounded memo for per-event work that repeats across events: a catalogue has far fewer venues and cities than events. */
function memo<R>(fn: (key: string) => R, limit = 50_000): (key: string) => R {
  const cache = new Map<string, R>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined && !cache.has(key)) {
      if (cache.size >= limit) cache.clear();
      cache.set(key, (value = fn(key)));
    }
    return value as R;
  };
}

const venueKey = memo((key) => {
  const [label, city] = key.split('\u0000');
  const venue = normalizeVenue(label, city || null);
  return venue ? tokenSet(venue) : null;
});
const cityKey = memo((city) => normalizeCity(city) || null);

export function featuresOf(ev: DedupeEvent): Features {
  const v = ev.venue;
  // (0, 0) is a geocoder's "unknown", not a venue in the Gulf of Guinea.
  const hasCoords = validCoordinate(v.latitude, 90) && validCoordinate(v.longitude, 180)
    && !(v.latitude === 0 && v.longitude === 0);
  const startMs = ev.startsAt.getTime();
  const end = ev.endsAt ? ev.endsAt.getTime() : NaN;
  const endMs = Number.isFinite(end) && end > startMs ? end : null;
  return {
    source: ev.source,
    externalId: ev.externalId,
    title: tokenSet(normalizeTitle(ev.title, v.name)),
    markers: sessionMarkers(ev.title),
    doors: DOORS.test(foldText(ev.title)),
    venue: v.name ? venueKey(`${v.name}\u0000${v.city ?? ''}`) : null,
    address: v.address ? venueKey(`${v.address}\u0000${v.city ?? ''}`) : null,
    lat: hasCoords ? v.latitude : null,
    lng: hasCoords ? v.longitude : null,
    startMs,
    endMs,
    multiDay: endMs !== null && endMs - startMs > UMBRELLA_MS,
    allDay: ev.allDay,
    day: localDay(startMs, ev.timezone, ev.allDay),
    city: v.city ? cityKey(v.city) : null,
    discoveredCity: ev.cityId ? cityKey(ev.cityId.replace(/[-_]+/g, ' ')) : null,
  };
}
