/**
 * Cross-source deduplication: finds raw events from different sources that describe the same
 * real-world event, so the database worker can fold them into one canonical event.
 *
 * Pure and in-memory. Three stages:
 * 1. features: each event is normalized once (title, markers, venue, local day, grid cell);
 * 2. blocking: only events on the same local day in the same or a neighbouring ~1 km cell (or,
 *    without coordinates, the same city) are compared, and within a block only those whose
 *    starts are within the tolerance (a sweep over start-sorted lists), so cost grows ~linearly;
 * 3. clustering: matched pairs are joined with union-find, best score first, refusing a join
 *    that would put two records that can't be one event (same source, clashing session
 *    markers, starts beyond the tolerance) into one cluster.
 *
 * Score of a pair that passes the hard rules (different sources, no clashing session markers,
 * timed starts within `toleranceMinutes`, all-day listings on the same local day):
 *   score = 0.55·title + 0.25·venue + 0.20·start   (title and start rescaled when venue unknown)
 *   match = score ≥ 0.8 and title ≥ 0.7 (0.85 without venue) and venue ≥ 0.6 (when known)
 * where title/venue similarity is textSimilarity (match-text.ts), venue mixes names (70%) and distance
 * (30%: 1 up to 100 m, 0 from 1 km) when both have coordinates, and start is
 * 1 − 0.5·Δ/tolerance (0.6 for all-day vs timed on the same day).
 */
import { DateTime } from 'luxon';
import { ValidationError } from '../../errors.js';
import {
  markersConflict, normalizeCity, normalizeTitle, normalizeVenue, sessionMarkers, textSimilarity, tokenSet,
  type TokenSet,
} from './match-text.js';

/** The part of normalize.ts's NormalizedEvent that dedupe reads; a NormalizedEvent satisfies it. */
export interface DedupeEvent {
  source: string;
  externalId: string;
  title: string;
  startsAt: Date;
  timezone: string;
  allDay: boolean;
  venue: {
    name: string | null;
    address?: string | null;
    city: string | null;
    latitude: number | null;
    longitude: number | null;
  };
}

export interface DedupeOptions {
  /** Largest start-time difference of a match, in minutes. Default 30. */
  toleranceMinutes?: number;
  /** Smallest combined score of a match. Default 0.8. */
  threshold?: number;
  /** Smallest title similarity of a match. Default 0.7 (0.85 when the venue can't be compared). */
  minTitle?: number;
  /** Smallest venue similarity of a match, when both sides have a venue. Default 0.6. */
  minVenue?: number;
  /** Height of a blocking grid cell in metres. Default 1000. */
  cellMeters?: number;
  /** Cap on comparisons one event makes against one neighbouring list, for pathological blocks. Default 200. */
  maxComparisonsPerEvent?: number;
}

type ResolvedOptions = Required<DedupeOptions>;

const DEFAULTS: ResolvedOptions = {
  toleranceMinutes: 30,
  threshold: 0.8,
  minTitle: 0.7,
  minVenue: 0.6,
  cellMeters: 1000,
  maxComparisonsPerEvent: 200,
};

/** Weights of title, venue and start time in the score; without a venue, title and time are rescaled. */
const WEIGHT = { title: 0.55, venue: 0.25, start: 0.2 } as const;
/** Start similarity of an all-day listing against a timed one on the same local day. */
const ALL_DAY_START_SIMILARITY = 0.6;
/** Title similarity required when neither coordinates nor venue names can be compared. */
const MIN_TITLE_WITHOUT_VENUE = 0.85;

function resolve(opts: DedupeOptions | undefined): ResolvedOptions {
  const o = { ...DEFAULTS, ...opts };
  for (const [key, value] of Object.entries(o)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ValidationError(`dedupe option ${key} must be a non-negative number, got ${String(value)}`);
    }
  }
  return o;
}

/** Everything scoring and blocking need, computed once per event. */
interface Features {
  source: string;
  externalId: string;
  title: TokenSet;
  markers: string[];
  venue: TokenSet | null;
  lat: number | null;
  lng: number | null;
  startMs: number;
  allDay: boolean;
  /** Local calendar day in the event's timezone, as days since 1970-01-01. */
  day: number;
  city: string | null;
}

const DAY_MS = 86_400_000;
/** All UTC offsets in use are multiples of 15 minutes, so the local day is constant within such a slot. */
const SLOT_MS = 900_000;
const dayCache = new Map<string, number>();

