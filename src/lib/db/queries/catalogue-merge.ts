/**
 * Statements that fold source records into canonical events: read the records an event hosts,
 * and write canonical content, merge bookkeeping and record moves in bulk.
 */
import type { MatchEvidence } from '../../../contracts/dedupe.js';
import type { CanonicalRow, StoredContent } from '../rows.js';
import type { Queryable } from '../types.js';
import { Params, contentColumns, contentList, sourceFieldList, unnestFrom, CONTENT_NAMES } from './catalogue-columns.js';

/** A source record with its stored fields (rows written before schema version 2 have none). */
export interface StoredRecordRow extends StoredContent {
  source: string;
  external_id: string;
  event_id: string;
  last_seen_at: Date;
}

/** The records hosted by these events, with the events' current merge bookkeeping. */
export async function loadHostedRecords(
  db: Queryable,
  eventIds: readonly string[],
): Promise<Array<StoredRecordRow & { merge_score: number | null; merge_reasons: MergeReasons | null; city_id: string | null }>> {
  if (eventIds.length === 0) return [];
  const { rows } = await db.query<StoredRecordRow & { merge_score: number | null; merge_reasons: MergeReasons | null; city_id: string | null }>(
    `SELECT es.source, es.external_id, es.event_id, ${sourceFieldList('es')}, es.last_seen_at,
            e.merge_score, e.merge_reasons, e.city_id
       FROM event_sources es JOIN events e ON e.id = es.event_id
      WHERE es.event_id = ANY($1::uuid[]) AND es.title IS NOT NULL`,
    [eventIds],
  );
  return rows;
}

/** Full records by key, for the clusters whose canonical content must be (re)computed. */
export async function loadRecords(db: Queryable, keys: ReadonlyArray<{ source: string; externalId: string }>): Promise<StoredRecordRow[]> {
  if (keys.length === 0) return [];
  const p = new Params();
  const k = unnestFrom(p, 'k', keys, [
    ['source', 'text', (r) => r.source],
    ['external_id', 'text', (r) => r.externalId],
  ]);
  const { rows } = await db.query<StoredRecordRow>(
    `SELECT es.source, es.external_id, es.event_id, ${sourceFieldList('es')}, es.last_seen_at
       FROM ${k} JOIN event_sources es ON es.source = k.source AND es.external_id = k.external_id
      WHERE es.title IS NOT NULL`,
    p.values,
  );
  return rows;
}

/** On a surviving event: why its records were merged. */
export interface MergeReasons {
  /** every matched pair of records (ids are `source:externalId`) with dedupe's reasons */
  pairs: Array<{ a: string; b: string; score: number; reasons: string[]; evidence?: MatchEvidence }>;
  /** every field choice mergeEvents made */
  fields: string[];
  /** fingerprint of the cluster when dedupe wrote it; unchanged means nothing to rewrite */
  signature?: string;
}

/** On a merged-away event: the event that absorbed it and the records its record matched. */
export interface AbsorbedReasons {
  absorbedBy: string;
  matched: string[];
}

/** The content an event shows: merged from a cluster, or one record's own (then no merge info). */
export interface CanonicalWrite {
  id: string;
  row: CanonicalRow;
  cityId: string | null;
  lastSeenAt: Date | null;
  mergeScore: number | null;
  mergeReasons: MergeReasons | null;
}

export interface SourceMove {
  source: string;
  externalId: string;
  eventId: string;
}

export interface Absorption {
  id: string;
  into: string;
  /** the best score of the record's matches in the cluster */
  score: number | null;
  reasons: AbsorbedReasons;
}

export interface MergePlan {
  moves: readonly SourceMove[];
  absorptions: readonly Absorption[];
  canonical: readonly CanonicalWrite[];
}

/**
 * Applies a merge plan in one statement, so readers never see a record moved to an event that
 * is not yet canonical. Rows are written only when a value differs; `updated_at` moves when
 * anything but `last_seen_at` does. `absorptions` and `canonical` never name the same event.
 */
export async function applyMergePlan(db: Queryable, plan: MergePlan): Promise<{ moved: number; absorbed: number; written: number }> {
  const p = new Params();
  const moves = unnestFrom(p, 'm', plan.moves, [
    ['source', 'text', (m) => m.source],
    ['external_id', 'text', (m) => m.externalId],
    ['event_id', 'uuid', (m) => m.eventId],
  ]);
  const absorptions = unnestFrom(p, 'a', plan.absorptions, [
    ['id', 'uuid', (a) => a.id],
    ['absorber', 'uuid', (a) => a.into],
    ['score', 'float8', (a) => a.score],
    ['reasons', 'jsonb', (a) => JSON.stringify(a.reasons)],
  ]);
  const canonical = unnestFrom(p, 'x', plan.canonical, [
    ['id', 'uuid', (c) => c.id],
    ['city_id', 'text', (c) => c.cityId],
    ['last_seen', 'timestamptz', (c) => c.lastSeenAt],
    ['merge_score', 'float8', (c) => c.mergeScore],
    ['merge_reasons', 'jsonb', (c) => (c.mergeReasons === null ? null : JSON.stringify(c.mergeReasons))],
    ...contentColumns<CanonicalWrite>((c) => c.row),
  ]);
  const changed = `(${contentList('e')}, e.city_id, e.merged_into, e.merge_score, e.merge_reasons)
     IS DISTINCT FROM (${contentList('x')}, x.city_id, NULL::uuid, x.merge_score, x.merge_reasons)`;
  const { rows } = await db.query<{ moved: number; absorbed: number; written: number }>(
    `WITH moved AS (
       UPDATE event_sources es SET event_id = m.event_id
         FROM ${moves}
        WHERE es.source = m.source AND es.external_id = m.external_id AND es.event_id IS DISTINCT FROM m.event_id
       RETURNING 1
     ), absorbed AS (
       UPDATE events e SET merged_into = a.absorber, merge_score = a.score, merge_reasons = a.reasons, updated_at = now()
         FROM ${absorptions}
        WHERE e.id = a.id
          AND (e.merged_into, e.merge_score, e.merge_reasons) IS DISTINCT FROM (a.absorber, a.score, a.reasons)
       RETURNING 1
     ), written AS (
       UPDATE events e
          SET ${CONTENT_NAMES.map((n) => `${n} = x.${n}`).join(', ')}, city_id = x.city_id, merged_into = NULL,
              merge_score = x.merge_score, merge_reasons = x.merge_reasons,
              last_seen_at = COALESCE(x.last_seen, e.last_seen_at),
              updated_at = CASE WHEN ${changed} THEN now() ELSE e.updated_at END
         FROM ${canonical}
        WHERE e.id = x.id AND (${changed} OR e.last_seen_at IS DISTINCT FROM COALESCE(x.last_seen, e.last_seen_at))
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM moved)::int AS moved, (SELECT count(*) FROM absorbed)::int AS absorbed,
            (SELECT count(*) FROM written)::int AS written`,
    p.values,
  );
  const r = rows[0]!;
  return { moved: Number(r.moved), absorbed: Number(r.absorbed), written: Number(r.written) };
}
