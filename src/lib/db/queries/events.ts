/**
 * Reading the canonical catalogue: pages of visible events (merged-away rows excluded), their
 * sources, and old ids resolved to the event that absorbed them.
 */
import type { StoredContent } from '../rows.js';
import { GENERIC_PLAN, type Queryable } from '../types.js';
import { Params } from './catalogue-columns.js';
import { categoryCond, DAY_MS, FOLDED_TEXT, haversine, LAT, LNG, MULTI_CITY, SPAN, spanTime, type EventPageFilter } from './events-filter.js';
import { areaCells, CELL_READ_MIN_COVER, cellBound, cellRead, LONG_EVENT, longStillOn, startBound } from './events-reach.js';
import { firstWeek, mayHoldLongWords, placedWordKeys, PREFIXES, weekWalk, wordsTest } from './events-text.js';

export type { Area, EventPageFilter } from './events-filter.js';

/** A row of `events` as the catalogue's reads select it. */
export interface EventRow extends StoredContent {
  id: string;
  city_id: string | null;
  /** every city the event's records were discovered for (what places an event without coordinates) */
  city_ids: string[] | null;
  merge_score: number | null;
  merge_reasons: unknown;
  missing_since: Date | null;
  first_seen_at: Date;
  last_seen_at: Date;
  updated_at: Date;
  /** when a discovery last saw one of its source records (source health, migration 0015) */
  last_confirmed_at: Date | null;
  /** the event's sources, when read with it (selectEventsByIds, selectResolvedEvent) */
  sources?: EventSourceRow[];
}

export interface EventSourceRow {
  event_id: string;
  source: string;
  external_id: string;
  url: string | null;
  status: string;
  /** instants are text when the row was read as JSON with its event */
  first_seen_at: Date | string;
  last_seen_at: Date | string;
  missing_since: Date | string | null;
}

export const EVENT_COLUMNS = `e.id, e.title, e.description, e.starts_at, e.ends_at, e.timezone, e.all_day, e.status,
  e.venue_name, e.address, e.city, e.region, e.postal_code, e.country, e.latitude, e.longitude, e.category,
  e.price_min, e.price_max, e.currency, e.is_free, e.url, e.image_url, e.city_id, e.city_ids, e.merge_score,
  e.missing_since, e.first_seen_at, e.last_seen_at, e.updated_at, e.last_confirmed_at`;

/** A page's events as keys: what orders and pages them, and the version their content has. */
export interface EventKeyRow {
  id: string;
  starts_at: Date;
  /** eventVersion(): changes whenever the event's row or one of its sources does */
  version: string;
  /** only when the page was filtered by distance: from the point, or from the nearest of its cities */
  distance_km?: number | null;
  /** only when sorted by relevance or distance: the value the keyset pages on */
  sort_key?: number | null;
}

/**
 * The version of a row as eventVersion counts it: the transaction that wrote it (`xmin`) and
 * where (`ctid`). An update writes a new row version, so either changes, the place even for a
 * second update in the same transaction.
 */
const rowVersion = (alias: string) => `${alias}.xmin::text || ${alias}.ctid::text`;

/**
 * The version of an event's content as the API shows it, written in SQL: its row's version,
 * then each of its sources' (by source and external id). Any change to the row or to any of its
 * sources (added, changed, moved to another event or removed) gives another version. `row` is
 * the event row's version (rowVersion), `id` its id.
 */
function eventVersion(row: string, id: string): string {
  return `${row} || '/' || coalesce((SELECT string_agg(${rowVersion('s')}, ',' ORDER BY s.source, s.external_id)
     FROM event_sources s WHERE s.event_id = ${id}), '')`;
}

/** Events by id, with their sources and version (eventVersion); ids not found are left out. */
export async function selectEventsByIds(db: Queryable, ids: readonly string[]): Promise<Array<EventRow & { version: string }>> {
  const { rows } = await db.query<EventRow & { version: string }>(
    `${GENERIC_PLAN}SELECT ${EVENT_COLUMNS}, ${sourcesJson('e.id')} AS sources, ${eventVersion(rowVersion('e'), 'e.id')} AS version
     FROM events e WHERE e.id = ANY($1::uuid[])`,
    [ids],
  );
  return rows;
}