function localDay(ms: number, zone: string, allDay: boolean): number {
  const key = `${zone}|${Math.floor(ms / SLOT_MS)}|${allDay ? (ms % DAY_MS === 0 ? 'u' : 'a') : ''}`;
  const cached = dayCache.get(key);
  if (cached !== undefined) return cached;
  let dt = DateTime.fromMillis(ms, { zone });
  if (!dt.isValid) dt = DateTime.fromMillis(ms, { zone: 'utc' });
  let day = Date.UTC(dt.year, dt.month - 1, dt.day) / DAY_MS;
  // Some sources encode an all-day event as UTC midnight rather than local midnight; read such a
  // start as the UTC date, or "May 3" in Los Angeles would land on May 2.
  if (allDay && ms % DAY_MS === 0 && (dt.hour !== 0 || dt.minute !== 0)) day = ms / DAY_MS;
  if (dayCache.size > 100_000) dayCache.clear();
  dayCache.set(key, day);
  return day;
}

function validCoordinate(value: number | null, limit: number): value is number {
  return value !== null && Number.isFinite(value) && Math.abs(value) <= limit;
}

/** Bounded memo for per-event work that repeats across events: a catalogue has far fewer venues and cities than events. */
function memo<R>(fn: (key: string) => R, limit = 50_000): (key: string) => R {
  const cache = new Map<string, R>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined && !cache.has(key)) {
      if (cache.size >= limit) cache.clear();
      cache.set(key, (value = fn(key)));
    }
    return value as R;
  };
}

const venueKey = memo((key) => {
  const [label, city] = key.split('\u0000');
  const venue = normalizeVenue(label, city || null);
  return venue ? tokenSet(venue) : null;
});
const cityKey = memo((city) => normalizeCity(city) || null);

function featuresOf(ev: DedupeEvent): Features {
  const v = ev.venue;
  // (0, 0) is a geocoder's "unknown", not a venue in the Gulf of Guinea.
  const hasCoords = validCoordinate(v.latitude, 90) && validCoordinate(v.longitude, 180)
    && !(v.latitude === 0 && v.longitude === 0);
  const venueLabel = v.name || v.address || null;
  const startMs = ev.startsAt.getTime();
  return {
    source: ev.source,
    externalId: ev.externalId,
    title: tokenSet(normalizeTitle(ev.title, v.name)),
    markers: sessionMarkers(ev.title),
    venue: venueLabel ? venueKey(`${venueLabel}\u0000${v.city ?? ''}`) : null,
    lat: hasCoords ? v.latitude : null,
    lng: hasCoords ? v.longitude : null,
    startMs,
    allDay: ev.allDay,
    day: localDay(startMs, ev.timezone, ev.allDay),
    city: v.city ? cityKey(v.city) : null,
  };
}

/** Equirectangular distance; exact enough below a few kilometres, and cheap. */
function metresBetween(aLat: number, aLng: number, bLat: number, bLng: number): number {
  const rad = Math.PI / 180;
  const x = (bLng - aLng) * rad * Math.cos(((aLat + bLat) / 2) * rad);
  const y = (bLat - aLat) * rad;
  return Math.sqrt(x * x + y * y) * 6_371_000;
}

/** Same spot up to 100 m (geocoders disagree by that much), nothing left at 1 km. */
function distanceSimilarity(metres: number): number {
  if (metres <= 100) return 1;
  if (metres >= 1000) return 0;
  return 1 - (metres - 100) / 900;
}

export interface PairScore {
  /** 0..1; 0 when a hard rule (same source, session markers, start tolerance) rules the pair out. */
  score: number;
  match: boolean;
  /** Human-readable explanation of each part of the decision. */
  reasons: string[];
}

const fmt = (n: number) => n.toFixed(2);

/**
 * Scores two events. `explain` off skips building reason strings: findDuplicates scores many
 * more pairs than it keeps, and explains only the ones it keeps.
 */
