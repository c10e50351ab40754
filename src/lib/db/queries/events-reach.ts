/**
 * How far in time one page of a place in start order reaches, so that the page query reads the
 * R-tree only up to there (selectEventPage in events.ts; docs/search.md).
 */
import { geoCells } from '../../geo.js';
import type { Params } from './catalogue-columns.js';
import { haversine, LAT, LNG, SPAN, type EventPageFilter } from './events-filter.js';

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

/** The cell of events_cell_starts_idx (sql/0020), written as the index has it. */
const CELL = `geo_cell(${LAT}, ${LNG})`;
/** More cells than this (a search wider than about 150 km) and the R-tree walk finds the reach. */
const MAX_BOUND_CELLS = 64;

/**
 * startBound through the cell index (sql/0020): for each grid cell the smallest area's box
 * touches, that cell's events in start order, merged, each one's distance to every area checked
 * in the index (it carries the coordinates); the page's last one's start. Only events that
 * start inside the window and after the cursor's instant count: events still on at `from` and
 * ties at the cursor are left out, which can only make the reach later, never cut the page
 * short (they start at or before the window's start and the cursor's instant, which bound the
 * reach from below). Null when the area covers too many cells.
 */
export function cellBound(p: Params, f: EventPageFilter, rowFilters: readonly string[], limit: string): string | null {
  const smallest = [...f.areas!].sort((a, b) => a.radiusKm - b.radiusKm)[0]!;
  const cells = geoCells(smallest.box, MAX_BOUND_CELLS);
  if (cells === null) return null;
  const conds = ['e.merged_into IS NULL', ...rowFilters];
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
  return `SELECT (extract(epoch FROM ${last} - TIMESTAMPTZ '2000-01-01 00:00:00+00') / 1728000)::float8 AS reach
       FROM (SELECT e.starts_at FROM events e WHERE ${CELL} = ANY(${p.add(cells)}::int[]) AND ${conds.join(' AND ')}
             ORDER BY e.starts_at LIMIT ${limit}::int) k`;
}
