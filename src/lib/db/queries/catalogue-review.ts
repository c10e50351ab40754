/**
 * Dedupe's operator-facing storage (migration 0010): the review queue of uncertain pairs,
 * must-link / cannot-link constraints on source records, parent links between events, and the
 * lineage of every merge and split.
 */
import { GENERIC_PLAN, type Queryable } from '../types.js';
import { Params, unnestFrom } from './catalogue-columns.js';
import { EVENT_COLUMNS, RESOLVE_CHAIN, sourcesJson, type EventRow } from './events.js';

export interface RecordRef {
  source: string;
  externalId: string;
}

const keyColumns = [
  ['source', 'text', (r: RecordRef) => r.source],
  ['external_id', 'text', (r: RecordRef) => r.externalId],
] as const;

// ---- constraints ------------------------------------------------------------------------

export type ConstraintKind = 'must' | 'cannot';

export interface ConstraintRow {
  a_source: string;
  a_external_id: string;
  b_source: string;
  b_external_id: string;
  kind: ConstraintKind;
  origin: 'review' | 'unmerge';
}

/** Constraints naming any of these records. */
export async function loadConstraints(db: Queryable, records: readonly RecordRef[]): Promise<ConstraintRow[]> {
  if (records.length === 0) return [];
  const p = new Params();
  const k = unnestFrom(p, 'k', records, keyColumns);
  // Two joins rather than one OR: each side is a hash join (or an index probe), whatever the sizes.
  const { rows } = await db.query<ConstraintRow>(
    `WITH k AS (SELECT * FROM ${k})
     SELECT c.a_source, c.a_external_id, c.b_source, c.b_external_id, c.kind, c.origin
       FROM dedupe_constraints c JOIN k ON k.source = c.a_source AND k.external_id = c.a_external_id
     UNION
     SELECT c.a_source, c.a_external_id, c.b_source, c.b_external_id, c.kind, c.origin
       FROM dedupe_constraints c JOIN k ON k.source = c.b_source AND k.external_id = c.b_external_id`,
    p.values,
  );
  return rows;
}

const ordered = (x: RecordRef, y: RecordRef): [RecordRef, RecordRef] =>
  `${x.source}:${x.externalId}` <= `${y.source}:${y.externalId}` ? [x, y] : [y, x];

/** Stores (or replaces) the constraint on each pair. */
export async function upsertConstraints(
  db: Queryable,
  pairs: ReadonlyArray<{ a: RecordRef; b: RecordRef }>,
  kind: ConstraintKind,
  origin: ConstraintRow['origin'],
): Promise<void> {
  if (pairs.length === 0) return;
  const p = new Params();
  const rows = pairs.map(({ a, b }) => ordered(a, b));
  const u = unnestFrom(p, 'u', rows, [
    ['a_source', 'text', (r) => r[0].source],
    ['a_external_id', 'text', (r) => r[0].externalId],
    ['b_source', 'text', (r) => r[1].source],
    ['b_external_id', 'text', (r) => r[1].externalId],
  ]);
  await db.query(
    `INSERT INTO dedupe_constraints (a_source, a_external_id, b_source, b_external_id, kind, origin)
     SELECT DISTINCT u.a_source, u.a_external_id, u.b_source, u.b_external_id, ${p.add(kind)}::text, ${p.add(origin)}::text FROM ${u}
     ON CONFLICT (a_source, a_external_id, b_source, b_external_id)
     DO UPDATE SET kind = EXCLUDED.kind, origin = EXCLUDED.origin, created_at = now()`,
    p.values,
  );
}

// ---- review queue -----------------------------------------------------------------------

export interface ReviewWrite {
  pairId: string;
  a: RecordRef;
  b: RecordRef;
  cityId: string | null;
  score: number;
  evidence: unknown;
}

/**
 * Queues these pairs for review. A pending item gets the newest score and evidence; a decided
 * one is left alone (its decision is a constraint already).
 */
