/**
 * The dashboard in headless Chromium against the in-test SimulatedSpawnService: deterministic checks
 * of what the page shows and sends. dashboard.test.ts runs the same page against the real service.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { SimulatedSpawnService } from './simulated-service.js';
import { apiPost, checkPhoneLayout, checkRetry, checkSpawnAddsRow, dashboardUnderTest, eventually, numberIn, saveTokenInUi, screenshot } from './harness.js';

const TOKEN = 'ui-test-token';

describe('dashboard (in-test service)', { timeout: 120_000 }, () => {
  const ui = dashboardUnderTest(
    TOKEN,
    async () => {
      const service = new SimulatedSpawnService({ maxWorkers: 6, tickMs: 50 });
      for (const type of ['discovery', 'ingestion', 'processing']) await service.spawnWorker(type);
      await service.start();
      return service;
    },
    (service) => service.stop(),
  );

  before(async () => {
    await ui.page.goto(`${ui.server.url}/?refresh=500`);
    // The server has a token, so the operational reads behind every card need it too.
    await saveTokenInUi(ui.page, TOKEN);
    await ui.page.getByTestId('card-workers-value').filter({ hasText: '3' }).waitFor({ timeout: 10_000 });
  });

  it('shows the status cards, budgets and workers', async () => {
    assert.equal(await numberIn(ui.page, 'card-workers-value'), 3);
    assert.equal(await ui.page.getByTestId('worker-row').count(), 3);
    assert.match((await ui.page.getByTestId('budget-eventbrite').textContent()) ?? '', /1,900 \/ 2,000/);
    assert.match((await ui.page.getByTestId('budget-yelp').textContent()) ?? '', /disabled/);
    assert.equal(await ui.page.getByTestId('discovery-chart').locator('polyline').count(), 1);
    await ui.page.getByTestId('no-failures').waitFor();
  });

  it('updates the numbers as tasks run', async () => {
    const completedBefore = await numberIn(ui.page, 'tasks-completed');
    for (let i = 0; i < 4; i++) {
      await apiPost(ui.server, '/api/spawn', { action: 'task', params: { task: { id: `ui-${i}`, type: 'processing', priority: 1, parameters: { durationMs: 1200 } } } }, TOKEN);
    }
    // One processing worker: one task runs while the rest wait in the queue.
    await eventually('queued tasks on the Task Queue card', () => numberIn(ui.page, 'card-queue-value'), (n) => n >= 1);
    await eventually('an active task', () => numberIn(ui.page, 'tasks-active'), (n) => n === 1);
    await screenshot(ui.page, 'ui-desktop-busy');
    await eventually('completed tasks', () => numberIn(ui.page, 'tasks-completed'), (n) => n >= completedBefore + 4, 30_000);
    assert.equal(await numberIn(ui.page, 'card-queue-value'), 0);
  });

  it('refuses reads and changes without the token and explains why', async () => {
    // A fresh browser context has no saved token.
    const context = await ui.browser.newContext();
    try {
      const bare = await context.newPage();
      await bare.goto(`${ui.server.url}/?refresh=500`);
      await bare.getByText(/set the API token/).first().waitFor({ timeout: 10_000 });
      await bare.getByTestId('spawn-type').selectOption('ingestion').catch(() => undefined);
      await bare.getByTestId('spawn-button').click({ timeout: 2000 }).catch(() => undefined);
      assert.equal(ui.service.workers.size, 3);
    } finally {
      await context.close();
    }
  });

  it('spawns a worker with the token', async () => {
    await saveTokenInUi(ui.page, TOKEN);
    const workerId = await checkSpawnAddsRow(ui.page, 'ingestion');
    assert.ok(ui.service.workers.has(workerId));
    assert.equal(await numberIn(ui.page, 'card-workers-value'), 4);
  });

  it('retries a failed task', async () => {
    await apiPost(ui.server, '/api/spawn', { action: 'task', params: { task: { id: 'ui-flaky', type: 'discovery', priority: 5, parameters: { failUntilRetry: 1, durationMs: 100 } } } }, TOKEN);
    await ui.page.locator('[data-testid="failure-row"][data-task-id="ui-flaky"]').waitFor({ timeout: 15_000 });
    await screenshot(ui.page, 'ui-desktop-failure');
    await checkRetry(ui.page, 'ui-flaky');
    await ui.page.getByTestId('no-failures').waitFor({ timeout: 10_000 });
    await eventually('the retried task to complete', async () => ui.service.tasks.get('ui-flaky')?.state, (s) => s === 'completed');
  });

  it('dismisses a failed task', async () => {
    await apiPost(ui.server, '/api/spawn', { action: 'task', params: { task: { id: 'ui-doomed', type: 'discovery', priority: 5, parameters: { fail: true, durationMs: 50 } } } }, TOKEN);
    const row = ui.page.locator('[data-testid="failure-row"][data-task-id="ui-doomed"]');
    await row.waitFor({ timeout: 15_000 });
    await row.getByTestId('dismiss-button').click();
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    assert.ok(!ui.service.deadLetters.has('ui-doomed'));
  });

  it('runs discovery', async () => {
    await ui.service.upsertCity({ id: 'berlin', name: 'Berlin', latitude: 52.52, longitude: 13.4, timezone: 'Europe/Berlin' });
    await ui.page.getByTestId('discovery-button').click();
    await ui.page.getByTestId('control-result').filter({ hasText: 'Discovery: 1 task queued' }).waitFor({ timeout: 10_000 });
    await screenshot(ui.page, 'ui-desktop');
  });

  it('fits a 390 px phone screen, with only the table scrolling sideways', async () => {
    await ui.page.setViewportSize({ width: 390, height: 844 });
    await ui.page.reload();
    await ui.page.getByTestId('worker-row').first().waitFor();
    await checkPhoneLayout(ui.page);
    await screenshot(ui.page, 'ui-phone');
    assert.deepEqual(ui.pageErrors, []);
  });
});
