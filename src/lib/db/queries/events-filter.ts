/**
 * What a page of the catalogue is asked for, in the terms its SQL is written in: the validated
 * filter (built by src/lib/catalogue/query.ts), and the expressions the search indexes match as
 * written (sql/0012, sql/0013), shared by the page query and its parts.
 */
import { EARTH_RADIUS_KM, type BoundingBox } from '../../geo.js';
import type { Params } from './catalogue-columns.js';

/** A circle on the map, with the box that prefilters it (src/lib/geo.ts). */
export interface Area {
  lat: number;
  lng: number;
  radiusKm: number;
  box: BoundingBox;
}

/** A validated page request (see src/lib/catalogue/query.ts). */
export interface EventPageFilter {
  /** events still running at or after this */
  from?: Date;
  /** events starting at or before this */
  to?: Date;
  categories?: readonly string[];
  statuses?: readonly string[];
  sources?: readonly string[];
  free?: boolean;
  updatedSince?: Date;
  /** LIKE patterns, one per word of the query (the user's wildcards escaped), all must match */
  wordPatterns?: readonly string[];
  /**
   * The query text whose words, as prefixes, the words index serves (search_words_query in
   * sql/0012); absent, LIKE alone decides (the API's `q` always holds a letter or a digit).
   */
  wordQuery?: string;
  /** the whole query text, for relevance */
  text?: string;
  /**
   * Where: located events inside every area; events without coordinates whose cities meet
   * every city list (the cities near the point, the city asked for).
   */
  areas?: readonly Area[];
  unlocatedCities?: ReadonlyArray<readonly string[]>;
  /** distance from this point to each event; `cityDistances` places events without coordinates */
  distanceFrom?: { lat: number; lng: number; cityDistances: ReadonlyArray<readonly [string, number]> };
  sort: 'start' | 'distance' | 'relevance';
  /** keyset: rows strictly after this position in the sort order */
  after?: { startsAt: Date; id: string } | { key: number; id: string };
  /** leave out events linked to a parent, or events other events are linked to */
  exclude?: 'children' | 'parents';
  limit: number;
  /**
   * Text without a place in start order reads its candidates week by week (weekWalk); `false`
   * reads them in one go, as every other order does (the same page: tests compare the two).
   */
  weekWalk?: boolean;
  /**
   * Without a place, in start order from `from`, the events lasting over a day still on at
   * `from` that started earlier are read apart (the R-tree of their time, sql/0023) from those
   * that start since (the start index); `false` reads both in one walk of the start index (the
   * same page: tests compare the two).
   */
  splitFrom?: boolean;
  /**
   * A place in start order first finds how far in time one page reaches (startBound); `false`
   * reads every match of the area and window instead (the same page: tests compare the two).
   */
  startBound?: boolean;
  /**
   * With that reach found through the cell index, the matches up to it are read from the cell
   * index and the R-tree of long events (cellRead) when the circle covers enough of the cells
   * (CELL_READ_MIN_COVER); `true` always, `false` never (the same page: tests compare them).
   */
  cellRead?: boolean;
  /**
   * Words near a point read the place's matches through the words' keys ANDed with the cells
   * (placedWordKeys: the week keys over a few weeks, the prefixes otherwise); `false` reads every
   * event of the place and window and checks its words (the same page: tests compare the two).
   */
  placedWordKeys?: boolean;
}

/** Time as event_span (sql/0012) measures it: units of 20 days since 2000-01-01 UTC. */
const SPAN_EPOCH_MS = Date.UTC(2000, 0, 1);
const SPAN_UNIT_MS = 1_728_000_000;
export const spanTime = (d: Date) => (d.getTime() - SPAN_EPOCH_MS) / SPAN_UNIT_MS;
export const DAY_MS = 86_400_000;

/** An event's point: its own coordinates, else its city's centre (sql/0012). */
export const LAT = 'coalesce(e.latitude, e.city_latitude)';
export const LNG = 'coalesce(e.longitude, e.city_longitude)';
/** The expression events_span_gist indexes (sql/0013); the planner matches it as written. */
export const SPAN = `event_span(${LAT}, ${LNG}, e.starts_at, e.ends_at)`;
/** Events without coordinates that several cities discovered; the first city places them. */
export const MULTI_CITY = 'e.latitude IS NULL AND cardinality(e.city_ids) > 1';

/**
 * The event's category is one of `categories`. One category is written as an equality: a generic
 * plan (GENERIC_PLAN, a search by place) cannot see how long an array parameter is and counts
 * `= ANY($n)` as ten values, so a category seemed to filter nothing and the plan read the cells
 * of every category (sql/0025: 509 of 562 rows read only to be dropped, city + category at 1M).
 */
export function categoryCond(p: Params, categories: readonly string[]): string {
  return categories.length === 1 ? `e.category = ${p.add(categories[0])}::text` : `e.category = ANY(${p.add(categories)}::text[])`;
}

export function haversine(p: Params, lat: number, lng: number): string {
  const la = p.add(lat);
  const lo = p.add(lng);
  // least() guards asin against rounding just above 1.
  return `(${EARTH_RADIUS_KM} * 2 * asin(least(1, sqrt(
      power(sin(radians(${LAT} - ${la}::float8) / 2), 2)
      + cos(radians(${la}::float8)) * cos(radians(${LAT})) * power(sin(radians(${LNG} - ${lo}::float8) / 2), 2)))))`;
}

/**
 * search_fold(e.search_text) (sql/0012: lower case, accents removed), without unaccent's
 * dictionary for text that is plain ASCII, which unaccent leaves as it is: the same text for
 * every row at less than half the cost (1.0–1.3 against 2.4–3.3 µs a row, measured over 100k
 * rows on Postgres). Checking the words of the events a place finds is mostly this fold.
 * `test/lib/catalogue/query-answers.test.ts` checks that unaccent keeps every ASCII character.
 */
export const FOLDED_TEXT = `CASE WHEN octet_length(e.search_text) = length(e.search_text) THEN lower(e.search_text) ELSE search_fold(e.search_text) END`;
