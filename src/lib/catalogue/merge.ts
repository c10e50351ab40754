/**
 * Folds the records of one duplicate cluster (see dedupe/index.ts) into the fields of one canonical
 * event. Every rule is deterministic and prefers the richer field; each choice is explained in
 * `reasons` so a surprising canonical event can be traced back to the record that caused it.
 */
import { ValidationError } from '../errors.js';
import type { EventStatus, NormalizedEvent, NormalizedVenue } from '../normalize/types.js';

export type { EventStatus };
/** A venue as normalization produces it. */
export type MergeVenue = NormalizedVenue;

/** A normalized event (C is its category union), plus when the source last showed it. */
export interface MergeRecord<C extends string = string> extends Omit<NormalizedEvent, 'category'> {
  category: C;
  /** When the record was last seen at its source; decides which non-scheduled status wins. */
  lastSeenAt?: Date | null;
}

export interface CanonicalFields<C extends string = string> extends Omit<MergeRecord<C>, 'source' | 'externalId' | 'lastSeenAt' | 'category'> {
  category: C | 'other';
  /** The records folded in, in source-priority order. */
  sources: Array<{ source: string; externalId: string }>;
}

export interface MergeResult<C extends string = string> {
  fields: CanonicalFields<C>;
  reasons: string[];
}

/** Richest and most reliable first; unknown sources rank after these, alphabetically. */
export const SOURCE_PRIORITY: readonly string[] = ['ticketmaster', 'eventbrite', 'jsonld', 'ics', 'yelp'];

function rank(source: string): number {
  const i = SOURCE_PRIORITY.indexOf(source);
  return i === -1 ? SOURCE_PRIORITY.length : i;
}

const byPriority = (a: MergeRecord, b: MergeRecord) =>
  rank(a.source) - rank(b.source) || cmp(a.source, b.source) || cmp(a.externalId, b.externalId);

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const text = (s: string | null | undefined) => (s ?? '').trim();
const who = (r: MergeRecord) => r.source;

/** First record (in priority order) with a non-empty value for `pick`. */
function firstWith<V>(records: MergeRecord[], pick: (r: MergeRecord) => V | null | undefined) {
  for (const r of records) {
    const v = pick(r);
    if (v !== null && v !== undefined && (typeof v !== 'string' || v.trim() !== '')) return { record: r, value: v };
  }
  return null;
}

function pickTitle(records: MergeRecord[], reasons: string[]): string {
  const withTitle = records.filter((r) => text(r.title) !== '');
  if (withTitle.length === 0) {
    reasons.push('title empty in every record');
    return '';
  }
  const top = rank(withTitle[0].source);
  const tied = withTitle.filter((r) => rank(r.source) === top);
  // Stable sort keeps priority order among titles of equal length.
  const best = [...tied].sort((a, b) => text(b.title).length - text(a.title).length)[0];
  reasons.push(`title from ${who(best)} (highest-priority source${tied.length > 1 ? ', longest' : ''})`);
  return text(best.title);
}

function pickDescription(records: MergeRecord[], reasons: string[]): string | null {
  let best: MergeRecord | null = null;
  for (const r of records) if (text(r.description).length > text(best?.description).length) best = r;
  if (!best) {
    reasons.push('description: none in any record');
    return null;
  }
  reasons.push(`description from ${who(best)} (longest, ${text(best.description).length} chars)`);
  return text(best.description);
}

function pickTime(records: MergeRecord[], reasons: string[]) {
  const timed = records.find((r) => !r.allDay);
  const chosen = timed ?? records[0];
  reasons.push(`startsAt from ${who(chosen)} (${timed ? 'timed record of highest priority' : 'all records all-day; highest priority'})`);
  let endsAt = chosen.endsAt;
  if (endsAt === null) {
    const other = records.find((r) => r.allDay === chosen.allDay && r.endsAt !== null && r.endsAt > chosen.startsAt);
    if (other) {
      endsAt = other.endsAt;
      reasons.push(`endsAt from ${who(other)} (${who(chosen)} has none)`);
    }
  }
  return { startsAt: chosen.startsAt, endsAt, timezone: chosen.timezone, allDay: chosen.allDay };
}

function pickVenue(records: MergeRecord[], reasons: string[]): MergeVenue {
  const hasCoords = (r: MergeRecord) => r.venue.latitude !== null && r.venue.longitude !== null
    && !(r.venue.latitude === 0 && r.venue.longitude === 0);
  const coords = records.find(hasCoords);
  const field = <K extends keyof MergeVenue>(key: K) => firstWith(records, (r) => r.venue[key]);
  const name = field('name');
  const address = field('address');
  if (name) reasons.push(`venue name from ${who(name.record)}`);
  if (address) reasons.push(`venue address from ${who(address.record)}`);
  reasons.push(coords ? `coordinates from ${who(coords)} (first with coordinates by priority)` : 'coordinates: none in any record');
  return {
    name: name?.value ?? null,
    address: address?.value ?? null,
    city: field('city')?.value ?? null,
    region: field('region')?.value ?? null,
    postalCode: field('postalCode')?.value ?? null,
    country: field('country')?.value ?? null,
    latitude: coords?.venue.latitude ?? null,
    longitude: coords?.venue.longitude ?? null,
  };
}

