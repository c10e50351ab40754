import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ConfigError } from '../../../src/lib/errors.js';
import { BudgetExhaustedError } from '../../../src/lib/errors.js';
import { YelpClient } from '../../../src/lib/api/yelp-client.js';
import { YelpMockServer, yelpEvent } from './servers/yelp.js';

const KEY = 'yelp-test-key-0987654';
const year2030 = { start: '2030-01-01T00:00:00Z', end: '2030-12-31T23:59:59Z' };

describe('YelpClient', () => {
  let server: YelpMockServer;
  beforeEach(async () => {
    server = await new YelpMockServer(KEY).start();
  });
  afterEach(async () => {
    await server.close();
  });
  const client = (pageSize?: number) => new YelpClient({ apiKey: KEY, baseUrl: server.baseUrl, retryBaseMs: 5, pageSize });

  it('sends a Bearer key, radius capped at 40 km, Unix-second dates and limit ≤ 50', async () => {
    server.seed({ valid: 1 });
    await client().searchEvents({ location: { latitude: 52.52, longitude: 13.405, radius: 60_000 }, dateRange: year2030 });
    const r = server.requests[0];
    assert.equal(r.headers.authorization, `Bearer ${KEY}`);
    assert.equal(r.query.get('radius'), '40000');
    assert.equal(r.query.get('latitude'), '52.52');
    assert.equal(r.query.get('longitude'), '13.405');
    assert.equal(r.query.get('start_date'), String(Date.parse(year2030.start) / 1000));
    assert.equal(r.query.get('end_date'), String(Math.ceil(Date.parse(year2030.end) / 1000)));
    assert.equal(r.query.get('limit'), '50');
    assert.equal(r.query.get('offset'), '0');
  });

  it("stops at Yelp's offset + limit cap of 1000 and reports the rest", async () => {
    server.events = Array.from({ length: 1100 }, (_, i) => yelpEvent(`y${i}`, new Date(Date.parse('2030-01-01T10:00:00Z') + i * 3_600_000)));
    const c = client();
    const events = await c.searchEvents({ location: { latitude: 52.52, longitude: 13.405, radius: 5000 }, dateRange: year2030 });
    assert.equal(events.length, 1000);
    assert.equal(c.stats.apiCalls, 20);
    for (const r of server.requests) assert.ok(Number(r.query.get('offset')) + Number(r.query.get('limit')) <= 1000);
    assert.equal(c.stats.skipped.length, 1);
    assert.match(c.stats.skipped[0].reason, /100 of 1100 events lie beyond/);
  });

  it('throws BudgetExhaustedError on ACCESS_LIMIT_REACHED without retrying', async () => {
    server.seed({ valid: 1 });
    const reset = new Date(Date.now() + 7_200_000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
    server.failAlways({
      kind: 'rate-limit',
      body: { error: { code: 'ACCESS_LIMIT_REACHED', description: 'You have reached the daily access limit for this API key.' } },
      headers: { 'ratelimit-resettime': reset, 'ratelimit-remaining': '0' },
    });
    const c = client();
    await assert.rejects(c.searchEvents({ location: { latitude: 52.52, longitude: 13.405, radius: 5000 }, dateRange: year2030 }), (err: unknown) => {
      assert.ok(err instanceof BudgetExhaustedError);
      assert.equal(err.code, 'ERR_BUDGET_EXHAUSTED');
      assert.equal(err.source, 'yelp');
      assert.ok(err.retryAfterMs! > 7_000_000 && err.retryAfterMs! <= 7_200_000);
      return true;
    });
    assert.equal(c.stats.apiCalls, 1);
  });

  it('needs an API key', () => {
    assert.throws(() => new YelpClient({}), (err: unknown) => err instanceof ConfigError && /YELP_API_KEY/.test(err.message));
    assert.throws(() => new YelpClient({ apiKey: KEY, pageSize: 51 }), /pageSize/);
  });
});
