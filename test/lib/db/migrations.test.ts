import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { openDatabase } from '../../../src/lib/db/connect.js';
import { loadMigrations, Migrator, runsWithoutTransaction, splitStatements } from '../../../src/lib/db/migrator.js';
import type { Queryable } from '../../../src/lib/db/types.js';
import { selectUnprocessedIds } from '../../../src/lib/db/queries/catalogue-ingest.js';
import { rawEventActivity, unprocessedBySource, upsertRawEvents } from '../../../src/lib/db/queries/raw-events.js';
import { ingestRawEvents } from '../../../src/lib/catalogue/ingest.js';
import { storableRow } from '../../../src/lib/catalogue/records.js';
import { normalizeRawEvent } from '../../../src/lib/normalize/index.js';
import { backends, closeTestDatabases } from '../../helpers/db.js';
import { fixture, insertCity, insertRaw, openCatalogue } from '../catalogue/helpers.js';

after(closeTestDatabases);

for (const backend of backends()) {
  describe(`schema migrations on ${backend.name}`, () => {
    test('version 3 moves each stored JSONB record into typed columns, equal to what ingestion now writes', async () => {
      const db = await backend.open();
      try {
        await new Migrator(db, loadMigrations().filter((m) => m.version <= 2)).migrate();
        await insertCity(db);
        const data = fixture('eventbrite', 'jazz-wine');
        const seen = new Date('2026-05-01T12:00:00.000Z');
        const [rawId] = await insertRaw(db, [{ source: 'eventbrite', externalId: 'eb-1', data, discoveredAt: seen, lastSeenAt: seen }]);
        // A catalogue row as version 2 wrote it: the normalized event as JSON, instants as ISO text.
        const event = { ...normalizeRawEvent('eventbrite', data, { timezone: 'America/Los_Angeles', cityName: 'San Francisco' }), externalId: 'eb-1' };
        const row = storableRow(event);
        const id = randomUUID();
        const names = Object.keys(row);
        await db.query(
          `INSERT INTO events (id, ${names.join(', ')}, city_id, first_seen_at, last_seen_at)
           VALUES ($1, ${names.map((_, k) => `$${k + 2}`).join(', ')}, 'sf', $${names.length + 2}, $${names.length + 2})`,
          [id, ...Object.values(row), seen],
        );
        await db.query(
          `INSERT INTO event_sources (event_id, origin_event_id, source, external_id, url, raw_event_id, status,
                                      first_seen_at, last_seen_at, city_id, starts_at, record)
           VALUES ($1, $1, 'eventbrite', 'eb-1', $2, $3, $4, $5, $5, 'sf', $6, $7::jsonb)`,
          [id, event.url, rawId, event.status, seen, event.startsAt,
            JSON.stringify({ ...event, startsAt: event.startsAt.toISOString(), endsAt: event.endsAt?.toISOString() ?? null })],
        );
        await db.query('UPDATE raw_events SET processed = TRUE, processed_at = now()');

        assert.deepEqual(await new Migrator(db, loadMigrations().filter((m) => m.version <= 3)).migrate(), ['0003_source_fields.sql']);
        const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM event_sources');
        assert.equal(rows.length, 1);
        const stored = rows[0]!;
        assert.equal('record' in stored, false, 'the JSONB column is gone');
        // The fixture's values (test/fixtures/normalize/eventbrite/jazz-wine.json), read in San Francisco.
        assert.equal(stored.title, "Jazz & Wine Night at L'Atelier");
        assert.equal((stored.ends_at as Date).toISOString(), '2026-03-01T06:00:00.000Z');
        assert.equal(stored.venue_name, "L'Atelier Café");
        assert.equal(Number(stored.latitude), 37.7486285);
        assert.equal(Number(stored.price_min), 25);

        // The migrated fields are the values ingestion writes: re-ingesting the same payload
        // (on the current schema) finds nothing changed.
        await new Migrator(db).migrate();
        const again = await ingestRawEvents(db, { ids: [rawId!] });
        assert.deepEqual([again.inserted, again.updated, again.unchanged, again.failed], [0, 0, 1, 0]);
      } finally {
        await db.close();
      }
    });

    test('version 4 checks event references per statement: no record names a missing event, no named event goes', async () => {
      const db = await openCatalogue(backend);
      try {
        const seen = new Date('2026-05-01T12:00:00.000Z');
        const data = fixture('eventbrite', 'jazz-wine');
        const [rawId] = await insertRaw(db, [{ source: 'eventbrite', externalId: 'eb-1', data, discoveredAt: seen, lastSeenAt: seen }]);
        // An event and its record written by one statement pass (the check runs after it).
        const first = await ingestRawEvents(db, { ids: [rawId!] });
        assert.equal(first.inserted, 1);
        const { rows: [held] } = await db.query<{ event_id: string }>('SELECT event_id FROM event_sources');
        const ghost = randomUUID();
        const refused = (what: RegExp) => (err: unknown) => {
          assert.equal((err as { code?: string }).code, '23503');
          assert.match((err as Error).message, what);
          return true;
        };
        await assert.rejects(
          db.query(`INSERT INTO event_sources (event_id, origin_event_id, source, external_id) VALUES ($1, $1, 'ics', 'x-1')`, [ghost]),
          refused(new RegExp(`event_sources.event_id ${ghost} names no event`)),
        );
        await assert.rejects(
          db.query('UPDATE event_sources SET event_id = $1', [ghost]),
          refused(/names no event/),
        );
        await assert.rejects(db.query('DELETE FROM events WHERE id = $1', [held!.event_id]), refused(/is named by event_sources and cannot be deleted/));
        await assert.rejects(db.query('UPDATE events SET id = $1 WHERE id = $2', [ghost, held!.event_id]), refused(/an event's id never changes/));
        // Nothing changed, and an event no record names can still go.
        assert.deepEqual((await db.query('SELECT event_id FROM event_sources')).rows, [held]);
        const loose = randomUUID();
        await db.query(`INSERT INTO events (id, title, starts_at, timezone) VALUES ($1, 'Loose', now(), 'UTC')`, [loose]);
        await db.query('DELETE FROM events WHERE id = $1', [loose]);
        assert.equal((await db.query('SELECT 1 FROM events WHERE id = $1', [loose])).rows.length, 0);
      } finally {
        await db.close();
      }
    });

    test('version 5 reads the discovery rates through a BRIN index, and they count what they say', async () => {
      const db = await openCatalogue(backend);
      try {
        const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);
        const data = fixture('eventbrite', 'jazz-wine');
        const [recent, earlier, older] = await insertRaw(db, [
          { source: 'eventbrite', externalId: 'a', data, discoveredAt: ago(10) },
          { source: 'eventbrite', externalId: 'b', data, discoveredAt: ago(150) },
          { source: 'eventbrite', externalId: 'c', data, discoveredAt: ago(170) },
          { source: 'eventbrite', externalId: 'd', data, discoveredAt: ago(30 * 60) },
        ]);
        const activity = await rawEventActivity(db);
        assert.equal(activity.discoveredLastHour, 1);
        const hours = (await db.query<{ hour: Date | string }>(
          `SELECT date_trunc('hour', discovered_at) AS hour FROM raw_events WHERE id = ANY($1::uuid[]) ORDER BY 1`, [[recent, earlier, older]])).rows;
        const expected = new Map<number, number>();
        for (const h of hours) expected.set(new Date(h.hour).getTime(), (expected.get(new Date(h.hour).getTime()) ?? 0) + 1);
        assert.deepEqual(activity.discoveredByHour, [...expected].map(([t, count]) => ({ hour: new Date(t), count })));
        // With sequential scans priced out, the count is served by the BRIN index (the B-tree
        // that ingestion paid for on every row it marked is gone).
        const plan = await db.transaction(async (tx) => {
          await tx.query('SET LOCAL enable_seqscan = off');
          const { rows } = await tx.query<Record<string, string>>(`EXPLAIN SELECT count(*) FROM raw_events WHERE discovered_at > now() - interval '1 hour'`);
          return rows.map((r) => Object.values(r)[0]).join('\n');
        });
        assert.match(plan, /Bitmap Index Scan on raw_events_discovered_brin/);
        const { rows: btrees } = await db.query(
          `SELECT indexname FROM pg_indexes WHERE tablename = 'raw_events' AND indexname IN ('raw_events_discovered_idx', 'raw_events_processed_at_idx')
              AND schemaname = current_schema()`);
        assert.deepEqual(btrees, []);
      } finally {
        await db.close();
      }
    });

    test('version 6 lists pending raw events in a backlog, so marking a raw row is a HOT update', async () => {
      const db = await openCatalogue(backend);
      try {
        const backlog = async () => (await db.query<{ raw_event_id: string }>(
          'SELECT raw_event_id FROM raw_event_backlog ORDER BY discovered_at, raw_event_id')).rows.map((r) => r.raw_event_id);
        const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);
        const good = fixture('eventbrite', 'jazz-wine');
        const [first, second, bad] = await insertRaw(db, [
          { source: 'eventbrite', externalId: 'a', data: good, discoveredAt: ago(30) },
          { source: 'eventbrite', externalId: 'b', data: good, discoveredAt: ago(20) },
          { source: 'eventbrite', externalId: 'c', data: { id: 'c' }, discoveredAt: ago(10) },
        ]);
        // Inserted pending: listed, oldest first.
        assert.deepEqual(await backlog(), [first, second, bad]);
        assert.deepEqual(await selectUnprocessedIds(db, 10, 'eventbrite'), [first, second, bad]);
        assert.deepEqual(await selectUnprocessedIds(db, 10, 'yelp'), []);

        // Marking removes each row from the backlog, whether it was ingested or refused, and on
        // Postgres every mark is a HOT update (no index of raw_events reads what a mark sets).
        const { result, hot } = await db.transaction(async (tx) => {
          const result = await ingestRawEvents(tx, { source: 'eventbrite' });
          const { rows } = await tx.query<{ upd: number; hot: number }>(
            `SELECT n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_xact_user_tables
              WHERE relname = 'raw_events' AND schemaname = current_schema()`);
          return { result, hot: rows[0] };
        });
        assert.deepEqual([result.processed, result.inserted, result.failed], [3, 2, 1]);
        assert.deepEqual(await backlog(), []);
        if (backend.name === 'postgres') assert.deepEqual([Number(hot!.upd), Number(hot!.hot)], [3, 3]);
        const { rows: indexes } = await db.query<{ indexdef: string }>(
          `SELECT indexdef FROM pg_indexes WHERE tablename = 'raw_events' AND schemaname = current_schema()`);
        for (const { indexdef } of indexes) assert.doesNotMatch(indexdef, /processed|error/, indexdef);

        // A refused row stays out until discovery stores a changed payload; discovery's new
        // rows come in; a row reset by hand comes back; a row marked by hand is skipped
        // although its entry is still listed.
        assert.deepEqual(await selectUnprocessedIds(db, 10, null), []);
        assert.deepEqual(await upsertRawEvents(db, 'eventbrite', 'sf', [{ externalId: 'c', data: good }, { externalId: 'd', data: good }]),
          { new: 1, changed: 1, unchanged: 0 });
        const [fresh] = (await db.query<{ id: string }>(`SELECT id FROM raw_events WHERE external_id = 'd'`)).rows.map((r) => r.id);
        await db.query('UPDATE raw_events SET processed = FALSE, processed_at = NULL WHERE id = $1', [first]);
        assert.deepEqual(new Set(await backlog()), new Set([first, bad, fresh]));
        await db.query('UPDATE raw_events SET processed = TRUE, processed_at = now() WHERE id = $1', [first]);
        assert.deepEqual(await selectUnprocessedIds(db, 10, null), [bad, fresh]);
        assert.deepEqual(await unprocessedBySource(db, 10), new Map([['eventbrite', [bad, fresh]]]));
        // Per source, oldest first, at most the limit; a source with only marked entries is left out.
        const [yelpOld, yelpNew, icsOnly] = await insertRaw(db, [
          { source: 'yelp', externalId: 'y-1', data: good, discoveredAt: ago(50) },
          { source: 'yelp', externalId: 'y-2', data: good, discoveredAt: ago(40) },
          { source: 'ics', externalId: 'i-1', data: good, discoveredAt: ago(45) },
        ]);
        assert.deepEqual(await unprocessedBySource(db, 1), new Map([['eventbrite', [bad]], ['ics', [icsOnly]], ['yelp', [yelpOld]]]));
        assert.deepEqual(await unprocessedBySource(db, 5, 'yelp'), new Map([['yelp', [yelpOld, yelpNew]]]));
        await db.query('UPDATE raw_events SET processed = TRUE WHERE id = $1', [icsOnly]);
        assert.deepEqual([...(await unprocessedBySource(db, 5)).keys()], ['eventbrite', 'yelp']);
      } finally {
        await db.close();
      }
    });

    test('version 6 runs the trigger functions on their own search_path: qualified writes from other sessions work', async () => {
      const db = await openCatalogue(backend);
      try {
        const [ingested] = await insertRaw(db, [{ source: 'eventbrite', externalId: 'a', data: fixture('eventbrite', 'jazz-wine') }]);
        await ingestRawEvents(db, { ids: [ingested!] });
        const { rows: [{ schema }] } = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
        // Sessions that do not look in the schema, as psql running qualified statements:
        const elsewhere = (write: (tx: Queryable) => Promise<unknown>) => db.transaction(async (tx) => {
          await tx.query('SET LOCAL search_path TO pg_catalog');
          await write(tx);
        });
        await elsewhere(async (tx) => {
          await tx.query(`INSERT INTO ${schema}.raw_events (source, external_id, data, discovered_at) VALUES ('yelp', 'y', '{}', now())`);
          await tx.query(`UPDATE ${schema}.raw_events SET processed = FALSE, processed_at = NULL WHERE id = $1`, [ingested]);
          await tx.query(`UPDATE ${schema}.event_sources SET url = url`);
        });
        // the reference check still runs, and finds the events table
        await assert.rejects(elsewhere((tx) => tx.query(`UPDATE ${schema}.event_sources SET event_id = gen_random_uuid()`)), /names no event/);
        const yelp = (await db.query<{ id: string }>(`SELECT id FROM raw_events WHERE external_id = 'y'`)).rows[0]!.id;
        assert.deepEqual(await unprocessedBySource(db, 10), new Map([['eventbrite', [ingested]], ['yelp', [yelp]]]));
      } finally {
        await db.close();
      }
    });

    test('version 6 counts the raw events ingested in the last hour from completed ingestion tasks', async () => {
      const db = await openCatalogue(backend);
      try {
        const attempt = (taskId: string, type: string, status: string, minutesAgo: number, result: unknown) => db.query(
          `INSERT INTO task_assignments (task_id, job_id, worker_id, task_type, parameters, status, completed_at, result)
           VALUES ($1, $2, 'w-1', $3, '{}'::jsonb, $4, now() - make_interval(mins => $5), $6::jsonb)`,
          [taskId, randomUUID(), type, status, minutesAgo, JSON.stringify(result)]);
        await attempt('i-1', 'ingestion', 'completed', 5, { processed: 40, failed: 2 });
        await attempt('i-2', 'ingestion', 'completed', 50, { processed: 7 });
        await attempt('i-3', 'ingestion', 'completed', 70, { processed: 1000 });
        await attempt('i-4', 'ingestion', 'failed', 5, null);
        await attempt('d-1', 'discovery', 'completed', 5, { processed: 99 });
        assert.equal((await rawEventActivity(db)).ingestedLastHour, 47);
      } finally {
        await db.close();
      }
    });

    test('versions 12–13 and 16–24 add the search indexes to a catalogue that has events, 13 and 16–24 outside a transaction', async () => {
      const db = await openDatabase(await backend.config());
      try {
        const before = loadMigrations().filter((m) => m.version < 12);
        await new Migrator(db, before).migrate();
        await insertCity(db);
        const seen = new Date('2026-05-01T12:00:00.000Z');
        const data = fixture('eventbrite', 'jazz-wine');
        const [rawId] = await insertRaw(db, [{ source: 'eventbrite', externalId: 'eb-1', data, discoveredAt: seen, lastSeenAt: seen }]);
        // Ingested by the version-11 schema: written as it was then (no city_ids column yet).
        await db.query(`INSERT INTO events (title, starts_at, timezone, city_id, search_text) VALUES ('Old Café Night', now(), 'UTC', 'sf', 'old café night')`);
        // …and an event lasting days, without coordinates.
        await db.query(`INSERT INTO events (title, starts_at, ends_at, timezone, city_id, search_text)
          VALUES ('Old Winter Fair', now() - interval '3 days', now() + interval '10 days', 'UTC', 'sf', 'old winter fair')`);

        const thirteen = loadMigrations().find((m) => m.version === 13)!;
        assert.equal(runsWithoutTransaction(thirteen), true);
        assert.ok(splitStatements(thirteen.sql).every((st) => /^CREATE INDEX CONCURRENTLY IF NOT EXISTS /.test(st)));
        // On Postgres CONCURRENTLY fails inside a transaction block: applying it proves it ran outside.
        for (const version of [16, 17, 18, 19, 20, 21, 22, 23, 24, 25]) assert.equal(runsWithoutTransaction(loadMigrations().find((m) => m.version === version)!), true);
        assert.deepEqual((await new Migrator(db).migrate()).filter((m) => m < '0014' || m >= '0016'),
          ['0012_search.sql', '0013_search_indexes.sql', '0016_search_prefixes.sql', '0017_search_week_keys.sql', '0018_drop_search_words_index.sql',
           '0019_search_category_span.sql', '0020_search_cell_starts.sql', '0021_search_long_span.sql', '0022_search_cell_starts_all.sql', '0023_search_long_during.sql', '0024_search_cell_starts_rows.sql',
           '0025_search_category_cells.sql']);
        assert.deepEqual(await new Migrator(db).migrate(), []);
        const { rows } = await db.query<{ name: string; valid: boolean }>(
          `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = 'events'::regclass
              AND c.relname IN ('events_span_gist', 'events_category_span_gist', 'events_category_cell_starts_idx', 'events_cell_starts_all_idx', 'events_cell_starts_rows_idx', 'events_search_words', 'events_long_ends_idx', 'events_long_during_gist', 'events_long_span_gist', 'events_search_prefixes', 'events_search_week_keys')
            ORDER BY 1`);
        // 0018 dropped the words index of 0013, which no query reads since 0016; 0024 replaced 0022's cell index.
        assert.deepEqual(rows, [
          { name: 'events_category_cell_starts_idx', valid: true }, { name: 'events_category_span_gist', valid: true }, { name: 'events_cell_starts_rows_idx', valid: true }, { name: 'events_long_during_gist', valid: true }, { name: 'events_long_ends_idx', valid: true }, { name: 'events_long_span_gist', valid: true }, { name: 'events_search_prefixes', valid: true }, { name: 'events_search_week_keys', valid: true },
          { name: 'events_span_gist', valid: true },
        ]);
        // The old row is found with the new search, accents and all, without being rewritten.
        const { rows: found } = await db.query<{ title: string }>(
          `SELECT title FROM events WHERE to_tsvector('simple'::regconfig, search_fold(search_text)) @@ search_words_query('cafe')`);
        assert.deepEqual(found.map((r) => r.title), ['Old Café Night']);
        // …and through the prefixes index of 0016, by a word's beginning.
        const { rows: byPrefix } = await db.query<{ title: string }>(
          `SELECT title FROM events WHERE merged_into IS NULL AND search_prefixes(search_text) @> search_words('CAF nig')`);
        assert.deepEqual(byPrefix.map((r) => r.title), ['Old Café Night']);
        // …and through the week keys of 0017, in the week it starts in (and no other).
        const byWeek = async (offset: number) => (await db.query<{ title: string }>(
          `SELECT title FROM events WHERE merged_into IS NULL
              AND search_week_keys(search_text, starts_at) @> search_week_words('CAF nig', search_week(starts_at) + $1::int)`, [offset])).rows;
        assert.deepEqual((await byWeek(0)).map((r) => r.title), ['Old Café Night']);
        assert.deepEqual(await byWeek(1), []);
        // …and the one lasting days, on at an instant, through the R-tree of its time (0023).
        const { rows: onNow } = await db.query<{ title: string }>(
          `SELECT title FROM events WHERE merged_into IS NULL AND ends_at - starts_at > INTERVAL '1 day'
              AND tstzrange(starts_at, greatest(starts_at, ends_at), '[]') @> now()`);
        assert.deepEqual(onNow.map((r) => r.title), ['Old Winter Fair']);
        const again = await ingestRawEvents(db, { ids: [rawId!] });
        assert.equal(again.inserted, 1);
      } finally {
        await db.close();
      }
    });
  });
}
