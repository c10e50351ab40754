/**
 * Ingestion's statements: read raw events with their city, and write one batch of normalized
 * records into `event_sources` + `events` while marking the raw rows, in a single statement.
 */
import type { CanonicalRow } from '../rows.js';
import type { Queryable } from '../types.js';
import { Params, contentColumns, contentList, sourceFieldList, unnestFrom, CONTENT_NAMES, SOURCE_FIELD_NAMES } from './catalogue-columns.js';

export interface RawEventRow {
  id: string;
  /**
   * The version of the row that was read (its xmin). Marking applies to this version only, so a
   * payload that discovery stores between the read and the write stays pending.
   */
  version: string;
  source: string;
  external_id: string;
  data: unknown;
  city_id: string | null;
  /** every city the record was discovered for, the first one first */
  city_ids: string[] | null;
  /**
   * Timestamps as the database writes them (timestamptz text): ingestion only hands them back
   * to the database, and parsing 2 dates per row into Date objects was a measurable part of
   * reading a batch.
   */
  discovered_at: string;
  last_seen_at: string;
  /** the city's IANA zone and name, when the raw event names a known city */
  timezone: string | null;
  city_name: string | null;
  /** the city's centre: where an event without coordinates is placed */
  city_latitude: number | null;
  city_longitude: number | null;
}

const RAW_COLUMNS = `r.id, r.xmin::text AS version, r.source, r.external_id, r.data, r.city_id,
                     array_remove(coalesce(r.city_ids, ARRAY[r.city_id]), NULL) AS city_ids,
                     r.discovered_at::text AS discovered_at, r.last_seen_at::text AS last_seen_at,
                     c.timezone, c.name AS city_name, c.latitude AS city_latitude, c.longitude AS city_longitude`;

export async function loadRawEvents(db: Queryable, ids: readonly string[]): Promise<RawEventRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<RawEventRow>(
    `SELECT ${RAW_COLUMNS} FROM raw_events r LEFT JOIN cities c ON c.id = r.city_id WHERE r.id = ANY($1::uuid[])`,
    [ids],
  );
  return rows;
}

/**
 * Ids of raw events waiting for ingestion, oldest first, from the backlog (migration 0006).
 * Rows that failed keep `processed = false` with their `error` and are not picked again until
 * discovery stores a changed payload (which clears the error) or a task names them explicitly.
 */
