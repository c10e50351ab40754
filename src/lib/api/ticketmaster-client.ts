/**
 * Ticketmaster Discovery API v2: `GET /discovery/v2/events.json`.
 *
 * Deep paging stops at `size * page < 1000`. When a window holds more events than paging can
 * reach, we split the window in two halves and search each, recursively; events on the boundary
 * second come back twice and are deduplicated by id.
 *
 * Totals that disagree with the pages must not make that unbounded: a window is not split below
 * `minWindowMs`; a window whose first page is empty although its total says otherwise, or whose
 * halves together claim far more than it did, is reported as inconsistent and not split; and
 * one search makes at most `maxCallsPerTask` requests, then stops and reports what it left.
 */
import ngeohash from 'ngeohash';
import { z } from 'zod';
import { ProviderError } from '../errors.js';
import { BaseClient, assertLocation, resolveDateRange, resolveLimit } from './base-client.js';
import type { FailedResponse, ProviderErrorInfo } from './http.js';
import type { ClientOptions, SearchParams } from './types.js';

export const TICKETMASTER_BASE_URL = 'https://app.ticketmaster.com';
/** `size * page` must stay below this */
export const TICKETMASTER_MAX_DEPTH = 1000;
const MAX_PAGE_SIZE = 200;
/** default of `maxCallsPerTask` (TICKETMASTER_MAX_CALLS) */
export const TICKETMASTER_MAX_CALLS = 100;
/** default of `minWindowMs`: a window is not split below an hour */
export const TICKETMASTER_MIN_WINDOW_MS = 3_600_000;

export interface TicketmasterVenue {
  id: string;
  name?: string;
  location?: { latitude?: string; longitude?: string };
  [key: string]: unknown;
}

/** An event as the Discovery API returns it; we keep every field. */
export interface TicketmasterEvent {
  id: string;
  name: string;
  url?: string;
  dates: {
    start: { localDate?: string; localTime?: string; dateTime?: string; [key: string]: unknown };
    timezone?: string;
    status?: { code?: string };
    [key: string]: unknown;
  };
  _embedded?: { venues?: TicketmasterVenue[]; [key: string]: unknown };
  [key: string]: unknown;
}

export interface TicketmasterClientOptions extends ClientOptions {
  /** events per request, 1..200, default 200 */
  pageSize?: number;
  /** most requests one search makes (retries included), default 100 */
  maxCallsPerTask?: number;
  /** narrowest window a too-deep window is split into, ms, default 1 hour */
  minWindowMs?: number;
}

const eventSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1),
  dates: z.looseObject({
    start: z.looseObject({ localDate: z.string().optional(), dateTime: z.string().optional() }),
  }),
});

const pageSchema = z.looseObject({
  _embedded: z.looseObject({ events: z.array(z.unknown()) }).optional(),
  page: z.looseObject({
    size: z.number().int().nonnegative(),
    totalElements: z.number().int().nonnegative(),
    totalPages: z.number().int().nonnegative(),
    number: z.number().int().nonnegative(),
  }),
});

interface Query {
  geoPoint: string;
  radiusKm: number;
  signal?: AbortSignal;
  /** windows already reported as too deep; split halves share their boundary second */
  unreachable: Array<[number, number]>;
  /** stats.apiCalls when the search started */
  callsAtStart: number;
  /** the call cap was reached: nothing more is requested */
  capped: boolean;
}

/** One page of results as we use it. */
interface Page {
  page: z.infer<typeof pageSchema>['page'];
  events: unknown[];
  where: string;
}

export class TicketmasterClient extends BaseClient<TicketmasterEvent> {
  readonly #pageSize: number;
  readonly #maxCalls: number;
  readonly #minWindowMs: number;

