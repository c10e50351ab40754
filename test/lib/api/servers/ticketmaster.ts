/**
 * Ticketmaster Discovery API v2 mock: `/discovery/v2/events.json` with `apikey`, ISO dates
 * without milliseconds (else 400 DIS1015), `size`/`page` with the `size * page < 1000` deep
 * paging rule (else 400 DIS1035), HAL `_embedded.events` and `page`, Apigee faults, and the
 * `Rate-Limit*` headers.
 */
import { MockServer, interleave, seedDates, type Fault, type RecordedRequest, type Reply, type SeedOptions } from './common.js';

const TM_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export class TicketmasterMockServer extends MockServer {
  events: Array<Record<string, unknown>> = [];

  constructor(readonly apiKey: string) {
    super();
  }

  seed(o: SeedOptions): void {
    const valid = seedDates(o.valid, o.start).map((d, i) => tmEvent(`tm-${i}`, d, o.extraField));
    const invalid = Array.from({ length: o.invalid ?? 0 }, (_, i) => {
      const e = tmEvent(`tm-bad-${i}`, seedDates(1, o.start)[0]);
      delete e.name;
      return e;
    });
    this.events = interleave(valid, invalid);
  }

  protected handle(req: RecordedRequest): Reply {
    if (req.path !== '/discovery/v2/events.json') return { status: 404, body: { errors: [{ code: 'DIS1004', detail: 'Resource not found', status: '404' }] } };
    if (req.query.get('apikey') !== this.apiKey) return this.faultReply({ kind: 'unauthorized' }, req);
    const start = req.query.get('startDateTime');
    const end = req.query.get('endDateTime');
    for (const [name, value] of [['startDateTime', start], ['endDateTime', end]] as const) {
      if (value !== null && !TM_DATE.test(value)) {
        return { status: 400, body: { errors: [{ code: 'DIS1015', detail: `Query param with date must be of valid format YYYY-MM-DDTHH:mm:ssZ {example: 2016-12-08T15:00:00Z} (${name})`, status: '400' }] } };
      }
    }
    const size = Number(req.query.get('size') ?? 20);
    const page = Number(req.query.get('page') ?? 0);
    if (size > 200) return { status: 400, body: { errors: [{ code: 'DIS1016', detail: 'Query param "size" must be less than 200', status: '400' }] } };
    if (size * page >= 1000) {
      return { status: 400, body: { errors: [{ code: 'DIS1035', detail: 'API Limits Exceeded: Max paging depth exceeded. (page * size) must be less than 1,000', status: '400' }] } };
    }
    const from = start ? Date.parse(start) : -Infinity;
    const to = end ? Date.parse(end) : Infinity;
    const matching = this.events
      .filter((e) => {
        const t = Date.parse(startOf(e));
        return t >= from && t <= to;
      })
      .sort((a, b) => startOf(a).localeCompare(startOf(b)));
    const slice = matching.slice(page * size, page * size + size);
    const body: Record<string, unknown> = {
      _links: { self: { href: `/discovery/v2/events.json?page=${page}&size=${size}` } },
      page: { size, totalElements: matching.length, totalPages: Math.ceil(matching.length / size), number: page },
    };
    if (slice.length) body._embedded = { events: slice };
    return { status: 200, headers: rateHeaders(), body };
  }

  protected faultReply(fault: Exclude<Fault, { kind: 'hang' }>, req: RecordedRequest): Reply {
    switch (fault.kind) {
      case 'rate-limit':
        return {
          status: 429,
          headers: { ...rateHeaders(0), ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}), ...fault.headers },
          body: fault.body ?? {
            fault: { faultstring: 'Spike arrest violation. Allowed rate : MessageRate{messagesPerPeriod=5, periodInMicroseconds=1000000}', detail: { errorcode: 'policies.ratelimit.SpikeArrestViolation' } },
          },
        };
      case 'server-error':
        return {
          status: fault.status ?? 503,
          headers: fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {},
          body: { fault: { faultstring: 'The Service is temporarily unavailable', detail: { errorcode: 'messaging.adaptors.http.flow.ServiceUnavailable' } } },
        };
      case 'malformed':
        return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"_embedded":{"events":[{"id":"tm-0","name":' };
      case 'unauthorized':
        // Apigee does not echo the key, but a careless proxy might: echo it to test scrubbing.
        return { status: 401, body: { fault: { faultstring: `Invalid ApiKey for given resource: ${req.query.get('apikey') ?? ''}`, detail: { errorcode: 'oauth.v2.InvalidApiKey' } } } };
    }
  }
}

export function tmEvent(id: string, start: Date, extra = false): Record<string, unknown> {
  const iso = `${start.toISOString().slice(0, 19)}Z`;
  return {
    name: `Concert ${id}`,
    type: 'event',
    id,
    url: `https://www.ticketmaster.com/event/${id}`,
    locale: 'en-us',
    dates: {
      start: { localDate: iso.slice(0, 10), localTime: iso.slice(11, 19), dateTime: iso, dateTBD: false, timeTBA: false },
      timezone: 'Europe/Berlin',
      status: { code: 'onsale' },
    },
    _embedded: {
      venues: [{ name: 'Demo Hall', type: 'venue', id: 'KovZ0001', location: { longitude: '13.4050', latitude: '52.5200' }, city: { name: 'Demo City' } }],
    },
    ...(extra ? { sceneScoutExtra: 'kept' } : {}),
  };
}

function startOf(e: Record<string, unknown>): string {
  return ((e.dates as { start: { dateTime: string } }).start.dateTime ?? '') as string;
}

function rateHeaders(available = 4999): Record<string, string> {
  return {
    'rate-limit': '5000',
    'rate-limit-available': String(available),
    'rate-limit-over': available === 0 ? '1' : '0',
    'rate-limit-reset': String(Date.now() + 3_600_000),
  };
}
