/**
 * The dashboard in headless Chromium against the in-test SimulatedSpawnService: deterministic checks
 * of what the page shows and sends. dashboard.test.ts runs the same page against the real service.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningHttpServer } from '../../src/server/server.js';
import { SimulatedSpawnService } from './simulated-service.js';
import {
  apiPost,
  checkPhoneLayout,
  checkRetry,
  checkSpawnAddsRow,
  ensureDashboardBuilt,
  eventually,
  launchBrowser,
  numberIn,
  saveTokenInUi,
  screenshot,
  serve,
  watchPageErrors,
} from './harness.js';

const TOKEN = 'ui-test-token';

describe('dashboard (in-test service)', { timeout: 120_000 }, () => {
  let service: SimulatedSpawnService;
  let server: RunningHttpServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  before(async () => {
    ensureDashboardBuilt();
    service = new SimulatedSpawnService({ maxWorkers: 6, tickMs: 50 });
    for (const type of ['discovery', 'ingestion', 'processing']) await service.spawnWorker(type);
    await service.start();
    server = await serve(service, TOKEN);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    pageErrors = watchPageErrors(page);
    await page.goto(`${server.url}/?refresh=500`);
    // The server has a token, so the operational reads behind every card need it too.
    await saveTokenInUi(page, TOKEN);
    await page.getByTestId('card-workers-value').filter({ hasText: '3' }).waitFor({ timeout: 10_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await service?.stop();
  });

  it('shows the status cards, budgets and workers', async () => {
    assert.equal(await numberIn(page, 'card-workers-value'), 3);
    assert.equal(await page.getByTestId('worker-row').count(), 3);
    assert.match((await page.getByTestId('budget-eventbrite').textContent()) ?? '', /1,900 \/ 2,000/);
    assert.match((await page.getByTestId('budget-yelp').textContent()) ?? '', /disabled/);
    assert.equal(await page.getByTestId('discovery-chart').locator('polyline').count(), 1);
    await page.getByTestId('no-failures').waitFor();
  });

  it('updates the numbers as tasks run', async () => {
    const completedBefore = await numberIn(page, 'tasks-completed');
    for (let i = 0; i < 4; i++) {
      await apiPost(server, '/api/spawn', { action: 'task', params: { task: { id: `ui-${i}`, type: 'processing', priority: 1, parameters: { durationMs: 1200 } } } }, TOKEN);
    }
    // One processing worker: one task runs while the rest wait in the queue.
    await eventually('queued tasks on the Task Queue card', () => numberIn(page, 'card-queue-value'), (n) => n >= 1);
    await eventually('an active task', () => numberIn(page, 'tasks-active'), (n) => n === 1);
    await screenshot(page, 'ui-desktop-busy');
    await eventually('completed tasks', () => numberIn(page, 'tasks-completed'), (n) => n >= completedBefore + 4, 30_000);
    assert.equal(await numberIn(page, 'card-queue-value'), 0);
  });

  it('refuses reads and changes without the token and explains why', async () => {
    // A fresh browser context has no saved token.
    const context = await browser.newContext();
    try {
      const bare = await context.newPage();
      await bare.goto(`${server.url}/?refresh=500`);
      await bare.getByText(/set the API token/).first().waitFor({ timeout: 10_000 });
      await bare.getByTestId('spawn-type').selectOption('ingestion').catch(() => undefined);
      await bare.getByTestId('spawn-button').click({ timeout: 2000 }).catch(() => undefined);
      assert.equal(service.workers.size, 3);
    } finally {
      await context.close();
    }
  });

  it('spawns a worker with the token', async () => {
    await saveTokenInUi(page, TOKEN);
    const workerId = await checkSpawnAddsRow(page, 'ingestion');
    assert.ok(service.workers.has(workerId));
    assert.equal(await numberIn(page, 'card-workers-value'), 4);
  });

  it('retries a failed task', async () => {
    await apiPost(server, '/api/spawn', { action: 'task', params: { task: { id: 'ui-flaky', type: 'discovery', priority: 5, parameters: { failUntilRetry: 1, durationMs: 100 } } } }, TOKEN);
    await page.locator('[data-testid="failure-row"][data-task-id="ui-flaky"]').waitFor({ timeout: 15_000 });
    await screenshot(page, 'ui-desktop-failure');
    await checkRetry(page, 'ui-flaky');
    await page.getByTestId('no-failures').waitFor({ timeout: 10_000 });
    await eventually('the retried task to complete', async () => service.tasks.get('ui-flaky')?.state, (s) => s === 'completed');
  });

  it('dismisses a failed task', async () => {
    await apiPost(server, '/api/spawn', { action: 'task', params: { task: { id: 'ui-doomed', type: 'discovery', priority: 5, parameters: { fail: true, durationMs: 50 } } } }, TOKEN);
    const row = page.locator('[data-testid="failure-row"][data-task-id="ui-doomed"]');
    await row.waitFor({ timeout: 15_000 });
    await row.getByTestId('dismiss-button').click();
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    assert.ok(!service.deadLetters.has('ui-doomed'));
  });

  it('runs discovery', async () => {
    await service.upsertCity({ id: 'berlin', name: 'Berlin', latitude: 52.52, longitude: 13.4, timezone: 'Europe/Berlin' });
    await page.getByTestId('discovery-button').click();
    await page.getByTestId('control-result').filter({ hasText: 'Discovery: 1 task queued' }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'ui-desktop');
  });

  it('fits a 390 px phone screen, with only the table scrolling sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByTestId('worker-row').first().waitFor();
    await checkPhoneLayout(page);
    await screenshot(page, 'ui-phone');
    assert.deepEqual(pageErrors, []);
  });
});