export async function upsertReviewItems(db: Queryable, items: readonly ReviewWrite[]): Promise<number> {
  if (items.length === 0) return 0;
  const p = new Params();
  const u = unnestFrom(p, 'u', items, [
    ['pair_id', 'text', (r) => r.pairId],
    ['a_source', 'text', (r) => r.a.source],
    ['a_external_id', 'text', (r) => r.a.externalId],
    ['b_source', 'text', (r) => r.b.source],
    ['b_external_id', 'text', (r) => r.b.externalId],
    ['city_id', 'text', (r) => r.cityId],
    ['score', 'float8', (r) => r.score],
    ['evidence', 'jsonb', (r) => JSON.stringify(r.evidence)],
  ]);
  const { rowCount } = await db.query(
    `INSERT INTO dedupe_review AS r (pair_id, a_source, a_external_id, b_source, b_external_id, city_id, score, evidence)
     SELECT u.pair_id, u.a_source, u.a_external_id, u.b_source, u.b_external_id, u.city_id, u.score, u.evidence FROM ${u}
     ON CONFLICT (pair_id) DO UPDATE SET score = EXCLUDED.score, evidence = EXCLUDED.evidence, updated_at = now()
      WHERE r.status = 'pending' AND (r.score, r.evidence) IS DISTINCT FROM (EXCLUDED.score, EXCLUDED.evidence)`,
    p.values,
  );
  return rowCount;
}

/** Pending items whose two records are both among these (a run that sees both can drop them). */
export async function pendingReviewAmong(db: Queryable, records: readonly RecordRef[]): Promise<string[]> {
  if (records.length === 0) return [];
  const p = new Params();
  const k = unnestFrom(p, 'k', records, keyColumns);
  const { rows } = await db.query<{ pair_id: string }>(
    `WITH k AS (SELECT * FROM ${k})
     SELECT r.pair_id FROM dedupe_review r
       JOIN k ka ON ka.source = r.a_source AND ka.external_id = r.a_external_id
       JOIN k kb ON kb.source = r.b_source AND kb.external_id = r.b_external_id
      WHERE r.status = 'pending'`,
    p.values,
  );
  return rows.map((r) => r.pair_id);
}

export async function deletePendingReview(db: Queryable, pairIds: readonly string[]): Promise<void> {
  if (pairIds.length === 0) return;
  await db.query(`DELETE FROM dedupe_review WHERE status = 'pending' AND pair_id = ANY($1::text[])`, [pairIds]);
}

export interface ReviewRecordRow {
  source: string;
  external_id: string;
  event_id: string | null;
  title: string | null;
  starts_at: Date | null;
  all_day: boolean | null;
  timezone: string | null;
  venue_name: string | null;
  address: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
  url: string | null;
  city_id: string | null;
}

export interface ReviewRow {
  pair_id: string;
  a_source: string;
  a_external_id: string;
  b_source: string;
  b_external_id: string;
  city_id: string | null;
  score: number;
  evidence: unknown;
  status: 'pending' | 'decided';
  decision: 'same' | 'different' | null;
  created_at: Date;
  decided_at: Date | null;
}

const REVIEW_COLUMNS = `r.pair_id, r.a_source, r.a_external_id, r.b_source, r.b_external_id, r.city_id, r.score, r.evidence,
  r.status, r.decision, r.created_at, r.decided_at`;

/** Review items by status, oldest first. */
export async function selectReviewItems(db: Queryable, status: 'pending' | 'decided', limit: number): Promise<ReviewRow[]> {
  const { rows } = await db.query<ReviewRow>(
    `SELECT ${REVIEW_COLUMNS} FROM dedupe_review r WHERE r.status = $1::text
      ORDER BY ${status === 'pending' ? 'r.created_at, r.pair_id' : 'r.decided_at DESC, r.pair_id'} LIMIT $2::int`,
    [status, limit],
  );
  return rows;
}

export async function selectReviewItem(db: Queryable, pairId: string): Promise<ReviewRow | null> {
  const { rows } = await db.query<ReviewRow>(`SELECT ${REVIEW_COLUMNS} FROM dedupe_review r WHERE r.pair_id = $1::text`, [pairId]);
  return rows[0] ?? null;
}

