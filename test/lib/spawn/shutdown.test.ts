/** A graceful shutdown cuts running attempts off: recorded as such, and no retry is used up. */
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import { openDatabase } from '../../../src/lib/db/connect.js';
import { BEHAVE_SCRIPT, assertNoneRunning, startController, stopController, until } from '../../helpers/controller.js';
import { backends, closeTestDatabases } from '../../helpers/db.js';

after(closeTestDatabases);
afterEach(assertNoneRunning);

for (const backend of backends()) {
  describe(`shutdown on ${backend.name}`, () => {
    test('an attempt cut off by shutdown is recorded as interrupted and retried without using a retry', async () => {
      const config = await backend.config();
      // One database for both controllers (on PGlite the second one runs after the first stopped).
      const db = config.database ?? (await openDatabase(config));
      try {
        const retryPolicy = { maxRetries: 0 }; // no retry at all: a shutdown counted as a failure would dead-letter
        const first = await startController(backend, { ...config, database: db, retryPolicy, workerTypes: { behave: { script: BEHAVE_SCRIPT, initialWorkers: 1 } } });
        await first.distributeTask({ id: 'cut', type: 'behave', priority: 0, parameters: { mode: 'sleep-first' } });
        await until('the first attempt running', async () => {
          const { rows } = await db.query(`SELECT 1 FROM task_assignments WHERE task_id = 'cut' AND status = 'running'`);
          return rows.length > 0;
        });
        await stopController(first);
        const { rows: cut } = await db.query<{ status: string; error: string }>(`SELECT status, error FROM task_assignments WHERE task_id = 'cut'`);
        assert.equal(cut.length, 1);
        assert.equal(cut[0]!.status, 'interrupted');
        assert.match(cut[0]!.error, /^ERR_SHUTDOWN: replica \S+ shut down before the task finished/);

        const second = await startController(backend, { ...config, database: db, retryPolicy, workerTypes: { behave: { script: BEHAVE_SCRIPT, initialWorkers: 1 } } });
        try {
          const done = await until('the task completed by the second controller', async () => {
            const { rows } = await db.query<{ retry_count: number; result: { attempt: number } }>(
              `SELECT retry_count, result FROM task_assignments WHERE task_id = 'cut' AND status = 'completed'`);
            return rows[0];
          });
          assert.equal(done.result.attempt, 2);
          assert.deepEqual(await second.queue.listDeadLetters(['behave'], 10), []);
        } finally {
          await stopController(second);
        }
      } finally {
        await db.close();
      }
    });
  });
}