function scoreFeatures(a: Features, b: Features, o: ResolvedOptions, explain: boolean): PairScore {
  const reasons: string[] = [];
  const reject = (why: () => string): PairScore => ({ score: 0, match: false, reasons: explain ? [why()] : reasons });

  if (a.source === b.source) {
    return reject(() => a.externalId === b.externalId
      ? `same record ${a.source}:${a.externalId}`
      : `same source ${a.source} (${a.externalId} vs ${b.externalId}): a source lists distinct events separately`);
  }
  if (markersConflict(a.markers, b.markers)) {
    return reject(() => `session markers differ: ${a.markers.join(', ')} vs ${b.markers.join(', ')}`);
  }

  let start: number;
  let startReason: () => string;
  if (a.allDay || b.allDay) {
    if (a.day !== b.day) return reject(() => 'different local days');
    start = a.allDay && b.allDay ? 1 : ALL_DAY_START_SIMILARITY;
    startReason = () => (a.allDay && b.allDay ? 'both all-day, same day' : 'all-day vs timed, same day');
  } else {
    const deltaMin = Math.abs(a.startMs - b.startMs) / 60_000;
    if (deltaMin > o.toleranceMinutes) {
      return reject(() => `start Δ ${Math.round(deltaMin)} min > ${o.toleranceMinutes} min tolerance`);
    }
    start = o.toleranceMinutes === 0 ? 1 : 1 - (0.5 * deltaMin) / o.toleranceMinutes;
    startReason = () => `start Δ ${Math.round(deltaMin)} min`;
  }

  const title = textSimilarity(a.title, b.title);

  let venue: number | null = null;
  let venueReason: (() => string) | null = null;
  let distanceReason: (() => string) | null = null;
  const names = a.venue && b.venue ? textSimilarity(a.venue, b.venue) : null;
  if (a.lat !== null && b.lat !== null && a.lng !== null && b.lng !== null) {
    const metres = metresBetween(a.lat, a.lng, b.lat, b.lng);
    const near = distanceSimilarity(metres);
    // Names weigh more than coordinates: two bars 80 m apart both run "Trivia Night" at 8pm.
    venue = names === null ? near : 0.7 * names + 0.3 * near;
    distanceReason = () => `distance ${Math.round(metres)} m`;
  } else if (names !== null) {
    venue = names;
  }
  if (venue !== null) {
    const v = venue;
    venueReason = () => names !== null
      ? `venue ${fmt(v)} ("${a.venue!.text}" ~ "${b.venue!.text}")`
      : `venue ${fmt(v)} (by distance)`;
  }

  const score = venue === null
    ? (WEIGHT.title * title + WEIGHT.start * start) / (WEIGHT.title + WEIGHT.start)
    : WEIGHT.title * title + WEIGHT.venue * venue + WEIGHT.start * start;
  const minTitle = venue === null ? Math.max(o.minTitle, MIN_TITLE_WITHOUT_VENUE) : o.minTitle;
  const match = title >= minTitle && (venue === null || venue >= o.minVenue) && score >= o.threshold;

  if (explain) {
    reasons.push(`title ${fmt(title)} ("${a.title.text}" ~ "${b.title.text}")`);
    reasons.push(venueReason ? venueReason() : 'venue unknown on one side');
    if (distanceReason) reasons.push(distanceReason());
    reasons.push(startReason());
    if (a.markers.length > 0 || b.markers.length > 0) {
      reasons.push(`session markers ${a.markers.join(', ') || '-'} / ${b.markers.join(', ') || '-'}`);
    }
    if (title < minTitle) reasons.push(`title below ${fmt(minTitle)}`);
    if (venue !== null && venue < o.minVenue) reasons.push(`venue below ${fmt(o.minVenue)}`);
    reasons.push(`score ${fmt(score)} ${score >= o.threshold ? '≥' : '<'} ${fmt(o.threshold)}`);
  }
  return { score, match, reasons };
}

/** Scores one pair of events with every reason spelled out. */
export function scorePair(a: DedupeEvent, b: DedupeEvent, opts?: DedupeOptions): PairScore {
  return scoreFeatures(featuresOf(a), featuresOf(b), resolve(opts), true);
}

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
  if (f.city) return `c:${f.city}`;
  if (f.venue) return `v:${f.venue.text}`;
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
  return `${new Date(f.day * DAY_MS).toISOString().slice(0, 10)}|${placeOf(f, resolve(opts))}`;
}

export interface DuplicatePair {
  a: string;
  b: string;
  score: number;
  reasons: string[];
  /** False when joining would have put two records that can't be one event in a cluster (see findDuplicates). */
  merged: boolean;
}

