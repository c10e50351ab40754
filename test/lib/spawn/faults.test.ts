/** Workers that crash, exit, hang, run out of memory or run past their deadline. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { attemptsForTask } from '../../../src/lib/db/queries/spawn-state.js';
import { backends, closeTestDatabases } from '../../helpers/db.js';
import { FAULT_SCRIPTS, assertNoneRunning, startController, stopController, waitFor, type Fault } from '../../helpers/controller.js';
import { blockThread } from '../../fixtures/workers/block.js';

type Failed = { taskId: string; error: string; outcome: string; workerId: string };
type Replaced = { oldWorkerId: string; workerId: string; type: string };

after(closeTestDatabases);

// Each fault is a worker type of its own, run by its own fixture file.
const cases: Array<{ mode: Fault; expect: RegExp; options?: Record<string, unknown>; memoryLimit?: string }> = [
  { mode: 'crash', expect: /ERR_WORKER_CRASH: worker crashed: uncaught crash in worker/ },
  { mode: 'exit', expect: /ERR_WORKER_CRASH: worker exited with code 7 while running the task/ },
  // A thread near its heap limit spends its time in GC and sends no heartbeats; on a loaded
  // machine that can outlast a short heartbeat window, so this case gets a long one. A small heap
  // (the worker starts in a few MB): filling it, twice (the attempt and its retry), is this case's
  // cost, and a quarter of 64 MB fills in a quarter of the allocations and collections.
  { mode: 'oom', expect: /ERR_WORKER_CRASH: worker crashed: .*(memory|heap)/i, options: { heartbeatInterval: 2000 }, memoryLimit: '16MB' },
  { mode: 'hang', expect: /ERR_WORKER_CRASH: worker .* stopped answering heartbeats/, options: { heartbeatInterval: 200 } },
  { mode: 'slow', expect: /ERR_TASK_TIMEOUT: task t-slow ran past its deadline of 1500 ms/, options: { workerTimeout: 1500, heartbeatInterval: 1000 } },
];

const WHAT: Record<Fault, string> = { crash: 'crashes', exit: 'calls process.exit', oom: 'runs out of memory', hang: 'hangs', slow: 'runs past its deadline' };

for (const backend of backends()) {
  describe(`faults on ${backend.name}`, () => {
    // The check that no test left a controller running comes after all of them: the fault
    // cases run side by side, and after each one it would stop the others' controllers.
    after(assertNoneRunning);

    // Each case has a controller and a worker type of its own, and spends most of its time
    // waiting for a heartbeat window or a deadline to run out: the cases run side by side.
    describe('each fault', { concurrency: true }, () => {
      for (const { mode, expect, options, memoryLimit = '64MB' } of cases) {
        test(`a worker that ${WHAT[mode]} is replaced and its task retried`, async () => {
          const c = await startController(backend, {
            retryPolicy: { maxRetries: 1, initialBackoff: 50 },
            ...options,
            workerTypes: { [mode]: { script: FAULT_SCRIPTS[mode], maxConcurrency: 3, memoryLimit, initialWorkers: 0 } },
          });
          try {
            const first = await c.spawnWorker(mode);
            const replaced = waitFor<Replaced>(c, 'worker:replaced', (e) => e.oldWorkerId === first, 30_000);
            const retried = waitFor<Failed>(c, 'task:failed', (e) => e.taskId === `t-${mode}` && e.outcome === 'retry', 30_000);
            const dead = waitFor<Failed>(c, 'task:failed', (e) => e.taskId === `t-${mode}` && e.outcome === 'dead', 60_000);
            await c.distributeTask({ id: `t-${mode}`, type: mode, priority: 0, parameters: { ms: 60_000 } });
            const r = await replaced;
            assert.notEqual(r.workerId, first, 'a fresh worker, never the old one');
            assert.match((await retried).error, expect);
            // the retry runs on the replacement and fails the same way: dead-lettered with its error
            const d = await dead;
            assert.match(d.error, expect);
            await c.getWorkerStates();
            const attempts = await attemptsForTask(c.db, `t-${mode}`);
            assert.deepEqual(attempts.map((a) => a.status), ['failed', 'failed']);
            assert.equal(attempts[0]!.worker_id, first);
            assert.notEqual(attempts[1]!.worker_id, first);
            const letters = await c.queue.listDeadLetters([mode], 5);
            assert.match(letters[0]!.error!, expect);
            // the pool healed: a healthy task still runs, on the replacement
            const ok = waitFor<{ taskId: string; workerId: string }>(c, 'task:completed', (e) => e.taskId === `after-${mode}`, 30_000);
            await c.distributeTask({ id: `after-${mode}`, type: mode, priority: 0, parameters: { healthy: true } });
            assert.notEqual((await ok).workerId, first);
            const { rows } = await c.db.query<{ status: string }>('SELECT status FROM worker_state WHERE worker_id = $1', [first]);
            assert.ok(['crashed', 'unhealthy', 'stopped'].includes(rows[0]!.status), `old worker row says ${rows[0]!.status}`);
          } finally {
            await stopController(c);
          }
        });
      }
    });

    // Not beside the fault cases: blocking this thread would block their controllers too.
    test('a controller that was blocked does not take its healthy workers for hung ones', async () => {
      const c = await startController(backend, { heartbeatInterval: 200 });
      try {
        const worker = await c.spawnWorker('behave');
        const replaced: string[] = [];
        c.on('worker:replaced', (e: Replaced) => replaced.push(e.oldWorkerId));
        await new Promise((r) => setTimeout(r, 500));
        // Block this thread for two heartbeat windows (3 × 200 ms each); the worker answers
        // meanwhile, but its replies wait in the queue behind the health timer, as behind a long
        // embedded-database query.
        blockThread(1200);
        await new Promise((r) => setTimeout(r, 1000));
        assert.deepEqual(replaced, []);
        const states = await c.getWorkerStates();
        assert.equal(states.find((s) => s.workerId === worker)?.status, 'idle');
      } finally {
        await stopController(c);
      }
    });
  });
}