  constructor(options: TicketmasterClientOptions) {
    super(options, {
      source: 'ticketmaster',
      defaultBaseUrl: TICKETMASTER_BASE_URL,
      requiresKey: true,
      keyName: 'TICKETMASTER_API_KEY',
      describeError: describeTicketmasterError,
    });
    const size = options.pageSize ?? MAX_PAGE_SIZE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
      throw new TypeError(`ticketmaster: options.pageSize must be an integer in 1..${MAX_PAGE_SIZE}, got ${String(size)}`);
    }
    this.#pageSize = size;
    const maxCalls = options.maxCallsPerTask ?? TICKETMASTER_MAX_CALLS;
    if (!Number.isInteger(maxCalls) || maxCalls < 1) {
      throw new TypeError(`ticketmaster: options.maxCallsPerTask must be a positive integer, got ${String(maxCalls)}`);
    }
    this.#maxCalls = maxCalls;
    const minWindow = options.minWindowMs ?? TICKETMASTER_MIN_WINDOW_MS;
    if (!Number.isFinite(minWindow) || minWindow < 2000) {
      throw new TypeError(`ticketmaster: options.minWindowMs must be at least 2000, got ${String(minWindow)}`);
    }
    this.#minWindowMs = minWindow;
  }

  externalId(event: TicketmasterEvent): string {
    return event.id;
  }

  async searchEvents(params: SearchParams): Promise<TicketmasterEvent[]> {
    assertLocation(this.source, params.location);
    const { start, end } = resolveDateRange(this.source, params.dateRange);
    const limit = resolveLimit(this.source, params.limit);
    const query: Query = {
      geoPoint: ngeohash.encode(params.location.latitude, params.location.longitude, 9),
      radiusKm: Math.max(1, Math.ceil(params.location.radius / 1000)),
      signal: params.signal,
      unreachable: [],
      callsAtStart: this.stats.apiCalls,
      capped: false,
    };
    const found = new Map<string, TicketmasterEvent>();
    // The API takes whole seconds; widen the window outward so no event is lost to rounding.
    await this.#searchWindow(floorSecond(start.getTime()), ceilSecond(end), query, found, limit);
    return [...found.values()].slice(0, limit);
  }

  async #searchWindow(
    from: number,
    to: number,
    query: Query,
    found: Map<string, TicketmasterEvent>,
    limit: number,
    prefetched?: Page,
  ): Promise<void> {
    const wanted = limit - found.size;
    if (wanted <= 0) return;
    const size = Math.min(this.#pageSize, wanted);
    const reachable = size * Math.ceil(TICKETMASTER_MAX_DEPTH / size);
    const first = prefetched ?? (await this.#fetchPage(from, to, 0, size, query));
    if (!first) return;
    const total = first.page.totalElements;

    if (total > 0 && first.events.length === 0) {
      this.skip(`inconsistent totals: ${tmDate(from)}..${tmDate(to)} claims ${total} events but its first page has none; not searched further`);
      return;
    }

    if (Math.min(total, wanted) > reachable) {
      if (to - from >= 2 * this.#minWindowMs) {
        const mid = floorSecond(from + (to - from) / 2);
        this.logger?.debug({ source: this.source, total, from: tmDate(from), to: tmDate(to) }, 'window too deep; splitting');
        const left = await this.#fetchPage(from, mid, 0, size, query);
        const right = left && (await this.#fetchPage(mid, to, 0, size, query));
        if (left && right && left.page.totalElements + right.page.totalElements > total * 1.5 + size) {
          // Halves of a window cannot hold much more than the window (only the shared second counts twice).
          this.skip(
            `inconsistent totals: ${tmDate(from)}..${tmDate(to)} claims ${total} events but its halves claim ${left.page.totalElements} and ${right.page.totalElements}; not split further`,
          );
          this.#collect(first.events, found, first.where);
          this.#collect(left.events, found, left.where);
          this.#collect(right.events, found, right.where);
          return;
        }
        if (!left) return;
        await this.#searchWindow(from, mid, query, found, limit, left);
        if (right) await this.#searchWindow(mid, to, query, found, limit, right);
        return;
      }
      if (!query.unreachable.some(([a, b]) => from <= b && to >= a)) {
        this.skip(`deep paging limit: ${total - reachable} of ${total} events between ${tmDate(from)} and ${tmDate(to)} cannot be reached`);
      }
      query.unreachable.push([from, to]);
    }

    this.#collect(first.events, found, first.where);
    for (let page = 1; page < first.page.totalPages && size * page < TICKETMASTER_MAX_DEPTH && found.size < limit; page++) {
      const next = await this.#fetchPage(from, to, page, size, query);
      if (!next || next.events.length === 0) break;
      this.#collect(next.events, found, next.where);
    }
  }

  #collect(records: unknown[], found: Map<string, TicketmasterEvent>, where: string): void {
    for (const event of this.validRecords(eventSchema, records, where)) {
      if (!found.has(event.id)) found.set(event.id, event);
    }
  }

  /** One page; undefined once the call cap is reached (reported once). */
  async #fetchPage(from: number, to: number, page: number, size: number, query: Query): Promise<Page | undefined> {
    if (query.capped) return undefined;
    const calls = this.stats.apiCalls - query.callsAtStart;
    if (calls >= this.#maxCalls) {
      query.capped = true;
      this.skip(
        `call cap: stopped after ${calls} requests (maxCallsPerTask ${this.#maxCalls}, TICKETMASTER_MAX_CALLS); events from ${tmDate(from)} on may be missing`,
      );
      return undefined;
    }
    return this.#requestPage(from, to, page, size, query);
  }

  async #requestPage(from: number, to: number, page: number, size: number, query: Query): Promise<Page> {
    const url = new URL(`${this.baseUrl}/discovery/v2/events.json`);
    url.search = new URLSearchParams({
      apikey: this.key!,
      geoPoint: query.geoPoint,
      radius: String(query.radiusKm),
      unit: 'km',
      startDateTime: tmDate(from),
      endDateTime: tmDate(to),
      size: String(size),
      page: String(page),
      sort: 'date,asc',
      // Without it the API returns only events with an English locale.
      locale: '*',
    }).toString();
    const res = await this.http.getJson(url, { signal: query.signal });
    const parsed = pageSchema.safeParse(res.body);
    if (!parsed.success) {
      throw new ProviderError('ERR_PROVIDER_RESPONSE', `ticketmaster: GET ${res.url} returned no "page" object: ${parsed.error.issues[0]?.message}`, {
        source: this.source,
        url: res.url,
        status: res.status,
      });
    }
    return { page: parsed.data.page, events: parsed.data._embedded?.events ?? [], where: `page ${page} of ${tmDate(from)}..${tmDate(to)}` };
  }
}

