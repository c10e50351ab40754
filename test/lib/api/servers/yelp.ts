/**
 * Yelp Fusion events mock: `GET /v3/events` with a Bearer key, `limit` ≤ 50, `offset + limit`
 * ≤ 1000, `radius` ≤ 40000, Unix-second `start_date`/`end_date`, `{events, total}`, errors as
 * `{error:{code, description}}`, and the `RateLimit-*` headers.
 */
import { MockServer, bearer, interleave, seedDates, type Fault, type RecordedRequest, type Reply, type SeedOptions } from './common.js';

export class YelpMockServer extends MockServer {
  events: Array<Record<string, unknown>> = [];
  remaining = 4999;

  constructor(readonly apiKey: string) {
    super();
  }

  seed(o: SeedOptions): void {
    const valid = seedDates(o.valid, o.start).map((d, i) => yelpEvent(`yelp-${i}`, d, o.extraField));
    const invalid = Array.from({ length: o.invalid ?? 0 }, (_, i) => {
      const e = yelpEvent(`yelp-bad-${i}`, seedDates(1, o.start)[0]);
      e.time_start = 'sometime soon';
      return e;
    });
    this.events = interleave(valid, invalid);
  }

  protected handle(req: RecordedRequest): Reply {
    if (req.path !== '/v3/events') return error(404, 'NOT_FOUND', 'Resource could not be found.');
    if (bearer(req) !== this.apiKey) return this.faultReply({ kind: 'unauthorized' }, req);
    const limit = Number(req.query.get('limit') ?? 3);
    const offset = Number(req.query.get('offset') ?? 0);
    const radius = Number(req.query.get('radius') ?? 0);
    if (limit > 50) return error(400, 'VALIDATION_ERROR', `${limit} is greater than the maximum of 50 - 'limit'`);
    if (offset + limit > 1000) return error(400, 'VALIDATION_ERROR', 'Too many results requested, limit+offset must be <= 1000.');
    if (radius > 40000) return error(400, 'VALIDATION_ERROR', `${radius} is greater than the maximum of 40000 - 'radius'`);
    const from = Number(req.query.get('start_date') ?? 0) * 1000;
    const to = Number(req.query.get('end_date') ?? Number.MAX_SAFE_INTEGER / 1000) * 1000;
    const matching = this.events.filter((e) => {
      const t = Date.parse(String(e.time_start));
      // Records with unreadable dates are still listed: Yelp data is not always clean.
      return Number.isNaN(t) || (t >= from && t <= to);
    });
    return {
      status: 200,
      headers: headers(this.remaining--),
      body: { total: matching.length, events: matching.slice(offset, offset + limit) },
    };
  }

  protected faultReply(fault: Exclude<Fault, { kind: 'hang' }>, req: RecordedRequest): Reply {
    switch (fault.kind) {
      case 'rate-limit':
        return {
          status: 429,
          headers: { ...headers(this.remaining), ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}), ...fault.headers },
          body: fault.body ?? {
            error: { code: 'TOO_MANY_REQUESTS_PER_SECOND', description: 'You have exceeded the queries-per-second limit for this endpoint. Try reducing the rate at which you make queries.' },
          },
        };
      case 'server-error':
        return { ...error(fault.status ?? 500, 'INTERNAL_ERROR', 'Something went wrong internally, please try your request again'), headers: fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {} };
      case 'malformed':
        return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"total": 7, "events": [{"id": "yelp-0",' };
      case 'unauthorized':
        return error(401, 'TOKEN_INVALID', `Invalid access token or authorization header (${req.headers.authorization ?? ''}).`);
    }
  }
}

export function yelpEvent(id: string, start: Date, extra = false): Record<string, unknown> {
  const iso = (d: Date) => d.toISOString().replace('.000Z', '+00:00');
  return {
    id,
    name: `Food market ${id}`,
    description: 'Street food and music',
    time_start: iso(start),
    time_end: iso(new Date(start.getTime() + 4 * 3_600_000)),
    category: 'food-and-drink',
    cost: null,
    is_free: true,
    is_canceled: false,
    is_official: false,
    event_site_url: `https://www.yelp.com/events/demo-city-${id}`,
    latitude: 52.52,
    longitude: 13.405,
    location: { address1: 'Marktplatz 1', city: 'Demo City', country: 'DE', display_address: ['Marktplatz 1', 'Demo City'] },
    business_id: null,
    ...(extra ? { sceneScoutExtra: 'kept' } : {}),
  };
}

function headers(remaining: number): Record<string, string> {
  const tomorrow = new Date();
  tomorrow.setUTCHours(24, 0, 0, 0);
  return {
    'ratelimit-dailylimit': '5000',
    'ratelimit-remaining': String(Math.max(0, remaining)),
    'ratelimit-resettime': tomorrow.toISOString().replace('.000Z', '+00:00'),
  };
}

function error(status: number, code: string, description: string): Reply {
  return { status, body: { error: { code, description } } };
}
