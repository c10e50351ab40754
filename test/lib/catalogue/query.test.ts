import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../../src/lib/db/types.js';
import { ValidationError } from '../../../src/lib/errors.js';
import { queryEvents, type EventQueryInput } from '../../../src/lib/catalogue/query.js';
import { ingestRawEvents } from '../../../src/lib/catalogue/ingest.js';
import { dedupeCatalogue } from '../../../src/lib/catalogue/dedupe/run.js';
import { CONCERT, eventbrite, jsonld, ticketmaster } from '../../fixtures/catalogue/concert.js';
import { backends, closeTestDatabases } from '../../helpers/db.js';
import { FROM_2026, insertRaw, openCatalogue } from './helpers.js';

after(closeTestDatabases);

const FILLMORE = { lat: 37.784, lng: -122.433 };

interface Listing {
  id: string;
  title: string;
  utc: string;
  venue: string;
  lat: number;
  lng: number;
  segment?: string;
  genre?: string;
}

const LISTINGS: Listing[] = [
  { id: 'cobbs', title: 'Comedy Night 100% Fun', utc: '2026-06-14T03:00:00Z', venue: "Cobb's Comedy Club", lat: 37.8037, lng: -122.4149, segment: 'Arts & Theatre', genre: 'Comedy' },
  { id: 'yoshis', title: 'Oakland Jazz Evening', utc: '2026-06-15T03:00:00Z', venue: "Yoshi's Oakland", lat: 37.7956, lng: -122.2789 },
  { id: 'sanjose', title: 'San Jose Street Fair', utc: '2026-06-16T19:00:00Z', venue: 'SAP Center', lat: 37.3327, lng: -121.901 },
  { id: 'under', title: 'Under_score Party', utc: '2026-07-01T03:00:00Z', venue: 'The Fillmore', lat: FILLMORE.lat, lng: FILLMORE.lng },
  // Same start: the page order falls back to the id.
  { id: 'twin-a', title: 'Twin Bill A', utc: '2026-07-02T03:00:00Z', venue: 'The Fillmore', lat: FILLMORE.lat, lng: FILLMORE.lng },
  { id: 'twin-b', title: 'Twin Bill B', utc: '2026-07-02T03:00:00Z', venue: 'The Fillmore', lat: FILLMORE.lat, lng: FILLMORE.lng },
  ...Array.from({ length: 6 }, (_, i) => ({
    id: `series-${i}`, title: `Residency Night ${i + 1}`, utc: `2026-08-0${i + 1}T03:00:00Z`, venue: 'The Fillmore', lat: FILLMORE.lat, lng: FILLMORE.lng,
  })),
];

function listing(l: Listing): Record<string, unknown> {
  const data = ticketmaster({ ...CONCERT, id: l.id, title: l.title, utc: l.utc, local: '2026-01-01T00:00:00' }) as any;
  data.dates.start = { dateTime: l.utc };
  data._embedded.venues[0] = { ...data._embedded.venues[0], name: l.venue, location: { latitude: String(l.lat), longitude: String(l.lng) } };
  data.classifications = [{ primary: true, segment: { name: l.segment ?? 'Music' }, genre: { name: l.genre ?? 'Rock' } }];
  return data;
}

async function seed(db: Database): Promise<void> {
  const ids = await insertRaw(db, [
    { source: 'ticketmaster', externalId: CONCERT.id, data: ticketmaster(), discoveredAt: new Date('2026-05-01T00:00:00Z') },
    { source: 'eventbrite', externalId: '812000000001', data: eventbrite() },
    { source: 'jsonld', externalId: 'https://thefillmore.example/events/phoebe-bridgers', data: jsonld() },
    ...LISTINGS.map((l) => ({ source: 'ticketmaster', externalId: l.id, data: listing(l) })),
  ]);
  await ingestRawEvents(db, { ids });
  await dedupeCatalogue(db, { from: FROM_2026 });
}

