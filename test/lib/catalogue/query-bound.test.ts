import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { selectEventPage, type Area, type EventPageFilter } from '../../../src/lib/db/queries/events.js';
import { CELL_READ_MIN_COVER } from '../../../src/lib/db/queries/events-reach.js';
import type { Database } from '../../../src/lib/db/types.js';
import { boundingBox, cellCover, geoCell, geoCells } from '../../../src/lib/geo.js';
import { backends, closeTestDatabases } from '../../helpers/db.js';
import { openCatalogue, walkPages } from './helpers.js';

after(closeTestDatabases);

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 2, 18);
const CENTRE = { lat: 48.2082, lng: 16.3738 };
const CATEGORIES = ['music', 'film', 'family'];
/** A limit above the number of events: one page holds every match. */
const ALL = 1000;

const area = (lat: number, lng: number, radiusKm: number): Area => ({ lat, lng, radiusKm, box: boundingBox(lat, lng, radiusKm) });

/**
 * Places around the centre: several sizes, unlocated events of one or two cities or none, a point
 * and a city's area together, and an area too wide for the cell index (the R-tree walk finds its
 * reach instead).
 */
const PLACES: ReadonlyArray<Pick<EventPageFilter, 'areas' | 'unlocatedCities'>> = [
  { areas: [area(CENTRE.lat, CENTRE.lng, 5)], unlocatedCities: [['vienna']] },
  { areas: [area(CENTRE.lat + 0.1, CENTRE.lng, 25)], unlocatedCities: [['vienna', 'bratislava']] },
  { areas: [area(CENTRE.lat, CENTRE.lng, 60)], unlocatedCities: [['bratislava']] },
  { areas: [area(CENTRE.lat, CENTRE.lng, 30)] },
  { areas: [area(CENTRE.lat + 0.05, CENTRE.lng + 0.05, 10), area(CENTRE.lat, CENTRE.lng, 30)], unlocatedCities: [['vienna'], ['vienna']] },
  { areas: [area(CENTRE.lat, CENTRE.lng, 150)], unlocatedCities: [['vienna']] },
];

/**
 * Events around one city centre over five weeks: points at 0–40 km, several starting at the same
 * instant (the id breaks the tie), some lasting weeks (on at a later `from`), some without
 * coordinates (placed at their city's centre, a few discovered by two cities); one in five cancelled.
 * Every page walked is a query, so the number of events is this file's time: 120 over five weeks
 * are as many a day as 240 over ten were, with as many ties per page, events starting at and
 * within a day before each `from` and at and after each `to`; one in 13 lasts weeks, so that
 * every place has some still on at a `from`.
 */
async function seed(db: Database): Promise<void> {
  const rows: unknown[][] = [];
  for (let i = 0; i < 120; i++) {
    const start = T0 + ((i * 7919) % 35) * DAY + (i % 3 === 0 ? 0 : (i % 7) * 3_600_000);
    const ends = i % 13 === 0 ? new Date(start + (2 + (i % 3)) * 7 * DAY).toISOString() : null;
    const km = (i * 37) % 41;
    const bearing = (i * 2.399) % (2 * Math.PI);
    const located = i % 11 !== 0;
    const lat = CENTRE.lat + (km / 111.2) * Math.cos(bearing);
    const lng = CENTRE.lng + (km / (111.2 * Math.cos((CENTRE.lat * Math.PI) / 180))) * Math.sin(bearing);
    rows.push([`Event ${i} ${i % 2 ? 'jazz' : 'quiz'}`, new Date(start).toISOString(), ends, CATEGORIES[i % 3], located ? lat : null, located ? lng : null,
      !located && i % 2 ? ['vienna', 'bratislava'] : ['vienna'], i % 5 === 0 ? 'cancelled' : 'scheduled']);
  }
  // One statement for the lot (a statement per row was a tenth of this file's time on PGlite).
  await db.query(
    `INSERT INTO events (title, starts_at, ends_at, timezone, search_text, category, latitude, longitude,
                         city_id, city_ids, city_latitude, city_longitude, status)
     SELECT r->>0, (r->>1)::timestamptz, (r->>2)::timestamptz, 'Europe/Vienna', lower(r->>0), r->>3, (r->>4)::float8, (r->>5)::float8,
            'vienna', ARRAY(SELECT jsonb_array_elements_text(r->6)), $2::float8, $3::float8, r->>7
       FROM jsonb_array_elements($1::jsonb) AS r`,
    [JSON.stringify(rows), CENTRE.lat, CENTRE.lng],
  );
}