export interface DuplicateResult {
  /**
   * Matched pairs, ordered by (a, b), `a` < `b` by id: every match, except that an event keeps
   * only its best two matches per other source (more can't change its cluster).
   */
  pairs: DuplicatePair[];
  /** Groups of two or more ids that are the same event; ids sorted, clusters ordered by first id. */
  clusters: string[][];
  stats: { events: number; blocks: number; comparisons: number; truncated: number };
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

/** How many matches an event keeps per other source: the best, and a fallback if the best is refused. */
const MATCHES_PER_SOURCE = 2;

/**
 * Matched pairs, kept lean (parallel arrays, no strings) and bounded: an event can share a
 * cluster with at most one record of each other source, so only its best MATCHES_PER_SOURCE
 * matches per other source can matter. A pair survives when it ranks that high for either of
 * its events. Pruning as the list grows keeps memory linear even in a block of thousands of
 * near-identical listings; it never drops a pair the final prune would keep.
 */
class MatchList {
  private i: number[] = [];
  private j: number[] = [];
  private score: number[] = [];
  private readonly sourceOf: Int32Array;
  private readonly sourceCount: number;
  private readonly limit: number;

  constructor(sources: readonly string[]) {
    const ids = new Map<string, number>();
    this.sourceOf = Int32Array.from(sources, (s) => {
      let id = ids.get(s);
      if (id === undefined) ids.set(s, (id = ids.size));
      return id;
    });
    this.sourceCount = Math.max(1, ids.size);
    this.limit = 4 * MATCHES_PER_SOURCE * this.sourceCount * sources.length + 100_000;
  }

  add(i: number, j: number, score: number): void {
    this.i.push(Math.min(i, j));
    this.j.push(Math.max(i, j));
    this.score.push(score);
    if (this.i.length > this.limit) this.prune();
  }

  /** The kept matches, best score first (ties by index, so by id). */
  best(): Array<{ i: number; j: number; score: number }> {
    this.prune();
    return this.i.map((i, k) => ({ i, j: this.j[k], score: this.score[k] }));
  }

  private prune(): void {
    const order = this.i.map((_, k) => k);
    order.sort((p, q) => this.score[q] - this.score[p] || this.i[p] - this.i[q] || this.j[p] - this.j[q]);
    const seen = new Map<number, number>();
    const rankFor = (event: number, otherSource: number) => {
      const key = event * this.sourceCount + otherSource;
      const rank = seen.get(key) ?? 0;
      seen.set(key, rank + 1);
      return rank;
    };
    const keep = order.filter((k) => {
      const a = this.i[k];
      const b = this.j[k];
      const rankA = rankFor(a, this.sourceOf[b]);
      const rankB = rankFor(b, this.sourceOf[a]);
      return rankA < MATCHES_PER_SOURCE || rankB < MATCHES_PER_SOURCE;
    });
    this.i = keep.map((k) => this.i[k]);
    this.j = keep.map((k) => this.j[k]);
    this.score = keep.map((k) => this.score[k]);
  }
}

/**
 * Union-find whose joins can be refused: two clusters are joined only when no member of one
 * rules out a member of the other (see `conflict`), so matches can't chain A~B~C into a cluster
 * where A and C are two listings of one source, or the early and the late show.
 */
class UnionFind {
  private readonly parent: Int32Array;
  private readonly members: number[][];

  constructor(size: number, private readonly conflict: (i: number, j: number) => string | null) {
    this.parent = Int32Array.from({ length: size }, (_, i) => i);
    this.members = Array.from({ length: size }, (_, i) => [i]);
  }

  find(i: number): number {
    let root = i;
    while (this.parent[root] !== root) root = this.parent[root];
    while (this.parent[i] !== root) [this.parent[i], i] = [root, this.parent[i]];
    return root;
  }

