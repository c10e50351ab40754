/**
 * `source_health`: one row per (city, source, feed), written by discovery after each feed (or
 * API source) it reads, read by the distributor (quarantined feeds are skipped), the API, the
 * dashboard, the CLI and /metrics. Also `events.last_confirmed_at`, set when a discovery sees a
 * source record of the event.
 */
import { createHash } from 'node:crypto';
import type { QuarantinePolicy, SourceHealth } from '../../../contracts/source-health.js';
import { NotFoundError } from '../../errors.js';
import { redactText, redactUrl } from '../../redact.js';
import type { Queryable } from '../types.js';
import { isoOrNull as iso } from '../timestamptz.js';

/** A (city, source, feed): `feed` is '' for an API source. */
export interface SourceKey {
  cityId: string;
  source: string;
  feed: string;
}

/** The row's id: derived from its key, so every replica names it alike and URLs carry no feed. */
export function sourceHealthId(key: SourceKey): string {
  return createHash('sha256').update(`${key.cityId}\n${key.source}\n${key.feed}`).digest('hex').slice(0, 16);
}

interface Row {
  id: string;
  city_id: string;
  source: string;
  feed: string;
  last_success_at: Date | string | null;
  last_error_at: Date | string | null;
  last_error: string | null;
  consecutive_failures: number;
  events_last_seen: number | null;
  quarantined_until: Date | string | null;
  quarantined: boolean;
  quarantines: number;
  updated_at: Date | string;
}

const COLUMNS = `id, city_id, source, feed, last_success_at, last_error_at, last_error, consecutive_failures,
  events_last_seen, quarantined_until, coalesce(quarantined_until > now(), FALSE) AS quarantined, quarantines, updated_at`;


function toHealth(r: Row): SourceHealth {
  return {
    id: r.id,
    cityId: r.city_id,
    source: r.source,
    feed: r.feed === '' ? null : redactUrl(r.feed),
    lastSuccessAt: iso(r.last_success_at),
    lastErrorAt: iso(r.last_error_at),
    lastError: r.last_error,
    consecutiveFailures: Number(r.consecutive_failures),
    eventsLastSeen: r.events_last_seen === null ? null : Number(r.events_last_seen),
    quarantinedUntil: r.quarantined ? iso(r.quarantined_until) : null,
    quarantined: Boolean(r.quarantined),
    quarantines: Number(r.quarantines),
    updatedAt: iso(r.updated_at)!,
  };
}

/** A success: failures, quarantine and backoff are cleared. */
export async function recordSourceSuccess(db: Queryable, key: SourceKey, eventsSeen: number): Promise<void> {
  await db.query(
    `INSERT INTO source_health (id, city_id, source, feed, last_success_at, events_last_seen, updated_at)
     VALUES ($1, $2, $3, $4, now(), $5, now())
     ON CONFLICT (id) DO UPDATE SET
       last_success_at = now(), events_last_seen = EXCLUDED.events_last_seen, consecutive_failures = 0,
       quarantined_until = NULL, quarantines = 0, updated_at = now()`,
    [sourceHealthId(key), key.cityId, key.source, key.feed, eventsSeen],
  );
}

/**
 * A failure. The `quarantineAfter`-th failure in a row (and each one after it) quarantines the
 * feed for `backoffMs × 2^quarantines`, capped at `maxBackoffMs`. Returns the row as it is now.
 */
export async function recordSourceFailure(db: Queryable, key: SourceKey, error: string, policy: QuarantinePolicy): Promise<SourceHealth> {
  const message = redactText(error).slice(0, 500);
  const { rows } = await db.query<Row>(
    `WITH prev AS (
       SELECT coalesce((SELECT consecutive_failures FROM source_health WHERE id = $1), 0) + 1 AS failures,
              coalesce((SELECT quarantines FROM source_health WHERE id = $1), 0) AS quarantines
     )
     INSERT INTO source_health AS h (id, city_id, source, feed, last_error_at, last_error, consecutive_failures,
                                     quarantined_until, quarantines, updated_at)
     SELECT $1, $2, $3, $4, now(), $5, prev.failures,
            CASE WHEN prev.failures >= $6::int
                 THEN now() + make_interval(secs => least($8::float8, $7::float8 * power(2, prev.quarantines)::float8) / 1000.0) END,
            CASE WHEN prev.failures >= $6::int THEN prev.quarantines + 1 ELSE prev.quarantines END,
            now()
       FROM prev
     ON CONFLICT (id) DO UPDATE SET
       last_error_at = now(), last_error = EXCLUDED.last_error,
       consecutive_failures = h.consecutive_failures + 1,
       quarantined_until = CASE WHEN h.consecutive_failures + 1 >= $6::int
                                THEN now() + make_interval(secs => least($8::float8, $7::float8 * power(2, h.quarantines)::float8) / 1000.0)
                                ELSE h.quarantined_until END,
       quarantines = CASE WHEN h.consecutive_failures + 1 >= $6::int THEN h.quarantines + 1 ELSE h.quarantines END,
       updated_at = now()
     RETURNING ${COLUMNS}`,
    [sourceHealthId(key), key.cityId, key.source, key.feed, message, policy.quarantineAfter, policy.backoffMs, policy.maxBackoffMs],
  );
  return toHealth(rows[0]!);
}

/** The (city, source, feed) keys quarantined now, for the distributor. */
export async function quarantinedSources(db: Queryable): Promise<SourceKey[]> {
  const { rows } = await db.query<{ city_id: string; source: string; feed: string }>(
    `SELECT city_id, source, feed FROM source_health WHERE quarantined_until > now()`,
  );
  return rows.map((r) => ({ cityId: r.city_id, source: r.source, feed: r.feed }));
}

/** Every row, worst first: quarantined, most failures in a row, oldest success. */
export async function listSourceHealth(db: Queryable): Promise<SourceHealth[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM source_health
      ORDER BY coalesce(quarantined_until > now(), FALSE) DESC, consecutive_failures DESC,
               last_success_at ASC NULLS FIRST, city_id, source, feed`,
  );
  return rows.map(toHealth);
}

/** An operator's "try it again": quarantine, backoff and the failure count are cleared. */
export async function unquarantineSource(db: Queryable, id: string): Promise<SourceHealth> {
  const { rows } = await db.query<Row>(
    `UPDATE source_health SET quarantined_until = NULL, quarantines = 0, consecutive_failures = 0, updated_at = now()
      WHERE id = $1 RETURNING ${COLUMNS}`,
    [id],
  );
  if (!rows[0]) throw new NotFoundError(`no source health record ${id} (GET /api/sources lists them)`);
  return toHealth(rows[0]);
}

/** Marks the events of these source records as confirmed now (and the events they were merged into). */
export async function confirmEvents(db: Queryable, source: string, externalIds: readonly string[]): Promise<void> {
  if (externalIds.length === 0) return;
  await db.query(
    `UPDATE events SET last_confirmed_at = now()
      WHERE id IN (SELECT es.event_id FROM event_sources es WHERE es.source = $1 AND es.external_id = ANY($2::text[])
                   UNION
                   SELECT e.merged_into FROM events e JOIN event_sources es ON es.event_id = e.id
                    WHERE es.source = $1 AND es.external_id = ANY($2::text[]) AND e.merged_into IS NOT NULL)`,
    [source, externalIds],
  );
}