/**
 * Min of mins and max of maxes, over the records priced in one currency: the currency of the
 * highest-priority priced record (records without a currency are assumed to share it). Mixing
 * "from 20 USD" with "from 15 EUR" would give a price nobody charges.
 */
function pickPrice(records: MergeRecord[], reasons: string[]) {
  const priced = records.filter((r) => r.priceMin !== null || r.priceMax !== null);
  if (priced.length === 0) {
    reasons.push('price: none in any record');
    return { priceMin: null, priceMax: null, currency: null };
  }
  const reference = priced.find((r) => r.currency !== null)?.currency ?? null;
  const usable = priced.filter((r) => r.currency === null || reference === null || r.currency === reference);
  for (const r of priced) if (!usable.includes(r)) reasons.push(`price from ${who(r)} ignored (${r.currency}, not ${reference})`);
  // A record with only one bound ("from 20") gives that bound to both sides.
  let min: { record: MergeRecord; value: number } | null = null;
  let max: { record: MergeRecord; value: number } | null = null;
  for (const r of usable) {
    const lo = r.priceMin ?? r.priceMax;
    const hi = r.priceMax ?? r.priceMin;
    if (lo !== null && (min === null || lo < min.value)) min = { record: r, value: lo };
    if (hi !== null && (max === null || hi > max.value)) max = { record: r, value: hi };
  }
  const priceMin = min?.value ?? null;
  const priceMax = max?.value ?? null;
  const giver = (min ?? max)?.record;
  const currency = giver?.currency ?? reference;
  reasons.push(`price ${priceMin}–${priceMax} ${currency ?? '(no currency)'} (min from ${min ? who(min.record) : '-'}, max from ${max ? who(max.record) : '-'})`);
  return { priceMin, priceMax, currency };
}

function pickIsFree(records: MergeRecord[], reasons: string[]): boolean | null {
  const knowing = records.filter((r) => r.isFree !== null);
  if (knowing.length === 0) return null;
  const notFree = knowing.find((r) => r.isFree === false);
  reasons.push(notFree ? `isFree false (${who(notFree)} says not free)` : `isFree true (all ${knowing.length} that know say free)`);
  return !notFree;
}

function pickCategory<C extends string>(records: MergeRecord<C>[], reasons: string[]): C | 'other' {
  const counts = new Map<C, number>();
  for (const r of records) {
    const c = r.category;
    if (c.trim() !== '' && c !== 'other') counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  // Map iteration follows first appearance in priority order, so ties go to the better source.
  let best: C | null = null;
  for (const [c, n] of counts) if (best === null || n > counts.get(best)!) best = c;
  reasons.push(best ? `category ${best} (${counts.get(best)} of ${records.length} records)` : 'category other (no record more specific)');
  return best ?? 'other';
}

/**
 * A cancellation, postponement or rescheduling beats "scheduled": sources that never learnt of
 * it keep saying scheduled. Among those, the most recently seen record wins (then priority).
 */
function pickStatus(records: MergeRecord[], reasons: string[]): EventStatus {
  const seen = (r: MergeRecord) => r.lastSeenAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  const changed = records.filter((r) => r.status !== 'scheduled');
  if (changed.length === 0) return 'scheduled';
  const latest = [...changed].sort((a, b) => seen(b) - seen(a))[0];
  const when = latest.lastSeenAt ? ` seen ${latest.lastSeenAt.toISOString()}` : '';
  reasons.push(`status ${latest.status} from ${who(latest)} (most recently seen non-scheduled record${when})`);
  return latest.status;
}

/** Canonical fields of one cluster; `records` are the cluster's members in any order. */
export function mergeEvents<C extends string>(records: readonly MergeRecord<C>[]): MergeResult<C> {
  if (records.length === 0) throw new ValidationError('mergeEvents needs at least one record');
  const ordered = [...records].sort(byPriority);
  const reasons: string[] = [];
  const url = firstWith(ordered, (r) => r.url);
  const imageUrl = firstWith(ordered, (r) => r.imageUrl);
  const fields: CanonicalFields<C> = {
    title: pickTitle(ordered, reasons),
    description: pickDescription(ordered, reasons),
    ...pickTime(ordered, reasons),
    status: pickStatus(ordered, reasons),
    venue: pickVenue(ordered, reasons),
    ...pickPrice(ordered, reasons),
    isFree: pickIsFree(ordered, reasons),
    url: url?.value ?? null,
    imageUrl: imageUrl?.value ?? null,
    category: pickCategory(ordered, reasons),
    sources: ordered.map((r) => ({ source: r.source, externalId: r.externalId })),
  };
  if (url) reasons.push(`url from ${who(url.record)}`);
  if (imageUrl) reasons.push(`imageUrl from ${who(imageUrl.record)}`);
  return { fields, reasons };
}
