import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { selectEventPage, selectEventsByIds, type EventPageFilter } from '../../../src/lib/db/queries/events.js';
import { GENERIC_PLAN, type Database, type Queryable } from '../../../src/lib/db/types.js';
import { backends, closeTestDatabases } from '../../helpers/db.js';
import { openCatalogue, walkPages } from './helpers.js';

after(closeTestDatabases);

const DAY = 86_400_000;
/** A Monday: weeks of the keys index (sql/0017) start on Mondays at 00:00 UTC. */
const MONDAY = Date.UTC(2026, 2, 2);
const WORDS = ['Jazz', 'Brunch', 'Café', 'Quiz', 'Night', 'Market'];
/** A limit above the number of events: one page holds every match. */
const ALL = 1000;

/**
 * Events over 30 weeks: most titles hold two of six words, several share a start (the id breaks
 * the tie), some start on a week's first or last millisecond, some last weeks (still on at a
 * later `from`), and a rare word appears only in weeks 0, 14 and 29.
 */
async function seed(db: Database): Promise<void> {
  const rows: Array<[title: string, starts: Date, ends: Date | null]> = [];
  for (let i = 0; i < 150; i++) {
    const start = MONDAY + Math.floor((i * 7919) % 210) * DAY + (i % 5) * 3_600_000;
    const title = `${WORDS[i % 6]} ${WORDS[(i * 5 + 1) % 6]} ${i}`;
    rows.push([title, new Date(start), i % 17 === 0 ? new Date(start + (3 + (i % 4)) * 7 * DAY) : null]);
  }
  for (let w = 0; w < 30; w += 3) {
    rows.push([`Jazz Brunch edge ${w}`, new Date(MONDAY + w * 7 * DAY), null]);
    rows.push([`Jazz Brunch edge end ${w}`, new Date(MONDAY + (w + 1) * 7 * DAY - 1), null]);
    rows.push([`Jazz Brunch twin ${w}a`, new Date(MONDAY + w * 7 * DAY + 2 * DAY), null]);
    rows.push([`Jazz Brunch twin ${w}b`, new Date(MONDAY + w * 7 * DAY + 2 * DAY), null]);
  }
  for (const w of [0, 14, 29]) rows.push([`Zither Recital ${w}`, new Date(MONDAY + w * 7 * DAY + DAY), null]);
  // One statement for the lot (a statement per row was a tenth of this file's time on PGlite).
  await db.query(
    `INSERT INTO events (title, starts_at, ends_at, timezone, search_text)
     SELECT t, s, e, 'UTC', lower(t) FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS r(t, s, e)`,
    [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])]);
}


