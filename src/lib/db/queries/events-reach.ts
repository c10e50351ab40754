/**
 * How far in time one page of a place in start order reaches, so that the page query reads the
 * R-tree only up to there (selectEventPage in events.ts; docs/search.md).
 */
import { cellCover, geoCells } from '../../geo.js';
import type { Params } from './catalogue-columns.js';
import { DAY_MS, haversine, LAT, LNG, SPAN, type EventPageFilter } from './events-filter.js';

/**
 * How far in time one page of a place in start order reaches: the R-tree walked in order of
 * the events' start (cube's `~>` ordering, nearest first along the time axis) until a page of
 * located matches is found; the last one's start. Every event of the true page starts no later
 * (fewer than a page of matches start before it), so the page query's window can end there and
 * read about a page of rows instead of every match of the area and window: at 10M events, 25 km
 * around a city centre over a week is thousands of rows. The unlocated events of other cities
 * are not in the walk; the page query's second branch finds them as before. No match: NULL,
 * and least() keeps the window's own end.
 */
export function startBound(conds: readonly string[], limit: string): string {
  // ~> 5: the lower end of the third dimension of event_span's box, its start time.
  return `SELECT max(k.reach) AS reach FROM (SELECT ${SPAN} ~> 5 AS reach FROM events e WHERE ${conds.join(' AND ')}
       ORDER BY ${SPAN} ~> 5 LIMIT ${limit}::int) k`;
}

/** The cell of events_cell_starts_rows_idx (sql/0020, sql/0022, sql/0024), written as the index has it. */
const CELL = `geo_cell(${LAT}, ${LNG})`;
/** More cells than this (a search wider than about 150 km) and the R-tree walk finds the reach. */
const MAX_BOUND_CELLS = 64;

/**
 * The grid cells the smallest of a page's areas touches, and the share of their area its circle
 * covers (cellCover); null when there are more than MAX_BOUND_CELLS.
 */
export function areaCells(f: EventPageFilter): { cells: number[]; cover: number } | null {
  const smallest = [...f.areas!].sort((a, b) => a.radiusKm - b.radiusKm)[0]!;
  const cells = geoCells(smallest.box, MAX_BOUND_CELLS);
  return cells === null ? null : { cells, cover: cellCover(smallest.lat, smallest.radiusKm, cells.length) };
}

/**
 * startBound through the cell index (sql/0020): for each grid cell the smallest area's box
 * touches, that cell's events in start order, merged, each one's distance to every area checked
 * in the index (it carries the coordinates); the page's last one's start. Only events that
 * start inside the window and after the cursor's instant count: events still on at `from` and
 * ties at the cursor are left out, which can only make the reach later, never cut the page
 * short (they start at or before the window's start and the cursor's instant, which bound the
 * reach from below). Null when the area covers too many cells.
 */
export function cellBound(p: Params, f: EventPageFilter, rowFilters: readonly string[], limit: string): { bound: string; cells: string; cover: number } | null {
  const found = areaCells(f);
  if (found === null) return null;
  const cells = p.add(found.cells);
  // Visible, written so that it does not prove the predicate of the partial indexes on
  // `merged_into IS NULL` (events_starts_idx): with a row filter the cells do not carry (`free`,
  // `status`), the planner may otherwise walk the whole catalogue's start index from `from` and
  // check the cells on each row, hoping to meet a page of matches early. Where they are rare it
  // read every later event: `free=true` from now, 5 km around a point with none, 2.4 s at 1M
  // (1 ms through the cells). The cell index carries `merged_into` and the row filters (sql/0024):
  // checked in the index. A category among them leads the key of its own cell index (sql/0025),
  // whose entries alone are then read.
  const conds = ['(e.merged_into IS NULL) IS NOT FALSE', ...rowFilters];
  if (f.from) conds.push(`e.starts_at >= ${p.add(f.from)}::timestamptz`);
  // The cursor's own instant: its ties after the cursor are not counted, so the reach is never
  // before it (with nothing counted, they may be all that is left).
  let last = 'max(k.starts_at)';
  if (f.after && 'startsAt' in f.after) {
    const at = p.add(f.after.startsAt);
    conds.push(`e.starts_at > ${at}::timestamptz`);
    last = `greatest(max(k.starts_at), ${at}::timestamptz)`;
  }
  if (f.to) conds.push(`e.starts_at <= ${p.add(f.to)}::timestamptz`);
  for (const area of f.areas!) conds.push(`${haversine(p, area.lat, area.lng)} <= ${p.add(area.radiusKm)}::float8`);
  // One index scan over the cells (a merge of one scan per cell, in start order, costs more to
  // plan than to run at 1M events).
  const bound = `SELECT (extract(epoch FROM ${last} - TIMESTAMPTZ '2000-01-01 00:00:00+00') / 1728000)::float8 AS reach, ${last} AS reach_at
       FROM (SELECT e.starts_at FROM events e WHERE ${CELL} = ANY(${cells}::int[]) AND ${conds.join(' AND ')}
             ORDER BY e.starts_at LIMIT ${limit}::int) k`;
  return { bound, cells, cover: found.cover };
}

