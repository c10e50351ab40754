/** The /api/spawn control API through the Hono app on the real service: answers, validation 400s, auth 401s. */
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { CapacityError } from '../../src/lib/errors.js';
import { closeTestDatabases } from '../helpers/db.js';
import { auth, jsonHeaders, makeApp, postJson } from './helpers.js';
import { stopObservedServices } from './observed-service.js';

afterEach(stopObservedServices);
after(closeTestDatabases);

async function body(res: Response): Promise<Record<string, unknown>> {
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  return (await res.json()) as Record<string, unknown>;
}

describe('GET /api/spawn', () => {
  it('answers status, workers and tasks', async () => {
    const { app, service } = makeApp();
    await service.spawnWorker('discovery');
    const status = await app.request('/api/spawn?action=status', { headers: auth });
    assert.equal(status.status, 200);
    const s = await body(status);
    assert.equal((s.workers as { total: number }).total, 1);

    const workers = await app.request('/api/spawn?action=workers', { headers: auth });
    assert.equal(workers.status, 200);
    assert.equal(((await workers.json()) as unknown[]).length, 1);

    const tasks = await app.request('/api/spawn?action=tasks&state=failed&limit=5', { headers: auth });
    assert.equal(tasks.status, 200);
    assert.deepEqual(await tasks.json(), []);
    assert.deepEqual(service.calls.find((c) => c.method === 'getTaskQueue')?.args, [{ state: 'failed', limit: 5 }]);
  });

  for (const [query, fragment] of [
    ['', 'action'],
    ['?action=nope', 'action'],
    ['?action=tasks&state=done', 'state'],
    ['?action=tasks&limit=0', 'limit'],
    ['?action=tasks&limit=abc', 'limit'],
    ['?action=tasks&limit=', 'limit'],
    ['?action=status&verbose=1', 'verbose'],
  ] as const) {
    it(`rejects '${query}' with a 400 naming ${fragment}`, async () => {
      const { app } = makeApp();
      const res = await app.request(`/api/spawn${query}`, { headers: auth });
      assert.equal(res.status, 400);
      const b = await body(res);
      assert.equal(typeof b.error, 'string');
      assert.match(b.error as string, new RegExp(fragment));
    });
  }
});

