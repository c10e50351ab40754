/**
 * Dedupe's statements: the records of one city and time window (only the columns matching
 * needs), and the flags for records their source stopped listing.
 */
import type { Queryable } from '../types.js';
import { Params, sourceFieldList } from './catalogue-columns.js';

/** Which records a dedupe run looks at: those of a city (or all) starting in [from, to]. */
export interface CatalogueScope {
  cityId: string | null;
  from: Date;
  to: Date | null;
}

/**
 * The events hosting a record in scope. A run takes every record of these events, even one
 * starting just outside the window, so that it never splits a cluster it only half sees.
 */
function scopeCte(p: Params, scope: CatalogueScope): string {
  const conditions = ['title IS NOT NULL', `starts_at >= ${p.add(scope.from)}::timestamptz`];
  if (scope.to !== null) conditions.push(`starts_at <= ${p.add(scope.to)}::timestamptz`);
  if (scope.cityId !== null) conditions.push(`city_id = ${p.add(scope.cityId)}::text`);
  return `scope AS (SELECT DISTINCT event_id FROM event_sources WHERE ${conditions.join(' AND ')})`;
}

export interface DedupeCandidateRow {
  source: string;
  external_id: string;
  /** the event hosting the record now */
  event_id: string;
  origin_event_id: string;
  origin_first_seen_at: Date;
  origin_merged_into: string | null;
  origin_merge_score: number | null;
  /** signature of the cluster the hosting event was last merged from (MergeReasons.signature) */
  host_signature: string | null;
  /** the festival/umbrella event the hosting event is linked to as a child */
  host_parent_id: string | null;
  /** md5 of the record's stored fields: equal hashes, equal records */
  record_hash: string;
  last_seen_at: Date;
  city_id: string | null;
  title: string;
  starts_at: Date;
  ends_at: Date | null;
  timezone: string;
  all_day: boolean;
  venue_name: string | null;
  address: string | null;
  venue_city: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** What findDuplicates reads of each record in scope, and where each record is hosted now. */
export async function loadDedupeCandidates(db: Queryable, scope: CatalogueScope): Promise<DedupeCandidateRow[]> {
  const p = new Params();
  const { rows } = await db.query<DedupeCandidateRow>(
    `WITH ${scopeCte(p, scope)}
     SELECT es.source, es.external_id, es.event_id, es.origin_event_id,
            o.first_seen_at AS origin_first_seen_at, o.merged_into AS origin_merged_into, o.merge_score AS origin_merge_score,
            h.merge_reasons->>'signature' AS host_signature, h.parent_id AS host_parent_id, md5(ROW(${sourceFieldList('es')})::text) AS record_hash,
            es.last_seen_at, es.city_id, es.title, es.starts_at, es.ends_at, es.timezone, es.all_day,
            es.venue_name, es.address, es.city AS venue_city, es.latitude, es.longitude
       FROM event_sources es
       JOIN scope USING (event_id)
       JOIN events o ON o.id = es.origin_event_id
       JOIN events h ON h.id = es.event_id
      WHERE es.title IS NOT NULL`,
    p.values,
  );
  return rows;
}

/**
 * Flags records whose raw event was last seen before `now() - missingAfterHours` (their source
 * stopped listing them): `event_sources.missing_since` = that last sighting, cleared when the
 * source lists the event again. An event is missing when all its records are (`events.missing_since`
 * = the latest of theirs). Nothing is deleted. Returns how many records were newly flagged.
 */
export async function flagMissingRecords(db: Queryable, scope: CatalogueScope, missingAfterHours: number): Promise<{ flagged: number }> {
  const p = new Params();
  const scopeSql = scopeCte(p, scope);
  const hours = p.add(missingAfterHours);
  const { rows } = await db.query<{ flagged: number }>(
    `WITH ${scopeSql},
     seen AS (
       SELECT es.source, es.external_id, es.event_id, es.missing_since AS was_missing,
              COALESCE(r.last_seen_at, es.last_seen_at) AS last_seen
         FROM event_sources es JOIN scope USING (event_id) LEFT JOIN raw_events r ON r.id = es.raw_event_id
     ),
     s AS (
       SELECT *, CASE WHEN last_seen < now() - ${hours}::float8 * interval '1 hour' THEN last_seen END AS missing FROM seen
     ),
     records AS (
       UPDATE event_sources es SET missing_since = s.missing
         FROM s
        WHERE es.source = s.source AND es.external_id = s.external_id AND es.missing_since IS DISTINCT FROM s.missing
       RETURNING s.was_missing IS NULL AND s.missing IS NOT NULL AS newly
     ),
     events_missing AS (
       UPDATE events e SET missing_since = g.missing
         FROM (SELECT event_id, CASE WHEN bool_and(missing IS NOT NULL) THEN max(missing) END AS missing
                 FROM s GROUP BY event_id) g
        WHERE e.id = g.event_id AND e.missing_since IS DISTINCT FROM g.missing
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM records WHERE newly)::int AS flagged, (SELECT count(*) FROM events_missing)::int AS events`,
    p.values,
  );
  return { flagged: Number(rows[0]?.flagged ?? 0) };
}
