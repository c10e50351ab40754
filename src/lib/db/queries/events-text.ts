/**
 * Text without a place: the prefixes index (sql/0016) and, in start order, the week keys index
 * (sql/0017) asked a week at a time (selectEventPage in events.ts; docs/search.md).
 */
import type { Params } from './catalogue-columns.js';
import { DAY_MS, type EventPageFilter } from './events-filter.js';
import { longStillOn } from './events-reach.js';

/** The prefixes index (sql/0016): every prefix of every word of an event's folded text. */
export const PREFIXES = 'search_prefixes(e.search_text)';
const WEEK_EPOCH_MS = Date.UTC(2000, 0, 3);
const WEEK_MS = 604_800_000;
/** search_week (sql/0017): whole weeks since Monday 2000-01-03 UTC. */
const searchWeek = (d: Date) => Math.floor((d.getTime() - WEEK_EPOCH_MS) / WEEK_MS);
/**
 * The weeks the walk asks before it reads the rest in one go: the first alone (enough for common
 * words at 10M events), then the next three together (one bitmap of the three weeks' entries).
 * Each part costs the planner about as much as the page's whole execution, hence few parts.
 */
const WEEK_GROUPS = [[0], [1, 2, 3]] as const;
const WALK_WEEKS = WEEK_GROUPS.flat().length;

/**
 * Text without a place, in start order: the candidates a week at a time. The week keys index
 * (sql/0017) answers "these words, starting in week n" from entries holding only that week's
 * events, so a week costs its few matches. The first week is asked alone, then the next three
 * together, and UNION ALL stops once the page is full: a common pair of words reads one to four
 * weeks of rows instead of all its matches. Rare words leave those weeks short: the rest comes
 * from one query on the prefixes index (sql/0016), cheap for them. Before the first week come
 * the events lasting over a day that started earlier and are still on at `from` (the R-tree of
 * their time, sql/0023: those on at `from`, whatever their words, then checked). Each
 * part is in (starts_at, id) order and each part's events start before the next part's, so their
 * concatenation cut at the limit is the page the plain query gives. The statement keeps one plan
 * whatever its values (GENERIC_PLAN, see selectEventPage): each part's index is fixed by its
 * text, and search_week_words runs once per part's index scan. `q.from` is the parameter
 * already holding `from`, when there is one.
 */
export function weekWalk(p: Params, f: EventPageFilter, q: { select: string; likes: string[]; limit: string; first: number | null; from?: string }): string {
  const part = (cond: string) =>
    `SELECT * FROM (${q.select} AND ${cond} ORDER BY e.starts_at, e.id OFFSET 0) e WHERE ${q.likes.join(' AND ')} LIMIT ${q.limit}::int`;
  const last = f.to ? searchWeek(f.to) : Infinity;
  const { first } = q;
  // Whether the i-th week starts by `to`: false leaves its part out; in SQL (the first week read
  // in the statement), the statement checks it once before reading (a one-time filter), so a
  // part past `to` reads nothing.
  let lastParam: string | undefined;
  const reaches = (i: number): boolean | string => {
    if (last === Infinity) return true;
    if (first !== null) return first + i <= last;
    return `(${CATALOGUE_FIRST_WEEK} + ${i}) <= ${(lastParam ??= p.add(last))}::int`;
  };
  // `to` before the first week: nothing (and no parameter left unused, which Postgres refuses).
  if (reaches(0) === false && !f.from) return part('false');
  const gated = (cond: string, i: number) => {
    const r = reaches(i);
    return r === true ? cond : `${cond} AND ${r}`;
  };
  const text = p.add(f.wordQuery);
  const words = `search_words(${text}::text)`;
  // The walk's i-th week and the instant it starts: from `first`, or from the catalogue's first
  // week read in the statement.
  const week = (i: number) => (first === null ? `(${CATALOGUE_FIRST_WEEK} + ${i})` : `${p.add(first + i)}::int`);
  const weekStart = (i: number) => (first === null
    ? `to_timestamp(${WEEK_EPOCH_S}::float8 + (${CATALOGUE_FIRST_WEEK} + ${i}) * ${WEEK_MS / 1000}::float8)`
    : p.add(new Date(WEEK_EPOCH_MS + (first + i) * WEEK_MS)));
  const parts: string[] = [];
  if (q.from && first !== null) {
    // Such an event lasts over a day and is on at `from`: the R-tree of such events by the time
    // they cover (sql/0023) finds them whatever their words, a few per thousand events (the
    // prefixes index finds every event with the words: for a common one, a tenth of the
    // catalogue, read to keep a few dozen). Their words are checked LIKEs first: the prefixes
    // test costs 20 µs a row, and the planner, which sees both as a function of cost 100, may
    // order it first (CASE keeps the order).
    // The words are parsed once a run (a scalar subquery), not once a row: the plan is generic.
    parts.push(part([...longStillOn(q.from, weekStart(0)), `CASE WHEN ${q.likes.join(' AND ')} THEN ${PREFIXES} @> (SELECT ${words}) ELSE false END`].join(' AND ')));
  }
  for (const group of WEEK_GROUPS) {
    // Weeks past `to` hold no match (the page's own condition on `to` drops them): a group is
    // left out, or checked, by its first week.
    const weeks = group.filter((i) => reaches(i) !== false);
    if (weeks.length === 0) break;
    parts.push(part(gated(`(${weeks.map((i) => `${WEEK_KEYS} @> search_week_words(${text}::text, ${week(i)})`).join(' OR ')})`, group[0])));
  }
  if (reaches(WALK_WEEKS) !== false) parts.push(part(gated(`${PREFIXES} @> ${words} AND e.starts_at >= ${weekStart(WALK_WEEKS)}::timestamptz`, WALK_WEEKS)));
  return `SELECT * FROM (${parts.map((x) => `(${x})`).join(' UNION ALL ')}) e LIMIT ${q.limit}::int`;
}

