/**
 * The dashboard in headless Chromium against the real service (`createService()` from
 * src/service.ts: controller, worker threads, queue, and the embedded database on the file's
 * shared in-memory PGlite, test/helpers/db.ts).
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createService } from '../../src/service.js';
import { closeTestDatabases, pgliteBackend } from '../helpers/db.js';
import { apiPost, checkPhoneLayout, checkRetry, checkSpawnAddsRow, dashboardUnderTest, eventually, numberIn, saveTokenInUi, screenshot } from './harness.js';

const TOKEN = 'test-token';

const failingWorker = fileURLToPath(new URL('./fixtures/failing-worker.js', import.meta.url));
const FAILING_TYPE = 'e2e-failing';

describe('dashboard (real service)', { timeout: 180_000 }, () => {
  const ui = dashboardUnderTest(
    TOKEN,
    async () => {
      const service = await createService({
        config: {
          ...(await pgliteBackend.config()),
          maxWorkers: 4,
          // The test counts worker rows; workers spawned for a backlog would upset that.
          autoscale: false,
          // One worker each for processing, ingestion and the failing fixture; Spawn adds the 4th.
          workerTypes: {
            discovery: { initialWorkers: 0 },
            [FAILING_TYPE]: { maxConcurrency: 1, memoryLimit: '128MB', cpuLimit: 0.1, script: failingWorker, initialWorkers: 1 },
          },
          // Nothing scheduled behind the test's back; a failed attempt is dead-lettered at once.
          schedules: { enabled: false },
          retryPolicy: { maxRetries: 0, initialBackoff: 100, maxBackoff: 1000, backoffMultiplier: 2 },
          heartbeatInterval: 1000,
          shutdownGracePeriod: 2000,
        },
      });
      await service.start();
      return service;
    },
    (service) => service.stop(),
  );
  after(closeTestDatabases);

  before(async () => {
    await ui.page.goto(`${ui.server.url}/?refresh=500`);
    await saveTokenInUi(ui.page, TOKEN);
    await ui.page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 20_000 });
    await ui.page.getByTestId('worker-row').first().waitFor({ timeout: 20_000 });
  });

  it('spawns a worker from the controls', async () => {
    await saveTokenInUi(ui.page, TOKEN);
    await checkSpawnAddsRow(ui.page, 'ingestion');
  });

  it('shows live numbers that change as tasks run', async () => {
    const completedBefore = await numberIn(ui.page, 'tasks-completed');
    const seen = new Set<string>();
    // One reading per poll: the completed count checked below is the one recorded in `seen`.
    const record = async () => {
      const completed = await numberIn(ui.page, 'tasks-completed');
      seen.add(`${await numberIn(ui.page, 'card-queue-value')}/${await numberIn(ui.page, 'tasks-active')}/${completed}`);
      return completed;
    };
    await record();
    for (let i = 0; i < 5; i++) {
      await apiPost(ui.server, '/api/spawn', { action: 'task', params: { task: { id: `e2e-processing-${i}`, type: 'processing', priority: 1, parameters: {} } } }, TOKEN);
    }
    await eventually(
      'the completed count to grow by 5',
      record,
      (n) => n >= completedBefore + 5,
      60_000,
    );
    assert.ok(seen.size >= 2, `the Task Queue card never changed: ${[...seen].join(', ')}`);
    await screenshot(ui.page, 'real-desktop');
  });

  it('retries a failed task from the failures list', async () => {
    // The fixture worker fails every task without retry, so it is dead-lettered at once.
    const taskId = 'e2e-doomed-task';
    await apiPost(ui.server, '/api/spawn', { action: 'task', params: { task: { id: taskId, type: FAILING_TYPE, priority: 9, parameters: {} } } }, TOKEN);
    await eventually('the failed count to show it', () => numberIn(ui.page, 'tasks-failed'), (n) => n >= 1, 60_000);
    await screenshot(ui.page, 'real-desktop-failure');
    await checkRetry(ui.page, taskId);
  });

  it('fits a 390 px phone screen, with only the table scrolling sideways', async () => {
    await ui.page.setViewportSize({ width: 390, height: 844 });
    await ui.page.reload();
    await ui.page.getByTestId('worker-row').first().waitFor({ timeout: 10_000 });
    await checkPhoneLayout(ui.page);
    await screenshot(ui.page, 'real-phone');
    assert.deepEqual(ui.pageErrors, []);
  });
});
