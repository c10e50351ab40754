import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { loadRawEvents, selectUnprocessedIds, upsertSourceRecords } from '../../../src/lib/db/queries/catalogue-ingest.js';
import { upsertRawEvents } from '../../../src/lib/db/queries/raw-events.js';
import type { Queryable } from '../../../src/lib/db/types.js';
import { ingestRawEvents } from '../../../src/lib/catalogue/ingest.js';
import { storableRow } from '../../../src/lib/catalogue/records.js';
import { normalizeRawEvent, type NormalizedEvent } from '../../../src/lib/normalize/index.js';
import { CONCERT, eventbrite, ticketmaster } from '../../fixtures/catalogue/concert.js';
import { backends, closeTestDatabases } from '../../helpers/db.js';
import { changeRaw, fixture, insertRaw, openCatalogue, snapshot } from './helpers.js';

after(closeTestDatabases);

const SAMPLES = [
  ['ticketmaster', 'music-utc'],
  ['eventbrite', 'jazz-wine'],
  ['jsonld', 'music-offset'],
  ['ics', 'tzid-jazz'],
  ['yelp', 'comedy-offset'],
] as const;

/** Each sample as normalization reads it, in San Francisco (America/Los_Angeles) unless it names its own zone. */
const EXPECTED: Record<(typeof SAMPLES)[number][0], Omit<NormalizedEvent, 'source' | 'externalId' | 'description'>> = {
  ticketmaster: {
    title: 'Khruangbin & Friends', startsAt: new Date('2026-04-18T02:00:00.000Z'), endsAt: null,
    timezone: 'America/Los_Angeles', allDay: false, status: 'scheduled', category: 'music',
    url: 'https://www.ticketmaster.com/khruangbin-friends-los-angeles-california-04-17-2026/event/09006045C1A12B34',
    imageUrl: 'https://s1.ticketm.net/dam/a/1d1/khruangbin_TABLET_LANDSCAPE_LARGE_16_9.jpg', isFree: false,
    venue: {
      name: 'Hollywood Bowl', address: '2301 North Highland Avenue', city: 'Los Angeles', region: 'CA',
      postalCode: '90068', country: 'US', latitude: 34.11224, longitude: -118.33856,
    },
    priceMin: 45.5, priceMax: 89, currency: 'USD',
  },
  eventbrite: {
    title: "Jazz & Wine Night at L'Atelier", startsAt: new Date('2026-03-01T03:00:00.000Z'), endsAt: new Date('2026-03-01T06:00:00.000Z'),
    timezone: 'America/Los_Angeles', allDay: false, status: 'scheduled', category: 'music',
    url: 'https://www.eventbrite.com/e/jazz-wine-night-at-latelier-tickets-812345678901',
    imageUrl: 'https://img.evbuc.com/https%3A%2F%2Fcdn.evbuc.com%2Fimages%2F655443322%2Foriginal.jpg', isFree: false,
    venue: {
      name: "L'Atelier Café", address: '1520 Valencia St, Suite B', city: 'San Francisco', region: 'CA',
      postalCode: '94110', country: 'US', latitude: 37.7486285, longitude: -122.4207491,
    },
    priceMin: 25, priceMax: 60, currency: 'USD',
  },
  jsonld: {
    title: 'Bonobo – Live', startsAt: new Date('2026-09-12T18:00:00.000Z'), endsAt: new Date('2026-09-12T21:30:00.000Z'),
    timezone: 'America/Los_Angeles', allDay: false, status: 'scheduled', category: 'music',
    url: 'https://www.huxleys.berlin/events/2026-09-12-bonobo',
    imageUrl: 'https://www.huxleys.berlin/media/bonobo-1200x630.jpg', isFree: false,
    venue: {
      name: 'Huxleys Neue Welt', address: 'Hasenheide 107-113', city: 'Berlin', region: 'BE',
      postalCode: '10967', country: 'DE', latitude: 52.4862, longitude: 13.4197,
    },
    priceMin: 39.9, priceMax: 49.9, currency: 'EUR',
  },
  ics: {
    title: 'Robert Glasper Trio', startsAt: new Date('2026-05-02T00:00:00.000Z'), endsAt: new Date('2026-05-02T02:00:00.000Z'),
    timezone: 'America/New_York', allDay: false, status: 'scheduled', category: 'music',
    url: 'https://www.bluenotejazz.com/nyc/shows/?eid=123456',
    imageUrl: null, isFree: null,
    venue: {
      name: 'Blue Note Jazz Club', address: '131 W 3rd St, New York, NY 10012', city: 'San Francisco', region: null,
      postalCode: null, country: null, latitude: 40.7307, longitude: -73.9996,
    },
    priceMin: null, priceMax: null, currency: null,
  },
  yelp: {
    title: 'Stand-Up Showcase at The Lost Church', startsAt: new Date('2026-03-02T03:00:00.000Z'), endsAt: new Date('2026-03-02T06:30:00.000Z'),
    timezone: 'America/Los_Angeles', allDay: false, status: 'scheduled', category: 'comedy',
    url: 'https://www.yelp.com/events/san-francisco-stand-up-comedy-showcase-12?adjust_creative=abc&utm_campaign=yelp_api_v3',
    imageUrl: 'https://s3-media1.fl.yelpcdn.com/ephoto/Qw1s2x3Yz/o.jpg', isFree: false,
    venue: {
      name: null, address: '988 Columbus Ave', city: 'San Francisco', region: 'CA',
      postalCode: '94133', country: 'US', latitude: 37.7609, longitude: -122.435,
    },
    priceMin: 15, priceMax: 25, currency: null,
  },
};