export async function markReviewDecided(db: Queryable, pairId: string, decision: 'same' | 'different'): Promise<void> {
  await db.query(
    `UPDATE dedupe_review SET status = 'decided', decision = $2::text, decided_at = now(), updated_at = now() WHERE pair_id = $1::text`,
    [pairId, decision],
  );
}

/** The records as their sources wrote them, with the event hosting each now. */
export async function selectRecords(db: Queryable, records: readonly RecordRef[]): Promise<ReviewRecordRow[]> {
  if (records.length === 0) return [];
  const p = new Params();
  const k = unnestFrom(p, 'k', records, keyColumns);
  const { rows } = await db.query<ReviewRecordRow>(
    `SELECT es.source, es.external_id, es.event_id, es.title, es.starts_at, es.all_day, es.timezone, es.venue_name,
            es.address, es.city, es.latitude, es.longitude, es.url, es.city_id
       FROM ${k} JOIN event_sources es ON es.source = k.source AND es.external_id = k.external_id`,
    p.values,
  );
  return rows;
}

/** Records hosted by an event, with the start time and city a scoped dedupe run needs. */
export async function selectHostedRecords(db: Queryable, eventId: string): Promise<Array<RecordRef & { startsAt: Date | null; cityId: string | null }>> {
  const { rows } = await db.query<{ source: string; external_id: string; starts_at: Date | null; city_id: string | null }>(
    'SELECT source, external_id, starts_at, city_id FROM event_sources WHERE event_id = $1::uuid ORDER BY source, external_id',
    [eventId],
  );
  return rows.map((r) => ({ source: r.source, externalId: r.external_id, startsAt: r.starts_at, cityId: r.city_id }));
}

// ---- parents ----------------------------------------------------------------------------

/** Sets `parent_id` of each event (child event id → parent event id, null to clear). */
export async function setParents(db: Queryable, parents: ReadonlyMap<string, string | null>): Promise<number> {
  if (parents.size === 0) return 0;
  const p = new Params();
  const u = unnestFrom(p, 'u', [...parents], [
    ['id', 'uuid', (r) => r[0]],
    ['parent', 'uuid', (r) => r[1]],
  ]);
  const { rowCount } = await db.query(
    `UPDATE events e SET parent_id = u.parent FROM ${u} WHERE e.id = u.id AND e.parent_id IS DISTINCT FROM u.parent`,
    p.values,
  );
  return rowCount;
}

export interface EventLinkRow {
  id: string;
  title: string;
  /** ISO text: read as JSON with the event (selectEventDetail) */
  starts_at: Date | string;
}

// ---- lineage ----------------------------------------------------------------------------

export type LineageAction = 'merge' | 'split' | 'unmerge' | 'review';

export interface LineageWrite {
  action: LineageAction;
  eventId: string;
  otherId?: string | null;
  source?: string | null;
  externalId?: string | null;
  detail?: unknown;
}

export async function insertLineage(db: Queryable, entries: readonly LineageWrite[]): Promise<void> {
  if (entries.length === 0) return;
  const p = new Params();
  const u = unnestFrom(p, 'u', entries, [
    ['action', 'text', (e) => e.action],
    ['event_id', 'uuid', (e) => e.eventId],
    ['other_id', 'uuid', (e) => e.otherId ?? null],
    ['source', 'text', (e) => e.source ?? null],
    ['external_id', 'text', (e) => e.externalId ?? null],
    ['detail', 'jsonb', (e) => (e.detail === undefined ? null : JSON.stringify(e.detail))],
  ]);
  await db.query(
    `INSERT INTO event_lineage (action, event_id, other_id, source, external_id, detail)
     SELECT u.action, u.event_id, u.other_id, u.source, u.external_id, u.detail FROM ${u}`,
    p.values,
  );
}

export interface LineageRow {
  /** ISO text: read as JSON with the event (selectEventDetail) */
  at: Date | string;
  action: LineageAction;
  event_id: string;
  other_id: string | null;
  source: string | null;
  external_id: string | null;
  detail: unknown;
}

