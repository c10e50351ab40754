/**
 * Eventbrite API v3. Public event search was removed in 2020, so we list the events of known
 * organizations and venues (`organizationIds`, `venueIds` in the city's config) and filter them
 * to the date range ourselves by `start.utc`. Location is implied by the chosen ids.
 */
import { z } from 'zod';
import { ProviderError, ProviderRequestError } from '../errors.js';
import { BaseClient, resolveDateRange, resolveLimit } from './base-client.js';
import type { FailedResponse, ProviderErrorInfo } from './http.js';
import type { ClientOptions, SearchParams } from './types.js';

export const EVENTBRITE_BASE_URL = 'https://www.eventbriteapi.com';

export interface EventbriteDateTime {
  timezone?: string;
  local?: string;
  /** e.g. '2026-05-01T18:00:00Z' */
  utc: string;
}

/** An event as the list endpoints return it, with `venue` and `ticket_availability` expanded. */
export interface EventbriteEvent {
  id: string;
  name: { text?: string | null; html?: string | null; [key: string]: unknown };
  start: EventbriteDateTime;
  end?: EventbriteDateTime;
  url?: string;
  status?: string;
  venue?: { id?: string; name?: string; latitude?: string; longitude?: string; [key: string]: unknown } | null;
  [key: string]: unknown;
}

export type EventbriteClientOptions = ClientOptions;

const dateTime = z.looseObject({ utc: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date') });
const eventSchema = z.looseObject({
  id: z.string().min(1),
  name: z.looseObject({ text: z.string().nullish() }),
  start: dateTime,
});

const listSchema = z.looseObject({
  events: z.array(z.unknown()),
  pagination: z.looseObject({
    has_more_items: z.boolean().optional(),
    continuation: z.string().nullish(),
  }),
});

type Owner = { kind: 'organization' | 'venue'; id: string };

export class EventbriteClient extends BaseClient<EventbriteEvent> {
  constructor(options: EventbriteClientOptions) {
    super(options, {
      source: 'eventbrite',
      defaultBaseUrl: EVENTBRITE_BASE_URL,
      requiresKey: true,
      keyName: 'EVENTBRITE_TOKEN',
      describeError: describeEventbriteError,
    });
  }

  externalId(event: EventbriteEvent): string {
    return event.id;
  }

  async searchEvents(params: SearchParams): Promise<EventbriteEvent[]> {
    const range = resolveDateRange(this.source, params.dateRange);
    const limit = resolveLimit(this.source, params.limit);
    const owners: Owner[] = [
      ...(params.organizationIds ?? []).map((id) => ({ kind: 'organization' as const, id })),
      ...(params.venueIds ?? []).map((id) => ({ kind: 'venue' as const, id })),
    ];
    if (owners.length === 0) {
      this.logger?.info({ source: this.source }, 'no organizationIds or venueIds: nothing to list');
      return [];
    }
    const found = new Map<string, EventbriteEvent>();
    for (const owner of owners) {
      if (found.size >= limit) break;
      try {
        await this.#listOwner(owner, range, found, limit, params.signal);
      } catch (err) {
        // A deleted organization or venue must not block the others.
        if (err instanceof ProviderRequestError && err.status === 404) {
          this.skip(`${owner.kind} ${owner.id} not found`, `${owner.kind}:${owner.id}`);
          continue;
        }
        throw err;
      }
    }
    return [...found.values()].slice(0, limit);
  }

  async #listOwner(owner: Owner, range: { start: Date; end: Date }, found: Map<string, EventbriteEvent>, limit: number, signal?: AbortSignal) {
    const path = owner.kind === 'organization' ? 'organizations' : 'venues';
    let continuation: string | undefined;
    let previousStart = -Infinity;
    let ordered = true;
    for (let page = 1; ; page++) {
      const url = new URL(`${this.baseUrl}/v3/${path}/${encodeURIComponent(owner.id)}/events/`);
      const query = new URLSearchParams({
        status: 'live',
        time_filter: 'current_future',
        expand: 'venue,ticket_availability',
        order_by: 'start_asc',
      });
      if (continuation) query.set('continuation', continuation);
      url.search = query.toString();
      const res = await this.http.getJson(url, { headers: { authorization: `Bearer ${this.key}` }, signal });
      const parsed = listSchema.safeParse(res.body);
      if (!parsed.success) {
        throw new ProviderError('ERR_PROVIDER_RESPONSE', `eventbrite: GET ${res.url} returned no events/pagination: ${parsed.error.issues[0]?.message}`, {
          source: this.source,
          url: res.url,
          status: res.status,
        });
      }
      let pastRange = false;
      for (const event of this.validRecords(eventSchema, parsed.data.events, `${owner.kind} ${owner.id} page ${page}`)) {
        const start = Date.parse(event.start.utc);
        if (start < previousStart) ordered = false;
        previousStart = start;
        if (start > range.end.getTime()) pastRange = true;
        if (start < range.start.getTime() || start > range.end.getTime()) continue;
        if (!found.has(event.id) && found.size < limit) found.set(event.id, event);
      }
      const next = parsed.data.pagination.continuation ?? undefined;
      if (!parsed.data.pagination.has_more_items || !next || next === continuation) return;
      // Sorted by start (as asked, and as seen so far): later pages are past the range too.
      if (ordered && pastRange) return;
      if (found.size >= limit) return;
      continuation = next;
    }
  }
}

/** `{error, error_description, status_code}`; 429 is `HIT_RATE_LIMIT`. */
export function describeEventbriteError(res: FailedResponse): ProviderErrorInfo {
  const body = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as { error?: unknown; error_description?: unknown };
  return {
    code: typeof body.error === 'string' ? body.error : undefined,
    description: typeof body.error_description === 'string' ? body.error_description : undefined,
  };
}
