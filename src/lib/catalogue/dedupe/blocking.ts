/**
 * Dedupe's blocking stage: which pairs of events are compared at all, so that cost grows about
 * linearly with the catalogue rather than with its square.
 *
 * Events are grouped into blocks by local day and place: a ~1 km grid cell from their
 * coordinates, else their normalized city (the venue's, else the city the record was
 * discovered for), else their venue name. A block is compared with itself and
 * with its neighbouring cells; timed starts near midnight also meet the next day's blocks, and
 * events without coordinates meet those with coordinates in the same city. Within and across
 * blocks, timed events only meet those whose starts are within blockingMinutes (a sweep over
 * start-sorted lists); all-day events meet everything of their day and place.
 */
import { DAY_MS, featuresOf, type DedupeEvent, type Features } from './features.js';
import { resolveOptions, type DedupeOptions, type ResolvedOptions } from './options.js';

/** Blocking grid: rows of `cellMeters`; columns as wide at 45° latitude (wider toward the equator). */
function gridCell(lat: number, lng: number, cellMeters: number): [number, number] {
  const latStep = cellMeters / 111_320;
  const lngStep = latStep / Math.SQRT1_2;
  return [Math.floor(lng / lngStep), Math.floor(lat / latStep)];
}

function placeOf(f: Features, o: ResolvedOptions): string {
  if (f.lat !== null && f.lng !== null) {
    const [x, y] = gridCell(f.lat, f.lng, o.cellMeters);
    return `g:${x}:${y}`;
  }
  const city = f.city ?? f.discoveredCity;
  if (city) return `c:${city}`;
  if (f.venue ?? f.address) return `v:${(f.venue ?? f.address)!.text}`;
  return 'unknown';
}

/**
 * The block an event is compared within: its local day (in its own timezone) and its place, a
 * ~1 km grid cell from its coordinates or else its normalized city (or venue name). findDuplicates
 * also compares neighbouring cells, the next day's block for starts near midnight, and events
 * without coordinates with those that have them in the same city.
 */
export function blockKey(ev: DedupeEvent, opts?: DedupeOptions): string {
  const f = featuresOf(ev);
  return `${new Date(f.day * DAY_MS).toISOString().slice(0, 10)}|${placeOf(f, resolveOptions(opts))}`;
}

/** Start-sorted timed events and the all-day events of one day in one place. */
interface Block {
  day: number;
  place: string;
  x: number;
  y: number;
  timed: number[];
  allDay: number[];
}

/** Half of the 8 neighbours, so each unordered pair of cells is visited once. */
const FORWARD_NEIGHBOURS: ReadonlyArray<readonly [number, number]> = [[1, 0], [-1, 1], [0, 1], [1, 1]];
const ALL_CELLS: ReadonlyArray<readonly [number, number]> = [
  [-1, -1], [0, -1], [1, -1], [-1, 0], [0, 0], [1, 0], [-1, 1], [0, 1], [1, 1],
];

function addTo<K>(map: Map<K, Block>, key: K, init: Omit<Block, 'timed' | 'allDay'>, idx: number, allDay: boolean) {
  let block = map.get(key);
  if (!block) map.set(key, (block = { ...init, timed: [], allDay: [] }));
  (allDay ? block.allDay : block.timed).push(idx);
}

/** A grid coordinate as a non-negative integer: 0, -1, 1, -2, 2, ... → 0, 1, 2, 3, 4, ... */
const zigzag = (n: number) => (n >= 0 ? 2 * n : -2 * n - 1);

/**
 * Blocks with coordinates, by local day and then by grid cell, under numeric keys: the sweep
 * looks up 13 neighbouring blocks per block, and building a string key for each cost more than
 * the lookups. Cells far enough out to share a key (|x| ≥ 2^25 cells) would only share a block,
 * which costs comparisons, never a match: scoring reads the coordinates themselves.
 */
class GeoBlocks {
  private readonly days = new Map<number, Map<number, Block>>();

  private static cell(x: number, y: number): number {
    return zigzag(x) * 2 ** 26 + zigzag(y);
  }

  get(day: number, x: number, y: number): Block | undefined {
    return this.days.get(day)?.get(GeoBlocks.cell(x, y));
  }

  add(day: number, x: number, y: number, place: string, idx: number, allDay: boolean): void {
    let cells = this.days.get(day);
    if (!cells) this.days.set(day, (cells = new Map()));
    addTo(cells, GeoBlocks.cell(x, y), { day, place, x, y }, idx, allDay);
  }

  get size(): number {
    let n = 0;
    for (const cells of this.days.values()) n += cells.size;
    return n;
  }

  *values(): IterableIterator<Block> {
    for (const cells of this.days.values()) yield* cells.values();
  }
}

export interface BlockingStats {
  blocks: number;
  /** candidate pairs handed to `visit` */
  comparisons: number;
  /** sweeps cut short by maxComparisonsPerEvent */
  truncated: number;
}

