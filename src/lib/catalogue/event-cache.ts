/**
 * Events as the API shows them, kept by version: a page of the catalogue is read as keys (which
 * events, in what order, at what version: selectEventPage) and each event's JSON is taken
 * from here while its version is the one kept, else read by id and kept. Reading every page's
 * content back from the database was most of the API's CPU (bench:http, issue 14); searches
 * near the same places and weeks keep asking for the same events.
 *
 * The version (eventVersion in src/lib/db/queries/events.ts) changes with every write to the
 * event's row or its sources, whichever process made it, so a kept event is never served after
 * it changed: the page's own statement says which version is current. Kept per database handle
 * (schemas and databases never share), at most RENDERED_EVENTS_MAX events each, least recently
 * used first out. Kept events are frozen: every page that shows one shares it.
 */
import { LRUCache } from 'lru-cache';
import { selectEventsByIds, type EventKeyRow } from '../db/queries/events.js';
import type { Queryable } from '../db/types.js';
import { eventJson, withDistance, type CanonicalEventJson } from './event-json.js';

/** Events kept per database handle: about 1 kB each as the API writes them. */
export const RENDERED_EVENTS_MAX = 20_000;

interface Rendered {
  version: string;
  event: CanonicalEventJson;
}

export interface RenderedEventStats {
  /** events found at their current version */
  hits: number;
  /** events read by id (not kept, or kept at an older version) */
  misses: number;
  /** events kept now */
  size: number;
}

interface Kept {
  events: LRUCache<string, Rendered>;
  hits: number;
  misses: number;
}

const kept = new WeakMap<Queryable, Kept>();

function keptFor(db: Queryable): Kept {
  let k = kept.get(db);
  if (!k) {
    k = { events: new LRUCache<string, Rendered>({ max: RENDERED_EVENTS_MAX }), hits: 0, misses: 0 };
    kept.set(db, k);
  }
  return k;
}

/**
 * The events `keys` name, in their order, as the API shows them (eventJson, with the key's
 * distance). An event deleted since the keys were read is left out.
 */
export async function renderedEvents(db: Queryable, keys: readonly EventKeyRow[]): Promise<CanonicalEventJson[]> {
  const k = keptFor(db);
  const found = new Map<string, CanonicalEventJson>();
  const missing: string[] = [];
  for (const key of keys) {
    const entry = k.events.get(key.id);
    if (entry && entry.version === key.version) found.set(key.id, entry.event);
    else missing.push(key.id);
  }
  k.hits += keys.length - missing.length;
  k.misses += missing.length;
  if (missing.length > 0) {
    for (const row of await selectEventsByIds(db, missing)) {
      const event = deepFreeze(eventJson(row, row.sources ?? []));
      k.events.set(row.id, { version: row.version, event });
      found.set(row.id, event);
    }
  }
  const out: CanonicalEventJson[] = [];
  for (const key of keys) {
    const event = found.get(key.id);
    if (!event) continue;
    out.push(key.distance_km === undefined || key.distance_km === null ? event : withDistance(event, key.distance_km));
  }
  return out;
}

/** How the events kept for `db` have served so far. */
export function renderedEventStats(db: Queryable): RenderedEventStats {
  const k = keptFor(db);
  return { hits: k.hits, misses: k.misses, size: k.events.size };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
