/**
 * Events kept by version (src/lib/catalogue/event-cache.ts): a page read again serves its
 * events from memory, and any write to an event's row or its sources, made the way another
 * process or plain SQL makes it, shows on the next page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { renderedEventStats } from '../../../src/lib/catalogue/event-cache.js';
import { eventJson, type CanonicalEventJson } from '../../../src/lib/catalogue/event-json.js';
import { queryEvents, queryEventsJson } from '../../../src/lib/catalogue/query.js';
import { selectEventsByIds } from '../../../src/lib/db/queries/events.js';
import type { Database } from '../../../src/lib/db/types.js';
import { CITY } from '../../fixtures/catalogue/concert.js';
import { backends, closeTestDatabases } from '../../helpers/db.js';
import { openCatalogue } from './helpers.js';

after(closeTestDatabases);

async function insertEvent(db: Database, title: string, startsAt: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO events (title, starts_at, timezone, search_text, latitude, longitude, city_id, city_ids, city_latitude, city_longitude)
     VALUES ($1, $2, 'America/Los_Angeles', lower($1), $3, $4, $5, ARRAY[$5], $6, $7) RETURNING id`,
    [title, startsAt, CITY.latitude + 0.01, CITY.longitude, CITY.id, CITY.latitude, CITY.longitude],
  );
  return rows[0]!.id;
}

for (const backend of backends()) {
  describe(`events kept by version, on ${backend.name}`, () => {
    let db: Database;
    let market: string;
    before(async () => {
      db = await openCatalogue(backend);
      market = await insertEvent(db, 'Mission Market', '2026-07-04T17:00:00Z');
      await insertEvent(db, 'Harbour Jazz', '2026-07-05T19:00:00Z');
      await db.query(
        `INSERT INTO event_sources (event_id, origin_event_id, source, external_id, url, first_seen_at, last_seen_at)
         VALUES ($1, $1, 'ticketmaster', 'tm-1', 'https://tm.example/1', '2026-06-01T10:00:00Z', '2026-06-02T10:00:00Z')`,
        [market],
      );
    });
    after(() => db.close());

    const near = () => queryEvents(db, { lat: CITY.latitude, lng: CITY.longitude, radius_km: 10 });
    const marketOf = async () => (await near()).events.find((e) => e.id === market)!;

    test('a page read again is served from memory, the same text as written from its rows', async () => {
      const first = await queryEventsJson(db, { lat: CITY.latitude, lng: CITY.longitude, radius_km: 10 });
      const before = renderedEventStats(db);
      const again = await queryEventsJson(db, { lat: CITY.latitude, lng: CITY.longitude, radius_km: 10 });
      const stats = renderedEventStats(db);
      assert.equal(stats.hits - before.hits, 2);
      assert.equal(stats.misses, before.misses);
      assert.equal(again, first);
      // What the rows say as JSON, with the distance after locationApproximate, as declared.
      const page = JSON.parse(first) as { events: CanonicalEventJson[]; nextCursor: string | null };
      const rows = await selectEventsByIds(db, page.events.map((e) => e.id));
      const expected = page.events.map((event) => {
        const row = rows.find((r) => r.id === event.id)!;
        const out: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(eventJson(row, row.sources ?? []))) {
          out[key] = value;
          if (key === 'locationApproximate') out.distanceKm = Math.round(event.distanceKm! * 1000) / 1000;
        }
        return out;
      });
      assert.equal(first, JSON.stringify({ events: expected, nextCursor: null }));
      assert.ok(page.events.every((e) => e.distanceKm! > 0.5 && e.distanceKm! < 2), 'the distances are the page\'s');
      assert.equal(page.events.find((e) => e.id === market)!.sources[0]!.externalId, 'tm-1');
      // Without a point: no distance.
      const plain = await queryEvents(db, { city: CITY.id });
      assert.equal(plain.events.length, 2);
      assert.ok(plain.events.every((e) => !('distanceKm' in e)));
    });

    test('a secret in an event\'s URL is redacted in the kept text', async () => {
      const id = await insertEvent(db, 'Secret Show', '2026-07-07T19:00:00Z');
      await db.query(`UPDATE events SET url = 'https://tickets.example/e/1?token=abc123' WHERE id = $1`, [id]);
      const text = await queryEventsJson(db, { city: CITY.id });
      assert.ok(!text.includes('abc123'), text);
      assert.match(JSON.parse(text).events.find((e: CanonicalEventJson) => e.id === id).url, /token=REDACTED/);
      await db.query(`DELETE FROM events WHERE id = $1`, [id]);
    });

    test('a change to the event row shows on the next page, twice in one transaction too', async () => {
      await marketOf();
      await db.query(`UPDATE events SET title = 'Mission Night Market' WHERE id = $1`, [market]);
      assert.equal((await marketOf()).title, 'Mission Night Market');
      // A change that leaves the page's order and filters as they were still changes the version.
      await db.query(`UPDATE events SET price_min = 12.5 WHERE id = $1`, [market]);
      assert.equal((await marketOf()).priceMin, 12.5);
      await db.transaction(async (tx) => {
        await tx.query(`UPDATE events SET currency = 'USD' WHERE id = $1`, [market]);
        assert.equal((await queryEvents(tx, { lat: CITY.latitude, lng: CITY.longitude, radius_km: 10 })).events.find((e) => e.id === market)!.currency, 'USD');
        await tx.query(`UPDATE events SET currency = 'EUR' WHERE id = $1`, [market]);
        assert.equal((await queryEvents(tx, { lat: CITY.latitude, lng: CITY.longitude, radius_km: 10 })).events.find((e) => e.id === market)!.currency, 'EUR');
      });
      assert.equal((await marketOf()).currency, 'EUR');
    });

    test('a source added, changed, moved away or removed shows on the next page', async () => {
      await db.query(
        `INSERT INTO event_sources (event_id, origin_event_id, source, external_id, first_seen_at, last_seen_at) VALUES ($1, $1, 'eventbrite', 'eb-9', now(), now())`,
        [market],
      );
      assert.deepEqual((await marketOf()).sources.map((s) => s.externalId), ['eb-9', 'tm-1']);
      await db.query(`UPDATE event_sources SET missing_since = '2026-06-03T00:00:00Z' WHERE external_id = 'tm-1'`);
      assert.equal((await marketOf()).sources.find((s) => s.externalId === 'tm-1')!.missingSince, '2026-06-03T00:00:00.000Z');
      const other = await insertEvent(db, 'Lone Gig', '2026-07-06T19:00:00Z');
      await db.query(`UPDATE event_sources SET event_id = $1 WHERE external_id = 'eb-9'`, [other]);
      assert.deepEqual((await marketOf()).sources.map((s) => s.externalId), ['tm-1']);
      await db.query(`DELETE FROM event_sources WHERE external_id = 'tm-1'`);
      assert.deepEqual((await marketOf()).sources, []);
    });

    test('a caller changing its page changes no other page', async () => {
      const page = await near();
      (page.events[0] as { title: string }).title = 'changed';
      assert.notEqual((await near()).events[0]!.title, 'changed');
    });
  });
}
