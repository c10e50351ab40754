/**
 * Reading the canonical catalogue: pages of visible events (merged-away rows excluded), their
 * sources, and old ids resolved to the event that absorbed them.
 */
import { EARTH_RADIUS_KM, type BoundingBox } from '../../geo.js';
import type { StoredContent } from '../rows.js';
import type { Queryable } from '../types.js';
import { Params } from './catalogue-columns.js';

/** A row of `events` as the catalogue's reads select it. */
export interface EventRow extends StoredContent {
  id: string;
  city_id: string | null;
  merge_score: number | null;
  merge_reasons: unknown;
  missing_since: Date | null;
  first_seen_at: Date;
  last_seen_at: Date;
  updated_at: Date;
  /** only when the page was filtered by distance */
  distance_km?: number | null;
}

export interface EventSourceRow {
  event_id: string;
  source: string;
  external_id: string;
  url: string | null;
  status: string;
  first_seen_at: Date;
  last_seen_at: Date;
  missing_since: Date | null;
}

const EVENT_COLUMNS = `e.id, e.title, e.description, e.starts_at, e.ends_at, e.timezone, e.all_day, e.status,
  e.venue_name, e.address, e.city, e.region, e.postal_code, e.country, e.latitude, e.longitude, e.category,
  e.price_min, e.price_max, e.currency, e.is_free, e.url, e.image_url, e.city_id, e.merge_score,
  e.missing_since, e.first_seen_at, e.last_seen_at, e.updated_at`;

/** A validated page request (see src/lib/catalogue/query.ts). */
export interface EventPageFilter {
  from?: Date;
  to?: Date;
  category?: string;
  /** a LIKE pattern over search_text, wildcards in the user's text already escaped */
  searchPattern?: string;
  near?: {
    lat: number;
    lng: number;
    radiusKm: number;
    /** prefilter served by the (latitude, longitude) index */
    box: BoundingBox;
  };
  /** keyset: rows strictly after this (starts_at, id) */
  after?: { startsAt: Date; id: string };
  /** leave out events linked to a parent, or events other events are linked to */
  exclude?: 'children' | 'parents';
  limit: number;
}

/** Visible events in (starts_at, id) order, one keyset page. */
export async function selectEventPage(db: Queryable, f: EventPageFilter): Promise<EventRow[]> {
  const p = new Params();
  const where = ['e.merged_into IS NULL'];
  let distance = '';
  if (f.from) where.push(`e.starts_at >= ${p.add(f.from)}::timestamptz`);
  if (f.to) where.push(`e.starts_at <= ${p.add(f.to)}::timestamptz`);
  if (f.category) where.push(`e.category = ${p.add(f.category)}::text`);
  if (f.searchPattern) where.push(`e.search_text LIKE ${p.add(f.searchPattern)}::text ESCAPE '\\'`);
  if (f.near) {
    const { box } = f.near;
    where.push(`e.latitude BETWEEN ${p.add(box.minLat)}::float8 AND ${p.add(box.maxLat)}::float8`);
    if (box.lng) {
      where.push(`(${box.lng.map(([lo, hi]) => `e.longitude BETWEEN ${p.add(lo)}::float8 AND ${p.add(hi)}::float8`).join(' OR ')})`);
    }
    const lat = p.add(f.near.lat);
    const lng = p.add(f.near.lng);
    // Haversine; least() guards asin against rounding just above 1.
    distance = `${EARTH_RADIUS_KM} * 2 * asin(least(1, sqrt(
        power(sin(radians(e.latitude - ${lat}::float8) / 2), 2)
        + cos(radians(${lat}::float8)) * cos(radians(e.latitude)) * power(sin(radians(e.longitude - ${lng}::float8) / 2), 2))))`;
    where.push(`${distance} <= ${p.add(f.near.radiusKm)}::float8`);
  }
  if (f.exclude === 'children') where.push('e.parent_id IS NULL');
  if (f.exclude === 'parents') where.push('NOT EXISTS (SELECT 1 FROM events c WHERE c.parent_id = e.id AND c.merged_into IS NULL)');
  if (f.after) where.push(`(e.starts_at, e.id) > (${p.add(f.after.startsAt)}::timestamptz, ${p.add(f.after.id)}::uuid)`);
  const { rows } = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS}${distance ? `, ${distance} AS distance_km` : ''}
       FROM events e
      WHERE ${where.join(' AND ')}
      ORDER BY e.starts_at, e.id
      LIMIT ${p.add(f.limit)}::int`,
    p.values,
  );
  return rows;
}

/** One event by id as stored (merged-away or not), with its merge reasons. */
export async function selectEvent(db: Queryable, id: string): Promise<EventRow | null> {
  const { rows } = await db.query<EventRow>(`SELECT ${EVENT_COLUMNS}, e.merge_reasons FROM events e WHERE e.id = $1::uuid`, [id]);
  return rows[0] ?? null;
}

/** The sources of these events, ordered by event then source and external id. */
export async function selectEventSources(db: Queryable, eventIds: readonly string[]): Promise<EventSourceRow[]> {
  if (eventIds.length === 0) return [];
  const { rows } = await db.query<EventSourceRow>(
    `SELECT event_id, source, external_id, url, status, first_seen_at, last_seen_at, missing_since
       FROM event_sources WHERE event_id = ANY($1::uuid[])
      ORDER BY event_id, source, external_id`,
    [eventIds],
  );
  return rows;
}

/**
 * The visible event an id stands for: itself, or (following merged_into) the event that
 * absorbed it. Null when no event has this id. A cycle, which dedupe never writes, ends the walk.
 */
export async function resolveEventId(db: Queryable, id: string): Promise<string | null> {
  const { rows } = await db.query<{ id: string; merged_into: string | null }>(
    `WITH RECURSIVE chain (id, merged_into, depth) AS (
       SELECT id, merged_into, 0 FROM events WHERE id = $1::uuid
       UNION ALL
       SELECT e.id, e.merged_into, c.depth + 1 FROM events e JOIN chain c ON e.id = c.merged_into WHERE c.depth < 64
     )
     SELECT id, merged_into FROM chain ORDER BY depth DESC LIMIT 1`,
    [id],
  );
  return rows[0]?.id ?? null;
}
