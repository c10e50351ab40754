/**
 * The dashboard's catalogue views in headless Chromium against the real service (PGlite, real
 * ingestion): the cities view (sources, counts, last discovery, discovery of one city) and the
 * events explorer (the API's filters, sources, status, paging), at desktop and 390 px widths.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { OAKLAND, SF, seededTitles, startCatalogueService } from '../server/catalogue-service.js';
import { assertNoSidewaysOverflow, dashboardUnderTest, eventually, saveTokenInUi, screenshot, watchPageErrors } from './harness.js';
import { closeTestDatabases } from '../helpers/db.js';

after(closeTestDatabases);

const TOKEN = 'catalogue-ui-token-0123';
const SF_EVENTS = 12;

const city = (page: Page, id: string) => page.locator(`[data-testid="city-row"][data-city-id="${id}"]`);

describe('dashboard catalogue views (real service)', { timeout: 180_000 }, () => {
  const ui = dashboardUnderTest(
    TOKEN,
    async () => {
      const service = await startCatalogueService({ sfEvents: SF_EVENTS });
      await service.updateCity(OAKLAND.id, { sources: { ics: { feeds: ['https://calendar.example.org/oakland.ics'] } } });
      return service;
    },
    (service) => service.stop(),
  );

  it('cities view: each city, its sources, event counts and last discovery', async () => {
    await ui.page.goto(`${ui.server.url}/?refresh=500#cities`);
    // The cities are an operational read: the token opens them.
    await saveTokenInUi(ui.page, TOKEN);
    await city(ui.page, SF.id).getByTestId('city-events').filter({ hasText: String(SF_EVENTS) }).waitFor({ timeout: 20_000 });
    assert.equal(await ui.page.getByTestId('city-row').count(), 2);
    assert.equal((await city(ui.page, OAKLAND.id).getByTestId('city-events').textContent())?.trim(), '2');
    assert.equal((await city(ui.page, SF.id).getByTestId('city-upcoming').textContent())?.trim(), String(SF_EVENTS));
    // Oakland's Ticketmaster discovery completed (seeded); San Francisco's never ran.
    assert.match((await city(ui.page, OAKLAND.id).getByTestId('city-last-discovery').textContent()) ?? '', /2h ago/);
    assert.match((await city(ui.page, SF.id).getByTestId('city-last-discovery').textContent()) ?? '', /never/);
    // Configured sources: Oakland has a feed, San Francisco none.
    assert.equal(await city(ui.page, OAKLAND.id).locator('[data-testid="city-source"][data-source="ics"]').getAttribute('data-off'), 'false');
    assert.equal(await city(ui.page, SF.id).locator('[data-testid="city-source"][data-source="ics"]').getAttribute('data-off'), 'true');
    // What each source discovered.
    const sfTicketmaster = city(ui.page, SF.id).locator('[data-testid="city-source-stats"][data-source="ticketmaster"]');
    assert.equal((await sfTicketmaster.getByTestId('city-source-records').textContent())?.trim(), String(SF_EVENTS));
    await screenshot(ui.page, 'catalogue-cities-desktop');
  });

  it('cities view: discovery of one city queues that city only', async () => {
    const oakland = city(ui.page, OAKLAND.id);
    const request = ui.page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/spawn'));
    await oakland.getByTestId('city-discover').click();
    assert.deepEqual((await request).postDataJSON(), { action: 'discovery', params: { cityIds: [OAKLAND.id] } });
    await oakland.getByTestId('city-discover-result').filter({ hasText: /1 task queued \(ics\)/ }).waitFor({ timeout: 10_000 });
    const tasks = await ui.service.getTaskQueue({ state: 'all' });
    const discoveries = tasks.filter((t) => t.type === 'discovery');
    assert.deepEqual(discoveries.map((t) => [t.parameters.cityId, t.parameters.source]), [[OAKLAND.id, 'ics']]);
  });

  it('events explorer: every event with its sources and status; filters from the API', async () => {
    await ui.page.getByTestId('tab-events').click();
    const rows = ui.page.getByTestId('event-row');
    await eventually('all seeded events', () => rows.count(), (n) => n === SF_EVENTS + 2);
    assert.equal(await ui.page.getByTestId('events-more').count(), 0);
    for (const row of (await rows.all()).slice(0, 3)) {
      assert.equal(await row.locator('[data-testid="event-source"][data-source="ticketmaster"]').count(), 1);
      assert.equal((await row.getByTestId('event-status').textContent())?.trim(), 'scheduled');
    }
    // The form has a field for each query parameter of GET /api/events (cursor aside).
    const doc = (await (await fetch(`${ui.server.url}/api/openapi.json`)).json()) as { paths: Record<string, { get: { parameters: Array<{ name: string; in: string }> } }> };
    const names = doc.paths['/api/events']!.get.parameters.filter((p) => p.in === 'query' && p.name !== 'cursor').map((p) => p.name);
    for (const name of names) assert.equal(await ui.page.getByTestId(`filter-${name}`).count(), 1, `no field for ${name}`);
    assert.ok((await ui.page.getByTestId('filter-category').locator('option').allTextContents()).includes('music'));

    // Text search.
    await ui.page.getByTestId('filter-q').fill('oakland jazz');
    await ui.page.getByTestId('events-search').click();
    await eventually('one match', () => rows.count(), (n) => n === 1);
    assert.equal((await rows.first().getByTestId('event-title').textContent())?.trim(), seededTitles(0).oakland[0]);

    // A bad filter: the API's 400 names the field.
    await ui.page.getByTestId('filter-q').fill('');
    await ui.page.getByTestId('filter-lat').fill('37.8');
    await ui.page.getByTestId('events-search').click();
    await ui.page.getByTestId('events-error').filter({ hasText: /lng/ }).waitFor({ timeout: 10_000 });

    // Paging follows the cursor.
    await ui.page.getByTestId('filter-lat').fill('');
    await ui.page.getByTestId('filter-limit').fill('5');
    await ui.page.getByTestId('events-search').click();
    await eventually('a first page of 5', () => rows.count(), (n) => n === 5);
    await ui.page.getByTestId('events-more').click();
    await eventually('two pages', () => rows.count(), (n) => n === 10);
    await ui.page.getByTestId('events-more').click();
    await eventually('every event', () => rows.count(), (n) => n === SF_EVENTS + 2);
    await ui.page.getByTestId('events-more').waitFor({ state: 'detached', timeout: 10_000 });
    const ids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-event-id')));
    assert.equal(new Set(ids).size, SF_EVENTS + 2);
    await screenshot(ui.page, 'catalogue-events-desktop');
  });

  it('fits a 390 px wide phone without sideways scrolling', async () => {
    const phone = await ui.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const errors = watchPageErrors(phone);
    try {
      await phone.goto(`${ui.server.url}/?refresh=1000#cities`);
      await saveTokenInUi(phone, TOKEN);
      await city(phone, SF.id).getByTestId('city-events').filter({ hasText: String(SF_EVENTS) }).waitFor({ timeout: 20_000 });
      await assertNoSidewaysOverflow(phone);
      await screenshot(phone, 'catalogue-cities-phone');

      await phone.getByTestId('tab-events').click();
      await eventually('events on the phone', () => phone.getByTestId('event-row').count(), (n) => n === SF_EVENTS + 2);
      await assertNoSidewaysOverflow(phone);
      await screenshot(phone, 'catalogue-events-phone');
      assert.deepEqual(errors, []);
    } finally {
      await phone.close();
    }
  });

  it('raised no page errors', () => {
    assert.deepEqual(ui.pageErrors, []);
  });
});

