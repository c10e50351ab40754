/**
 * The hand-labeled dedupe set (test/fixtures/dedupe/, described in its README): loading,
 * checking and normalizing it.
 *
 * Each city file holds the discovery city, the listings found for it (each a provider's own
 * record, or an occurrence of a venue's iCalendar feed under feeds/), the true event each
 * listing belongs to (its cluster), what each cluster shows, and the trap cases: pairs of
 * clusters that look alike but are different events and must never merge.
 *
 * `loadLabeledSet` refuses a set it cannot trust (unknown clusters, duplicate ids, an unlabeled
 * feed occurrence, a provider time that contradicts itself) with a message naming the listing:
 * a wrong label would measure the matcher against a mistake.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { expandCalendar, type IcsEvent } from '../../src/lib/api/ics-expand.js';
import { packageRoot } from '../../src/lib/paths.js';
import { normalizeRawEvent } from '../../src/lib/normalize/index.js';
import { INGEST_SOURCES, type IngestSource, type NormalizedEvent } from '../../src/lib/normalize/types.js';
import { evaluateDedupe, type DedupeQuality } from './dedupe-eval.js';

export interface SetCity {
  id: string;
  name: string;
  timezone: string;
  center: { latitude: number; longitude: number };
}

export interface SetListing {
  id: string;
  source: IngestSource;
  /** Id of the real-world event this listing describes. */
  cluster: string;
  city: SetCity;
  /** The provider's record as its client returns it (for ics: the client's occurrence object). */
  data: unknown;
  note?: string;
}

export interface SetCluster {
  id: string;
  city: string;
  event: string;
  patterns: string[];
}

export const TRAP_KINDS = [
  'residency-next-night',
  'residency-night-marker',
  'extra-show',
  'early-late-show',
  'matinee-evening',
  'doubleheader',
  'repeat-programme',
  'two-rooms',
  'venues-next-door',
  'tour-two-cities',
  'weekly-recurring',
  'generic-title-nearby',
  'year-later',
  'same-day-side-event',
  'festival-parent-child',
  'umbrella-parent-child',
  'add-on-listing',
] as const;
export type TrapKind = (typeof TRAP_KINDS)[number];

/** Two clusters that must never end up in one predicted cluster. */
export interface TrapCase {
  a: string;
  b: string;
  kind: TrapKind;
  why: string;
}

export interface LabeledSet {
  cities: SetCity[];
  listings: SetListing[];
  clusters: Map<string, SetCluster>;
  traps: TrapCase[];
}

export const DEDUPE_SET_DIR = path.join(packageRoot(), 'test', 'fixtures', 'dedupe');

/** Feed occurrences are expanded over this window; every occurrence in it must be labeled. */
const FEED_RANGE = { start: new Date('2026-01-01T00:00:00Z'), end: new Date('2029-01-01T00:00:00Z') };

interface CityFile {
  city: SetCity;
  clusters: Record<string, { event: string; patterns?: string[] }>;
  listings: Array<{
    id: string;
    source: string;
    cluster: string;
    data?: unknown;
    feed?: string;
    externalId?: string;
    /** A deliberate inconsistency in the provider's own times; skips the self-consistency check. */
    quirk?: string;
    note?: string;
  }>;
  traps?: Array<{ a: string; b: string; kind: string; why: string }>;
}

class SetError extends Error {}