for (const backend of backends()) {
  describe(`a place in start order, bounded by the page's reach, on ${backend.name}`, () => {
    let db: Database;
    before(async () => {
      db = await openCatalogue(backend);
      await seed(db);
    });
    after(() => db.close());

    test('every page equals the page of the unbounded query: ties, long events, events without coordinates', async () => {
      let compared = 0;
      const places = PLACES;
      assert.notEqual(geoCells(area(CENTRE.lat, CENTRE.lng, 60).box, 64), null);
      assert.equal(geoCells(area(CENTRE.lat, CENTRE.lng, 150).box, 64), null);
      const ranges = [{}, { from: new Date(T0 + 20 * DAY) }, { from: new Date(T0 + 10 * DAY), to: new Date(T0 + 17 * DAY) }];
      // The matches up to the reach are read from the cells and the long events' R-tree when the
      // circle covers enough of the cells (cellBound's cover of the smallest area), from the
      // other indexes otherwise. Each place is also walked the other way (cellRead forced on or
      // off), so both reads are compared at every size; an area with no cells (150 km) has one way.
      const cellReadByDefault = (place: (typeof places)[number]): boolean | null => {
        const smallest = [...place.areas!].sort((a, b) => a.radiusKm - b.radiusKm)[0]!;
        const cells = geoCells(smallest.box, 64);
        return cells === null ? null : cellCover(smallest.lat, smallest.radiusKm, cells.length) >= CELL_READ_MIN_COVER;
      };
      assert.deepEqual(places.map(cellReadByDefault), [false, true, true, true, false, null]);
      let forced = 0;
      for (const place of places) {
        for (const range of ranges) {
          // A filter on the row itself applies to the reach's count too (once is enough to show it).
          const rowFilter = place === places[2] ? [{ statuses: ['scheduled'] }] : [];
          // One category is written as an equality, several as `= ANY` (categoryCond): both.
          for (const extra of [{}, { categories: ['music'] }, { categories: ['music', 'family'] }, { wordPatterns: ['%jazz%'] }, ...rowFilter]) {
            // The unbounded query's pages, concatenated: its every match in one page.
            const plain = await walkPages(db, { ...place, ...range, ...extra, sort: 'start', startBound: false, limit: ALL });
            // Words leave the query unbounded (selectEventPage): both walks are then one query, and
            // its keyset pages need checking at one page size only, the smaller. Categories are
            // bounded through their cells (sql/0025), and unbounded where there are none (150 km).
            const unbounded = 'wordPatterns' in extra;
            for (const limit of unbounded ? [4] : [4, 11]) {
              const base: Omit<EventPageFilter, 'after'> = { ...place, ...range, ...extra, sort: 'start', limit };
              const bounded = await walkPages(db, base);
              assert.deepEqual(bounded, plain, `${JSON.stringify({ ...range, ...extra, radius: place.areas?.[0]?.radiusKm })} limit ${limit}`);
              compared += plain.length;
              // At the smaller page size only: the most page edges, for half the walks.
              const byDefault = cellReadByDefault(place);
              if ((Object.keys(extra).length === 0 || 'categories' in extra) && limit === 4 && byDefault !== null) {
                const other = await walkPages(db, { ...base, cellRead: !byDefault });
                assert.deepEqual(other, plain, `cellRead ${!byDefault}: ${JSON.stringify({ ...range, radius: place.areas?.[0]?.radiusKm })} limit ${limit}`);
                compared += plain.length;
                forced += plain.length;
              }
            }
          }
        }
      }
      assert.ok(compared > 2000, `compared ${compared} rows`);
      assert.ok(forced > 400, `compared ${forced} rows read the way the default does not`);
    });

    test('words near a point: the cells ANDed with the words\' keys (week keys, prefixes) give the pages that checking every event of the place gives', async () => {
      // Evening events of a few hours from Sunday into Monday: still on at a `from` early on
      // Monday, they started the week before (the week keys read the weeks from a day before `from`).
      const sunday = T0 + 6 * DAY + 4 * 3_600_000;
      await db.query(
        `INSERT INTO events (title, starts_at, ends_at, timezone, search_text, latitude, longitude, city_id, city_ids, city_latitude, city_longitude)
         SELECT t, $1::timestamptz, $2::timestamptz, 'Europe/Vienna', lower(t), lat, lng, 'vienna', ARRAY['vienna'], $3::float8, $4::float8
           FROM (VALUES ('Late Jazz Sunday', $3::float8 + 0.01, $4::float8), ('Sunday Jazz Unlocated', NULL, NULL)) AS v(t, lat, lng)`,
        [new Date(sunday).toISOString(), new Date(sunday + 4 * 3_600_000).toISOString(), CENTRE.lat, CENTRE.lng]);
      const monday = { from: new Date(sunday + 3 * 3_600_000), to: new Date(T0 + 13 * DAY) };
      assert.ok(Math.floor((monday.from.getTime() - Date.UTC(2000, 0, 3)) / (7 * DAY)) > Math.floor((sunday - Date.UTC(2000, 0, 3)) / (7 * DAY)), 'the events start the week before `from`');
      let compared = 0;
      let viaWeekKeys = 0;
      let viaPrefixes = 0;
      // The places of the test above; the widest has no cells: its rows are checked either way.
      const places = PLACES;
      // A day, a week across a week's edge, six weeks (the most the week keys read), longer, and
      // open at either end or both (the prefixes then).
      const ranges: Array<{ from?: Date; to?: Date }> = [
        monday,
        { from: new Date(T0 + 10 * DAY), to: new Date(T0 + 11 * DAY) },
        { from: new Date(T0 + 12 * DAY + 3_600_000), to: new Date(T0 + 19 * DAY) },
        { from: new Date(T0 + 20 * DAY), to: new Date(T0 + 55 * DAY) },
        { from: new Date(T0 - 5 * DAY), to: new Date(T0 + 60 * DAY) },
        { from: new Date(T0 + 20 * DAY) },
        { to: new Date(T0 + 30 * DAY) },
        {},
      ];
      const words = [
        { wordPatterns: ['%jazz%'], wordQuery: 'jazz' },
        { wordPatterns: ['%event%', '%qui%'], wordQuery: 'event qui' },
        { wordPatterns: ['%azz%'], wordQuery: 'azz' },
      ];
      for (const place of places) {
        for (const range of ranges) {
          for (const text of words) {
            for (const sort of ['start', 'distance', 'relevance'] as const) {
              const order = sort === 'start' ? {} : { distanceFrom: { lat: place.areas![0]!.lat, lng: place.areas![0]!.lng, cityDistances: [['vienna', 0] as const] }, text: text.wordQuery };
              const base = { ...place, ...range, ...text, ...order, sort, limit: ALL };
              const checked = await selectEventPage(db, { ...base, placedWordKeys: false });
              const read = await selectEventPage(db, base);
              assert.deepEqual(read, checked, `${JSON.stringify({ ...range, ...text, sort, radius: place.areas?.[0]?.radiusKm })}`);
              compared += checked.length;
              if (text.wordQuery === 'azz') assert.equal(checked.length, 0, 'a query word inside a word only matches nothing');
              if (sort === 'start') {
                // And page by page, at a small limit.
                assert.deepEqual(await walkPages(db, { ...place, ...range, ...text, sort, limit: 4 }), checked.map((r) => r.id));
                if (geoCells([...place.areas!].sort((a, b) => a.radiusKm - b.radiusKm)[0]!.box, 64) !== null) {
                  if (range.from && range.to && range.to.getTime() - range.from.getTime() < 40 * DAY) viaWeekKeys += checked.length;
                  else viaPrefixes += checked.length;
                }
              }
            }
          }
        }
      }
      const sundays = await selectEventPage(db, { ...places[0]!, ...monday, ...words[0]!, sort: 'start', limit: ALL });
      const { rows: sundayIds } = await db.query<{ id: string }>(`SELECT id FROM events WHERE title LIKE '%Sunday%' AND title LIKE '%Jazz%'`);
      assert.equal(sundayIds.length, 2);
      for (const { id } of sundayIds) assert.ok(sundays.some((r) => r.id === id), 'both Sunday events are on at `from`, near the centre');
      assert.ok(compared > 300, `compared ${compared} rows`);
      assert.ok(viaWeekKeys > 60, `${viaWeekKeys} rows read through the week keys`);
      assert.ok(viaPrefixes > 60, `${viaPrefixes} rows read through the prefixes`);
    });

    test('a page that starts with events still on at `from` still holds them', async () => {
      const from = new Date(T0 + 30 * DAY);
      const page = await selectEventPage(db, { areas: [area(CENTRE.lat, CENTRE.lng, 45)], unlocatedCities: [['vienna']], from, sort: 'start', limit: 3 });
      assert.equal(page.length, 3);
      assert.ok(new Date(page[0]!.starts_at).getTime() < from.getTime(), 'an event that started before `from` leads the page');
    });
  });

  describe(`grid cells, on ${backend.name}`, () => {
    let db: Database;
    before(async () => {
      db = await openCatalogue(backend);
    });
    after(() => db.close());

    test('geo_cell in SQL (sql/0020) and geoCell agree, at cell edges, poles and ±180°', async () => {
      const points: Array<[number, number]> = [
        [48.2082, 16.3738], [0, 0], [-0.0001, -0.0001], [0.25, 0.25], [0.2499999, 179.9999], [-33.8688, 151.2093],
        [40.7128, -74.006], [-90, -180], [90, 180], [89.99, -179.99], [-12.5, 180], [51.5, -0.125],
      ];
      for (const [lat, lng] of points) {
        const { rows } = await db.query<{ cell: number }>('SELECT geo_cell($1::float8, $2::float8) AS cell', [lat, lng]);
        assert.equal(Number(rows[0]!.cell), geoCell(lat, lng), `${lat}, ${lng}`);
      }
      // A box's cells hold every point inside it, across the antimeridian too.
      const box = boundingBox(-17.7, 179.9, 40);
      const cells = new Set(geoCells(box, 64));
      for (const [lat, lng] of [[-17.7, 179.9], [-17.9, -179.8], [-17.5, 179.7]] as const) assert.ok(cells.has(geoCell(lat, lng)), `${lat}, ${lng}`);
    });
  });
}
