/** `raw_events`: what discovery stores, keyed by (source, external_id). */
import { createHash } from 'node:crypto';
import type { Queryable } from '../types.js';

export interface RawUpsertCounts {
  new: number;
  changed: number;
  unchanged: number;
}

/** JSON with sorted keys, so equal payloads hash equally whatever their key order. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`)
    .join(',')}}`;
}

export function contentHash(data: unknown): string {
  return createHash('sha256').update(stableStringify(data)).digest('hex');
}

/** One raw record ready for the statement: its JSON and hash computed once. */
interface PreparedRaw {
  externalId: string;
  json: string;
  hash: string;
}

/**
 * Upserts one batch: new rows are inserted; rows whose payload changed are updated and marked
 * unprocessed again; unchanged rows only get `last_seen_at`. Counts come from the snapshot
 * the statement started with, so they are exact even under concurrent discovery.
 *
 * A record may belong to several cities (two cities sharing a feed, overlapping metro areas):
 * `city_id` keeps the first city that discovered it, and `city_ids` gathers every city. A record
 * seen by a new city is marked unprocessed so ingestion carries the new city to its event.
 *
 * One statement: a record Postgres refuses fails the batch (`storeRawEvents` isolates it).
 */
export async function upsertRawEvents(
  db: Queryable,
  source: string,
  cityId: string | null,
  records: Array<{ externalId: string; data: unknown }>,
): Promise<RawUpsertCounts> {
  return upsertPrepared(db, source, cityId, records.map((r) => ({ externalId: r.externalId, json: JSON.stringify(r.data), hash: contentHash(r.data) })));
}

async function upsertPrepared(db: Queryable, source: string, cityId: string | null, records: PreparedRaw[]): Promise<RawUpsertCounts> {
  if (records.length === 0) return { new: 0, changed: 0, unchanged: 0 };
  const { rows } = await db.query<{ new: number; changed: number; unchanged: number }>(
    `WITH input AS (
       SELECT * FROM unnest($3::text[], $4::jsonb[], $5::text[]) AS t(external_id, data, hash)
     ), old AS (
       SELECT r.external_id, r.content_hash FROM raw_events r JOIN input i ON r.source = $1 AND r.external_id = i.external_id
     ), up AS (
       INSERT INTO raw_events (source, external_id, data, discovered_at, city_id, city_ids, content_hash, last_seen_at)
       SELECT $1, external_id, data, now(), $2, CASE WHEN $2::text IS NULL THEN NULL ELSE ARRAY[$2::text] END, hash, now() FROM input
       ON CONFLICT (source, external_id) DO UPDATE SET
         data = CASE WHEN raw_events.content_hash IS DISTINCT FROM EXCLUDED.content_hash THEN EXCLUDED.data ELSE raw_events.data END,
         processed = CASE WHEN raw_events.content_hash IS DISTINCT FROM EXCLUDED.content_hash
                            OR NOT (EXCLUDED.city_ids <@ coalesce(raw_events.city_ids, ARRAY[raw_events.city_id])) THEN FALSE
                          ELSE raw_events.processed END,
         processed_at = CASE WHEN raw_events.content_hash IS DISTINCT FROM EXCLUDED.content_hash
                            OR NOT (EXCLUDED.city_ids <@ coalesce(raw_events.city_ids, ARRAY[raw_events.city_id])) THEN NULL
                          ELSE raw_events.processed_at END,
         error = CASE WHEN raw_events.content_hash IS DISTINCT FROM EXCLUDED.content_hash THEN NULL ELSE raw_events.error END,
         content_hash = EXCLUDED.content_hash,
         city_id = COALESCE(raw_events.city_id, EXCLUDED.city_id),
         city_ids = CASE WHEN EXCLUDED.city_ids <@ coalesce(raw_events.city_ids, ARRAY[raw_events.city_id])
                         THEN raw_events.city_ids
                         ELSE array_remove(coalesce(raw_events.city_ids, ARRAY[raw_events.city_id]), NULL) || EXCLUDED.city_ids END,
         last_seen_at = now()
       RETURNING 1
     )
     SELECT count(*) FILTER (WHERE old.external_id IS NULL)::int AS new,
            count(*) FILTER (WHERE old.content_hash IS DISTINCT FROM i.hash AND old.external_id IS NOT NULL)::int AS changed,
            count(*) FILTER (WHERE old.content_hash = i.hash)::int AS unchanged,
            (SELECT count(*) FROM up)::int AS written
       FROM input i LEFT JOIN old USING (external_id)`,
    [source, cityId, records.map((r) => r.externalId), records.map((r) => r.json), records.map((r) => r.hash)],
  );
  const r = rows[0]!;
  return { new: Number(r.new), changed: Number(r.changed), unchanged: Number(r.unchanged) };
}

/** A record `storeRawEvents` could not store, and why (the database's message and SQLSTATE). */
export interface RejectedRawRecord {
  externalId: string;
  reason: string;
}

export interface RawStoreResult extends RawUpsertCounts {
  rejected: RejectedRawRecord[];
}

/**
 * `upsertRawEvents` that never loses a batch to one record: a record that cannot be serialized
 * is rejected before the statement, and when the database refuses the statement for its data
 * (SQLSTATE class 22, data exception, or 54, a program limit such as an index row too large)
 * the batch is retried in halves until the record it refuses is alone; that record is
 * rejected with the database's reason and every other record is stored. Any other failure
 * (connection lost, ...) is thrown as before, so the task is retried.
 */
