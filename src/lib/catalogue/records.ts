/**
 * The two shapes the catalogue stores:
 * - a *source record*: one source's normalized view of an event, kept in the typed columns of
 *   its `event_sources` row (read back as StoredContent) so dedupe and merging never re-read raw
 *   payloads;
 * - a *canonical row*: the content columns of `events`, built from one record or from the
 *   merge of a cluster (merge.ts).
 * Their types live with the database's other row shapes (src/lib/db/rows.ts); this module builds them.
 *
 * Values are made storable here (prices in cents within NUMERIC(12,2), finite coordinates in
 * range, years both Postgres and JavaScript write the same way), so that the values written are
 * the values compared on the next run: re-ingesting the same payload then changes nothing.
 */
import type { CanonicalRow, StoredContent } from '../db/rows.js';
import { UnstorableRecordError } from '../errors.js';
import { isCategory, type Category } from '../normalize/categories.js';
import { mergeEvents, type CanonicalFields, type MergeRecord } from './merge.js';
import type { EventStatus, NormalizedEvent, NormalizedVenue } from '../normalize/types.js';

export { UnstorableRecordError } from '../errors.js';

const MIN_YEAR = 1000;
const MAX_YEAR = 9999;
/** NUMERIC(12, 2) holds up to 10^10 - 0.01. */
const MAX_PRICE = 9_999_999_999.99;

function storableDate(date: Date, field: string): void {
  const year = date.getUTCFullYear();
  if (!Number.isFinite(date.getTime()) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new UnstorableRecordError(`${field} out of range: ${String(date)}`);
  }
}

function storablePrice(value: number | null): number | null {
  if (value === null || !Number.isFinite(value) || Math.abs(value) > MAX_PRICE) return null;
  return Math.round(value * 100) / 100;
}

function storableCoordinate(value: number | null, limit: number): number | null {
  return value !== null && Number.isFinite(value) && Math.abs(value) <= limit ? value : null;
}

/**
 * The canonical row of one normalized event, every value made storable (see the module
 * comment); throws an UnstorableRecordError when a value cannot be stored at all.
 */
export function storableRow(event: NormalizedEvent): CanonicalRow {
  storableDate(event.startsAt, 'startsAt');
  if (event.endsAt !== null) storableDate(event.endsAt, 'endsAt');
  return canonicalRow(event);
}

export const numberOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

/** The venue that stored content columns describe. */
export function venueOfRow(f: StoredContent): NormalizedVenue {
  return {
    name: f.venue_name,
    address: f.address,
    city: f.city,
    region: f.region,
    postalCode: f.postal_code,
    country: f.country,
    latitude: numberOrNull(f.latitude),
    longitude: numberOrNull(f.longitude),
  };
}

/** The record a source's stored fields describe, as merging takes it. */
export function fromSourceFields(source: string, externalId: string, f: StoredContent, lastSeenAt: Date | null): MergeRecord<Category> {
  return {
    source,
    externalId,
    title: f.title,
    description: f.description,
    startsAt: new Date(f.starts_at),
    endsAt: f.ends_at === null ? null : new Date(f.ends_at),
    timezone: f.timezone,
    allDay: f.all_day,
    status: f.status as EventStatus,
    venue: venueOfRow(f),
    priceMin: numberOrNull(f.price_min),
    priceMax: numberOrNull(f.price_max),
    currency: f.currency,
    isFree: f.is_free,
    url: f.url,
    imageUrl: f.image_url,
    category: isCategory(f.category) ? f.category : 'other',
    lastSeenAt,
  };
}

/** What the `q` filter matches: title, venue and city, lower-cased. */
export function searchText(title: string, venueName: string | null, city: string | null): string {
  return [title, venueName, city].filter((part): part is string => Boolean(part)).join(' ').toLowerCase();
}

/** Canonical columns from one source record, or from the merged fields of a cluster. */
export function canonicalRow(fields: Pick<CanonicalFields, Exclude<keyof CanonicalFields, 'sources'>>): CanonicalRow {
  const v = fields.venue;
  return {
    title: fields.title,
    description: fields.description,
    starts_at: fields.startsAt,
    ends_at: fields.endsAt,
    timezone: fields.timezone,
    all_day: fields.allDay,
    status: fields.status,
    venue_name: v.name,
    address: v.address,
    city: v.city,
    region: v.region,
    postal_code: v.postalCode,
    country: v.country,
    latitude: storableCoordinate(v.latitude, 90),
    longitude: storableCoordinate(v.longitude, 180),
    category: isCategory(fields.category) ? fields.category : 'other',
    price_min: storablePrice(fields.priceMin),
    price_max: storablePrice(fields.priceMax),
    currency: fields.currency,
    is_free: fields.isFree,
    url: fields.url,
    image_url: fields.imageUrl,
    search_text: searchText(fields.title, v.name, v.city),
  };
}

/**
 * The canonical content of records that are one event: a lone record's own fields, or the
 * merge of a cluster with the reason for each field choice. `lastSeenAt` is the latest sighting.
 */
export function canonicalOf(records: ReadonlyArray<MergeRecord<Category>>): { row: CanonicalRow; lastSeenAt: Date | null; reasons: string[] } {
  let lastSeenAt: Date | null = null;
  for (const r of records) if (r.lastSeenAt && (lastSeenAt === null || r.lastSeenAt > lastSeenAt)) lastSeenAt = r.lastSeenAt;
  if (records.length === 1) return { row: canonicalRow(records[0]!), lastSeenAt, reasons: [] };
  const { fields, reasons } = mergeEvents(records);
  return { row: canonicalRow(fields), lastSeenAt, reasons };
}