/**
 * Visible events, one keyset page, in the order asked, as keys. Every filter that narrows by
 * place, time or text is written so an index serves it (sql/0013): place and time as one walk
 * of the (latitude, longitude, time) R-tree, text through the words indexes of the folded
 * search text. The content is not sent: src/lib/catalogue/event-cache.ts keeps it by version
 * and reads what it lacks by id (selectEventsByIds); reading every page's content back was most
 * of the API's CPU a page.
 */
export async function selectEventPage(db: Queryable, f: EventPageFilter): Promise<EventKeyRow[]> {
  const p = new Params();
  const limit = p.add(f.limit);
  const where = ['e.merged_into IS NULL'];
  // Filters on the row itself (not place, time, text or category), which the start bound's
  // reading of the cell index applies too.
  const rowFilters: string[] = [];
  const filter = (cond: string) => {
    where.push(cond);
    rowFilters.push(cond);
  };
  // Without a place, from `from`: the events that start from a day before it, and those
  // lasting longer that are still on, read apart in start order (the page's parts below).
  let fromParts: { from: string; orCond: string; recent: string; long: string[] } | null = null;
  if (f.from) {
    const from = p.add(f.from);
    // An event lasting at most a day that is still on at `from` started at most a day before:
    // that bound lets the start index serve the range; longer events have their own index.
    where.push(`coalesce(e.ends_at, e.starts_at) >= ${from}::timestamptz`);
    if (!f.areas?.length) {
      const dayBefore = p.add(new Date(f.from.getTime() - DAY_MS));
      const recent = `e.starts_at >= ${dayBefore}::timestamptz`;
      fromParts = { from, orCond: `(${recent} OR ${LONG_EVENT})`, recent, long: longStillOn(from, dayBefore) };
      where.push(fromParts.orCond);
    }
  }
  if (f.exclude === 'children') filter('e.parent_id IS NULL');
  if (f.exclude === 'parents') filter('NOT EXISTS (SELECT 1 FROM events c WHERE c.parent_id = e.id AND c.merged_into IS NULL)');
  if (f.to) where.push(`e.starts_at <= ${p.add(f.to)}::timestamptz`);
  const category = f.categories?.length ? categoryCond(p, f.categories) : null;
  if (category) where.push(category);
  if (f.statuses?.length) filter(`e.status = ANY(${p.add(f.statuses)}::text[])`);
  if (f.free !== undefined) filter(f.free ? 'e.is_free IS TRUE' : 'e.is_free IS FALSE');
  if (f.updatedSince) filter(`e.updated_at >= ${p.add(f.updatedSince)}::timestamptz`);
  if (f.sources?.length) {
    filter(`EXISTS (SELECT 1 FROM event_sources s WHERE s.event_id = e.id AND s.source = ANY(${p.add(f.sources)}::text[]))`);
  }
  // Each word must appear in the folded text (LIKE, exact). Near a point, the place and time
  // already narrow the rows to a few, and the text is only checked on those; elsewhere the
  // prefixes index (sql/0016) finds the candidates: events with a word starting with each word
  // of the query, an exact containment test. Folding the text for LIKE costs more than the rest
  // of the row; without a place, the candidates are put in order first and LIKE checks them
  // only until the page is full (it rarely rejects one: a word starting with the query word
  // holds it).
  const placed = Boolean(f.areas?.length);
  const deferLikes = !placed && Boolean(f.wordQuery) && Boolean(f.wordPatterns?.length);
  // Without a place, the prefixes index (sql/0016) finds the events whose words start with the
  // query's words; in start order, the week keys index is asked one week at a time (weekWalk).
  const walk = !placed && deferLikes && f.sort === 'start' && f.weekWalk !== false;
  // Near a point and in the text walk the plan is generic (see `generic` below), which cannot
  // fold the pattern when planning: a scalar subquery folds it once a run instead of once a row
  // (25 km + text at 1M, 600 rows: 4.1 ms of Postgres CPU a page, 2.6 with it). Elsewhere the
  // plan is made for the run's values, and folding is done when planning.
  const likes = (f.wordPatterns ?? []).map((pattern) => placed || walk
    ? `(${FOLDED_TEXT} || '') LIKE (SELECT search_fold(${p.add(pattern)}::text)) ESCAPE '\\'`
    : `${FOLDED_TEXT} LIKE search_fold(${p.add(pattern)}::text) ESCAPE '\\'`);
  if (!deferLikes) where.push(...likes);
  else if (mayHoldLongWords(f.wordQuery!)) {
    // The text indexes cut words at 20 characters: a longer query word is held to starting a
    // word of the event by the words test of 0013, on the same few ordered candidates.
    likes.push(wordsTest(`search_words_query(${p.add(f.wordQuery)}::text)`));
  }
  // Near a point, words mean what they mean elsewhere: each also starts a word of the text (the
  // words test of 0013, on the rows the place finds; the week keys below hold it as entries).
  // The query is parsed once a run (a scalar subquery), as the plan is generic.
  // Added to the parameters when first written (a part that reads none leaves it out: Postgres
  // refuses a parameter the statement does not use).
  let wordsParam: string | undefined;
  const placedWords = (): string[] => (placed && f.wordQuery ? [wordsTest(`(SELECT search_words_query(${wordsParam ??= p.add(f.wordQuery)}::text))`)] : []);
  if (!walk && !placed && f.wordQuery) {
    where.push(`${PREFIXES} @> search_words(${p.add(f.wordQuery)}::text)`);
  }

  // Near a point or in a city's area: the R-tree finds the located events (and the unlocated at
  // their first city's centre). Events without coordinates that several cities discovered are
  // found through their other cities too, in a second branch of their own (see `select`).
  let areaCond: string | null = null;
  let unlocatedCond: string | null = null;
  // In start order, the window the R-tree reads ends where one page of located matches does
  // (startBound); `reachCond` is the area over the whole window, which that walk reads.
  let reachCond: string | null = null;
  // Or, when the area covers few enough cells, the cell index finds that reach (cellBound).
  let cellReach: string | null = null;
  // And then the located matches up to that reach come from the cell index and the R-tree of
  // long events, not from the R-tree of all (cellRead).
  let located: { recent: string[]; long: string[] | null } | null = null;
  // A place in start order, with categories or not, is bounded: words would make the walk in
  // start order fetch row after row only to reject most (measured: slower with the bound, at 1M
  // and at 10M). A category counts among the cells' filters, a key of its own cell index
  // (sql/0025); without cells (a wide area) it is not bounded: the R-tree walk to the reach was
  // slower than reading every match of the category's own R-tree (0019).
  const inStartOrder = Boolean(f.areas?.length) && f.sort === 'start' && f.startBound !== false && !f.wordPatterns?.length;
  const cells = inStartOrder ? cellBound(p, f, category ? [...rowFilters, category] : rowFilters, limit) : null;
  const bounded = inStartOrder && (cells !== null || !category);
  if (f.areas?.length) {
    // The window in event_span's time units, added to the parameters only when written (Postgres
    // refuses a parameter the statement does not use).
    let t0Param: string | undefined;
    let t1Param: string | undefined;
    const t0 = () => (t0Param ??= p.add(f.from ? spanTime(f.from) : -1e7));
    const t1 = () => (t1Param ??= p.add(f.to ? spanTime(f.to) : 1e7));
    // Every area's distance condition, and the R-tree condition of its box over a window that ends at `end`.
    const near = f.areas.map((area) => `${haversine(p, area.lat, area.lng)} <= ${p.add(area.radiusKm)}::float8`).join(' AND ');
    const boxes = (end: string) => f.areas!.map(({ box }) => {
      const lngRanges = box.lng ?? [[-180, 180]];
      const cube = ([lo, hi]: readonly [number, number]) =>
        `${SPAN} && public.cube(ARRAY[${p.add(box.minLat)}::float8, ${p.add(lo)}::float8, ${t0()}::float8], ARRAY[${p.add(box.maxLat)}::float8, ${p.add(hi)}::float8, ${end}])`;
      return lngRanges.length === 1 ? cube(lngRanges[0]!) : `(${lngRanges.map(cube).join(' OR ')})`;
    }).join(' AND ');
    const areaUntil = (end: string) => `${boxes(end)} AND ${near}`;
    const lists = f.unlocatedCities ?? [];
    const others = lists.length > 0 && lists.every((l) => l.length > 0)
      ? [MULTI_CITY, ...lists.map((l) => `e.city_ids && ${p.add(l)}::text[]`)]
      : null;
    if (cells) {
      cellReach = cells.bound;
      if (f.cellRead ?? cells.cover >= CELL_READ_MIN_COVER) located = cellRead(p, f, cells.cells, near, () => boxes(`${t0()}::float8`));
    }
    // Words near a point: the located events that start from a day before `from` (or at any
    // time, without it) come from the cells' postings ANDed with the words' keys (placedWordKeys),
    // a few rows where the place and window alone hold hundreds, or thousands without a window;
    // the longer ones, still on at `from`, from their R-tree (cellRead up to `to`).
    const cellList = placed && f.wordQuery && f.placedWordKeys !== false ? areaCells(f) : null;
    const wordKeys = cellList ? placedWordKeys(p, f) : null;
    if (cellList && wordKeys) {
      located = cellRead(p, f, p.add(cellList.cells), near, () => boxes(`${t0()}::float8`), f.to ? `${p.add(f.to)}::timestamptz` : `'infinity'::timestamptz`);
      located.recent.push(wordKeys.cond, ...(wordKeys.longWords ? placedWords() : []));
      located.long?.push(...placedWords());
    }
    if (bounded && cellReach === null) reachCond = areaUntil(`${t1()}::float8`);
    if (others) unlocatedCond = others.join(' AND ');
    // Events still on at the window's start come first in start order, so the reach can lie
    // before it: the window then shrinks to its first instant, never to before it. Not written
    // when nothing reads it (its parameters would be unused).
    if (!located || others) areaCond = areaUntil(bounded ? `least(${t1()}::float8, greatest(${t0()}::float8, (SELECT b.reach FROM bound b)))` : `${t1()}::float8`);
  }

  let distance = '';
  if (f.distanceFrom) {
    const { lat, lng, cityDistances } = f.distanceFrom;
    distance = `CASE WHEN ${MULTI_CITY}
      THEN (SELECT min(n.d) FROM unnest(${p.add(cityDistances.map(([id]) => id))}::text[], ${p.add(cityDistances.map(([, d]) => d))}::float8[]) AS n(id, d)
             WHERE n.id = ANY(e.city_ids))
      ELSE ${haversine(p, lat, lng)} END`;
  }
  let sortKey = '';
  let order = 'e.starts_at, e.id';
  if (f.sort === 'distance' && distance) {
    sortKey = distance;
    order = 'sort_key, id';
  } else if (f.sort === 'relevance' && f.text !== undefined) {
    // Higher is better; negated so that the keyset, like the order, ascends. The query text is
    // folded once a run (a scalar subquery), not once a row under a generic plan (a place).
    sortKey = `-word_similarity((SELECT search_fold(${p.add(f.text)}::text)), search_fold(e.search_text))::float8`;
    order = 'sort_key, id';
  }
  if (f.after) {
    if ('startsAt' in f.after) where.push(`(e.starts_at, e.id) > (${p.add(f.after.startsAt)}::timestamptz, ${p.add(f.after.id)}::uuid)`);
    else if (sortKey) where.push(`((${sortKey}) > ${p.add(f.after.key)}::float8 OR ((${sortKey}) = ${p.add(f.after.key)}::float8 AND e.id > ${p.add(f.after.id)}::uuid))`);
  }
  // Keys: what the order and the version need; the content is read by id (selectEventsByIds).
  const columns = `e.id, e.starts_at, ${rowVersion('e')} AS row_version`;
  const selectWhere = (conds: string[]) =>
    `SELECT ${columns}${deferLikes ? ', e.search_text' : ''}${distance ? `, ${distance} AS distance_km` : ''}${sortKey ? `, ${sortKey} AS sort_key` : ''}
       FROM events e WHERE ${conds.join(' AND ')}`;
  // The area and the unlocated events' other cities as two branches, not one OR: under an OR
  // the R-tree's condition is evaluated again on every row it found (numeric time arithmetic),
  // where alone it is the index condition and costs nothing more. The second branch skips
  // what the first found, so an event comes once.
  // In the long events' part, the category is checked on the rows their R-tree finds (IS TRUE
  // keeps it from being an index condition): as one, the planner read the category's R-tree
  // (0019), whose boxes of the whole catalogue overlap at any instant (city + category at 1M:
  // 0.79 ms for 4 rows, against 0.12 ms for the 63 long events of the place).
  const longWhere = where.map((c) => (c === category ? `(${c}) IS TRUE` : c));
  const placedRows = located
    ? [selectWhere([...where, ...located.recent]), ...(located.long ? [selectWhere([...longWhere, ...located.long])] : [])].join('\n     UNION ALL ')
    : selectWhere([...where, areaCond!, ...placedWords()]);
  const select = !f.areas?.length
    ? selectWhere(where)
    : unlocatedCond === null
      ? placedRows
      : `${placedRows}
     UNION ALL ${selectWhere([...where, unlocatedCond, `(${areaCond!}) IS NOT TRUE`, ...placedWords()])}`;
  const outerOrder = order.replace(/\be\./g, '');
  // A search by place reads its matches through the R-tree and sorts them: materializing keeps
  // the planner from walking the start index instead, hoping to meet the few matches early.
  // Deferred LIKEs (text without a place) filter the ordered candidates: OFFSET 0 keeps the
  // planner from pushing them back under the sort.
  let page: string;
  let split = false;
  if (walk) {
    page = weekWalk(p, f, { select, likes, limit, first: firstWeek(f), from: fromParts?.from });
  } else if (deferLikes) {
    page = `SELECT * FROM (${select} ORDER BY ${order} OFFSET 0) e WHERE ${likes.join(' AND ')} LIMIT ${limit}::int`;
  } else if (cellReach !== null || reachCond !== null) {
    page = `WITH bound AS MATERIALIZED (${cellReach ?? startBound([...where, reachCond!], limit)}),
      m AS MATERIALIZED (${select}) SELECT * FROM m e ORDER BY ${outerOrder} LIMIT ${limit}::int`;
  } else if (f.areas?.length || sortKey) {
    page = `WITH m AS MATERIALIZED (${select}) SELECT * FROM m e ORDER BY ${outerOrder} LIMIT ${limit}::int`;
  } else if (fromParts && f.sort === 'start' && f.splitFrom !== false) {
    // In start order from `from`, without a place: first the events lasting over a day that
    // started before the day before `from` and are still on (the R-tree of their time, sql/0023),
    // then those that start from that day on (the start index, read from there). One ordered
    // walk of the start index under the OR read every event before `from` first: at 1M events
    // with half a year behind, `from=now` alone read 250,000 rows for a page (1 s).
    split = true;
    const rest = where.filter((c) => c !== fromParts!.orCond);
    const ordered = (conds: string[]) => `(${selectWhere(conds)} ORDER BY ${order} LIMIT ${limit}::int)`;
    page = `SELECT * FROM (${ordered([...rest, ...fromParts.long])} UNION ALL ${ordered([...rest, fromParts.recent])}) e LIMIT ${limit}::int`;
  } else {
    page = `${select} ORDER BY ${order} LIMIT ${limit}::int`;
  }
  // A place is planned once per connection (GENERIC_PLAN): its text fixes the indexes it reads
  // (the cells or the R-trees, the unlocated events' cities), which a generic plan keeps
  // (EXPLAIN EXECUTE at 1M events), and planning it cost as much as running it. Its words are
  // only checked on the rows the place finds (LIKE, no index), so they leave the plan as it is
  // (25 km + text at 1M: the same R-tree walk, planned in 0.1 ms instead of 0.7-1.2). So are the
  // text walk (each part reads its own text index: weekWalk) and the split from `from` (the
  // R-tree of long events, the start index from a day before): planned for each run's values,
  // the walk cost 0.7 ms of planning for 0.5 of execution, and `updated_since` with words
  // (which the planner, seeing the instant, read through the updated_at index and sorted) took
  // 930 ms at 1M instead of 5. Elsewhere the best plan depends on the values (how common a
  // status or an instant is); a source filter or `exclude=parents` could be planned as a join
  // over their tables.
  const generic = (placed || walk || split) && !f.sources?.length && f.exclude !== 'parents';
  const selected = `g.id, g.starts_at, ${eventVersion('g.row_version', 'g.id')} AS version${distance ? ', g.distance_km' : ''}${sortKey ? ', g.sort_key' : ''}`;
  const sql = `${generic ? GENERIC_PLAN : ''}SELECT ${selected} FROM (${page}) g ORDER BY ${outerOrder.split(', ').map((c) => `g.${c}`).join(', ')}`;
  const { rows } = await db.query<EventKeyRow>(sql, p.values);
  return rows;
}

