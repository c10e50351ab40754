/** The rest of the HTTP API: health, events, dead letters, cities, limits, errors, dashboard files. */
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { closeTestDatabases } from '../helpers/db.js';
import { auth, fakeDashboardDir, jsonHeaders, makeApp, postJson, TOKEN } from './helpers.js';
import { ObservedService, stopObservedServices } from './observed-service.js';

afterEach(stopObservedServices);
after(closeTestDatabases);

const berlin = { id: 'berlin', name: 'Berlin', latitude: 52.52, longitude: 13.405, timezone: 'Europe/Berlin' };

describe('health', () => {
  it('GET /healthz is always 200', async () => {
    const { app } = makeApp();
    const res = await app.request('/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
  });

  it('GET /readyz names the part that is down', async () => {
    const { app, service } = makeApp();
    const up = await app.request('/readyz');
    assert.equal(up.status, 200);
    assert.deepEqual(await up.json(), { ok: true, database: true, queue: true, down: [] });

    service.ready.queue = false;
    const down = await app.request('/readyz');
    assert.equal(down.status, 503);
    assert.deepEqual(await down.json(), { ok: false, database: true, queue: false, down: ['queue'] });

    service.failWith = new Error('connect ECONNREFUSED 10.0.0.5:5432');
    const broken = await app.request('/readyz');
    assert.equal(broken.status, 503);
    assert.doesNotMatch(await broken.text(), /ECONNREFUSED/);
  });
});

describe('GET /api/events', () => {
  it('passes a validated, typed query to the service', async () => {
    const { app, service } = makeApp();
    // A cursor as the API hands them out: after (2025-06-01T12:00Z, 00000000-0000-4000-8000-000000000000).
    const cursor = 'WyIyMDI1LTA2LTAxVDEyOjAwOjAwLjAwMFoiLCIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiXQ';
    const res = await app.request(
      `/api/events?lat=52.52&lng=13.4&radius_km=10&from=2025-06-01&to=2025-06-02T23:00:00Z&category=music&q=jazz&limit=50&cursor=${cursor}`,
    );
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { events: [], nextCursor: null });
    assert.deepEqual(service.eventQueries[0], {
      lat: 52.52,
      lng: 13.4,
      radius_km: 10,
      from: '2025-06-01',
      to: '2025-06-02T23:00:00Z',
      category: ['music'],
      q: 'jazz',
      limit: 50,
      cursor,
    });
  });

  for (const [query, fragment] of [
    ['lat=91&lng=0', 'lat'],
    ['lat=abc&lng=0', 'lat'],
    ['lat=52', 'lat and lng'],
    ['radius_km=5', 'radius_km'],
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['from=yesterday', 'from'],
    ['from=2025-06-03&to=2025-06-01', 'from: must not be after to'],
    ['colour=red', 'colour'],
  ] as const) {
    it(`answers 400 for ${query}`, async () => {
      const { app, service } = makeApp();
      const res = await app.request(`/api/events?${query}`);
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: string }).error, new RegExp(fragment));
      assert.equal(service.eventQueries.length, 0);
    });
  }
});

