/**
 * Issue 12 findings 4, 5, 9, 10 at the HTTP layer: feed URLs (SSRF), who may read what,
 * redaction, cross-site changes, input the database cannot store, and a database outage.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { closeTestDatabases } from '../helpers/db.js';
import { auth, jsonHeaders, makeApp, postJson } from './helpers.js';
import { ObservedService, stopObservedServices } from './observed-service.js';

afterEach(stopObservedServices);
after(closeTestDatabases);

const city = (feeds: string[]) => ({ id: 'ssrf', name: 'SSRF', latitude: 1, longitude: 2, timezone: 'UTC', sources: { ics: { feeds } } });
/** A real dead letter: the task's one attempt failed with `message` (the service must have maxRetries 0). */
async function deadLetter(service: ObservedService, taskId: string, parameters: Record<string, unknown>, message: string): Promise<void> {
  await service.distributeTask({ id: taskId, type: 'discovery', priority: 1, parameters });
  const { controller } = await service.service();
  const [job] = await controller.queue.fetch('discovery', 1);
  assert.equal(await controller.queue.fail('discovery', job!.id, { name: 'Error', message }), 'dead');
}
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

/**
 * For a describe whose requests are all refused: one service for its tests, stopped after the
 * last (a service per test was most of this file's time). Each test still asserts that nothing
 * was stored, so one that stored a city fails that test, and every later one.
 */
function refusalsShareOneService(): () => ObservedService {
  let shared: ObservedService;
  before(() => {
    shared = new ObservedService();
    shared.stopsAfterEachTest = false;
  });
  after(() => shared.stop());
  return () => shared;
}

describe('feeds and pages through the API (finding 4)', () => {
  const refusing = refusalsShareOneService();
  const refused = [
    'file:///etc/passwd',
    '/etc/passwd',
    '../config/cities.json',
    'ftp://example.org/feed.ics',
    'http://127.0.0.1:5432/',
    'http://localhost:6379/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.5/feed.ics',
    'http://192.168.1.1/',
    'http://100.100.100.200/latest/meta-data/',
    'http://0.0.0.0:3000/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[fd00:ec2::254]/',
    'http://[fe80::1]/',
    'http://2130706433/', // 127.0.0.1 as one number
  ];
  for (const feed of refused) {
    it(`refuses ${feed} with a 400 naming the field`, async () => {
      const { app, service } = makeApp({ service: refusing() });
      const res = await app.request('/api/cities', postJson(city(['https://calendar.example.org/ok.ics', feed])));
      assert.equal(res.status, 400);
      assert.match(await errorOf(res), /^invalid city: sources\.ics\.feeds\.1: /);
      assert.deepEqual(await service.listCities(), []);
    });
  }

  it('checks PATCHes and discovery tasks the same way', async () => {
    const { app } = makeApp();
    assert.equal((await app.request('/api/cities', postJson(city(['https://calendar.example.org/ok.ics'])))).status, 201);
    const patch = await app.request('/api/cities/ssrf', {
      method: 'PATCH',
      headers: jsonHeaders,
      body: JSON.stringify({ sources: { jsonld: { pages: ['http://169.254.169.254/'] } } }),
    });
    assert.equal(patch.status, 400);
    assert.match(await errorOf(patch), /sources\.jsonld\.pages\.0/);
    const task = { id: 't-ssrf', type: 'discovery', parameters: { source: 'ics', feeds: ['/proc/self/environ'] } };
    const res = await app.request('/api/spawn', postJson({ action: 'task', params: { task } }));
    assert.equal(res.status, 400);
    assert.match(await errorOf(res), /params\.task\.parameters\.feeds\.0: must be an http\(s\) URL/);
  });

  it('SCENESCOUT_ALLOW_PRIVATE_URLS lifts the address rule, not the scheme rule', async () => {
    const { app } = makeApp({ allowPrivateUrls: true });
    assert.equal((await app.request('/api/cities', postJson(city(['http://127.0.0.1:8080/feed.ics'])))).status, 201);
    assert.equal((await app.request('/api/cities', postJson(city(['file:///etc/passwd'])))).status, 400);
  });
});

