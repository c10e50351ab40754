/**
 * Yelp Fusion events: `GET /v3/events`. Radius is capped at 40 km, pages at 50 events, and
 * `offset + limit` at 1000; events past that cap are reported as skipped, not fetched.
 */
import { z } from 'zod';
import { ProviderError } from '../errors.js';
import { BaseClient, assertLocation, resolveDateRange, resolveLimit } from './base-client.js';
import type { FailedResponse, ProviderErrorInfo } from './http.js';
import type { ClientOptions, SearchParams } from './types.js';

export const YELP_BASE_URL = 'https://api.yelp.com';
export const YELP_MAX_RADIUS_M = 40_000;
export const YELP_MAX_DEPTH = 1000;
const MAX_PAGE_SIZE = 50;

/** An event as Yelp returns it; `time_start` is ISO 8601 with offset. */
export interface YelpEvent {
  id: string;
  name: string;
  time_start: string;
  time_end?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  location?: { address1?: string; city?: string; display_address?: string[]; [key: string]: unknown };
  business_id?: string | null;
  is_canceled?: boolean;
  event_site_url?: string;
  [key: string]: unknown;
}

export interface YelpClientOptions extends ClientOptions {
  /** events per request, 1..50, default 50 */
  pageSize?: number;
}

const eventSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1),
  time_start: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date'),
});

const listSchema = z.looseObject({ events: z.array(z.unknown()), total: z.number().int().nonnegative() });

export class YelpClient extends BaseClient<YelpEvent> {
  readonly #pageSize: number;

  constructor(options: YelpClientOptions) {
    super(options, {
      source: 'yelp',
      defaultBaseUrl: YELP_BASE_URL,
      requiresKey: true,
      keyName: 'YELP_API_KEY',
      describeError: describeYelpError,
    });
    const size = options.pageSize ?? MAX_PAGE_SIZE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
      throw new TypeError(`yelp: options.pageSize must be an integer in 1..${MAX_PAGE_SIZE}, got ${String(size)}`);
    }
    this.#pageSize = size;
  }

  externalId(event: YelpEvent): string {
    return event.id;
  }

  async searchEvents(params: SearchParams): Promise<YelpEvent[]> {
    assertLocation(this.source, params.location);
    const { start, end } = resolveDateRange(this.source, params.dateRange);
    const limit = resolveLimit(this.source, params.limit);
    const found = new Map<string, YelpEvent>();
    let total = Infinity;
    let offset = 0;
    while (offset < total && offset < YELP_MAX_DEPTH && found.size < limit) {
      const size = Math.min(this.#pageSize, YELP_MAX_DEPTH - offset);
      const url = new URL(`${this.baseUrl}/v3/events`);
      url.search = new URLSearchParams({
        latitude: String(params.location.latitude),
        longitude: String(params.location.longitude),
        radius: String(Math.min(YELP_MAX_RADIUS_M, Math.round(params.location.radius))),
        start_date: String(Math.floor(start.getTime() / 1000)),
        end_date: String(Math.ceil(end.getTime() / 1000)),
        limit: String(size),
        offset: String(offset),
        sort_on: 'time_start',
        sort_by: 'asc',
      }).toString();
      const res = await this.http.getJson(url, { headers: { authorization: `Bearer ${this.key}` }, signal: params.signal });
      const parsed = listSchema.safeParse(res.body);
      if (!parsed.success) {
        throw new ProviderError('ERR_PROVIDER_RESPONSE', `yelp: GET ${res.url} returned no events/total: ${parsed.error.issues[0]?.message}`, {
          source: this.source,
          url: res.url,
          status: res.status,
        });
      }
      total = parsed.data.total;
      for (const event of this.validRecords(eventSchema, parsed.data.events, `offset ${offset}`)) {
        if (!found.has(event.id) && found.size < limit) found.set(event.id, event);
      }
      if (parsed.data.events.length === 0) break;
      offset += size;
    }
    if (total > YELP_MAX_DEPTH && found.size < limit) {
      this.skip(`offset cap: ${total - YELP_MAX_DEPTH} of ${total} events lie beyond Yelp's offset+limit cap of ${YELP_MAX_DEPTH}`);
    }
    return [...found.values()];
  }
}

/**
 * `{error:{code, description}}`. ACCESS_LIMIT_REACHED is the daily quota: no retry, budget error,
 * with `RateLimit-ResetTime` (ISO 8601) as the wait. TOO_MANY_REQUESTS_PER_SECOND: backoff.
 */
export function describeYelpError(res: FailedResponse): ProviderErrorInfo {
  const error = (typeof res.body === 'object' && res.body !== null ? (res.body as { error?: unknown }).error : undefined) as
    | { code?: unknown; description?: unknown }
    | undefined;
  const code = typeof error?.code === 'string' ? error.code : undefined;
  const info: ProviderErrorInfo = { code, description: typeof error?.description === 'string' ? error.description : undefined };
  if (code === 'ACCESS_LIMIT_REACHED') {
    info.budgetExhausted = true;
    const reset = Date.parse(res.headers.get('ratelimit-resettime') ?? '');
    if (!Number.isNaN(reset)) info.retryAfterMs = Math.max(0, reset - Date.now());
  }
  return info;
}