/**
 * The words test of sql/0013 on the row: each word of the query starts a word of the event's
 * folded text. `words` is SQL yielding the query's search_words_query. No index serves it; it
 * runs on the few rows others found.
 */
export const wordsTest = (words: string) => `to_tsvector('simple'::regconfig, search_fold(e.search_text)) @@ ${words}`;

/** Characters of a word the prefixes and week keys keep (sql/0016, sql/0017). */
const WORD_KEY_CHARS = 20;
/** The most characters unaccent turns one character into (its rules: '㎮' → 'rad/s'). */
const FOLD_GROWTH_MAX = 5;

/**
 * Whether the query may hold a word longer than the keys keep, once folded: such a word is only
 * held to starting a word of the event by the words test of 0013 on the row (to_tsvector, about
 * 10 µs a row). Each character counts as the most it can fold to (ASCII folds to itself), so a
 * query this says no to holds no such word.
 */
export function mayHoldLongWords(q: string): boolean {
  let n = 0;
  for (const ch of q) n += ch.charCodeAt(0) < 128 ? 1 : FOLD_GROWTH_MAX;
  return n > WORD_KEY_CHARS;
}

/** Windows over more weeks than this find words near a point through the prefixes, not the week keys. */
export const PLACED_WEEKS_MAX = 6;

/**
 * Words near a point: the condition that the words start words of the event, written so that the
 * planner intersects its index's postings with the cells' (a BitmapAnd, sql/0022) and the rows
 * read are the matches, not every event of the place and window. Over a window of a few weeks,
 * the week keys (sql/0017): one entry per word and week, for the weeks from a day before `from`
 * to `to` (the events cellRead reads from the cell index). Over a longer or an open window, the
 * prefixes (sql/0016): every event with the words, a tenth of the catalogue for a common one,
 * still fewer than the place's (`city` + `q=jazz` without a window at 1M: 2,250 rows read
 * instead of 42,000). Words are cut at 20 characters in both, as the prefixes are; `longWords`
 * (mayHoldLongWords) tells the caller to check a longer one whole. Null without words.
 */
export function placedWordKeys(p: Params, f: EventPageFilter): { cond: string; longWords: boolean } | null {
  if (!f.wordQuery) return null;
  const longWords = mayHoldLongWords(f.wordQuery);
  const text = p.add(f.wordQuery);
  const first = f.from ? searchWeek(new Date(f.from.getTime() - DAY_MS)) : null;
  const last = f.to ? searchWeek(f.to) : null;
  if (first === null || last === null || last - first >= PLACED_WEEKS_MAX) return { cond: `${PREFIXES} @> search_words(${text}::text)`, longWords };
  const weeks: string[] = [];
  for (let week = first; week <= last; week++) weeks.push(`${WEEK_KEYS} @> search_week_words(${text}::text, ${p.add(week)}::int)`);
  return { cond: `(${weeks.join(' OR ')})`, longWords };
}

/**
 * The first week a page of text in start order can start in, when the filter fixes it: the
 * cursor's, or the week of a day before `from`. Null otherwise: the week of the first visible
 * event, which the walk's statement reads itself (CATALOGUE_FIRST_WEEK).
 */
export function firstWeek(f: EventPageFilter): number | null {
  const bound = Math.max(f.after && 'startsAt' in f.after ? f.after.startsAt.getTime() : -Infinity, f.from ? f.from.getTime() - DAY_MS : -Infinity);
  return bound > -Infinity ? searchWeek(new Date(bound)) : null;
}

/**
 * The week of the first visible event (null: no event), as SQL: an index-only lookup of the
 * smallest start, run once by each part that asks it. Read in the page's statement, not before
 * it: a statement of its own was a second round trip for every text search without `from`.
 */
const CATALOGUE_FIRST_WEEK = '(SELECT search_week(min(starts_at)) FROM events WHERE merged_into IS NULL)';
/** search_week's Monday 2000-01-03 UTC in Unix seconds, for the start of a week read in SQL. */
const WEEK_EPOCH_S = WEEK_EPOCH_MS / 1000;

/** What the week keys index (sql/0017) holds for an event: its words' prefixes, each with its start's week. */
const WEEK_KEYS = 'search_week_keys(e.search_text, e.starts_at)';