describe('one city schema for the API and the file (finding 6)', () => {
  const refusing = refusalsShareOneService();
  for (const [sources, field] of [
    [{ eventbrite: { organizationIds: 5 } }, 'sources.eventbrite.organizationIds'],
    [{ ics: { feeds: 'str' } }, 'sources.ics.feeds'],
    [{ ics: { feeds: ['https://calendar.example.org/a.ics'], extra: 1 } }, 'sources.ics.extra'],
    [{ meetup: {} }, 'sources.meetup'],
  ] as const) {
    it(`answers 400 naming ${field}`, async () => {
      const { app, service } = makeApp({ service: refusing() });
      const res = await app.request('/api/cities', postJson({ ...city([]), sources }));
      assert.equal(res.status, 400);
      assert.ok((await errorOf(res)).includes(`${field}: `), field);
      assert.deepEqual(await service.listCities(), []);
    });
  }
});

describe('who may read what (finding 5)', () => {
  it('operational reads need the token; the catalogue, health and metrics stay open', async () => {
    const { app } = makeApp();
    for (const path of ['/api/cities', '/api/spawn?action=status', '/api/spawn?action=workers', '/api/spawn?action=tasks', '/api/dead-letters']) {
      const res = await app.request(path);
      assert.equal(res.status, 401, path);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
      assert.equal((await app.request(path, { headers: auth })).status, 200, path);
    }
    for (const path of ['/api/events', '/healthz', '/readyz', '/metrics']) {
      assert.equal((await app.request(path)).status, 200, path);
    }
  });

  it('without a token (loopback only) reads stay open', async () => {
    const { app } = makeApp({ apiToken: undefined });
    assert.equal((await app.request('http://127.0.0.1/api/cities')).status, 200);
  });

  it('redacts credentials in URLs in every response', async () => {
    const { app, service } = makeApp({ service: new ObservedService({ retryPolicy: { maxRetries: 0 } }) });
    const feeds = ['https://cal.example.org/private.ics?token=CITY-SECRET-1', 'https://user:CITY-SECRET-2@cal.example.org/feed.ics'];
    assert.equal((await app.request('/api/cities', postJson(city(feeds)))).status, 201);
    const task = { id: 'leak-1', type: 'discovery', parameters: { source: 'ics', feeds: ['https://x.example.org/f.ics?key=TASK-SECRET'] } };
    assert.equal((await app.request('/api/spawn', postJson({ action: 'task', params: { task } }))).status, 200);
    await deadLetter(service, 'dead-1', { feeds: ['https://y.example.org/f.ics?access_token=DEAD-SECRET'] },
      'ics: could not fetch https://y.example.org/f.ics?access_token=DEAD-SECRET: HTTP 500');
    const bodies = await Promise.all(
      ['/api/cities', '/api/spawn?action=tasks&state=all', '/api/dead-letters'].map(async (p) => (await app.request(p, { headers: auth })).text()),
    );
    const all = bodies.join('\n');
    assert.doesNotMatch(all, /CITY-SECRET|TASK-SECRET|DEAD-SECRET/);
    assert.match(all, /private\.ics\?token=REDACTED/);
    assert.match(bodies[2]!, /access_token=REDACTED/);
    const metrics = await (await app.request('/metrics')).text();
    assert.doesNotMatch(metrics, /SECRET|test-token/);
  });
});

