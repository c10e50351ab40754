import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import ngeohash from 'ngeohash';
import { ConfigError, NonRetryableError, RateLimitedError } from '../../../src/lib/errors.js';
import { ProviderRequestError } from '../../../src/lib/errors.js';
import { TicketmasterClient, tmDate } from '../../../src/lib/api/ticketmaster-client.js';
import { TicketmasterMockServer, tmEvent } from './servers/ticketmaster.js';
import type { RecordedRequest, Reply } from './servers/common.js';

/** A Ticketmaster that overstates: every window claims `claims` events, whatever it holds. */
class OverstatingServer extends TicketmasterMockServer {
  claims = 100_000;
  protected override handle(req: RecordedRequest): Reply {
    const reply = super.handle(req);
    const body = reply.body as { page?: { size: number; totalElements: number; totalPages: number } };
    if (reply.status === 200 && body.page) {
      body.page.totalElements = this.claims;
      body.page.totalPages = Math.ceil(this.claims / body.page.size);
    }
    return reply;
  }
}

const KEY = 'tm-test-key-abcdef';
const berlin = { latitude: 52.52, longitude: 13.405, radius: 10_500 };
const january = { start: '2030-01-01T00:00:00Z', end: '2030-01-31T23:59:59Z' };

describe('TicketmasterClient', () => {
  let server: TicketmasterMockServer;
  beforeEach(async () => {
    server = await new TicketmasterMockServer(KEY).start();
  });
  afterEach(async () => {
    await server.close();
  });
  const client = (extra: Partial<ConstructorParameters<typeof TicketmasterClient>[0]> = {}) =>
    new TicketmasterClient({ apiKey: KEY, baseUrl: server.baseUrl, retryBaseMs: 5, ...extra });

  it('sends apikey, a precision-9 geohash, radius in km (rounded up), second-precision dates and locale=*', async () => {
    server.seed({ valid: 1 });
    await client().searchEvents({ location: berlin, dateRange: { start: '2030-01-01T00:00:00.250Z', end: '2030-01-31T23:59:59.750Z' } });
    const q = server.requests[0].query;
    assert.equal(q.get('apikey'), KEY);
    assert.equal(q.get('geoPoint'), ngeohash.encode(52.52, 13.405, 9));
    assert.equal(q.get('geoPoint')!.length, 9);
    assert.equal(q.get('radius'), '11');
    assert.equal(q.get('unit'), 'km');
    assert.equal(q.get('startDateTime'), '2030-01-01T00:00:00Z', 'floored to the second');
    assert.equal(q.get('endDateTime'), '2030-02-01T00:00:00Z', 'rounded up to the second');
    assert.equal(q.get('size'), '200');
    assert.equal(q.get('page'), '0');
    assert.equal(q.get('locale'), '*');
  });

  it('the mock, like the API, answers 400 DIS1015 to milliseconds; the client never sends them', async () => {
    const res = await fetch(`${server.baseUrl}/discovery/v2/events.json?apikey=${KEY}&startDateTime=2030-01-01T00:00:00.000Z`);
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { errors: Array<{ code: string }> }).errors[0].code, 'DIS1015');
    assert.equal(tmDate(Date.parse('2030-01-01T10:20:30.999Z')), '2030-01-01T10:20:30Z');
  });

  it('splits the date window when more events match than paging can reach (size * page < 1000)', async () => {
    // 1500 events, one every 29 minutes through January: about 770 in each half of the month.
    server.events = Array.from({ length: 1500 }, (_, i) => tmEvent(`deep-${i}`, new Date(Date.parse('2030-01-01T00:00:00Z') + i * 29 * 60_000)));
    const c = client();
    const events = await c.searchEvents({ location: berlin, dateRange: january });
    assert.equal(events.length, 1500);
    assert.equal(new Set(events.map((e) => e.id)).size, 1500);
    assert.deepEqual(c.stats.skipped, []);
    for (const r of server.requests) {
      assert.ok(Number(r.query.get('size')) * Number(r.query.get('page')) < 1000, `deep page requested: ${r.target}`);
    }
    const windows = new Set(server.requests.map((r) => `${r.query.get('startDateTime')}..${r.query.get('endDateTime')}`));
    assert.equal(windows.size, 3, 'the full window, then its two halves');
    assert.equal(c.stats.apiCalls, 1 + 4 + 4);
  });

  it('reports what cannot be reached when a window cannot be split further', async () => {
    const at = new Date('2030-01-10T20:00:00Z');
    server.events = Array.from({ length: 1200 }, (_, i) => tmEvent(`same-second-${i}`, at));
    const c = client();
    const events = await c.searchEvents({ location: berlin, dateRange: january });
    assert.equal(events.length, 1000);
    assert.equal(c.stats.skipped.length, 1);
    assert.match(c.stats.skipped[0].reason, /deep paging limit: 200 of 1200 events/);
  });

  it('honours limit without deep paging', async () => {
    server.events = Array.from({ length: 1500 }, (_, i) => tmEvent(`lim-${i}`, new Date(Date.parse('2030-01-01T00:00:00Z') + i * 60_000)));
    const c = client();
    const events = await c.searchEvents({ location: berlin, dateRange: january, limit: 250 });
    assert.equal(events.length, 250);
    assert.equal(c.stats.apiCalls, 2);
  });

  it('keeps each event with its _embedded.venues', async () => {
    server.seed({ valid: 2 });
    const [event] = await client().searchEvents({ location: berlin, dateRange: { start: '2030-01-01T00:00:00Z', end: '2030-12-31T00:00:00Z' } });
    assert.equal(event._embedded?.venues?.[0].name, 'Demo Hall');
  });

  it('does not retry 401 oauth.v2.InvalidApiKey', async () => {
    server.seed({ valid: 2 });
    const c = new TicketmasterClient({ apiKey: 'wrong-key-123', baseUrl: server.baseUrl });
    await assert.rejects(c.searchEvents({ location: berlin, dateRange: january }), (err: unknown) => {
      assert.ok(err instanceof ProviderRequestError && err instanceof NonRetryableError);
      assert.equal(err.status, 401);
      assert.equal(err.providerCode, 'oauth.v2.InvalidApiKey');
      assert.ok(!err.message.includes('wrong-key-123'));
      return true;
    });
    assert.equal(c.stats.apiCalls, 1);
  });

  it('waits for Rate-Limit-Reset on a QuotaViolation when it is near', async () => {
    server.seed({ valid: 2 });
    const quota = { fault: { faultstring: 'Rate limit quota violation. Quota limit exceeded.', detail: { errorcode: 'policies.ratelimit.QuotaViolation' } } };
    const started = Date.now();
    server.fail({ kind: 'rate-limit', body: quota, headers: { 'rate-limit-reset': String(started + 300) } });
    const c = client();
    const events = await c.searchEvents({ location: berlin, dateRange: { start: '2030-01-01T00:00:00Z', end: '2030-12-31T00:00:00Z' } });
    assert.equal(events.length, 2);
    assert.ok(Date.now() - started >= 250);
    assert.equal(c.stats.retries, 1);
  });

  it('hands a far Rate-Limit-Reset to the caller instead of sleeping', async () => {
    server.seed({ valid: 2 });
    const quota = { fault: { faultstring: 'Rate limit quota violation. Quota limit exceeded.', detail: { errorcode: 'policies.ratelimit.QuotaViolation' } } };
    server.failAlways({ kind: 'rate-limit', body: quota, headers: { 'rate-limit-reset': String(Date.now() + 3_600_000) } });
    const c = client();
    await assert.rejects(c.searchEvents({ location: berlin, dateRange: january }), (err: unknown) => {
      assert.ok(err instanceof RateLimitedError);
      assert.ok(err.retryAfterMs! > 3_500_000 && err.retryAfterMs! <= 3_600_000);
      assert.match(err.message, /QuotaViolation/);
      return true;
    });
    assert.equal(c.stats.apiCalls, 1);
  });

  it('needs an API key', () => {
    assert.throws(() => new TicketmasterClient({ baseUrl: server.baseUrl }), (err: unknown) => err instanceof ConfigError && /TICKETMASTER_API_KEY/.test(err.message));
    assert.throws(() => new TicketmasterClient({ apiKey: '  ' }), ConfigError);
    assert.throws(() => new TicketmasterClient({ apiKey: KEY, pageSize: 500 }), /pageSize/);
  });

  describe('totals that disagree with the pages', () => {
    let liar: OverstatingServer;
    beforeEach(async () => {
      liar = await new OverstatingServer(KEY).start();
    });
    afterEach(async () => {
      await liar.close();
    });
    const ninetyDays = { start: '2030-01-01T00:00:00Z', end: '2030-03-31T23:59:59Z' };

    it('totalElements=100000 with no events: one request, reported as inconsistent', async () => {
      const c = new TicketmasterClient({ apiKey: KEY, baseUrl: liar.baseUrl, retryBaseMs: 5 });
      const events = await c.searchEvents({ location: berlin, dateRange: ninetyDays });
      assert.deepEqual(events, []);
      assert.equal(liar.requests.length, 1);
      assert.equal(c.stats.skipped.length, 1);
      assert.match(c.stats.skipped[0].reason, /^inconsistent totals: 2030-01-01T00:00:00Z\.\.2030-03-31T23:59:59Z claims 100000 events but its first page has none/);
    });

    it('every window claiming 100000 while holding a few events: the split stops at the first halves', async () => {
      liar.events = Array.from({ length: 30 }, (_, i) => tmEvent(`few-${i}`, new Date(Date.parse('2030-01-01T12:00:00Z') + i * 3 * 86_400_000)));
      const c = new TicketmasterClient({ apiKey: KEY, baseUrl: liar.baseUrl, retryBaseMs: 5 });
      const events = await c.searchEvents({ location: berlin, dateRange: ninetyDays });
      assert.equal(events.length, 30, 'what the pages held is kept');
      assert.equal(liar.requests.length, 3, 'the window and its two halves');
      assert.match(c.stats.skipped[0].reason, /^inconsistent totals: .* claims 100000 events but its halves claim 100000 and 100000; not split further/);
    });

    it('one search makes at most maxCallsPerTask requests, then reports where it stopped', async () => {
      // Plausible totals (each half about half), but more than paging reaches all the way down.
      liar.claims = 5000;
      liar.events = Array.from({ length: 200 }, (_, i) => tmEvent(`cap-${i}`, new Date(Date.parse('2030-01-01T00:00:00Z') + i * 3_600_000)));
      class Halving extends OverstatingServer {
        protected override handle(req: RecordedRequest): Reply {
          const span = Date.parse(req.query.get('endDateTime')!) - Date.parse(req.query.get('startDateTime')!);
          this.claims = Math.max(1001, Math.round((5000 * span) / (90 * 86_400_000)));
          return super.handle(req);
        }
      }
      const halving = await new Halving(KEY).start();
      halving.events = liar.events;
      try {
        const c = new TicketmasterClient({ apiKey: KEY, baseUrl: halving.baseUrl, retryBaseMs: 5, maxCallsPerTask: 7, minWindowMs: 2000 });
        await c.searchEvents({ location: berlin, dateRange: ninetyDays });
        assert.equal(halving.requests.length, 7);
        assert.equal(c.stats.apiCalls, 7);
        const capped = c.stats.skipped.filter((s) => s.reason.startsWith('call cap'));
        assert.equal(capped.length, 1);
        assert.match(capped[0]!.reason, /^call cap: stopped after 7 requests \(maxCallsPerTask 7, TICKETMASTER_MAX_CALLS\); events from .* on may be missing/);
      } finally {
        await halving.close();
      }
    });

    it('does not split a window below minWindowMs', async () => {
      const at = new Date('2030-01-10T20:00:00Z');
      server.events = Array.from({ length: 1200 }, (_, i) => tmEvent(`dense-${i}`, at));
      const c = client({ minWindowMs: 6 * 3_600_000 });
      await c.searchEvents({ location: berlin, dateRange: january });
      const spans = server.requests.map((r) => Date.parse(r.query.get('endDateTime')!) - Date.parse(r.query.get('startDateTime')!));
      assert.ok(Math.min(...spans) >= 6 * 3_600_000, `smallest window ${Math.min(...spans)} ms`);
      assert.match(c.stats.skipped[0].reason, /deep paging limit: 200 of 1200 events/);
    });
  });
});