describe('dead letters', () => {
  /** A service whose task 'bad-1' failed for good, as a worker's attempt would (no worker runs here). */
  async function withDeadLetter() {
    const made = makeApp({ service: new ObservedService({ retryPolicy: { maxRetries: 0 } }) });
    await made.service.distributeTask({ id: 'bad-1', type: 'discovery', priority: 1, parameters: {} });
    const { controller } = await made.service.service();
    const [job] = await controller.queue.fetch('discovery', 1);
    assert.equal(await controller.queue.fail('discovery', job!.id, { name: 'Error', message: 'boom' }), 'dead');
    return made;
  }

  it('lists them and retries one', async () => {
    const { app } = await withDeadLetter();
    const list = await app.request('/api/dead-letters?limit=10', { headers: auth });
    assert.equal(list.status, 200);
    assert.equal(((await list.json()) as unknown[]).length, 1);

    const retried = await app.request('/api/dead-letters/bad-1/retry', { method: 'POST', headers: auth });
    assert.equal(retried.status, 200);
    const { taskId, jobId } = (await retried.json()) as { taskId: string; jobId: string };
    assert.equal(taskId, 'bad-1');
    assert.match(jobId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('a retried task leaves the list, and retrying it again queues nothing new', async () => {
    const { app } = await withDeadLetter();
    const first = await app.request('/api/dead-letters/bad-1/retry', { method: 'POST', headers: auth });
    assert.equal(first.status, 200);
    const { jobId } = (await first.json()) as { jobId: string };
    const list = await app.request('/api/dead-letters?limit=10', { headers: auth });
    assert.deepEqual(await list.json(), []);
    const again = await app.request('/api/dead-letters/bad-1/retry', { method: 'POST', headers: auth });
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { jobId: string }).jobId, jobId);
  });

  it('validates the limit and needs the token to retry', async () => {
    const { app } = makeApp();
    assert.equal((await app.request('/api/dead-letters?limit=-1', { headers: auth })).status, 400);
    assert.equal((await app.request('/api/dead-letters/x/retry', { method: 'POST' })).status, 401);
  });
});

describe('cities', () => {
  it('creates, lists and patches a city', async () => {
    const { app } = makeApp();
    const created = await app.request('/api/cities', postJson({ ...berlin, timezone: 'europe/berlin' }));
    assert.equal(created.status, 201);
    assert.equal(((await created.json()) as { timezone: string }).timezone, 'Europe/Berlin');

    const list = await app.request('/api/cities', { headers: auth });
    assert.deepEqual(((await list.json()) as Array<{ id: string }>).map((c) => c.id), ['berlin']);

    const patched = await app.request('/api/cities/berlin', { method: 'PATCH', headers: jsonHeaders, body: JSON.stringify({ priority: 9 }) });
    assert.equal(patched.status, 200);
    assert.equal(((await patched.json()) as { priority: number }).priority, 9);
  });

  for (const [what, city, fragment] of [
    ['an unknown time zone', { ...berlin, timezone: 'Europe/Atlantis' }, 'timezone'],
    ['an offset instead of a zone', { ...berlin, timezone: '+01:00' }, 'timezone'],
    ['a latitude out of range', { ...berlin, latitude: 120 }, 'latitude'],
    ['a missing name', { ...berlin, name: undefined }, 'name'],
    ['an id that is not a slug', { ...berlin, id: 'Berlin City' }, 'id'],
    ['a string radius', { ...berlin, radiusM: '5km' }, 'radiusM'],
  ] as const) {
    it(`answers 400 for ${what}`, async () => {
      const { app } = makeApp();
      const res = await app.request('/api/cities', postJson(city));
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: string }).error, new RegExp(fragment));
    });
  }

  it('answers 404 for a patch of an unknown city and 400 for a bad or empty patch', async () => {
    const { app } = makeApp();
    const patch = (id: string, body: unknown) =>
      app.request(`/api/cities/${id}`, { method: 'PATCH', headers: jsonHeaders, body: JSON.stringify(body) });
    assert.equal((await patch('paris', { priority: 1 })).status, 404);
    assert.equal((await patch('paris', {})).status, 400);
    assert.equal((await patch('paris', { timezone: 'Nowhere/City' })).status, 400);
    assert.equal((await patch('paris', { id: 'lyon' })).status, 400);
  });
});

