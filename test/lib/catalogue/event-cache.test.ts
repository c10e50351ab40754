/**
 * Events kept by version (src/lib/catalogue/event-cache.ts): a page read again serves its
 * events from memory, and any write to an event's row or its sources, made the way another
 * process or plain SQL makes it, shows on the next page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { renderedEventStats } from '../../../src/lib/catalogue/event-cache.js';
import { eventJson, withDistance } from '../../../src/lib/catalogue/event-json.js';
import { queryEvents } from '../../../src/lib/catalogue/query.js';
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

    test('a page read again is served from memory, the same as read from its rows', async () => {
      const first = await near();
      const before = renderedEventStats(db);
      const again = await near();
      const stats = renderedEventStats(db);
      assert.equal(stats.hits - before.hits, 2);
      assert.equal(stats.misses, before.misses);
      assert.deepEqual(again, first);
      assert.equal(JSON.stringify(again), JSON.stringify(first), 'the same JSON, key order included');
      // What the rows say, with the distance where eventJson puts it.
      const rows = await selectEventsByIds(db, first.events.map((e) => e.id));
      for (const event of first.events) {
        const row = rows.find((r) => r.id === event.id)!;
        assert.equal(JSON.stringify(event), JSON.stringify(withDistance(eventJson(row, row.sources ?? []), event.distanceKm!)));
      }
      assert.equal(first.events.find((e) => e.id === market)!.sources[0]!.externalId, 'tm-1');
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

    test('kept events are frozen: a caller cannot change what other pages show', async () => {
      const plain = (await queryEvents(db, { city: CITY.id })).events.find((e) => e.id === market)!;
      assert.equal('distanceKm' in plain, false, 'no distance without a point');
      assert.throws(() => {
        (plain as { title: string }).title = 'changed';
      }, TypeError);
      // With a distance, the event is a copy of the kept one, whose parts it shares.
      const placed = await marketOf();
      assert.throws(() => {
        (placed.venue as { name: string | null }).name = 'changed';
      }, TypeError);
      assert.equal((await marketOf()).title, 'Mission Night Market');
    });
  });
}

describe('withDistance', () => {
  test('puts distanceKm after locationApproximate, to the metre, and leaves the event as it was', () => {
    const event = { id: 'x', title: 't', locationApproximate: false, missingSince: null, sources: [] } as unknown as Parameters<typeof withDistance>[0];
    const placed = withDistance(event, 1.23456);
    assert.equal(JSON.stringify(placed), '{"id":"x","title":"t","locationApproximate":false,"distanceKm":1.235,"missingSince":null,"sources":[]}');
    assert.equal('distanceKm' in event, false);
  });
});