export async function selectUnprocessedIds(db: Queryable, limit: number, source: string | null): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT b.raw_event_id AS id FROM raw_event_backlog b JOIN raw_events r ON r.id = b.raw_event_id
      WHERE r.processed = FALSE AND r.error IS NULL AND ($2::text IS NULL OR b.source = $2)
      ORDER BY b.discovered_at, b.raw_event_id LIMIT $1`,
    [limit, source],
  );
  return rows.map((r) => r.id);
}

/** One normalized raw event, ready to write. */
export interface SourceRecordInput {
  rawEventId: string;
  /** the raw row's version that was normalized (RawEventRow.version) */
  rawVersion: string;
  source: string;
  externalId: string;
  cityId: string | null;
  /** every city the record belongs to (slugs, so they travel joined by commas); default [cityId] */
  cityIds?: readonly string[];
  /** the centre of its (first) city, which places the event when the record has no coordinates */
  cityLatitude?: number | null;
  cityLongitude?: number | null;
  /** the canonical columns of this record alone; its event_sources fields are the same values */
  row: CanonicalRow;
  /** a Date, or timestamptz text as the database wrote it */
  firstSeenAt: Date | string;
  lastSeenAt: Date | string;
}

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  /** merged events hosting a record that changed: they must be re-merged */
  refreshIds: string[];
}

/**
 * Writes a batch in one statement (so it is atomic and one round trip):
 * - a new (source, external_id) gets an event_sources row and its own origin event (a new id);
 * - a known one updates its event_sources row when the record (or raw row, or city) changed,
 *   and its origin event's content when that event shows only this record; an event hosting
 *   several records is returned in `refreshIds` for re-merging (see src/lib/catalogue/ingest.ts);
 * - `updated_at` moves only when content changed; `last_seen_at` follows the raw event;
 * - every input's raw row is marked processed, and every raw row in `failures` gets its error
 *   (processed = false), each only when that changes, so re-running a batch writes nothing,
 *   and only if the row is still the version that was read: a raw event that discovery changed
 *   meanwhile stays pending, to be ingested again. A marked row leaves the backlog.
 * Returns counts, not rows: a batch's answer stays one small row. A record another batch
 * inserted concurrently counts as unchanged (same raw row, same content).
 */
export async function upsertSourceRecords(
  db: Queryable,
  inputs: readonly SourceRecordInput[],
  failures: ReadonlyArray<{ rawEventId: string; rawVersion: string; error: string }>,
): Promise<UpsertCounts> {
  const p = new Params();
  const input = unnestFrom(p, 'i', inputs, [
    ['raw_id', 'uuid', (r) => r.rawEventId],
    ['raw_version', 'xid', (r) => r.rawVersion],
    ['source', 'text', (r) => r.source],
    ['external_id', 'text', (r) => r.externalId],
    ['city_id', 'text', (r) => r.cityId],
    ['city_ids', 'text', (r) => {
      const ids = r.cityIds ?? (r.cityId === null ? [] : [r.cityId]);
      return ids.length === 0 ? null : ids.join(',');
    }],
    // only for records without coordinates: the city's centre places them
    ['city_lat', 'float8', (r) => (r.row.latitude === null ? (r.cityLatitude ?? null) : null)],
    ['city_lng', 'float8', (r) => (r.row.latitude === null ? (r.cityLongitude ?? null) : null)],
    ['first_seen', 'timestamptz', (r) => r.firstSeenAt],
    ['last_seen', 'timestamptz', (r) => r.lastSeenAt],
    ...contentColumns<SourceRecordInput>((r) => r.row),
  ]);
  const failed = unnestFrom(p, 'f', failures, [
    ['id', 'uuid', (m) => m.rawEventId],
    ['version', 'xid', (m) => m.rawVersion],
    ['error', 'text', (m) => m.error],
  ]);
  const sameKey = (a: string, b: string) => `${a}.source = ${b}.source AND ${a}.external_id = ${b}.external_id`;
  // events.city_ids NULL (rows from before migration 0012) stands for ARRAY[city_id].
  const content = `(${contentList('e')}, e.city_id, coalesce(e.city_ids, ARRAY[e.city_id]), e.city_latitude, e.city_longitude)
    IS DISTINCT FROM (${contentList('i')}, i.city_id, string_to_array(i.city_ids, ','), i.city_lat, i.city_lng)`;
  const sql = `
    WITH input AS MATERIALIZED (SELECT *, gen_random_uuid() AS new_id FROM ${input}),
    cur AS (
      SELECT i.source, i.external_id, es.event_id, es.origin_event_id,
             (${sourceFieldList('es')}, es.raw_event_id, es.city_id)
               IS DISTINCT FROM (${sourceFieldList('i')}, i.raw_id, i.city_id) AS source_changed,
             es.last_seen_at IS DISTINCT FROM i.last_seen AS seen_changed,
             EXISTS (SELECT 1 FROM event_sources o WHERE o.event_id = es.origin_event_id
                       AND (o.source, o.external_id) <> (es.source, es.external_id)) AS origin_shared,
             EXISTS (SELECT 1 FROM event_sources o WHERE o.event_id = es.event_id
                       AND (o.source, o.external_id) <> (es.source, es.external_id)) AS host_shared,
             ${content} AS content_changed,
             e.last_seen_at IS DISTINCT FROM i.last_seen AS event_seen_changed
        FROM input i
        CROSS JOIN LATERAL (SELECT * FROM event_sources es WHERE ${sameKey('es', 'i')} OFFSET 0) es
        CROSS JOIN LATERAL (SELECT * FROM events e WHERE e.id = es.origin_event_id OFFSET 0) e
    ),
    new_sources AS (
      INSERT INTO event_sources (event_id, origin_event_id, source, external_id, raw_event_id,
                                 first_seen_at, last_seen_at, city_id, ${SOURCE_FIELD_NAMES.join(', ')})
      SELECT i.new_id, i.new_id, i.source, i.external_id, i.raw_id,
             i.first_seen, i.last_seen, i.city_id, ${sourceFieldList('i')}
        FROM input i
       WHERE NOT EXISTS (SELECT 1 FROM cur c WHERE ${sameKey('c', 'i')})
      ON CONFLICT (source, external_id) DO NOTHING
      RETURNING source, external_id
    ),
    new_events AS (
      INSERT INTO events (id, ${CONTENT_NAMES.join(', ')}, city_id, city_ids, city_latitude, city_longitude, first_seen_at, last_seen_at)
      SELECT i.new_id, ${contentList('i')}, i.city_id, string_to_array(i.city_ids, ','), i.city_lat, i.city_lng, i.first_seen, i.last_seen
        FROM input i JOIN new_sources n ON ${sameKey('n', 'i')}
      RETURNING id
    ),
    changed_sources AS (
      UPDATE event_sources es
         SET ${SOURCE_FIELD_NAMES.map((n) => `${n} = i.${n}`).join(', ')},
             raw_event_id = i.raw_id, last_seen_at = i.last_seen, city_id = i.city_id
        FROM input i JOIN cur c ON ${sameKey('c', 'i')}
       WHERE ${sameKey('es', 'i')} AND (c.source_changed OR c.seen_changed)
      RETURNING 1
    ),
    changed_events AS (
      UPDATE events e
         SET ${CONTENT_NAMES.map((n) => `${n} = i.${n}`).join(', ')}, city_id = i.city_id,
             city_ids = string_to_array(i.city_ids, ','), city_latitude = i.city_lat, city_longitude = i.city_lng,
             last_seen_at = i.last_seen,
             updated_at = CASE WHEN c.content_changed THEN now() ELSE e.updated_at END
        FROM input i JOIN cur c ON ${sameKey('c', 'i')}
       WHERE e.id = c.origin_event_id AND NOT c.origin_shared AND (c.content_changed OR c.event_seen_changed)
      RETURNING 1
    ),
    marks AS (
      UPDATE raw_events r SET processed = (m.error IS NULL), processed_at = now(), error = m.error
        FROM (SELECT raw_id AS id, raw_version AS version, NULL::text AS error FROM input
              UNION ALL SELECT id, version, error FROM ${failed}) m
       WHERE r.id = m.id AND r.xmin = m.version
         AND (r.processed IS DISTINCT FROM (m.error IS NULL) OR r.error IS DISTINCT FROM m.error OR r.processed_at IS NULL)
      RETURNING r.id
    ),
    unqueued AS (
      -- by key lookups, however long the backlog: a join could choose to scan all of it
      DELETE FROM raw_event_backlog b WHERE b.raw_event_id = ANY (ARRAY(SELECT id FROM marks))
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM new_sources)::int AS inserted,
           count(*) FILTER (WHERE c.source_changed OR (c.content_changed AND NOT c.origin_shared))::int AS updated,
           array_remove(array_agg(DISTINCT CASE WHEN c.host_shared AND (c.source_changed OR c.seen_changed) THEN c.event_id END), NULL)
             AS refresh_ids
      FROM cur c`;
  // Not a named prepared statement, although its text never changes: a plan cached while the
  // catalogue is small (right after setup) keeps its scans when the tables have grown, and
  // re-ingestion then took a minute instead of a second. Planning each batch costs about 1 ms.
  const { rows } = await db.query<{ inserted: number; updated: number; refresh_ids: string[] | null }>(sql, p.values);
  const r = rows[0]!;
  const inserted = Number(r.inserted);
  const updated = Number(r.updated);
  return { inserted, updated, unchanged: inputs.length - inserted - updated, refreshIds: r.refresh_ids ?? [] };
}