describe('limits and errors', () => {
  it('answers 413 for a body over the limit, declared or streamed', async () => {
    const { app, service } = makeApp({ bodyLimitBytes: 1024 });
    const big = JSON.stringify({ action: 'task', params: { task: { id: 'x', type: 'processing', parameters: { pad: 'x'.repeat(2000) } } } });
    const declared = await app.request('/api/spawn', postJson(big));
    assert.equal(declared.status, 413);
    assert.match(((await declared.json()) as { error: string }).error, /1024 bytes/);

    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(encoder.encode(big.slice(i * 600, (i + 1) * 600)));
        controller.close();
      },
    });
    const streamed = await app.request('/api/spawn', { method: 'POST', headers: jsonHeaders, body: stream, duplex: 'half' } as RequestInit);
    assert.equal(streamed.status, 413);
    assert.equal(service.calls.length, 0);
  });

  it('asks for the token before reading a large body', async () => {
    const { app } = makeApp({ bodyLimitBytes: 1024 });
    const res = await app.request('/api/spawn', postJson('x'.repeat(5000), { 'content-type': 'application/json' }));
    assert.equal(res.status, 401);
  });

  it('answers 500 with a generic message and logs the real error', async () => {
    const { app, service, log } = makeApp();
    const secret = new Error('password authentication failed for user "scenescout" (postgres://u:hunter2@db)');
    service.failWith = secret;
    for (const req of [
      app.request('/api/spawn?action=status', { headers: auth }),
      app.request('/api/spawn', postJson({ action: 'spawn', params: { type: 'discovery' } })),
      app.request('/api/cities', { headers: auth }),
      app.request('/api/events?limit=5'),
    ]) {
      const res = await req;
      assert.equal(res.status, 500);
      const text = await res.text();
      assert.deepEqual(JSON.parse(text), { error: 'internal error' });
      assert.doesNotMatch(text, /hunter2|password|at .*\.js/);
    }
    assert.match(log.text(), /hunter2/, 'the real error is logged');
    assert.ok(log.lines.some((l) => l.level === 50 && l.msg === 'request failed'));
  });

  it('answers 404 JSON for an unknown API path', async () => {
    const { app } = makeApp();
    const res = await app.request('/api/nothing', { headers: auth });
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { error: string }).error, /no route/);
  });

  it('sets security headers', async () => {
    const { app } = makeApp();
    const res = await app.request('/healthz');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  });
});

describe('without a token', () => {
  it('allows changes addressed to localhost and refuses other host names', async () => {
    const { app } = makeApp({ apiToken: undefined });
    const payload = { action: 'spawn', params: { type: 'discovery' } };
    const local = await app.request('http://127.0.0.1:8080/api/spawn', postJson(payload, { 'content-type': 'application/json' }));
    assert.equal(local.status, 200);
    const named = await app.request('http://localhost/api/spawn', postJson(payload, { 'content-type': 'application/json' }));
    assert.equal(named.status, 200);
    const rebound = await app.request('http://evil.example:8080/api/spawn', postJson(payload, { 'content-type': 'application/json' }));
    assert.equal(rebound.status, 401);
    // Reads stay open.
    assert.equal((await app.request('http://evil.example/api/spawn?action=status')).status, 200);
  });
});

describe('dashboard files', () => {
  it('serves index.html at / and for client routes, assets with long caching, 404 for missing files', async () => {
    const { app } = makeApp({ staticDir: fakeDashboardDir() });
    const root = await app.request('/');
    assert.equal(root.status, 200);
    assert.match(root.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await root.text(), /SceneScout/);

    const route = await app.request('/workers/abc');
    assert.equal(route.status, 200);
    assert.match(await route.text(), /SceneScout/);

    const asset = await app.request('/assets/app-abc123.js');
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);

    assert.equal((await app.request('/assets/missing.js')).status, 404);
    assert.equal((await app.request('/../package.json')).status, 404);
  });

  it('says how to build the dashboard when it is not built', async () => {
    const { app } = makeApp();
    const res = await app.request('/');
    assert.equal(res.status, 503);
    assert.match(await res.text(), /build:web/);
  });

  it('does not need the token to read the dashboard', async () => {
    const { app } = makeApp({ staticDir: fakeDashboardDir(), apiToken: TOKEN });
    assert.equal((await app.request('/')).status, 200);
  });
});
