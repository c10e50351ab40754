import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ConfigError, RateLimitedError } from '../../../src/lib/errors.js';
import { EventbriteClient } from '../../../src/lib/api/eventbrite-client.js';
import { ebEvent, EventbriteMockServer } from './servers/eventbrite.js';

const TOKEN = 'eb-test-token-123456';
const anywhere = { latitude: 52.52, longitude: 13.405, radius: 10_000 };
const year2030 = { start: '2030-01-01T00:00:00Z', end: '2030-12-31T23:59:59Z' };
const day = (n: number) => new Date(Date.parse('2030-01-01T18:00:00Z') + n * 86_400_000);

describe('EventbriteClient', () => {
  let server: EventbriteMockServer;
  beforeEach(async () => {
    server = await new EventbriteMockServer(TOKEN).start();
  });
  afterEach(async () => {
    await server.close();
  });
  const client = () => new EventbriteClient({ token: TOKEN, baseUrl: server.baseUrl, retryBaseMs: 5 });

  it('lists organization and venue events with a Bearer token and the documented filters', async () => {
    server.owners.set('organization:org-1', [ebEvent('a', day(1))]);
    server.owners.set('venue:venue-9', [ebEvent('b', day(2))]);
    const events = await client().searchEvents({ location: anywhere, dateRange: year2030, organizationIds: ['org-1'], venueIds: ['venue-9'] });
    assert.deepEqual(events.map((e) => e.id), ['a', 'b']);
    assert.deepEqual(server.requests.map((r) => r.path), ['/v3/organizations/org-1/events/', '/v3/venues/venue-9/events/']);
    for (const r of server.requests) {
      assert.equal(r.headers.authorization, `Bearer ${TOKEN}`);
      assert.equal(r.query.get('status'), 'live');
      assert.equal(r.query.get('time_filter'), 'current_future');
      assert.equal(r.query.get('expand'), 'venue,ticket_availability');
    }
    assert.equal(events[0].venue?.name, 'Demo Loft', 'venue expanded');
  });

  it('follows continuation tokens and deduplicates across organizations and venues', async () => {
    server.pageSize = 2;
    server.owners.set('organization:org-1', [0, 1, 2, 3, 4].map((i) => ebEvent(`e${i}`, day(i))));
    server.owners.set('venue:venue-1', [ebEvent('e3', day(3)), ebEvent('e9', day(9))]);
    const c = client();
    const events = await c.searchEvents({ location: anywhere, dateRange: year2030, organizationIds: ['org-1'], venueIds: ['venue-1'] });
    assert.deepEqual(events.map((e) => e.id), ['e0', 'e1', 'e2', 'e3', 'e4', 'e9']);
    const continued = server.requests.filter((r) => r.query.has('continuation'));
    assert.equal(continued.length, 2, 'pages 2 and 3 of the organization');
  });

  it('filters to the date range by start.utc and stops paging once past it', async () => {
    server.pageSize = 2;
    server.owners.set('organization:org-1', Array.from({ length: 10 }, (_, i) => ebEvent(`d${i}`, day(i * 10))));
    const c = client();
    const events = await c.searchEvents({ location: anywhere, dateRange: { start: day(15), end: day(45) }, organizationIds: ['org-1'] });
    assert.deepEqual(events.map((e) => e.id), ['d2', 'd3', 'd4']);
    assert.equal(c.stats.apiCalls, 3, 'pages 1-3; page 3 reaches past the range');
  });

  it('reports an organization that does not exist and lists the others', async () => {
    server.owners.set('organization:org-1', [ebEvent('a', day(1))]);
    const c = client();
    const events = await c.searchEvents({ location: anywhere, dateRange: year2030, organizationIds: ['gone', 'org-1'] });
    assert.deepEqual(events.map((e) => e.id), ['a']);
    assert.deepEqual(c.stats.skipped, [{ reason: 'organization gone not found', id: 'organization:gone' }]);
  });

  it('does nothing without organization or venue ids', async () => {
    const c = client();
    assert.deepEqual(await c.searchEvents({ location: anywhere, dateRange: year2030 }), []);
    assert.equal(server.requests.length, 0);
  });

  it('names HIT_RATE_LIMIT when 429s persist', async () => {
    server.seed({ valid: 1 });
    server.failAlways({ kind: 'rate-limit' });
    const c = new EventbriteClient({ token: TOKEN, baseUrl: server.baseUrl, retryBaseMs: 1, maxRetries: 1 });
    await assert.rejects(c.searchEvents({ location: anywhere, dateRange: year2030, organizationIds: ['org-1'] }), (err: unknown) => err instanceof RateLimitedError && /HIT_RATE_LIMIT/.test(err.message));
  });

  it('needs a token (apiKey is accepted too)', () => {
    assert.throws(() => new EventbriteClient({}), (err: unknown) => err instanceof ConfigError && /EVENTBRITE_TOKEN/.test(err.message));
    assert.doesNotThrow(() => new EventbriteClient({ apiKey: TOKEN }));
  });
});