describe('POST /api/spawn', () => {
  it('spawns a worker', async () => {
    const { app, service } = makeApp();
    const res = await app.request('/api/spawn', postJson({ action: 'spawn', params: { type: 'ingestion' } }));
    assert.equal(res.status, 200);
    const b = await body(res);
    assert.match(b.workerId as string, /^worker-ingestion-\d+$/);
    assert.equal((await service.getWorkerStates()).length, 1);
  });

  it('distributes a task and returns its ids', async () => {
    const { app, service } = makeApp();
    const task = { id: 't-1', type: 'processing', priority: 3, parameters: { batch: 10 } };
    const res = await app.request('/api/spawn', postJson({ action: 'task', params: { task } }));
    assert.equal(res.status, 200);
    // The job id is derived from the task id, so distributing it again is a no-op.
    assert.deepEqual(await body(res), { success: true, taskId: 't-1', jobId: 'bc08305f-3e90-5388-bbe6-699c6ba6e8b4' });
    assert.deepEqual(service.calls.at(-1), { method: 'distributeTask', args: [task] });
  });

  it('fills in priority and parameters of a task', async () => {
    const { app, service } = makeApp();
    const res = await app.request('/api/spawn', postJson({ action: 'task', params: { task: { id: 't-2', type: 'processing' } } }));
    assert.equal(res.status, 200);
    assert.deepEqual(service.calls.at(-1)?.args, [{ id: 't-2', type: 'processing', priority: 0, parameters: {} }]);
  });

  it('schedules discovery, with or without params', async () => {
    const { app, service } = makeApp();
    // A feed to discover (nothing runs it: the service has no discovery worker).
    await service.upsertCity({
      id: 'berlin', name: 'Berlin', latitude: 52.5, longitude: 13.4, timezone: 'Europe/Berlin',
      sources: { ics: { feeds: ['http://127.0.0.1:9/berlin.ics'] } },
    });
    const res = await app.request('/api/spawn', postJson({ action: 'discovery', params: { cityIds: ['berlin'], sources: ['ics'] } }));
    assert.equal(res.status, 200);
    const b = await body(res);
    assert.equal((b.queued as unknown[]).length, 1);
    assert.deepEqual(b.skipped, []);
    const bare = await app.request('/api/spawn', postJson({ action: 'discovery' }));
    assert.equal(bare.status, 200);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['an unknown action', { action: 'explode', params: {} }, /action/],
    ['a missing action', { params: {} }, /action/],
    ['a missing worker type', { action: 'spawn', params: {} }, /params\.type/],
    ['a worker type that is not a name', { action: 'spawn', params: { type: '../../etc' } }, /params\.type/],
    ['a task without id', { action: 'task', params: { task: { type: 'processing', priority: 1, parameters: {} } } }, /params\.task\.id/],
    ['a task with a string priority', { action: 'task', params: { task: { id: 'x', type: 'processing', priority: 'high' } } }, /priority/],
    ['a task with array parameters', { action: 'task', params: { task: { id: 'x', type: 'processing', parameters: [] } } }, /parameters/],
    ['an unknown source', { action: 'discovery', params: { sources: ['myspace'] } }, /sources/],
    ['a misspelt field', { action: 'discovery', params: { cityId: ['berlin'] } }, /cityId/],
    ['an array body', [1, 2], /must be a JSON object/],
    ['a null body', null, /must be a JSON object/],
    ['a string body', '"spawn"', /must be a JSON object/],
  ];
  for (const [what, payload, pattern] of bad) {
    it(`answers 400 for ${what}`, async () => {
      const { app, service } = makeApp();
      const res = await app.request('/api/spawn', postJson(payload));
      assert.equal(res.status, 400);
      assert.match((await body(res)).error as string, pattern);
      assert.equal(service.calls.length, 0, 'the service must not be called');
    });
  }

  it('answers 400 for bad JSON, an empty body and a non-JSON content type', async () => {
    const { app } = makeApp();
    const broken = await app.request('/api/spawn', postJson('{"action": "spawn",'));
    assert.equal(broken.status, 400);
    assert.match((await body(broken)).error as string, /not valid JSON/);

    const empty = await app.request('/api/spawn', { method: 'POST', headers: jsonHeaders });
    assert.equal(empty.status, 400);
    assert.match((await body(empty)).error as string, /empty/);

    const form = await app.request('/api/spawn', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=spawn',
    });
    assert.equal(form.status, 400);
    assert.match((await body(form)).error as string, /content-type/);
  });

  it('maps the service’s coded errors: unknown type 400, capacity 409', async () => {
    const { app, service } = makeApp();
    const unknown = await app.request('/api/spawn', postJson({ action: 'spawn', params: { type: 'gardening' } }));
    assert.equal(unknown.status, 400);
    assert.match((await body(unknown)).error as string, /unknown worker type "gardening"/);

    service.failWith = new CapacityError('SPAWN_MAX_WORKERS (8) reached');
    const full = await app.request('/api/spawn', postJson({ action: 'spawn', params: { type: 'discovery' } }));
    assert.equal(full.status, 409);
    assert.deepEqual(await body(full), { error: 'SPAWN_MAX_WORKERS (8) reached', code: 'ERR_CAPACITY' });
  });

  it('needs the bearer token', async () => {
    const { app, service } = makeApp();
    const payload = JSON.stringify({ action: 'spawn', params: { type: 'discovery' } });
    for (const authorization of [undefined, 'Bearer wrong', 'Basic dGVzdA==', 'Bearer', `bearer test-token-0123456789x`]) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (authorization) headers.authorization = authorization;
      const res = await app.request('/api/spawn', { method: 'POST', headers, body: payload });
      assert.equal(res.status, 401, `authorization ${authorization}`);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
      assert.match((await body(res)).error as string, /missing or wrong API token/);
    }
    assert.equal(service.calls.length, 0, 'no request reached the service');
    // The scheme is case-insensitive.
    const ok = await app.request('/api/spawn', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'bearer test-token-0123456789' },
      body: payload,
    });
    assert.equal(ok.status, 200);
  });

  it('answers 405 for other methods', async () => {
    const { app } = makeApp();
    const res = await app.request('/api/spawn', { method: 'PUT', headers: jsonHeaders, body: '{}' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, POST');
  });
});