export function loadLabeledSet(dir: string = DEDUPE_SET_DIR): LabeledSet {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw new SetError(`no city files (*.json) in ${dir}`);
  const feeds = new Map<string, Map<string, IcsEvent>>();
  const usedOccurrences = new Set<string>();
  const cities: SetCity[] = [];
  const listings: SetListing[] = [];
  const clusters = new Map<string, SetCluster>();
  const traps: TrapCase[] = [];
  const ids = new Set<string>();

  for (const file of files) {
    const where = (what: string) => `${file}: ${what}`;
    const parsed = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CityFile;
    const city = parsed.city;
    if (!city?.id || !city.name || !city.center || !DateTime.local({ zone: city.timezone }).isValid) {
      throw new SetError(where('city needs id, name, a valid IANA timezone and center'));
    }
    if (cities.some((c) => c.id === city.id)) throw new SetError(where(`city ${city.id} appears twice`));
    cities.push(city);
    for (const [id, c] of Object.entries(parsed.clusters ?? {})) {
      if (clusters.has(id)) throw new SetError(where(`cluster ${id} is described twice`));
      clusters.set(id, { id, city: city.id, event: c.event, patterns: c.patterns ?? [] });
    }
    for (const l of parsed.listings) {
      if (ids.has(l.id)) throw new SetError(where(`listing id ${l.id} appears twice`));
      ids.add(l.id);
      if (!(INGEST_SOURCES as readonly string[]).includes(l.source)) throw new SetError(where(`listing ${l.id}: unknown source ${l.source}`));
      let data = l.data;
      if (l.source === 'ics' && data === undefined) {
        if (!l.feed || !l.externalId) throw new SetError(where(`ics listing ${l.id} needs data, or feed and externalId`));
        const occurrence = feedOccurrences(dir, l.feed, feeds).get(l.externalId);
        if (!occurrence) throw new SetError(where(`ics listing ${l.id}: feed ${l.feed} has no occurrence ${l.externalId}`));
        const key = `${l.feed}\u0000${l.externalId}`;
        if (usedOccurrences.has(key)) throw new SetError(where(`ics listing ${l.id}: occurrence ${l.externalId} is labeled twice`));
        usedOccurrences.add(key);
        data = occurrence;
      }
      if (data === undefined) throw new SetError(where(`listing ${l.id} has no data`));
      if (l.quirk === undefined) {
        const problem = timeContradiction(l.source as IngestSource, data, city.timezone);
        if (problem) throw new SetError(where(`listing ${l.id}: ${problem} (mark it "quirk" if that is the point)`));
      }
      listings.push({ id: l.id, source: l.source as IngestSource, cluster: l.cluster, city, data, ...(l.note ? { note: l.note } : {}) });
    }
    for (const t of parsed.traps ?? []) {
      if (!(TRAP_KINDS as readonly string[]).includes(t.kind)) throw new SetError(where(`trap ${t.a}/${t.b}: unknown kind ${t.kind}`));
      if (t.a === t.b) throw new SetError(where(`trap ${t.a}/${t.b} names one cluster twice`));
      traps.push({ a: t.a, b: t.b, kind: t.kind as TrapKind, why: t.why });
    }
  }
  // A listing may belong to an event of another city (a team feed lists away games), and a trap
  // may pair clusters of two cities (the same tour), so clusters are checked once all are read.
  for (const l of listings) if (!clusters.has(l.cluster)) throw new SetError(`listing ${l.id}: cluster ${l.cluster} is not described under "clusters"`);
  for (const t of traps) for (const c of [t.a, t.b]) if (!clusters.has(c)) throw new SetError(`trap ${t.a}/${t.b}: no cluster ${c}`);
  for (const [feed, occurrences] of feeds) {
    for (const externalId of occurrences.keys()) {
      if (!usedOccurrences.has(`${feed}\u0000${externalId}`)) throw new SetError(`feed ${feed}: occurrence ${externalId} has no label`);
    }
  }
  const used = new Set(listings.map((l) => l.cluster));
  for (const id of clusters.keys()) if (!used.has(id)) throw new SetError(`cluster ${id} has no listing`);
  return { cities, listings, clusters, traps };
}

/** The iCalendar client's occurrences of one feed file, by the client's external id. */
function feedOccurrences(dir: string, feed: string, cache: Map<string, Map<string, IcsEvent>>): Map<string, IcsEvent> {
  let found = cache.get(feed);
  if (found) return found;
  const skipped: string[] = [];
  const events = expandCalendar(readFileSync(path.join(dir, feed), 'utf8'), {
    feed: `https://calendar.example/${path.basename(feed)}`,
    rangeStart: FEED_RANGE.start,
    rangeEnd: FEED_RANGE.end,
    onSkip: (reason, id) => skipped.push(`${id ?? '?'}: ${reason}`),
  });
  if (skipped.length > 0) throw new SetError(`feed ${feed}: the client skipped ${skipped.join('; ')}`);
  found = new Map(events.map((e) => [e.recurrenceId ? `${e.uid}@${e.recurrenceId}` : e.uid, e]));
  cache.set(feed, found);
  return found;
}

