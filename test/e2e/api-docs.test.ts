/**
 * The API docs page in headless Chromium: Swagger UI from local assets renders every documented
 * operation of /api/openapi.json, under the app's Content-Security-Policy, with no request
 * leaving the server.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startCatalogueService } from '../server/catalogue-service.js';
import { dashboardUnderTest, screenshot } from './harness.js';
import { closeTestDatabases } from '../helpers/db.js';

after(closeTestDatabases);

describe('/api/docs (Swagger UI, local assets)', { timeout: 120_000 }, () => {
  const ui = dashboardUnderTest('docs-test-token-0123', () => startCatalogueService({ sfEvents: 1 }), (service) => service.stop());

  it('shows every documented operation, loading nothing from elsewhere', async () => {
    const { page, server, pageErrors: errors } = ui;
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
