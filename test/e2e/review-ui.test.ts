/**
 * The dashboard's dedupe review screen in headless Chromium, against a real catalogue on PGlite
 * (the review queue, decisions and dedupe runs are the real ones; only the spawn controls come
 * from the in-test service): both listings side by side with the evidence, a decision refused
 * without the token, then taken with it and applied to the catalogue.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDedupeOperations } from '../../src/lib/catalogue/dedupe/operations.js';
import type { Database } from '../../src/lib/db/types.js';
import { EB_ID, seedUnsurePair } from '../fixtures/catalogue/review-pair.js';
import { pgliteBackend, closeTestDatabases } from '../helpers/db.js';
import { openCatalogue, sourceOf } from '../lib/catalogue/helpers.js';
import { SimulatedSpawnService } from './simulated-service.js';
import { assertNoSidewaysOverflow, dashboardUnderTest, eventually, saveTokenInUi, screenshot } from './harness.js';

after(closeTestDatabases);

const TOKEN = 'review-ui-test-token';

describe('dashboard review screen (real catalogue)', { timeout: 180_000 }, () => {
  let db: Database;
  const ui = dashboardUnderTest(
    TOKEN,
    async () => {
      db = await openCatalogue(pgliteBackend);
      await seedUnsurePair(db);
      return Object.assign(new SimulatedSpawnService(), { dedupe: createDedupeOperations(db) });
    },
    () => db.close(),
  );

  before(async () => {
    await ui.page.goto(`${ui.server.url}/?refresh=500`);
  });

  it('without the token the queue is not shown, and the page says why', async () => {
    await ui.page.getByTestId('review-error').filter({ hasText: /set the API token/ }).waitFor({ timeout: 20_000 });
    assert.equal(await ui.page.getByTestId('review-item').count(), 0);
    await saveTokenInUi(ui.page, TOKEN);
  });

  it('shows each unsure pair: both listings side by side and the evidence', async () => {
    const items = ui.page.getByTestId('review-item');
    await items.first().waitFor({ timeout: 20_000 });
    const count = await items.count();
    assert.ok(count >= 1);
    assert.equal((await ui.page.getByTestId('review-count').textContent())?.trim(), String(count));
    const item = items.filter({ hasText: 'ticketmaster' }).first();
    const titles = await item.getByTestId('listing-title').allTextContents();
    assert.deepEqual([...titles].sort(), ['Comedy Showcase', 'Phoebe Bridgers']);
    // side by side on a desktop screen: the two listings share a row
    const a = await item.getByTestId('review-listing-a').boundingBox();
    const b = await item.getByTestId('review-listing-b').boundingBox();
    assert.ok(a && b && Math.abs(a.y - b.y) < 2 && b.x > a.x + a.width - 1, `listings not side by side: ${JSON.stringify({ a, b })}`);
    assert.match((await item.textContent()) ?? '', /The Fillmore/);
    const evidence = item.getByTestId('review-evidence');
    assert.match((await evidence.textContent()) ?? '', /score -?\d+\.\d\d/);
    const rows = await evidence.getByTestId('evidence-row').allTextContents();
    assert.ok(rows.some((r) => r.startsWith('title')), `evidence rows: ${rows.join(' | ')}`);
    await screenshot(ui.page, 'review-queue');
  });

  it('stacks the two listings on a phone, and the page never scrolls sideways', async () => {
    const phone = await ui.browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await phone.goto(`${ui.server.url}/?refresh=500`);
      await saveTokenInUi(phone, TOKEN);
      const item = phone.getByTestId('review-item').filter({ hasText: 'ticketmaster' }).first();
      await item.waitFor({ timeout: 20_000 });
      const a = await item.getByTestId('review-listing-a').boundingBox();
      const b = await item.getByTestId('review-listing-b').boundingBox();
      assert.ok(a && b && b.y >= a.y + a.height - 1, `listings not stacked: ${JSON.stringify({ a, b })}`);
      await assertNoSidewaysOverflow(phone);
      await screenshot(phone, 'review-queue-phone');
    } finally {
      await phone.close();
    }
  });

  it('"Same event" merges the pair in the catalogue and empties the queue', async () => {
    const item = ui.page.getByTestId('review-item').filter({ hasText: 'ticketmaster' }).first();
    const pairId = await item.getAttribute('data-pair-id');
    const response = ui.page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/api/review/${pairId}`));
    await item.getByTestId('review-same').click();
    const res = await response;
    assert.equal(res.status(), 200, await res.text());
    await ui.page.getByTestId('review-result').filter({ hasText: 'Decided same event' }).waitFor({ timeout: 10_000 });
    await ui.page.getByTestId('review-empty').waitFor({ timeout: 10_000 });
    const tm = await sourceOf(db, 'ticketmaster');
    const eb = await sourceOf(db, 'eventbrite');
    assert.equal(eb.event_id, tm.event_id, `eventbrite:${EB_ID} now shares the concert's event`);
    await eventually('no review items', () => ui.page.getByTestId('review-item').count(), (n) => n === 0);
    assert.deepEqual(ui.pageErrors, []);
  });
});
