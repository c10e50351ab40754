/** The Next.js route module, called the way Next.js calls it: with a Web Request. */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { GET, POST, resetSpawnRoute, setSpawnService } from '../../src/app/api/spawn/route.js';
import { FakeSpawnService } from './fake-service.js';
import { memoryLogger } from './helpers.js';

const base = 'http://localhost:3000/api/spawn';

function post(body: string, headers: Record<string, string>): Request {
  return new Request(base, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

describe('src/app/api/spawn/route.ts', () => {
  afterEach(() => resetSpawnRoute());

  it('GET answers each action of the contract', async () => {
    const service = new FakeSpawnService();
    setSpawnService(service, { apiToken: 'tok', logger: memoryLogger().logger });
    for (const action of ['status', 'workers', 'tasks']) {
      const res = await GET(new Request(`${base}?action=${action}`, { headers: { authorization: 'Bearer tok' } }));
      assert.equal(res.status, 200, action);
    }
    const bad = await GET(new Request(`${base}?action=reboot`, { headers: { authorization: 'Bearer tok' } }));
    assert.equal((await GET(new Request(`${base}?action=status`))).status, 401, 'operational reads need the token');
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /action/);
  });

  it('POST needs the token and validates the body', async () => {
    const service = new FakeSpawnService();
    setSpawnService(service, { apiToken: 'tok', logger: memoryLogger().logger });
    const spawn = JSON.stringify({ action: 'spawn', params: { type: 'discovery' } });

    const anonymous = await POST(post(spawn, {}));
    assert.equal(anonymous.status, 401);
    assert.equal(service.workers.size, 0);

    const ok = await POST(post(spawn, { authorization: 'Bearer tok' }));
    assert.equal(ok.status, 200);
    assert.match(((await ok.json()) as { workerId: string }).workerId, /^discovery-/);

    const broken = await POST(post('{"action":', { authorization: 'Bearer tok' }));
    assert.equal(broken.status, 400);

    const task = await POST(
      post(JSON.stringify({ action: 'task', params: { task: { id: 't', type: 'processing', priority: 1, parameters: {} } } }), {
        authorization: 'Bearer tok',
      }),
    );
    assert.deepEqual(await task.json(), { success: true, taskId: 't', jobId: 'job-1' });
  });

  it('hides internal errors', async () => {
    const service = new FakeSpawnService();
    const log = memoryLogger();
    setSpawnService(service, { apiToken: 'tok', logger: log.logger });
    service.failWith = new TypeError("Cannot read properties of undefined (reading 'secretKey')");
    const res = await GET(new Request(`${base}?action=status`, { headers: { authorization: 'Bearer tok' } }));
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: 'internal error' });
    assert.match(log.text(), /secretKey/);
  });
});
