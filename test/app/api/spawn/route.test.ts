/** The Next.js route module, called the way Next.js calls it: with a Web Request. */
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { GET, POST, resetSpawnRoute, setSpawnService } from '../../../../src/app/api/spawn/route.js';
import { closeTestDatabases } from '../../../helpers/db.js';
import { memoryLogger } from '../../../server/helpers.js';
import { ObservedService, stopObservedServices } from '../../../server/observed-service.js';

const base = 'http://localhost:3000/api/spawn';

function post(body: string, headers: Record<string, string>): Request {
  return new Request(base, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

describe('src/app/api/spawn/route.ts', () => {
  afterEach(async () => {
    resetSpawnRoute();
    await stopObservedServices();
  });
  after(closeTestDatabases);

  it('GET answers each action of the contract', async () => {
    const service = new ObservedService();
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
    const service = new ObservedService();
    setSpawnService(service, { apiToken: 'tok', logger: memoryLogger().logger });
    const spawn = JSON.stringify({ action: 'spawn', params: { type: 'discovery' } });

    const anonymous = await POST(post(spawn, {}));
    assert.equal(anonymous.status, 401);
    assert.equal(service.calls.length, 0, 'the request did not reach the service');

    const ok = await POST(post(spawn, { authorization: 'Bearer tok' }));
    assert.equal(ok.status, 200);
    assert.match(((await ok.json()) as { workerId: string }).workerId, /^worker-discovery-\d+$/);

    const broken = await POST(post('{"action":', { authorization: 'Bearer tok' }));
    assert.equal(broken.status, 400);

    const task = await POST(
      post(JSON.stringify({ action: 'task', params: { task: { id: 't', type: 'processing', priority: 1, parameters: {} } } }), {
        authorization: 'Bearer tok',
      }),
    );
    assert.deepEqual(await task.json(), { success: true, taskId: 't', jobId: 'd7ce92ea-d0dd-509f-b1b3-d1ba3f76a8e7' });
  });

  it('hides internal errors', async () => {
    const service = new ObservedService();
    const log = memoryLogger();
    setSpawnService(service, { apiToken: 'tok', logger: log.logger });
    service.failWith = new TypeError("Cannot read properties of undefined (reading 'secretKey')");
    const res = await GET(new Request(`${base}?action=status`, { headers: { authorization: 'Bearer tok' } }));
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: 'internal error' });
    assert.match(log.text(), /secretKey/);
  });
});