for (const backend of backends()) {
  describe(`text in start order, week by week, on ${backend.name}`, () => {
    let db: Database;
    before(async () => {
      db = await openCatalogue(backend);
      await seed(db);
    });
    after(() => db.close());

    test('pages read week by week are exactly the pages of the plain query, across many weeks', async () => {
      const week = (w: number) => new Date(MONDAY + w * 7 * DAY);
      let compared = 0;
      // `to` alone ends the walk inside its first weeks, or before them (the statement reads the
      // catalogue's first week itself and checks each part against `to`).
      const ranges = [{}, { from: new Date(week(11).getTime() + 3 * DAY) }, { from: week(2), to: new Date(week(20).getTime() - 1) }, { to: week(-1) },
        { to: new Date(week(2).getTime() + 3 * DAY) }, { to: week(6) }];
      for (const q of ['jazz brunch', 'JAZZ', 'caf', 'cafe night', 'zither', 'mark qu', 'nothing']) {
        const words = q.split(/\s+/);
        // Jazz and Brunch always come together (seed), so 'JAZZ' has the matches of 'jazz brunch',
        // which walks them over every range: what it adds is the query's case, over all weeks.
        for (const range of q === 'JAZZ' ? ranges.slice(0, 1) : ranges) {
          for (const limit of [3]) {
            const base: Omit<EventPageFilter, 'after'> = {
              ...range, wordPatterns: words.map((w) => `%${w.toLowerCase()}%`), wordQuery: q, text: q, sort: 'start', limit,
            };
            const byWeek = await walkPages(db, base);
            // The plain query's pages, concatenated: its every match in one page.
            const plain = await walkPages(db, { ...base, weekWalk: false, limit: ALL });
            assert.deepEqual(byWeek, plain, `${q} ${JSON.stringify(range)} limit ${limit}`);
            compared += plain.length;
          }
        }
      }
      assert.ok(compared > 250, `compared ${compared} rows`);
    });

    test('the walk crosses weeks without a match, reaches the plain query after its first weeks, and keeps long events on at `from`', async () => {
      const zither = await walkPages(db, { wordPatterns: ['%zither%'], wordQuery: 'zither', text: 'zither', sort: 'start', limit: 2 });
      assert.equal(zither.length, 3);
      const titles = async (ids: string[]) =>
        (await db.query<{ title: string }>('SELECT title FROM events WHERE id = ANY($1::uuid[]) ORDER BY starts_at, id', [ids])).rows.map((r) => r.title);
      assert.deepEqual(await titles(zither), ['Zither Recital 0', 'Zither Recital 14', 'Zither Recital 29']);
      // From week 12 on: an event lasting weeks that started in week 9 or 10 is still on and comes first.
      const from = new Date(MONDAY + 12 * 7 * DAY);
      const page = await selectEventPage(db, { from, wordPatterns: ['%jazz%'], wordQuery: 'jazz', text: 'jazz', sort: 'start', limit: 3 });
      assert.ok(new Date(page[0]!.starts_at).getTime() < from.getTime() - DAY, 'a long event that started before `from` leads the page');
      const [lead] = await selectEventsByIds(db, [page[0]!.id]);
      assert.ok(lead?.ends_at && new Date(lead.ends_at).getTime() >= from.getTime());
    });

    test('the walk and the split from `from` keep one plan whatever their values; other pages are planned for theirs', async () => {
      // The statements selectEventPage sends, through the real database.
      const sent: string[] = [];
      const recording: Queryable = { query: (text, params) => (sent.push(text), db.query(text, params)) };
      const pageStatement = async (f: EventPageFilter) => {
        sent.length = 0;
        await selectEventPage(recording, f);
        return sent.at(-1)!;
      };
      const since = new Date(MONDAY + 3 * DAY);
      const words = { wordPatterns: ['%jazz%'], wordQuery: 'jazz', text: 'jazz', sort: 'start' as const, limit: 3 };
      assert.ok((await pageStatement(words)).startsWith(GENERIC_PLAN), 'text walk');
      // Without `from` or a cursor, the walk reads where the catalogue starts in its own
      // statement: one round trip a page.
      assert.equal(sent.length, 1, 'one statement for a text page without `from`');
      assert.ok((await pageStatement({ ...words, updatedSince: since })).startsWith(GENERIC_PLAN), 'text walk with updated_since');
      assert.ok((await pageStatement({ from: new Date(MONDAY + 12 * 7 * DAY), sort: 'start', limit: 3 })).startsWith(GENERIC_PLAN), 'split from `from`');
      assert.ok(!(await pageStatement({ ...words, weekWalk: false })).startsWith(GENERIC_PLAN), 'plain text query');
      assert.ok(!(await pageStatement({ updatedSince: since, sort: 'start', limit: 3 })).startsWith(GENERIC_PLAN), 'updated_since alone');
      assert.ok(!(await pageStatement({ ...words, sources: ['ics'] })).startsWith(GENERIC_PLAN), 'a source filter');
      // And the one plan answers as the plain query does, with a row filter beside the words.
      const base: Omit<EventPageFilter, 'after'> = { ...words, updatedSince: since };
      const plain = await walkPages(db, { ...base, weekWalk: false, limit: ALL });
      assert.ok(plain.length > 20);
      assert.deepEqual(await walkPages(db, base), plain);
    });

    test('an empty catalogue and one whose events all merged away have no first week: text pages are empty', async () => {
      const empty = await openCatalogue(backend);
      try {
        const words = { wordPatterns: ['%jazz%'], wordQuery: 'jazz', text: 'jazz', sort: 'start' as const, limit: 3 };
        assert.deepEqual(await selectEventPage(empty, words), []);
        assert.deepEqual(await selectEventPage(empty, { ...words, to: new Date(MONDAY) }), []);
        await empty.query(`INSERT INTO events (title, starts_at, timezone, search_text) VALUES ('Jazz Night', $1, 'UTC', 'jazz night')`, [new Date(MONDAY)]);
        assert.equal((await selectEventPage(empty, words)).length, 1);
        await empty.query('UPDATE events SET merged_into = id');
        assert.deepEqual(await selectEventPage(empty, words), []);
      } finally {
        await empty.close();
      }
    });

    test('without words, from `from`: the events still on read apart give the pages of one walk of the start index', async () => {
      const week = (w: number) => new Date(MONDAY + w * 7 * DAY);
      let compared = 0;
      let ledByLong = 0;
      // A week's first instant, the middle of a day, and past the last event.
      for (const from of [week(9), new Date(week(12).getTime() + 3 * DAY + 5 * 3_600_000), week(16), week(40)]) {
        for (const range of [{}, { to: new Date(from.getTime() + 10 * DAY) }]) {
          for (const limit of [2, 5]) {
            const base: Omit<EventPageFilter, 'after'> = { from, ...range, sort: 'start', limit };
            const split = await walkPages(db, base);
            const plain = await walkPages(db, { ...base, splitFrom: false, limit: ALL });
            assert.deepEqual(split, plain, `${JSON.stringify({ from, ...range })} limit ${limit}`);
            compared += plain.length;
            const [first] = plain.length ? await selectEventsByIds(db, [plain[0]!]) : [];
            if (first && new Date(first.starts_at).getTime() < from.getTime() - DAY) ledByLong++;
          }
        }
      }
      assert.ok(compared > 400, `compared ${compared} rows`);
      assert.ok(ledByLong > 0, 'some pages begin with an event lasting weeks that started before `from`');
    });
  });
}
