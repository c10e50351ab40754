/**
 * Eventbrite API v3 mock: `/v3/organizations/{id}/events/` and `/v3/venues/{id}/events/` with a
 * Bearer token, `continuation` paging (`pagination.has_more_items`), and errors as
 * `{error, error_description, status_code}` (429 HIT_RATE_LIMIT, 401 INVALID_AUTH, 404 NOT_FOUND).
 */
import { MockServer, bearer, interleave, seedDates, type Fault, type RecordedRequest, type Reply, type SeedOptions } from './common.js';

type Owner = `organization:${string}` | `venue:${string}`;

export class EventbriteMockServer extends MockServer {
  readonly owners = new Map<Owner, Array<Record<string, unknown>>>();

  constructor(readonly token: string) {
    super();
  }

  seed(o: SeedOptions): void {
    const valid = seedDates(o.valid, o.start).map((d, i) => ebEvent(`eb-${i}`, d, o.extraField));
    const invalid = Array.from({ length: o.invalid ?? 0 }, (_, i) => {
      const e = ebEvent(`eb-bad-${i}`, seedDates(1, o.start)[0]);
      delete e.start;
      return e;
    });
    this.owners.set('organization:org-1', interleave(valid, invalid));
  }

  protected handle(req: RecordedRequest): Reply {
    if (bearer(req) !== this.token) return this.faultReply({ kind: 'unauthorized' }, req);
    const m = /^\/v3\/(organizations|venues)\/([^/]+)\/events\/$/.exec(req.path);
    if (!m) return error(404, 'NOT_FOUND', 'The path you requested does not exist.');
    const owner = `${m[1] === 'organizations' ? 'organization' : 'venue'}:${decodeURIComponent(m[2])}` as Owner;
    const events = this.owners.get(owner);
    if (!events) return error(404, 'NOT_FOUND', `The ${m[1].slice(0, -1)} you requested does not exist.`);
    const offset = Number(Buffer.from(req.query.get('continuation') ?? 'MA==', 'base64').toString()) || 0;
    const now = Date.now();
    const live = events
      .filter((e) => req.query.get('status') !== 'live' || e.status === 'live' || e.status === undefined)
      .filter((e) => req.query.get('time_filter') !== 'current_future' || !e.end || Date.parse((e.end as { utc: string }).utc) >= now)
      .sort((a, b) => startUtc(a).localeCompare(startUtc(b)));
    const expand = (req.query.get('expand') ?? '').split(',');
    const page = live.slice(offset, offset + this.pageSize).map((e) => (expand.includes('venue') ? e : { ...e, venue: undefined }));
    const more = offset + this.pageSize < live.length;
    return {
      status: 200,
      body: {
        pagination: {
          object_count: live.length,
          page_number: Math.floor(offset / this.pageSize) + 1,
          page_size: this.pageSize,
          page_count: Math.ceil(live.length / this.pageSize),
          ...(more ? { continuation: Buffer.from(String(offset + this.pageSize)).toString('base64') } : {}),
          has_more_items: more,
        },
        events: page,
      },
    };
  }

  protected faultReply(fault: Exclude<Fault, { kind: 'hang' }>, req: RecordedRequest): Reply {
    switch (fault.kind) {
      case 'rate-limit':
        return {
          ...error(429, 'HIT_RATE_LIMIT', 'Hourly rate limit has been reached for this token. Default rate limits are 2,000 calls per hour.'),
          headers: { ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}), ...fault.headers },
        };
      case 'server-error':
        return { ...error(fault.status ?? 500, 'INTERNAL_ERROR', 'An internal error occurred.'), headers: fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {} };
      case 'malformed':
        return { status: 200, headers: { 'content-type': 'application/json' }, body: '<html><body>Bad gateway</body></html>' };
      case 'unauthorized':
        // Echo the token back so the scrubbing is tested.
        return error(401, 'INVALID_AUTH', `The OAuth token you provided was invalid: ${req.headers.authorization ?? ''}`);
    }
  }
}

export function ebEvent(id: string, start: Date, extra = false): Record<string, unknown> {
  const end = new Date(start.getTime() + 3 * 3_600_000);
  const utc = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
  return {
    name: { text: `Workshop ${id}`, html: `Workshop ${id}` },
    description: { text: 'Hands-on session', html: '<p>Hands-on session</p>' },
    id,
    url: `https://www.eventbrite.com/e/${id}`,
    start: { timezone: 'Europe/Berlin', local: utc(start).slice(0, 19), utc: utc(start) },
    end: { timezone: 'Europe/Berlin', local: utc(end).slice(0, 19), utc: utc(end) },
    status: 'live',
    online_event: false,
    venue_id: 'venue-1',
    venue: { id: 'venue-1', name: 'Demo Loft', latitude: '52.5200', longitude: '13.4050', address: { city: 'Demo City' } },
    ticket_availability: { has_available_tickets: true, is_sold_out: false },
    ...(extra ? { sceneScoutExtra: 'kept' } : {}),
  };
}

function startUtc(e: Record<string, unknown>): string {
  return (e.start as { utc?: string } | undefined)?.utc ?? '';
}

function error(status: number, code: string, description: string): Reply {
  return { status, body: { status_code: status, error_description: description, error: code } };
}