/**
 * The located matches of a place in start order up to the page's reach (cellBound's `bound`
 * CTE), read without the R-tree: the R-tree's boxes of events lasting weeks overlap so much that
 * a walk for a week (or one instant) visits hundreds of its pages for a hundred rows. Events that
 * start from a day before `from` up to the reach are read from the cell index (sql/0020, 0022) in
 * the cells it counted; events still on at `from` that started earlier last over a day and are
 * read from the R-tree of such events alone (sql/0021), asked for the instant `from`. Together
 * they are exactly the R-tree's matches of the area over the bounded window (an event of at most
 * a day still on at `from` started at most a day before it), so the page is the same
 * (test/lib/catalogue/query-bound.test.ts). `near` is the condition on the point (every area's
 * distance), `longAt` writes the area's R-tree condition at the instant `from`. `until`: the
 * window's end when there is no reach (words near a point, see placedWordKeys in events-text.ts).
 */
export function cellRead(p: Params, f: EventPageFilter, cells: string, near: string, longAt: () => string, until?: string): { recent: string[]; long: string[] | null } {
  const dayBefore = f.from ? p.add(new Date(f.from.getTime() - DAY_MS)) : null;
  // The window's end as the R-tree's condition has it: the reach, never before `from`, never
  // after `to`; with no match, no later than `from` (or nothing, without `from`).
  let end = until;
  if (end === undefined) {
    end = `greatest(${f.from ? `${p.add(f.from)}::timestamptz` : `'-infinity'::timestamptz`}, (SELECT b.reach_at FROM bound b))`;
    if (f.to) end = `least(${p.add(f.to)}::timestamptz, ${end})`;
  }
  const recent = [`${CELL} = ANY(${cells}::int[])`, `e.starts_at <= ${end}`, near];
  if (dayBefore) recent.push(`e.starts_at >= ${dayBefore}::timestamptz`);
  // The predicate of events_long_span_gist (sql/0021), written as the index has it.
  const long = dayBefore ? [LONG_EVENT, `e.starts_at < ${dayBefore}::timestamptz`, longAt(), near] : null;
  return { recent, long };
}

/**
 * cellRead reads every event of the cells in the window and keeps those in the circle; below
 * this share of the cells' area covered by the circle, the R-tree reads fewer (measured at 1M
 * events: 25 km, 45 % of 9 cells, 2.7 → 2.3 ms of Postgres CPU a page with the cells; 5 km, 4 % of
 * 4 cells, 1.8 → 2.4 ms, so it keeps the R-tree).
 */
export const CELL_READ_MIN_COVER = 0.25;

/** An event lasting over a day: the predicate of events_long_ends_idx (sql/0013), events_long_span_gist (sql/0021) and events_long_during_gist (sql/0023). */
export const LONG_EVENT = `e.ends_at - e.starts_at > INTERVAL '1 day'`;
/** The time an event covers, written as events_long_during_gist (sql/0023) indexes it: `@>` an instant is "on at". */
export const DURING = `tstzrange(e.starts_at, greatest(e.starts_at, e.ends_at), '[]')`;

/**
 * An event lasting over a day, on at `from`, that started before `before` (both parameters): what
 * the R-tree of such events' time answers (sql/0023), whatever their place, words or coordinates.
 */
export function longStillOn(from: string, before: string): string[] {
  return [LONG_EVENT, `${DURING} @> ${from}::timestamptz`, `e.starts_at < ${before}::timestamptz`];
}
