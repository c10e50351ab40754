/**
 * The dashboard's source health table in headless Chromium against the real service (PGlite):
 * worst first, the token needed to read it and to lift a quarantine, and a 390 px phone.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { recordSourceFailure, recordSourceSuccess } from '../../src/lib/db/queries/source-health.js';
import { startCatalogueService } from '../server/catalogue-service.js';
import { closeTestDatabases } from '../helpers/db.js';
import { assertNoSidewaysOverflow, dashboardUnderTest, eventually, saveTokenInUi, screenshot, watchPageErrors } from './harness.js';

const TOKEN = 'sources-ui-token-0123';

describe('dashboard source health (real service)', { timeout: 180_000 }, () => {
  const ids: Record<string, string> = {};
  const ui = dashboardUnderTest(
    TOKEN,
    async () => {
      const service = await startCatalogueService({ sfEvents: 1 });
      const db = service.controller.db;
      const policy = { quarantineAfter: 3, backoffMs: 3_600_000, maxBackoffMs: 3_600_000 };
      const key = (cityId: string, source: string, feed = '') => ({ cityId, source, feed });
      await recordSourceSuccess(db, key('sf', 'ticketmaster'), 40);
      ids.failing = (await recordSourceFailure(db, key('oakland', 'jsonld', 'https://venue.example/events'), 'jsonld: HTTP 500', policy)).id;
      const broken = key('oakland', 'ics', 'https://calendar.example.org/private.ics?token=very-secret-value');
      for (let i = 0; i < 3; i++) ids.quarantined = (await recordSourceFailure(db, broken, 'ics: could not fetch: HTTP 404', policy)).id;
      return service;
    },
    (service) => service.stop(),
  );
  after(closeTestDatabases);

  const rows = (p: Page) => p.getByTestId('source-health-row');

  it('needs the token, then lists every (city, source, feed) worst first', async () => {
    await ui.page.goto(`${ui.server.url}/?refresh=500#cities`);
    await ui.page.getByTestId('source-health').filter({ hasText: /set the API token/ }).waitFor({ timeout: 20_000 });
    await saveTokenInUi(ui.page, TOKEN);
    await eventually('the health rows', () => rows(ui.page).count(), (n) => n === 3);
    const states = await rows(ui.page).evaluateAll((els) => els.map((e) => [e.getAttribute('data-source-id'), e.getAttribute('data-state')]));
    assert.deepEqual(states.map((s) => s[1]), ['quarantined', 'failing', 'ok']);
    assert.deepEqual(states.slice(0, 2).map((s) => s[0]), [ids.quarantined, ids.failing]);
    const text = (await ui.page.getByTestId('source-health-table').textContent()) ?? '';
    assert.match(text, /token=REDACTED/);
    assert.doesNotMatch(text, /very-secret-value/);
    assert.equal(await ui.page.getByTestId('source-unquarantine').count(), 1, 'only a quarantined row has the button');
    await screenshot(ui.page, 'sources-desktop');
  });

  it('Un-quarantine lifts the quarantine', async () => {
    const request = ui.page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/api/sources/${ids.quarantined}/unquarantine`));
    await ui.page.getByTestId('source-unquarantine').click();
    await request;
    await ui.page.locator(`[data-testid="source-health-row"][data-source-id="${ids.quarantined}"][data-state="ok"]`).waitFor({ timeout: 10_000 });
    assert.equal(await ui.page.getByTestId('source-unquarantine').count(), 0);
    const health = await ui.service.sourceHealth!.list();
    assert.equal(health.find((h) => h.id === ids.quarantined)!.quarantined, false);
  });

  it('fits a 390 px wide phone: the table scrolls inside its own box', async () => {
    const phone = await ui.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const errors = watchPageErrors(phone);
    try {
      await phone.goto(`${ui.server.url}/?refresh=1000#cities`);
      await saveTokenInUi(phone, TOKEN);
      await eventually('the health rows on the phone', () => rows(phone).count(), (n) => n === 3);
      await assertNoSidewaysOverflow(phone);
      await screenshot(phone, 'sources-phone');
      assert.deepEqual(errors, []);
    } finally {
      await phone.close();
    }
  });

  it('raised no page errors', () => {
    assert.deepEqual(ui.pageErrors, []);
  });
});