/** How many lineage entries an event's detail shows at most (the newest). */
export const DETAIL_LINEAGE_LIMIT = 200;

export interface EventDetailRows {
  /** the event the id stands for (itself, or the event that absorbed it) */
  resolvedId: string;
  /** null when the id was merged away (then only resolvedId is read) */
  event: EventRow | null;
  parent: EventLinkRow | null;
  /** visible events linked to it, by start */
  children: EventLinkRow[];
  /** everything that happened to it or named it, oldest first (the newest DETAIL_LINEAGE_LIMIT) */
  history: LineageRow[];
}

const link = (alias: string) => `json_build_object('id', ${alias}.id, 'title', ${alias}.title, 'starts_at', ${alias}.starts_at)`;

/**
 * Everything an event's detail shows, in one statement: the id resolved (RESOLVE_CHAIN), and
 * when it was not merged away, the event with its merge reasons and sources, its parent and
 * children, and its lineage. Null when no event has the id.
 */
export async function selectEventDetail(db: Queryable, id: string): Promise<EventDetailRows | null> {
  // Lookups by key whatever the id, so one plan per connection (GENERIC_PLAN): planned for each
  // id, this statement cost more to plan than to run (bench:http at 1M, one event by id). The
  // lineage limit is written in, a constant: a generic plan does not know a parameter's value,
  // and a LIMIT it does not know may be planned as reading the lineage in id order.
  const { rows } = await db.query<EventRow & { resolved_id: string; parent: EventLinkRow | null; children: EventLinkRow[]; history: LineageRow[] }>(
    `${GENERIC_PLAN}WITH RECURSIVE ${RESOLVE_CHAIN}
     SELECT t.id AS resolved_id, ${EVENT_COLUMNS}, e.merge_reasons, ${sourcesJson('e.id')} AS sources,
       (SELECT ${link('p')} FROM events p WHERE p.id = e.parent_id) AS parent,
       (SELECT coalesce(json_agg(${link('c')} ORDER BY c.starts_at, c.id), '[]'::json)
          FROM events c WHERE c.parent_id = e.id AND c.merged_into IS NULL) AS children,
       (SELECT coalesce(json_agg(json_build_object('at', l.at, 'action', l.action, 'event_id', l.event_id, 'other_id', l.other_id,
                 'source', l.source, 'external_id', l.external_id, 'detail', l.detail) ORDER BY l.id), '[]'::json)
          FROM (SELECT * FROM event_lineage l WHERE l.event_id = e.id OR l.other_id = e.id ORDER BY l.id DESC LIMIT ${DETAIL_LINEAGE_LIMIT}) l) AS history
     FROM target t LEFT JOIN events e ON e.id = t.id AND t.id = $1::uuid`,
    [id],
  );
  const row = rows[0];
  if (!row) return null;
  const { resolved_id: resolvedId, parent, children, history, ...event } = row;
  return { resolvedId, event: event.id === null ? null : event, parent, children, history };
}

// ---- counts for /metrics ----------------------------------------------------------------

export async function selectDedupeCounts(db: Queryable): Promise<{
  pending: number;
  same: number;
  different: number;
  merge: number;
  split: number;
  unmerge: number;
}> {
  const { rows } = await db.query<Record<string, string | number>>(
    `SELECT (SELECT count(*) FROM dedupe_review WHERE status = 'pending')::int AS pending,
            (SELECT count(*) FROM dedupe_review WHERE decision = 'same')::int AS same,
            (SELECT count(*) FROM dedupe_review WHERE decision = 'different')::int AS different,
            (SELECT count(*) FROM event_lineage WHERE action = 'merge')::int AS merge,
            (SELECT count(*) FROM event_lineage WHERE action = 'split')::int AS split,
            (SELECT count(*) FROM event_lineage WHERE action = 'unmerge')::int AS unmerge`,
  );
  const r = rows[0] ?? {};
  const n = (k: string) => Number(r[k] ?? 0);
  return { pending: n('pending'), same: n('same'), different: n('different'), merge: n('merge'), split: n('split'), unmerge: n('unmerge') };
}
