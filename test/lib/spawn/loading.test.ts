/**
 * Worker threads load their type's code with the first task that needs it (BaseWorker.load):
 * evaluating a module graph blocks the thread, so it says so first, and the health monitor gives
 * it the spawn's startup allowance instead of the heartbeat window, until it says the code has
 * loaded.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { backends, closeTestDatabases } from '../../helpers/db.js';
import { BEHAVE_SCRIPT, assertNoneRunning, startController, stopController, waitFor } from '../../helpers/controller.js';

type Done = { taskId: string; result?: unknown; error?: string; outcome?: string; workerId: string };

after(closeTestDatabases);

for (const backend of backends()) {
  // Each test has a controller of its own and spends its time waiting for a silence to end or be
  // judged: they run side by side. So the check that none left a controller running comes after
  // all of them (after each one, it would stop the others' controllers).
  describe(`loading code on first use, on ${backend.name}`, { concurrency: true }, () => {
    after(assertNoneRunning);

    // Heartbeats every 250 ms: 3 missed ones (750 ms) retire a thread; each task blocks for 3 s, four
    // windows (a tighter window also retired threads for a busy machine's ordinary delays).
    const options = {
      heartbeatInterval: 250,
      retryPolicy: { maxRetries: 0 },
      workerTypes: { behave: { script: BEHAVE_SCRIPT, maxConcurrency: 1, memoryLimit: '64MB', initialWorkers: 0 } },
    };

    test('a thread that says it is loading is not retired while it is silent', async () => {
      const c = await startController(backend, options);
      try {
        await c.spawnWorker('behave');
        const done = waitFor<Done>(c, 'task:completed', (e) => e.taskId === 't-load', 30_000);
        await c.distributeTask({ id: 't-load', type: 'behave', priority: 5, parameters: { mode: 'load-blocking', ms: 3000 } });
        assert.deepEqual(((await done).result as { blocked: number }).blocked, 3000);
      } finally {
        await stopController(c);
      }
    });

    test('the allowance ends with the load: the same silence right after it retires the thread', async () => {
      const c = await startController(backend, options);
      try {
        await c.spawnWorker('behave');
        const failed = waitFor<Done>(c, 'task:failed', (e) => e.taskId === 't-after-load', 30_000);
        await c.distributeTask({ id: 't-after-load', type: 'behave', priority: 5, parameters: { mode: 'load-then-block', ms: 3000 } });
        assert.match((await failed).error ?? '', /stopped answering heartbeats/);
      } finally {
        await stopController(c);
      }
    });

    test('the same silence without saying so retires the thread', async () => {
      const c = await startController(backend, options);
      try {
        await c.spawnWorker('behave');
        const failed = waitFor<Done>(c, 'task:failed', (e) => e.taskId === 't-block', 30_000);
        await c.distributeTask({ id: 't-block', type: 'behave', priority: 5, parameters: { mode: 'block', ms: 3000 } });
        assert.match((await failed).error ?? '', /stopped answering heartbeats/);
      } finally {
        await stopController(c);
      }
    });
  });
}