/**
 * Hands every candidate pair of events (indexes into `F`) to `visit`, each at most once; which
 * pairs, in which order, depends only on `F`'s order and the options.
 */
export function forEachCandidatePair(
  F: readonly Features[],
  o: ResolvedOptions,
  visit: (i: number, j: number) => void,
): BlockingStats {
  const geo = new GeoBlocks();
  const other = new Map<string, Block>();
  /** Events with coordinates, again by city, to meet those without coordinates. */
  const geoByCity = new Map<string, Block>();
  F.forEach((f, i) => {
    const place = placeOf(f, o);
    if (place.startsWith('g:')) {
      const [, x, y] = place.split(':');
      geo.add(f.day, Number(x), Number(y), place, i, f.allDay);
      // Met by records without coordinates of its venue's city and of the city it was discovered for.
      for (const city of new Set([f.city, f.discoveredCity])) {
        if (city) addTo(geoByCity, `${f.day}|${city}`, { day: f.day, place: `c:${city}`, x: 0, y: 0 }, i, f.allDay);
      }
    } else {
      addTo(other, `${f.day}|${place}`, { day: f.day, place, x: 0, y: 0 }, i, f.allDay);
    }
  });
  const byStart = (p: number, q: number) => F[p].startMs - F[q].startMs || p - q;
  for (const map of [geo, other, geoByCity]) for (const b of map.values()) b.timed.sort(byStart);

  const tolMs = o.blockingMinutes * 60_000;
  const cap = o.maxComparisonsPerEvent;
  const stats: BlockingStats = { blocks: geo.size + other.size, comparisons: 0, truncated: 0 };

  const compare = (i: number, j: number) => {
    stats.comparisons++;
    visit(i, j);
  };
  /** Timed events of one list against each other: a sweep over the start-sorted list. */
  const sweepWithin = (list: number[]) => {
    for (let p = 0; p < list.length; p++) {
      const end = F[list[p]].startMs + tolMs;
      for (let q = p + 1, n = 0; q < list.length && F[list[q]].startMs <= end; q++, n++) {
        if (n === cap) { stats.truncated++; break; }
        compare(list[p], list[q]);
      }
    }
  };
  /** Timed events of two lists: a merge-style sweep, each `a` only meets the `b`s within tolerance. */
  const sweepAcross = (as: number[], bs: number[]) => {
    if (as.length === 0 || bs.length === 0) return;
    let lo = 0;
    for (const a of as) {
      const start = F[a].startMs;
      while (lo < bs.length && F[bs[lo]].startMs < start - tolMs) lo++;
      for (let q = lo, n = 0; q < bs.length && F[bs[q]].startMs <= start + tolMs; q++, n++) {
        if (n === cap) { stats.truncated++; break; }
        compare(a, bs[q]);
      }
    }
  };
  /** All-day events meet everything on their day and place; start times can't narrow them down. */
  const allDayAgainst = (allDay: number[], others: number[], skipUpTo: (k: number) => number) => {
    for (let k = 0; k < allDay.length; k++) {
      const from = skipUpTo(k);
      for (let q = from, n = 0; q < others.length; q++, n++) {
        if (n === cap) { stats.truncated++; break; }
        compare(allDay[k], others[q]);
      }
    }
  };
  const within = (b: Block) => {
    sweepWithin(b.timed);
    allDayAgainst(b.allDay, b.timed, () => 0);
    allDayAgainst(b.allDay, b.allDay, (k) => k + 1);
  };
  const across = (a: Block, b: Block) => {
    sweepAcross(a.timed, b.timed);
    allDayAgainst(a.allDay, b.timed, () => 0);
    allDayAgainst(a.allDay, b.allDay, () => 0);
    allDayAgainst(b.allDay, a.timed, () => 0);
  };
  // A show at 23:50 on one listing and 00:05 on another: compare timed events with the next day too.
  const acrossMidnight = (today: Block | undefined, tomorrow: Block | undefined) => {
    if (today && tomorrow) sweepAcross(today.timed, tomorrow.timed);
  };

  for (const b of geo.values()) {
    within(b);
    for (const [dx, dy] of FORWARD_NEIGHBOURS) {
      const n = geo.get(b.day, b.x + dx, b.y + dy);
      if (n) across(b, n);
    }
    for (const [dx, dy] of ALL_CELLS) acrossMidnight(b, geo.get(b.day + 1, b.x + dx, b.y + dy));
  }
  for (const b of other.values()) {
    within(b);
    acrossMidnight(b, other.get(`${b.day + 1}|${b.place}`));
    if (!b.place.startsWith('c:')) continue;
    const city = b.place.slice(2);
    const sameDay = geoByCity.get(`${b.day}|${city}`);
    if (sameDay) across(b, sameDay);
    acrossMidnight(b, geoByCity.get(`${b.day + 1}|${city}`));
    acrossMidnight(geoByCity.get(`${b.day - 1}|${city}`), b);
  }
  return stats;
}