/** `YYYY-MM-DDTHH:mm:ssZ`: the API answers 400 DIS1015 to milliseconds. */
export function tmDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function floorSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

function ceilSecond(d: Date): number {
  return Math.ceil(d.getTime() / 1000) * 1000;
}

/**
 * Apigee faults: `{fault:{faultstring, detail:{errorcode}}}`; Discovery errors: `{errors:[{code, detail}]}`.
 * A QuotaViolation is the daily quota: its `Rate-Limit-Reset` (epoch ms) says when to come back,
 * usually hours away, which makes the HTTP layer hand the wait to the caller.
 * A SpikeArrestViolation is per second: plain backoff.
 */
export function describeTicketmasterError(res: FailedResponse): ProviderErrorInfo {
  const body = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as {
    fault?: { faultstring?: unknown; detail?: { errorcode?: unknown } };
    errors?: Array<{ code?: unknown; detail?: unknown }>;
  };
  const code = str(body.fault?.detail?.errorcode) ?? str(body.errors?.[0]?.code);
  const description = str(body.fault?.faultstring) ?? str(body.errors?.[0]?.detail);
  const info: ProviderErrorInfo = { code, description };
  if (res.status === 429 && code?.endsWith('QuotaViolation')) {
    const reset = Number(res.headers.get('rate-limit-reset'));
    if (Number.isFinite(reset) && reset > 0) info.retryAfterMs = Math.max(0, reset - Date.now());
  }
  return info;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
