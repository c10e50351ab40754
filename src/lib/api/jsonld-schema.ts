/**
 * Reading schema.org Event objects as real pages write them: types with or without the
 * schema.org prefix, `eventStatus` as a bare name or a URL, `offers` as one object or many,
 * `location` as a Place (with `geo` and a PostalAddress or string `address`), a string or a list.
 * The ingest step uses these helpers; the client keeps the objects untouched.
 */
import { DateTime } from 'luxon';

/** A schema.org Event (or subtype) as found on a page, plus the page it came from. */
export interface JsonLdEvent {
  '@type': string | string[];
  '@id'?: string;
  name: string;
  startDate: string;
  endDate?: string;
  url?: string;
  eventStatus?: string | { '@id'?: string };
  location?: unknown;
  offers?: unknown;
  /** URL (redacted) or absolute path of the page */
  '@sourcePage': string;
  [key: string]: unknown;
}

/** Types that are events without ending in "Event". */
const OTHER_EVENT_TYPES = new Set(['Festival', 'Hackathon', 'CourseInstance']);

/** 'https://schema.org/MusicEvent', 'schema:MusicEvent', 'MusicEvent' → 'MusicEvent' */
export function bareName(value: unknown): string | null {
  if (typeof value === 'object' && value !== null && typeof (value as { '@id'?: unknown })['@id'] === 'string') {
    return bareName((value as { '@id': string })['@id']);
  }
  if (typeof value !== 'string' || value.trim() === '') return null;
  return value.trim().replace(/^https?:\/\/(www\.)?schema\.org\//i, '').replace(/^schema:/i, '');
}

export function typesOf(node: unknown): string[] {
  if (typeof node !== 'object' || node === null) return [];
  const t = (node as { '@type'?: unknown })['@type'];
  return (Array.isArray(t) ? t : [t]).map(bareName).filter((x): x is string => x !== null);
}

export function isEventType(type: string): boolean {
  return type.endsWith('Event') || OTHER_EVENT_TYPES.has(type);
}

export function isEventNode(node: unknown): boolean {
  return typesOf(node).some(isEventType);
}

export type EventStatusName = 'EventScheduled' | 'EventCancelled' | 'EventPostponed' | 'EventRescheduled' | 'EventMovedOnline';
const STATUSES = new Set<string>(['EventScheduled', 'EventCancelled', 'EventPostponed', 'EventRescheduled', 'EventMovedOnline']);

/** The bare status name, or null when absent or unknown. */
export function eventStatusOf(event: { eventStatus?: unknown }): EventStatusName | null {
  const name = bareName(event.eventStatus);
  return name && STATUSES.has(name) ? (name as EventStatusName) : null;
}

export interface OfferSummary {
  price: number | null;
  priceCurrency: string | null;
  url: string | null;
  /** bare name, e.g. 'InStock', 'SoldOut' */
  availability: string | null;
}

export function offersOf(event: { offers?: unknown }): OfferSummary[] {
  const list = Array.isArray(event.offers) ? event.offers : event.offers ? [event.offers] : [];
  return list
    .filter((o): o is Record<string, unknown> => typeof o === 'object' && o !== null)
    .map((o) => {
      const price = o.price ?? o.lowPrice;
      const n = typeof price === 'number' ? price : typeof price === 'string' ? Number(price.replace(',', '.')) : NaN;
      return {
        price: Number.isFinite(n) ? n : null,
        priceCurrency: typeof o.priceCurrency === 'string' ? o.priceCurrency : null,
        url: typeof o.url === 'string' ? o.url : null,
        availability: bareName(o.availability),
      };
    });
}

export interface PlaceSummary {
  name: string | null;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** The first physical place of `location` (a VirtualLocation alone gives null). */
export function placeOf(event: { location?: unknown }): PlaceSummary | null {
  const list = Array.isArray(event.location) ? event.location : event.location ? [event.location] : [];
  for (const loc of list) {
    if (typeof loc === 'string' && loc.trim()) return { name: loc.trim(), address: null, latitude: null, longitude: null };
    if (typeof loc !== 'object' || loc === null) continue;
    const place = loc as Record<string, unknown>;
    if (typesOf(place).includes('VirtualLocation')) continue;
    const geo = (place.geo ?? {}) as Record<string, unknown>;
    return {
      name: typeof place.name === 'string' ? place.name.trim() : null,
      address: addressText(place.address),
      latitude: coordinate(geo.latitude, 90),
      longitude: coordinate(geo.longitude, 180),
    };
  }
  return null;
}

function addressText(address: unknown): string | null {
  if (typeof address === 'string') return address.trim() || null;
  if (typeof address !== 'object' || address === null) return null;
  const a = address as Record<string, unknown>;
  const country = typeof a.addressCountry === 'object' && a.addressCountry !== null ? (a.addressCountry as { name?: unknown }).name : a.addressCountry;
  const locality = [a.postalCode, a.addressLocality].filter((x) => typeof x === 'string' && x).join(' ');
  const parts = [a.streetAddress, locality, a.addressRegion, country].filter((x): x is string => typeof x === 'string' && x.trim() !== '');
  return parts.length ? parts.join(', ') : null;
}

function coordinate(value: unknown, max: number): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) && Math.abs(n) <= max ? n : null;
}

/**
 * A schema.org date or date-time: ISO 8601 (offset optional; none means UTC), also
 * 'YYYY-MM-DD HH:mm' as some CMSs write it. Date-only values are all-day.
 */
export function parseSchemaDate(value: unknown): { at: DateTime; allDay: boolean } | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const s = value.trim();
  const allDay = /^\d{4}-\d{2}-\d{2}$/.test(s);
  let at = DateTime.fromISO(s, { zone: 'utc', setZone: true });
  if (!at.isValid) at = DateTime.fromSQL(s, { zone: 'utc', setZone: true });
  return at.isValid ? { at, allDay } : null;
}