function get(data: unknown, dotted: string): unknown {
  let at: unknown = data;
  for (const key of dotted.split('.')) at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  return at;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/**
 * A provider record states its start twice (UTC and wall clock, or a wall clock with an offset
 * in a known city). When the two disagree the listing was mistyped, not observed.
 */
function timeContradiction(source: IngestSource, data: unknown, cityZone: string): string | null {
  const sameInstant = (utc: string, local: string, zone: string) => {
    const a = DateTime.fromISO(utc, { zone: 'UTC' });
    const b = DateTime.fromISO(local, { zone });
    return a.isValid && b.isValid && a.toMillis() === b.toMillis();
  };
  const offsetMatchesZone = (text: string) => {
    const t = DateTime.fromISO(text, { setZone: true });
    if (!t.isValid || !/([+-]\d{2}:?\d{2}|Z)$/.test(text)) return true;
    if (text.endsWith('Z')) return true;
    return t.offset === DateTime.fromMillis(t.toMillis(), { zone: cityZone }).offset;
  };
  switch (source) {
    case 'ticketmaster': {
      const zone = str(get(data, 'dates.timezone')) ?? str(get(data, '_embedded.venues.0.timezone')) ?? cityZone;
      for (const point of ['start', 'end']) {
        const utc = str(get(data, `dates.${point}.dateTime`));
        const date = str(get(data, `dates.${point}.localDate`));
        const time = str(get(data, `dates.${point}.localTime`));
        if (utc && date && time && !sameInstant(utc, `${date}T${time}`, zone)) return `dates.${point}.dateTime ${utc} is not ${date} ${time} in ${zone}`;
      }
      return null;
    }
    case 'eventbrite':
      for (const point of ['start', 'end']) {
        const utc = str(get(data, `${point}.utc`));
        const local = str(get(data, `${point}.local`));
        const zone = str(get(data, `${point}.timezone`)) ?? cityZone;
        if (utc && local && !sameInstant(utc, local, zone)) return `${point}.utc ${utc} is not ${local} in ${zone}`;
      }
      return null;
    case 'yelp':
      for (const field of ['time_start', 'time_end']) {
        const text = str(get(data, field));
        if (text && !offsetMatchesZone(text)) return `${field} ${text} has an offset the city's zone does not have then`;
      }
      return null;
    case 'jsonld':
      for (const field of ['startDate', 'endDate']) {
        const text = str(get(data, field));
        if (text && !offsetMatchesZone(text)) return `${field} ${text} has an offset the city's zone does not have then`;
      }
      return null;
    default:
      return null;
  }
}

export interface NormalizedListing {
  listing: SetListing;
  event: NormalizedEvent;
}

export interface NormalizeFailure {
  listing: SetListing;
  error: string;
}

/** Each listing through the production normalizer, with its discovery city as context. */
export function normalizeListings(set: LabeledSet): { normalized: NormalizedListing[]; failures: NormalizeFailure[] } {
  const normalized: NormalizedListing[] = [];
  const failures: NormalizeFailure[] = [];
  for (const listing of set.listings) {
    try {
      const event = normalizeRawEvent(listing.source, listing.data, { timezone: listing.city.timezone, cityName: listing.city.name });
      normalized.push({ listing, event });
    } catch (err) {
      failures.push({ listing, error: (err as Error).message });
    }
  }
  return { normalized, failures };
}

/** What a matcher sees of a listing: the normalized event, an opaque id and its discovery city. */
export type MatcherInput = NormalizedEvent & { id: string; cityId: string };

export interface LabeledSetRun {
  normalized: NormalizedListing[];
  failures: NormalizeFailure[];
  /** The matcher's clusters in labeled listing ids. */
  predicted: string[][];
  quality: DedupeQuality;
  ms: number;
}

/**
 * Normalizes the set and runs `cluster` over every listing at once, then scores it. The matcher
 * gets opaque ids (a labeled id names its event) and never sees the labels.
 */
export function runOnLabeledSet(set: LabeledSet, cluster: (events: MatcherInput[]) => string[][]): LabeledSetRun {
  const { normalized, failures } = normalizeListings(set);
  const events = normalized.map(({ listing, event }, i) => ({ ...event, id: `L${String(i).padStart(4, '0')}`, cityId: listing.city.id }));
  const labeledId = new Map(events.map((e, i) => [e.id, normalized[i]!.listing.id]));
  const t0 = performance.now();
  const clusters = cluster(events);
  const ms = performance.now() - t0;
  const predicted = clusters.map((c) => c.map((id) => {
    const labeled = labeledId.get(id);
    if (labeled === undefined) throw new Error(`the matcher returned an id it was not given: ${id}`);
    return labeled;
  }));
  const labels = normalized.map(({ listing }) => ({ id: listing.id, source: listing.source, cluster: listing.cluster }));
  const patterns = new Map([...set.clusters].map(([id, c]) => [id, c.patterns]));
  return { normalized, failures, predicted, quality: evaluateDedupe(labels, predicted, set.traps, patterns), ms };
}