for (const backend of backends()) {
  describe(`ingestRawEvents on ${backend.name}`, () => {
    test('writes one canonical event and one source record per raw event, with the normalized values', async () => {
      const db = await openCatalogue(backend);
      try {
        const ids = await insertRaw(db, SAMPLES.map(([source, name]) => ({ source, externalId: `${source}-1`, data: fixture(source, name) })));
        const result = await ingestRawEvents(db, { ids });
        assert.deepEqual(result, {
          source: null, processed: 5, inserted: 5, updated: 0, unchanged: 0, failed: 0, errors: [], cityIds: ['sf'],
        });
        for (const [source] of SAMPLES) {
          const expected = EXPECTED[source];
          const { rows } = await db.query<Record<string, unknown>>(
            `SELECT e.*, es.event_id, es.origin_event_id, es.raw_event_id, es.status AS source_status,
                    to_jsonb(es) AS source_row
               FROM event_sources es JOIN events e ON e.id = es.event_id WHERE es.source = $1`, [source]);
          assert.equal(rows.length, 1, source);
          const row = rows[0]!;
          assert.equal(row.title, expected.title);
          assert.equal((row.starts_at as Date).toISOString(), expected.startsAt.toISOString(), source);
          assert.equal(row.timezone, expected.timezone);
          assert.equal(row.status, expected.status);
          assert.equal(row.source_status, expected.status);
          assert.equal(row.category, expected.category);
          assert.equal(row.venue_name, expected.venue.name);
          assert.equal(row.city_id, 'sf');
          assert.equal(row.event_id, row.origin_event_id, 'a new record hosts itself');
          assert.equal(row.search_text, [expected.title, expected.venue.name, expected.venue.city].filter(Boolean).join(' ').toLowerCase());
          assert.equal(row.merged_into, null);
          // The source's own fields are the normalized event, under the raw row's key.
          const stored = row.source_row as Record<string, unknown>;
          assert.equal(stored.external_id, `${source}-1`);
          assert.equal(new Date(stored.starts_at as string).toISOString(), expected.startsAt.toISOString());
          assert.equal(stored.ends_at === null ? null : new Date(stored.ends_at as string).toISOString(), expected.endsAt?.toISOString() ?? null);
          assert.deepEqual(
            [stored.title, stored.timezone, stored.all_day, stored.category, stored.url, stored.image_url, stored.is_free],
            [expected.title, expected.timezone, expected.allDay, expected.category, expected.url, expected.imageUrl, expected.isFree],
          );
          assert.deepEqual(
            [stored.venue_name, stored.address, stored.city, stored.region, stored.postal_code, stored.country, stored.latitude, stored.longitude],
            [expected.venue.name, expected.venue.address, expected.venue.city, expected.venue.region,
              expected.venue.postalCode, expected.venue.country, expected.venue.latitude, expected.venue.longitude],
          );
          assert.deepEqual([stored.price_min, stored.price_max, stored.currency], [expected.priceMin, expected.priceMax, expected.currency]);
        }
        const { rows: raws } = await db.query<{ processed: boolean; processed_at: Date | null; error: string | null }>(
          'SELECT processed, processed_at, error FROM raw_events');
        assert.ok(raws.every((r) => r.processed && r.processed_at !== null && r.error === null));
      } finally {
        await db.close();
      }
    });

    test('running the same batch again changes nothing', async () => {
      const db = await openCatalogue(backend);
      try {
        const ids = await insertRaw(db, SAMPLES.map(([source, name]) => ({ source, externalId: `${source}-1`, data: fixture(source, name) })));
        await ingestRawEvents(db, { ids });
        const before = await snapshot(db);
        const again = await ingestRawEvents(db, { ids });
        assert.deepEqual({ ...again, errors: undefined }, {
          source: null, processed: 5, inserted: 0, updated: 0, unchanged: 5, failed: 0, errors: undefined, cityIds: ['sf'],
        });
        assert.deepEqual(await snapshot(db), before);
      } finally {
        await db.close();
      }
    });

    test('a changed payload updates its event; updated_at moves only there', async () => {
      const db = await openCatalogue(backend);
      try {
        const [tm, eb] = await insertRaw(db, [
          { source: 'ticketmaster', externalId: CONCERT.id, data: ticketmaster() },
          { source: 'eventbrite', externalId: '812000000001', data: eventbrite() },
        ]);
        await ingestRawEvents(db, { ids: [tm!, eb!] });
        const before = await snapshot(db);
        await changeRaw(db, tm!, ticketmaster({ ...CONCERT, title: 'Phoebe Bridgers: The Reunion Tour' }));
        const result = await ingestRawEvents(db, {});
        assert.equal(result.processed, 1, 'the default selection takes the one unprocessed raw event');
        assert.equal(result.updated, 1);
        assert.equal(result.source, 'ticketmaster');
        const after = await snapshot(db);
        const changed = after.events.find((e) => e.title === 'Phoebe Bridgers: The Reunion Tour');
        assert.ok(changed);
        const old = before.events.find((e) => e.id === changed.id)!;
        assert.ok((changed.updated_at as Date) > (old.updated_at as Date));
        const untouched = after.events.find((e) => e.id !== changed.id)!;
        assert.deepEqual(untouched, before.events.find((e) => e.id === untouched.id));
      } finally {
        await db.close();
      }
    });

    test('a payload discovery stores between the read and the write is not marked processed: it is ingested next time', async () => {
      const db = await openCatalogue(backend);
      try {
        const [id] = await insertRaw(db, [{ source: 'ticketmaster', externalId: CONCERT.id, data: ticketmaster() }]);
        const [raw] = await loadRawEvents(db, [id!]);
        assert.deepEqual(await upsertRawEvents(db, 'ticketmaster', 'sf', [{ externalId: CONCERT.id, data: ticketmaster({ ...CONCERT, title: 'Changed Meanwhile' }) }]),
          { new: 0, changed: 1, unchanged: 0 });
        const row = storableRow(normalizeRawEvent(raw!.source, raw!.data, { timezone: raw!.timezone!, cityName: raw!.city_name! }));
        const counts = await upsertSourceRecords(db, [{
          rawEventId: raw!.id, rawVersion: raw!.version, source: raw!.source, externalId: raw!.external_id, cityId: raw!.city_id,
          row, firstSeenAt: raw!.discovered_at, lastSeenAt: raw!.last_seen_at,
        }], []);
        assert.equal(counts.inserted, 1, 'the version that was read is written');
        const { rows: [state] } = await db.query<{ processed: boolean; processed_at: Date | null }>(
          'SELECT processed, processed_at FROM raw_events WHERE id = $1', [id]);
        assert.deepEqual(state, { processed: false, processed_at: null }, 'but the newer payload stays pending');
        assert.deepEqual(await selectUnprocessedIds(db, 10, null), [id]);

        const next = await ingestRawEvents(db, {});
        assert.deepEqual([next.processed, next.updated], [1, 1]);
        assert.deepEqual((await db.query('SELECT title FROM events')).rows, [{ title: 'Changed Meanwhile' }]);
        assert.deepEqual(await selectUnprocessedIds(db, 10, null), []);
      } finally {
        await db.close();
      }
    });

    test('a bad record gets its error on its raw row; the others are ingested', async () => {
      const db = await openCatalogue(backend);
      try {
        const ids = await insertRaw(db, [
          { source: 'ticketmaster', externalId: CONCERT.id, data: ticketmaster() },
          { source: 'ticketmaster', externalId: 'no-name', data: { id: 'no-name', dates: { start: { dateTime: '2026-06-13T03:00:00Z' } } } },
          { source: 'nosuchsource', externalId: 'x', data: {} },
          { source: 'eventbrite', externalId: '812000000001', data: eventbrite() },
        ]);
        const missing = '00000000-0000-4000-8000-000000000000';
        const result = await ingestRawEvents(db, { ids: [...ids, missing] });
        assert.equal(result.inserted, 2);
        assert.equal(result.failed, 3);
        assert.deepEqual(result.errors.map((e) => e.rawEventId).sort(), [ids[1], ids[2], missing].sort());
        assert.match(result.errors.find((e) => e.rawEventId === ids[1])!.error, /ticketmaster record "no-name": missing field name/);
        assert.match(result.errors.find((e) => e.rawEventId === missing)!.error, /raw event not found/);
        const { rows } = await db.query<{ id: string; processed: boolean; processed_at: Date | null; error: string | null }>(
          'SELECT id, processed, processed_at, error FROM raw_events');
        const bad = rows.find((r) => r.id === ids[1])!;
        assert.equal(bad.processed, false, 'a failed raw event stays unprocessed');
        assert.ok(bad.processed_at, 'but records when it was tried');
        assert.match(bad.error!, /missing field name/);
        assert.match(rows.find((r) => r.id === ids[2])!.error!, /unknown source "nosuchsource"/);
        for (const id of [ids[0], ids[3]]) assert.equal(rows.find((r) => r.id === id)!.error, null);
        // The default selection does not pick failed rows again.
        const next = await ingestRawEvents(db, {});
        assert.equal(next.processed, 0);
      } finally {
        await db.close();
      }
    });

    test('a record the database refuses fails alone (the batch is halved until it is found)', async () => {
      const db = await openCatalogue(backend);
      try {
        const rows = Array.from({ length: 7 }, (_, i) => ({
          source: 'ticketmaster', externalId: `tm-${i}`, data: ticketmaster({ ...CONCERT, id: `tm-${i}`, title: `Show ${i}` }),
        }));
        const ids = await insertRaw(db, rows);
        // Stands in for a value the database rejects: any batch holding "Show 4" fails as a data error.
        const refusing: Queryable = {
          async query(text, params) {
            // batches travel as one JSON array per column: the titles are one parameter
            const titles = params?.find((p) => typeof p === 'string' && p.startsWith('[') && p.includes('"Show 4"'));
            if (titles && text.includes('INSERT INTO event_sources')) throw Object.assign(new Error('invalid input syntax'), { code: '22P02' });
            return db.query(text, params);
          },
        };
        const result = await ingestRawEvents(refusing, { ids });
        assert.equal(result.inserted, 6);
        assert.equal(result.failed, 1);
        assert.equal(result.errors[0]!.rawEventId, ids[4]);
        assert.match(result.errors[0]!.error, /database rejected ticketmaster record "tm-4": invalid input syntax/);
        const { rows: raw } = await db.query<{ error: string | null }>('SELECT error FROM raw_events WHERE id = $1', [ids[4]]);
        assert.match(raw[0]!.error!, /database rejected/);
      } finally {
        await db.close();
      }
    });

    test('values a normalizer lets through but storage cannot hold are cleaned or refused per record', async () => {
      const db = await openCatalogue(backend);
      try {
        const ids = await insertRaw(db, [
          { source: 'ticketmaster', externalId: 'nul', data: { ...ticketmaster({ ...CONCERT, id: 'nul', title: 'Priced Show' }), priceRanges: [{ type: 'standard', currency: 'USD', min: 1e13, max: 10.006 }] } },
          { source: 'ticketmaster', externalId: 'far', data: ticketmaster({ ...CONCERT, id: 'far', local: '0999-06-12T20:00:00', utc: '0999-06-13T03:00:00Z' }) },
        ]);
        const result = await ingestRawEvents(db, { ids });
        assert.equal(result.inserted, 1);
        assert.equal(result.failed, 1);
        assert.match(result.errors[0]!.error, /ticketmaster record "far": startsAt out of range/);
        const { rows } = await db.query<{ title: string; price_min: unknown; price_max: unknown }>('SELECT title, price_min, price_max FROM events');
        assert.equal(rows[0]!.title, 'Priced Show');
        assert.equal(Number(rows[0]!.price_min), 10.01, 'prices are kept in cents');
        assert.equal(rows[0]!.price_max, null, 'a price beyond NUMERIC(12,2) is dropped');
        assert.equal((await ingestRawEvents(db, { ids })).unchanged, 1, 'rounded prices compare equal on the next run');
      } finally {
        await db.close();
      }
    });
  });
}
