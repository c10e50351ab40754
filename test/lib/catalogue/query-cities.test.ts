/**
 * An event without coordinates that two distant cities discovered (a feed both use): a search
 * near either city finds it once, marked approximate, at the distance of the nearer city.
 * The first city places it (its centre is the event's point); the second finds it through
 * `city_ids` alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { queryEvents } from '../../../src/lib/catalogue/query.js';
import { CITY_PLACES_MAX_AGE_MS, upsertCity } from '../../../src/lib/db/queries/cities.js';
import type { Database } from '../../../src/lib/db/types.js';
import { CITY } from '../../fixtures/catalogue/concert.js';
import { backends, closeTestDatabases } from '../../helpers/db.js';
import { insertCity, openCatalogue } from './helpers.js';

after(closeTestDatabases);

const SACRAMENTO = { id: 'sacramento', name: 'Sacramento', latitude: 38.5816, longitude: -121.4944, timezone: 'America/Los_Angeles' };

async function insertEvent(db: Database, title: string, startsAt: string, place: { lat: number; lng: number } | null, cityIds: string[]): Promise<void> {
  await db.query(
    `INSERT INTO events (title, starts_at, timezone, search_text, latitude, longitude, city_id, city_ids, city_latitude, city_longitude)
     VALUES ($1, $2, 'America/Los_Angeles', lower($1), $3, $4, $5, $6::text[], $7, $8)`,
    [title, startsAt, place?.lat ?? null, place?.lng ?? null, cityIds[0], cityIds, CITY.latitude, CITY.longitude],
  );
}

for (const backend of backends()) {
  describe(`an event without coordinates shared by two distant cities, on ${backend.name}`, () => {
    let db: Database;
    before(async () => {
      db = await openCatalogue(backend);
      await insertCity(db, SACRAMENTO as typeof CITY);
      await insertEvent(db, 'River Cleanup (no venue coordinates)', '2026-07-04T16:00:00Z', null, [CITY.id, SACRAMENTO.id]);
      await insertEvent(db, 'Capitol Concert', '2026-07-04T18:00:00Z', { lat: 38.5767, lng: -121.4934 }, [SACRAMENTO.id]);
      await insertEvent(db, 'Mission Market', '2026-07-04T17:00:00Z', { lat: 37.7599, lng: -122.4148 }, [CITY.id]);
    });
    after(() => db.close());

    const near = (at: { latitude: number; longitude: number }, extra: Record<string, unknown> = {}) =>
      queryEvents(db, { lat: at.latitude, lng: at.longitude, radius_km: 15, ...extra });
    const titles = (page: { events: Array<{ title: string }> }) => page.events.map((e) => e.title);

    test('near the second city: found through its cities, approximate, at that city\'s distance', async () => {
      const page = await near(SACRAMENTO);
      assert.deepEqual(titles(page), ['River Cleanup (no venue coordinates)', 'Capitol Concert']);
      assert.equal(page.events[0]!.locationApproximate, true);
      const byDistance = await near(SACRAMENTO, { sort: 'distance' });
      assert.deepEqual(titles(byDistance), ['River Cleanup (no venue coordinates)', 'Capitol Concert']);
      assert.equal(byDistance.events[0]!.distanceKm, 0);
      assert.deepEqual(titles(await queryEvents(db, { city: SACRAMENTO.id })), ['River Cleanup (no venue coordinates)', 'Capitol Concert']);
    });

    test('near the first city: found once, at its centre', async () => {
      assert.deepEqual(titles(await near(CITY)), ['River Cleanup (no venue coordinates)', 'Mission Market']);
      // A radius that holds both cities: each event once.
      assert.deepEqual(titles(await near(CITY, { radius_km: 200 })), ['River Cleanup (no venue coordinates)', 'Mission Market', 'Capitol Concert']);
    });

    test('pages of one walk every match once', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 5; i++) {
        const page = await near(CITY, { radius_km: 200, limit: 1, ...(cursor ? { cursor } : {}) });
        seen.push(...titles(page));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      assert.deepEqual(seen, ['River Cleanup (no venue coordinates)', 'Mission Market', 'Capitol Concert']);
    });
  });
}

for (const backend of backends()) {
  describe(`the cities a search reads, kept for a moment, on ${backend.name}`, () => {
    let db: Database;
    before(async () => {
      db = await openCatalogue(backend);
      // Placed at San Francisco's centre; Sacramento finds it through city_ids and the list of cities.
      await insertEvent(db, 'River Cleanup (no venue coordinates)', '2026-07-04T16:00:00Z', null, [CITY.id, SACRAMENTO.id]);
    });
    after(() => db.close());
    const titles = (page: { events: Array<{ title: string }> }) => page.events.map((e) => e.title);
    const nearSacramento = () => queryEvents(db, { lat: SACRAMENTO.latitude, lng: SACRAMENTO.longitude, radius_km: 15 });

    test('a city added by plain SQL is searchable by id at once, and near its centre within the kept age', async () => {
      // The first search keeps the list of cities: Sacramento is not in it.
      assert.deepEqual(titles(await nearSacramento()), []);
      await insertCity(db, SACRAMENTO as typeof CITY);
      // By id: a miss reads the list again.
      assert.deepEqual(titles(await queryEvents(db, { city: SACRAMENTO.id })), ['River Cleanup (no venue coordinates)']);
      await assert.rejects(queryEvents(db, { city: 'atlantis' }), /city: no city with id "atlantis"/);
      // Near a point: the list read for the search by id (or, at the latest, one kept age later).
      await new Promise((r) => setTimeout(r, CITY_PLACES_MAX_AGE_MS + 50));
      assert.deepEqual(titles(await nearSacramento()), ['River Cleanup (no venue coordinates)']);
    });

    test('upsertCity through the same handle is seen by the next search', async () => {
      assert.deepEqual(titles(await nearSacramento()), ['River Cleanup (no venue coordinates)']);
      // Sacramento moves 300 km away (a wrong centre corrected): its unlocated event moves with it.
      await upsertCity(db, { ...SACRAMENTO, latitude: 41.2, sources: {} });
      assert.deepEqual(titles(await nearSacramento()), []);
    });
  });
}
