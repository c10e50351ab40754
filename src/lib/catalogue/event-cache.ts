/**
 * Events as the API writes them, kept by version: a page of the catalogue is read as keys (which
 * events, in what order, at what version: selectEventPage) and each event's JSON text is taken
 * from here while its version is the one kept, else read by id and kept. Reading every page's
 * content back from the database, and writing it as JSON, was most of the API's CPU
 * (bench:http, issue 14); searches near the same places and weeks keep asking for the same
 * events.
 *
 * The version (eventVersion in src/lib/db/queries/events.ts) changes with every write to the
 * event's row or its sources, whichever process made it, so a kept event is never served after
 * it changed: the page's own statement says which version is current. Kept per database handle
 * (schemas and databases never share), at most RENDERED_EVENTS_MAX events each, least recently
 * used first out. The text is redacted as every API answer is (redactedJson).
 */
import { LRUCache } from 'lru-cache';
import { selectEventsByIds, type EventKeyRow } from '../db/queries/events.js';
import type { Queryable } from '../db/types.js';
import { redactedJson } from '../redact.js';
import { eventJson, roundKm, type CanonicalEventJson } from './event-json.js';

/** Events kept per database handle: about 1 kB of text each. */
export const RENDERED_EVENTS_MAX = 20_000;

/**
 * One event's JSON text in two parts: up to `locationApproximate`, and the rest, so that a
 * page with a point puts `distanceKm` between them, where CanonicalEventJson declares it.
 */
interface Rendered {
  version: string;
  head: string;
  tail: string;
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

/** The JSON text of `event` cut after `locationApproximate` (redacted as the API writes it). */
function render(event: CanonicalEventJson, version: string): Rendered {
  const head: Record<string, unknown> = {};
  const tail: Record<string, unknown> = {};
  let part = head;
  for (const [key, value] of Object.entries(event)) {
    part[key] = value;
    if (key === 'locationApproximate') part = tail;
  }
  // '{…}' and '{…}': the first without its closing brace, the second without its opening one.
  const tailText = redactedJson(tail);
  return { version, head: redactedJson(head).slice(0, -1), tail: tailText === '{}' ? '}' : `,${tailText.slice(1)}` };
}

/**
 * The JSON texts of the events `keys` name, in their order, as the API writes them (eventJson,
 * with the key's distance). An event deleted since the keys were read is left out.
 */
export async function renderedEvents(db: Queryable, keys: readonly EventKeyRow[]): Promise<string[]> {
  const k = keptFor(db);
  const found = new Map<string, Rendered>();
  const missing: string[] = [];
  for (const key of keys) {
    const entry = k.events.get(key.id);
    if (entry && entry.version === key.version) found.set(key.id, entry);
    else missing.push(key.id);
  }
  k.hits += keys.length - missing.length;
  k.misses += missing.length;
  if (missing.length > 0) {
    for (const row of await selectEventsByIds(db, missing)) {
      const rendered = render(eventJson(row, row.sources ?? []), row.version);
      k.events.set(row.id, rendered);
      found.set(row.id, rendered);
    }
  }
  const out: string[] = [];
  for (const key of keys) {
    const r = found.get(key.id);
    if (!r) continue;
    const km = key.distance_km;
    out.push(km === undefined || km === null ? r.head + r.tail : `${r.head},"distanceKm":${JSON.stringify(roundKm(km))}${r.tail}`);
  }
  return out;
}

/** How the events kept for `db` have served so far. */
export function renderedEventStats(db: Queryable): RenderedEventStats {
  const k = keptFor(db);
  return { hits: k.hits, misses: k.misses, size: k.events.size };
}