const titles = (page: { events: Array<{ title: string }> }) => page.events.map((e) => e.title);

async function rejects(db: Database, input: unknown, field: RegExp): Promise<void> {
  await assert.rejects(queryEvents(db, input as EventQueryInput), (err: unknown) => {
    assert.ok(err instanceof ValidationError, String(err));
    assert.match(err.message, field);
    return true;
  });
}

for (const backend of backends()) {
  describe(`text search without a place on ${backend.name}`, () => {
    test('the exact check runs on the ordered candidates: rejected ones ahead of the matches never shorten a page', async () => {
      const db = await openCatalogue(backend);
      try {
        // The words index takes all eight for `jazz!` (its word is jazz); only the last three hold "jazz!".
        for (let day = 1; day <= 8; day++) {
          const title = day <= 5 ? `Jazz Night ${day}` : `Jazz! Night ${day}`;
          await db.query(`INSERT INTO events (title, starts_at, timezone, search_text) VALUES ($1, $2, 'UTC', lower($1))`,
            [title, new Date(Date.UTC(2026, 6, day, 20))]);
        }
        const first = await queryEvents(db, { q: 'JAZZ!', limit: 2 });
        assert.deepEqual(titles(first), ['Jazz! Night 6', 'Jazz! Night 7']);
        assert.ok(first.nextCursor);
        const second = await queryEvents(db, { q: 'JAZZ!', limit: 2, cursor: first.nextCursor });
        assert.deepEqual(titles(second), ['Jazz! Night 8']);
        assert.equal(second.nextCursor, null);
        // By relevance too (the same deferred check, another order).
        const byRelevance = await queryEvents(db, { q: 'jazz!', sort: 'relevance', limit: 10 });
        assert.deepEqual(titles(byRelevance).sort(), ['Jazz! Night 6', 'Jazz! Night 7', 'Jazz! Night 8']);
        assert.deepEqual(titles(await queryEvents(db, { q: 'jaz nig', limit: 3 })), ['Jazz Night 1', 'Jazz Night 2', 'Jazz Night 3']);
        // Words longer than the index keeps (20 characters) must still start a word of the event:
        // the second title holds the query word only inside another word.
        for (const [day, title] of [[10, 'Weihnachtsmarktbesucherabend'], [11, 'Weihnachtsmarktbesucherinnen Xweihnachtsmarktbesucherabend']] as const) {
          await db.query(`INSERT INTO events (title, starts_at, timezone, search_text) VALUES ($1, $2, 'UTC', lower($1))`,
            [title, new Date(Date.UTC(2026, 6, day, 20))]);
        }
        assert.deepEqual(titles(await queryEvents(db, { q: 'weihnachtsmarktbesucherab' })), ['Weihnachtsmarktbesucherabend']);
        assert.deepEqual(titles(await queryEvents(db, { q: 'weihnachtsmarktbesucher' })),
          ['Weihnachtsmarktbesucherabend', 'Weihnachtsmarktbesucherinnen Xweihnachtsmarktbesucherabend']);
      } finally {
        await db.close();
      }
    });
  });

  describe(`text near a point on ${backend.name}`, () => {
    test('words mean what they mean without a place, over a few weeks (week keys) or a longer window alike', async () => {
      const db = await openCatalogue(backend);
      try {
        // Around the Fillmore, within one week; one far away with the same words.
        const titlesAt: Array<[string, number, number]> = [
          ['Jazz Night', 0, 0], ['Café Jazz', 0.01, 0], ['Acidjazz Evening', 0, 0.01], ['Jazz Brunch Far Away', 1.5, 0],
          ['Weihnachtsmarktbesucherabend', 0.02, 0], ['Weihnachtsmarktbesucherinnen Xweihnachtsmarktbesucherabend', 0, 0.02],
        ];
        for (const [i, [title, dLat, dLng]] of titlesAt.entries()) {
          await db.query(
            `INSERT INTO events (title, starts_at, timezone, search_text, latitude, longitude) VALUES ($1, $2, 'UTC', lower($1), $3::float8, $4::float8)`,
            [title, new Date(Date.UTC(2026, 6, 6 + i, 20)), FILLMORE.lat + dLat, FILLMORE.lng + dLng]);
        }
        const near = { lat: FILLMORE.lat, lng: FILLMORE.lng, radius_km: 10 };
        const week = { from: '2026-07-05T00:00:00Z', to: '2026-07-12T23:59:59Z' };
        // Each query word must start a word of the event and occur in its text: 'azz' is inside
        // a word only; a word longer than the index keeps (20 characters) is checked whole.
        const cases: Array<[string, string[]]> = [
          ['jazz', ['Jazz Night', 'Café Jazz']],
          ['azz', []],
          ['cafe JAZZ', ['Café Jazz']],
          ['weihnachtsmarktbesucherab', ['Weihnachtsmarktbesucherabend']],
          ['weihnachtsmarktbesucher', ['Weihnachtsmarktbesucherabend', 'Weihnachtsmarktbesucherinnen Xweihnachtsmarktbesucherabend']],
        ];
        for (const [q, expected] of cases) {
          // A week (the week keys index), an open window and a window of months (the place's rows, checked).
          assert.deepEqual(titles(await queryEvents(db, { ...near, ...week, q })), expected, `${q}, a week`);
          assert.deepEqual(titles(await queryEvents(db, { ...near, from: week.from, q })), expected, `${q}, from only`);
          assert.deepEqual(titles(await queryEvents(db, { ...near, from: '2026-05-01', to: '2026-09-30', q })), expected, `${q}, five months`);
          // Without the place: the same words, and the far one too.
          const anywhere = titles(await queryEvents(db, { ...week, q }));
          assert.deepEqual(anywhere.filter((t) => !t.includes('Far Away')), expected, `${q}, no place`);
        }
      } finally {
        await db.close();
      }
    });
  });

  describe(`queryEvents on ${backend.name}`, () => {
    let db: Database;
    before(async () => {
      db = await openCatalogue(backend);
      await seed(db);
    });
    after(() => db.close());

    test('lists visible events in start order with their sources; merged-away rows never appear', async () => {
      const page = await queryEvents(db, { limit: 200 });
      assert.equal(page.nextCursor, null);
      assert.equal(page.events.length, 1 + LISTINGS.length, 'the concert from three sources counts once');
      const concert = page.events[0]!;
      assert.equal(concert.title, 'Phoebe Bridgers');
      assert.deepEqual(concert.sources.map((s) => s.source), ['eventbrite', 'jsonld', 'ticketmaster']);
      assert.ok(concert.mergeScore! > 0.8);
      const starts = page.events.map((e) => e.startsAt);
      assert.deepEqual(starts, [...starts].sort());
      assert.deepEqual(titles(page).slice(5, 7), ['Twin Bill A', 'Twin Bill B'].sort((a, b) => {
        const id = (t: string) => page.events.find((e) => e.title === t)!.id;
        return id(a) < id(b) ? -1 : 1;
      }));
    });

    test('radius: a bounding-box prefilter, then exact distance', async () => {
      const near = await queryEvents(db, { ...FILLMORE, radius_km: 5, to: '2026-06-30T00:00:00Z' });
      assert.deepEqual(titles(near), ['Phoebe Bridgers', 'Comedy Night 100% Fun']);
      assert.ok(near.events[1]!.distanceKm! > 2 && near.events[1]!.distanceKm! < 3.5);
      const wider = await queryEvents(db, { lat: String(FILLMORE.lat), lng: String(FILLMORE.lng), radius_km: '20', to: '2026-06-30T00:00:00Z' });
      assert.deepEqual(titles(wider), ['Phoebe Bridgers', 'Comedy Night 100% Fun', 'Oakland Jazz Evening']);
      const sanJose = await queryEvents(db, { lat: 37.3382, lng: -121.8863, radius_km: 3 });
      assert.deepEqual(titles(sanJose), ['San Jose Street Fair']);
    });

    test('time window, category and text search', async () => {
      const window = await queryEvents(db, { from: '2026-06-14T00:00:00Z', to: '2026-06-15T23:59:59Z' });
      assert.deepEqual(titles(window), ['Comedy Night 100% Fun', 'Oakland Jazz Evening']);
      assert.deepEqual(titles(await queryEvents(db, { category: 'comedy' })), ['Comedy Night 100% Fun']);
      assert.deepEqual(titles(await queryEvents(db, { q: 'COMEDY' })), ['Comedy Night 100% Fun']);
      assert.deepEqual(titles(await queryEvents(db, { q: 'oakland jazz' })), ['Oakland Jazz Evening']);
      // Venue and city are searched too.
      assert.equal((await queryEvents(db, { q: 'fillmore', limit: 200 })).events.length, 10);
      // The user's wildcards are matched literally.
      assert.deepEqual(titles(await queryEvents(db, { q: '100%' })), ['Comedy Night 100% Fun']);
      assert.deepEqual(titles(await queryEvents(db, { q: 'under_score' })), ['Under_score Party']);
      assert.deepEqual(titles(await queryEvents(db, { q: 'under%score' })), [], 'a % in the query is not a wildcard');
      assert.deepEqual(titles(await queryEvents(db, { q: 'unde_score' })), [], 'nor is a _');
      // Punctuation alone has no words to look up: named, not read through every event.
      for (const q of ['%', '_', ' -- ', '!?']) await assert.rejects(queryEvents(db, { q }), /q: must hold a letter or a digit/);
      assert.deepEqual(titles(await queryEvents(db, { q: 'residency', category: 'music', from: '2026-08-03T00:00:00Z', limit: 2 })),
        ['Residency Night 3', 'Residency Night 4']);
    });

    test('cursor pagination walks every event once, in order', async () => {
      const all = (await queryEvents(db, { limit: 200 })).events.map((e) => e.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await queryEvents(db, { limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.events.map((e) => e.id));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      assert.deepEqual(seen, all);
      assert.equal(pages, Math.ceil(all.length / 3));
      // Filters combine with the cursor.
      const first = await queryEvents(db, { q: 'residency', limit: 4 });
      const second = await queryEvents(db, { q: 'residency', limit: 4, cursor: first.nextCursor! });
      assert.deepEqual([...titles(first), ...titles(second)], Array.from({ length: 6 }, (_, i) => `Residency Night ${i + 1}`));
      assert.equal(second.nextCursor, null);
    });

    test('bad input is a ValidationError naming the field', async () => {
      await rejects(db, { lat: 37.7 }, /^lng: lat and lng must be given together/);
      await rejects(db, { lat: 91, lng: 0 }, /^lat: must be at most 90/);
      await rejects(db, { lng: 'east', lat: 1 }, /^lng: must be a number/);
      await rejects(db, { radius_km: 5 }, /^radius_km: needs lat and lng/);
      await rejects(db, { category: 'opera' }, /^category: must be one of music, sports, arts-theatre/);
      await rejects(db, { limit: 0 }, /^limit: must be at least 1/);
      await rejects(db, { limit: 201 }, /^limit: must be at most 200/);
      await rejects(db, { limit: 2.5 }, /^limit: must be an integer/);
      await rejects(db, { from: 'yesterday' }, /^from: must be an ISO 8601/);
      await rejects(db, { from: '2026-07-01T00:00:00Z', to: '2026-06-01T00:00:00Z' }, /^from: must not be after to/);
      await rejects(db, { q: '   ' }, /^q: must not be empty/);
      await rejects(db, { cursor: 'bm9wZQ' }, /^cursor: not a cursor returned by this API/);
      await rejects(db, { sort: 'title' }, /^sort: must be one of start, distance, relevance/);
      await rejects(db, { order: 'title' }, /^order: unknown field/);
    });
  });
}