  /** Joins the clusters of i and j; returns why it refused, or null. */
  union(i: number, j: number): string | null {
    let ri = this.find(i);
    let rj = this.find(j);
    if (ri === rj) return null;
    for (const p of this.members[ri]) {
      for (const q of this.members[rj]) {
        const why = this.conflict(p, q);
        if (why !== null) return why;
      }
    }
    // The smaller cluster joins the larger (ties: j's joins i's), keeping trees shallow.
    if (this.members[ri].length < this.members[rj].length) [ri, rj] = [rj, ri];
    this.parent[rj] = ri;
    this.members[ri].push(...this.members[rj]);
    this.members[rj] = [];
    return null;
  }
}

/**
 * Pairs that can never be one event, whatever their titles: one source's two listings, clashing
 * session markers, or starts too far apart (all-day listings aside, which match any time that day).
 */
function cannotLink(a: Features, b: Features, o: ResolvedOptions): string | null {
  if (a.source === b.source) return `${a.source} already in cluster`;
  if (markersConflict(a.markers, b.markers)) return `session markers ${a.markers.join(', ')} vs ${b.markers.join(', ')}`;
  if (a.allDay || b.allDay) return a.day === b.day ? null : 'different local days';
  const delta = Math.abs(a.startMs - b.startMs) / 60_000;
  return delta > o.toleranceMinutes ? `members start ${Math.round(delta)} min apart` : null;
}

/**
 * Finds groups of events that are the same real-world event.
 *
 * Deterministic: events are sorted by id first, so input order never changes the result.
 * Pairs are joined best score first (ties by id). A pair whose join would put two records that
 * can never be one event into one cluster is skipped and reported with `merged: false`: two
 * records of one source (a source lists distinct events separately), clashing session markers,
 * or timed starts beyond the tolerance. Such chains arise through a vague record, e.g. an all-day
 * listing that matches both the early and the late show; the weaker link is the wrong one.
 * Ids must be unique.
 */
export function findDuplicates<T extends DedupeEvent & { id: string }>(
  events: readonly T[],
  opts?: DedupeOptions,
): DuplicateResult {
  const o = resolve(opts);
  const sorted = [...events].sort((p, q) => (p.id < q.id ? -1 : p.id > q.id ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].id === sorted[i - 1].id) throw new ValidationError(`findDuplicates: duplicate event id ${sorted[i].id}`);
  }
  const ids = sorted.map((e) => e.id);
  const F = sorted.map(featuresOf);

  const geo = new GeoBlocks();
  const other = new Map<string, Block>();
  /** Events with coordinates, again by city, to meet those without coordinates. */
  const geoByCity = new Map<string, Block>();
  F.forEach((f, i) => {
    const place = placeOf(f, o);
    if (place.startsWith('g:')) {
      const [, x, y] = place.split(':');
      geo.add(f.day, Number(x), Number(y), place, i, f.allDay);
      if (f.city) addTo(geoByCity, `${f.day}|${f.city}`, { day: f.day, place: `c:${f.city}`, x: 0, y: 0 }, i, f.allDay);
    } else {
      addTo(other, `${f.day}|${place}`, { day: f.day, place, x: 0, y: 0 }, i, f.allDay);
    }
  });
  const byStart = (p: number, q: number) => F[p].startMs - F[q].startMs || p - q;
  for (const map of [geo, other, geoByCity]) for (const b of map.values()) b.timed.sort(byStart);

  const tolMs = o.toleranceMinutes * 60_000;
  const cap = o.maxComparisonsPerEvent;
  const stats = { events: F.length, blocks: geo.size + other.size, comparisons: 0, truncated: 0 };
  const matches = new MatchList(F.map((f) => f.source));

  const compare = (i: number, j: number) => {
    stats.comparisons++;
    const r = scoreFeatures(F[i], F[j], o, false);
    if (r.match) matches.add(i, j, r.score);
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

  const uf = new UnionFind(F.length, (p, q) => cannotLink(F[p], F[q], o));
  const pairs: Array<DuplicatePair & { i: number; j: number }> = matches.best().map(({ i, j, score }) => {
    const refused = uf.union(i, j);
    const { reasons } = scoreFeatures(F[i], F[j], o, true);
    if (refused !== null) reasons.push(`not merged: clusters can't be joined (${refused})`);
    return { i, j, a: ids[i], b: ids[j], score, reasons, merged: refused === null };
  });
  pairs.sort((p, q) => p.i - q.i || p.j - q.j);

  const groups = new Map<number, string[]>();
  for (let i = 0; i < F.length; i++) {
    const root = uf.find(i);
    const g = groups.get(root);
    if (g) g.push(ids[i]);
    else groups.set(root, [ids[i]]);
  }
  const clusters = [...groups.values()].filter((g) => g.length > 1).sort((p, q) => (p[0] < q[0] ? -1 : 1));
  return { pairs: pairs.map(({ i: _i, j: _j, ...p }) => p), clusters, stats };
}
