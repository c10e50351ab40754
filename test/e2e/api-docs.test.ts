/**
 * The API docs page in headless Chromium: Swagger UI from local assets renders every documented
 * operation of /api/openapi.json, under the app's Content-Security-Policy, with no request
 * leaving the server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { RunningHttpServer } from '../../src/server/server.js';
import type { RunningService } from '../../src/service.js';
import { startCatalogueService } from '../server/catalogue-service.js';
import { launchBrowser, screenshot, serve, watchPageErrors } from './harness.js';
import { closeTestDatabases } from '../helpers/db.js';

after(closeTestDatabases);

describe('/api/docs (Swagger UI, local assets)', { timeout: 120_000 }, () => {
  let service: RunningService;
  let server: RunningHttpServer;
  let browser: Browser;

  before(async () => {
    service = await startCatalogueService({ sfEvents: 1 });
    server = await serve(service, 'docs-test-token-0123');
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await service?.stop();
  });

  it('shows every documented operation, loading nothing from elsewhere', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchPageErrors(page);
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    await page.goto(`${server.url}/api/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
    const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    assert.equal(await page.locator('.opblock').count(), operations);
    const paths = await page.locator('.opblock-summary-path').allTextContents();
    assert.ok(paths.some((p) => p.replace(/\u200b/g, '').includes('/api/events/{id}')), paths.join(', '));
    await screenshot(page, 'api-docs');
    assert.deepEqual(foreign, []);
    assert.deepEqual(errors, []);
  });
});