/**
 * An event's sources as one JSON array, by source then external id; instants
 * come as ISO text (sourceJson reads both).
 */
export function sourcesJson(eventId: string): string {
  return `(SELECT coalesce(json_agg(json_build_object('event_id', s.event_id, 'source', s.source, 'external_id', s.external_id,
      'url', s.url, 'status', s.status, 'first_seen_at', s.first_seen_at, 'last_seen_at', s.last_seen_at,
      'missing_since', s.missing_since) ORDER BY s.source, s.external_id), '[]'::json)
     FROM event_sources s WHERE s.event_id = ${eventId})`;
}

/**
 * `chain (id, merged_into, depth)`: the id `$1` and, following merged_into, each event that
 * absorbed it (a cycle, which dedupe never writes, ends at depth 64); `target`: the last one.
 */
export const RESOLVE_CHAIN = `chain (id, merged_into, depth) AS (
       SELECT id, merged_into, 0 FROM events WHERE id = $1::uuid
       UNION ALL
       SELECT e.id, e.merged_into, c.depth + 1 FROM events e JOIN chain c ON e.id = c.merged_into WHERE c.depth < 64
     ), target AS (SELECT id FROM chain ORDER BY depth DESC LIMIT 1)`;

/**
 * The visible event an id stands for (itself, or following merged_into the event that absorbed
 * it), with its merge reasons and sources, in one statement. Null when no event has this id.
 */
export async function selectResolvedEvent(db: Queryable, id: string): Promise<EventRow | null> {
  // Primary-key lookups whatever the id: planned once per connection.
  const { rows } = await db.query<EventRow>(
    `${GENERIC_PLAN}WITH RECURSIVE ${RESOLVE_CHAIN}
     SELECT ${EVENT_COLUMNS}, e.merge_reasons, ${sourcesJson('e.id')} AS sources FROM target t JOIN events e ON e.id = t.id`,
    [id],
  );
  return rows[0] ?? null;
}

/**
 * The visible event an id stands for: itself, or (following merged_into) the event that
 * absorbed it. Null when no event has this id. A cycle, which dedupe never writes, ends the walk.
 */
export async function resolveEventId(db: Queryable, id: string): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(`WITH RECURSIVE ${RESOLVE_CHAIN} SELECT id FROM target`, [id]);
  return rows[0]?.id ?? null;
}