describe('cross-site changes (finding 10)', () => {
  it('a change needs a JSON body, Authorization or X-Requested-With', async () => {
    const { app, service } = makeApp({ apiToken: undefined });
    const form = await app.request('http://127.0.0.1:3000/api/dead-letters/d-1/retry', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    assert.equal(form.status, 403);
    assert.match(await errorOf(form), /cross-site form/);
    const bare = await app.request('http://127.0.0.1:3000/api/dead-letters/d-1/retry', { method: 'POST' });
    assert.equal(bare.status, 403);
    assert.equal(service.calls.filter((c) => c.method === 'retryTask').length, 0);
    const ok = await app.request('http://127.0.0.1:3000/api/dead-letters/d-1/retry', { method: 'POST', headers: { 'x-requested-with': 'test' } });
    assert.equal(ok.status, 404); // there is no dead letter d-1: the request got through to the service
  });

  it('refuses a foreign Origin even with the token', async () => {
    const { app } = makeApp();
    const payload = { action: 'spawn', params: { type: 'discovery' } };
    const foreign = await app.request('http://127.0.0.1:3000/api/spawn', postJson(payload, { ...jsonHeaders, origin: 'https://evil.example' }));
    assert.equal(foreign.status, 403);
    const opaque = await app.request('http://127.0.0.1:3000/api/spawn', postJson(payload, { ...jsonHeaders, origin: 'null' }));
    assert.equal(opaque.status, 403);
    const own = await app.request('http://127.0.0.1:3000/api/spawn', postJson(payload, { ...jsonHeaders, origin: 'http://127.0.0.1:3000' }));
    assert.equal(own.status, 200);
  });
});

describe('input the database cannot store (finding 9)', () => {
  const cases: Array<[string, () => Request | [string, RequestInit]]> = [
    ['q', () => ['/api/events?q=a%00b', {}]],
    ['from', () => ['/api/events?from=0000-01-01', {}]],
    ['category', () => ['/api/events?category=music%00', {}]],
    ['limit', () => ['/api/dead-letters?limit=%00', { headers: auth }]],
    ['name', () => ['/api/cities', postJson(`{"id":"x","name":"Bad \\ud800 name","latitude":1,"longitude":2,"timezone":"UTC"}`)]],
    ['name', () => ['/api/cities', postJson(`{"id":"x","name":"Nul \\u0000","latitude":1,"longitude":2,"timezone":"UTC"}`)]],
    ['sources.ics.feeds.0', () => ['/api/cities', postJson(`{"id":"x","name":"x","latitude":1,"longitude":2,"timezone":"UTC","sources":{"ics":{"feeds":["https://a.example/\\u0000"]}}}`)]],
    ['params.task.parameters.note', () => ['/api/spawn', postJson(`{"action":"task","params":{"task":{"id":"t","type":"discovery","parameters":{"note":"\\udc00"}}}}`)]],
    ['params.task.parameters.k\\u0000ey', () => ['/api/spawn', postJson(`{"action":"task","params":{"task":{"id":"t","type":"discovery","parameters":{"k\\u0000ey":1}}}}`)]],
    ['params.task.singletonKey', () => ['/api/spawn', postJson(`{"action":"task","params":{"task":{"id":"t","type":"discovery","singletonKey":"a\\u0000"}}}`)]],
  ];
  for (const [field, make] of cases) {
    it(`answers 400 naming ${field}`, async () => {
      const { app } = makeApp();
      const [path, init] = make() as [string, RequestInit];
      const res = await app.request(path, init);
      assert.equal(res.status, 400);
      assert.ok((await errorOf(res)).includes(`${field}: `), field);
    });
  }

  it('answers 400 for a body nested 5,000 deep', async () => {
    const { app } = makeApp();
    const deep = `{"action":"task","params":{"task":{"id":"t","type":"discovery","parameters":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}}}`;
    const res = await app.request('/api/spawn', { ...postJson(deep), headers: jsonHeaders });
    assert.equal(res.status, 400);
    assert.match(await errorOf(res), /nested deeper than 64 levels/);
  });
});

describe('a database outage (finding 9)', () => {
  it('every route answers 503 with Retry-After', async () => {
    const { app, service } = makeApp();
    service.failWith = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    for (const [path, init] of [
      ['/api/cities', { headers: auth }],
      ['/api/events', {}],
      ['/api/spawn?action=status', { headers: auth }],
      ['/api/dead-letters', { headers: auth }],
      ['/api/spawn', postJson({ action: 'spawn', params: { type: 'discovery' } })],
    ] as Array<[string, RequestInit]>) {
      const res = await app.request(path, init);
      assert.equal(res.status, 503, path);
      assert.equal(res.headers.get('retry-after'), '5');
      assert.doesNotMatch(await res.text(), /ECONNREFUSED|5432/);
    }
  });
});