export async function storeRawEvents(
  db: Queryable,
  source: string,
  cityId: string | null,
  records: Array<{ externalId: string; data: unknown }>,
): Promise<RawStoreResult> {
  const result: RawStoreResult = { new: 0, changed: 0, unchanged: 0, rejected: [] };
  const prepared: PreparedRaw[] = [];
  for (const r of records) {
    try {
      prepared.push({ externalId: r.externalId, json: JSON.stringify(r.data), hash: contentHash(r.data) });
    } catch (err) {
      result.rejected.push({ externalId: r.externalId, reason: `cannot be serialized: ${(err as Error).message}` });
    }
  }
  await storeHalving(db, source, cityId, prepared, result);
  return result;
}

async function storeHalving(db: Queryable, source: string, cityId: string | null, records: PreparedRaw[], into: RawStoreResult): Promise<void> {
  if (records.length === 0) return;
  try {
    const c = await upsertPrepared(db, source, cityId, records);
    into.new += c.new;
    into.changed += c.changed;
    into.unchanged += c.unchanged;
  } catch (err) {
    if (!isDataError(err)) throw err;
    if (records.length === 1) {
      const e = err as { message?: string; code?: string };
      into.rejected.push({ externalId: records[0]!.externalId, reason: `refused by the database (${e.code}): ${e.message ?? String(err)}` });
      return;
    }
    const mid = Math.ceil(records.length / 2);
    await storeHalving(db, source, cityId, records.slice(0, mid), into);
    await storeHalving(db, source, cityId, records.slice(mid), into);
  }
}

/** Errors about the values sent (SQLSTATE classes 22 and 54), not about the database being there. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^(22|54)[0-9A-Z]{3}$/.test(code);
}

/**
 * Unprocessed raw events grouped by source, oldest first, for ingestion batches: the backlog
 * (migration 0006), less entries whose raw row was marked by something other than ingestion.
 * Both steps walk the backlog's (source, discovered_at) index: the sources one jump each, then
 * at most `limitPerSource` entries per source, however long the backlog has grown.
 */
export async function unprocessedBySource(db: Queryable, limitPerSource: number, source?: string): Promise<Map<string, string[]>> {
  const { rows } = await db.query<{ source: string; ids: string[] }>(
    `WITH RECURSIVE sources AS (
       (SELECT source FROM raw_event_backlog WHERE $2::text IS NULL OR source = $2 ORDER BY source LIMIT 1)
       UNION ALL
       SELECT (SELECT b.source FROM raw_event_backlog b
                WHERE b.source > s.source AND $2::text IS NULL ORDER BY b.source LIMIT 1)
         FROM sources s WHERE s.source IS NOT NULL
     )
     SELECT s.source, pending.ids
       FROM sources s
       CROSS JOIN LATERAL (
         SELECT array_agg(p.id ORDER BY p.discovered_at, p.id) AS ids
           FROM (SELECT b.raw_event_id AS id, b.discovered_at
                   FROM raw_event_backlog b JOIN raw_events r ON r.id = b.raw_event_id
                  WHERE b.source = s.source AND r.processed = FALSE AND r.error IS NULL
                  ORDER BY b.discovered_at, b.raw_event_id LIMIT $1) p
       ) pending
      WHERE s.source IS NOT NULL AND pending.ids IS NOT NULL
      ORDER BY s.source`,
    [limitPerSource, source ?? null],
  );
  return new Map(rows.map((r) => [r.source, r.ids]));
}

export interface RawEventActivity {
  /** raw events first stored in the last hour */
  discoveredLastHour: number;
  /** raw events handled (ingested or refused) by the ingestion tasks completed in the last hour */
  ingestedLastHour: number;
  /** raw events first stored per hour over the last 24 hours, oldest first; empty hours left out */
  discoveredByHour: Array<{ hour: Date; count: number }>;
}

/**
 * The status figures on raw events. Discoveries are read through the BRIN index on
 * discovered_at (0005); ingestions are summed from the results of ingestion tasks, since no
 * index on processed_at may slow the marking of raw rows (0006).
 */
export async function rawEventActivity(db: Queryable): Promise<RawEventActivity> {
  const [rates, history] = await Promise.all([
    db.query<{ discovered: number; ingested: number }>(
      `SELECT (SELECT count(*) FROM raw_events WHERE discovered_at > now() - interval '1 hour')::int AS discovered,
              (SELECT coalesce(sum((result->>'processed')::int), 0) FROM task_assignments
                WHERE status = 'completed' AND completed_at > now() - interval '1 hour' AND task_type = 'ingestion')::int AS ingested`,
    ),
    db.query<{ hour: Date | string; count: number }>(
      `SELECT date_trunc('hour', discovered_at) AS hour, count(*)::int AS count FROM raw_events
        WHERE discovered_at > now() - interval '24 hours' GROUP BY 1 ORDER BY 1`,
    ),
  ]);
  return {
    discoveredLastHour: Number(rates.rows[0]?.discovered ?? 0),
    ingestedLastHour: Number(rates.rows[0]?.ingested ?? 0),
    discoveredByHour: history.rows.map((r) => ({ hour: new Date(r.hour), count: Number(r.count) })),
  };
}
