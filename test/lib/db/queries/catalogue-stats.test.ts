/**
 * Per-city counts for the cities view, on PGlite and (with a test database) Postgres: events
 * (merged-away and past ones told apart), each source's records, and the last completed
 * discovery per source and per city.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { ingestRawEvents } from '../../../../src/lib/catalogue/ingest.js';
import { CITY_STATS_MAX_AGE_MS, cityStats, selectCityStats } from '../../../../src/lib/db/queries/catalogue-stats.js';
import type { Queryable } from '../../../../src/lib/db/types.js';
import { CONCERT, ticketmaster } from '../../../fixtures/catalogue/concert.js';
import { backends, closeTestDatabases } from '../../../helpers/db.js';
import { insertCity, insertRaw, openCatalogue } from '../../catalogue/helpers.js';

after(closeTestDatabases);

const OAKLAND = { id: 'oakland', name: 'Oakland', latitude: 37.8044, longitude: -122.2712, timezone: 'America/Los_Angeles' };
const EMPTY = { id: 'empty', name: 'Nowhere', latitude: 10, longitude: 10, timezone: 'UTC' };

function show(id: string, utc: string) {
  return ticketmaster({ ...CONCERT, id, title: `Show ${id}`, utc, local: '2026-01-01T00:00:00' });
}

async function discovery(db: Queryable, cityId: string, source: string, status: string, at: string): Promise<void> {
  await db.query(
    `INSERT INTO task_assignments (task_id, job_id, worker_id, task_type, parameters, status, assigned_at, completed_at)
     VALUES ($1, $2, 'w', 'discovery', $3::jsonb, $4, $5, $5)`,
    [`discovery-${cityId}-${source}-${at}`, randomUUID(), JSON.stringify({ cityId, source }), status, new Date(at)],
  );
}

for (const backend of backends()) {
  describe(`selectCityStats (${backend.name})`, () => {
    test('counts events, records and the last discovery per city and source', async () => {
      const db = await openCatalogue(backend);
      try {
        await insertCity(db, OAKLAND);
        await insertCity(db, EMPTY);
        const now = new Date('2026-06-20T00:00:00Z');
        const ids = await insertRaw(db, [
          { source: 'ticketmaster', externalId: 'past', data: show('past', '2026-06-01T03:00:00Z'), lastSeenAt: new Date('2026-06-10T00:00:00Z') },
          { source: 'ticketmaster', externalId: 'soon', data: show('soon', '2026-07-01T03:00:00Z'), lastSeenAt: new Date('2026-06-12T00:00:00Z') },
          { source: 'ticketmaster', externalId: 'oak', cityId: OAKLAND.id, data: show('oak', '2026-07-02T03:00:00Z') },
        ]);
        await ingestRawEvents(db, { ids });
        await discovery(db, 'sf', 'ticketmaster', 'completed', '2026-06-12T00:00:00Z');
        await discovery(db, 'sf', 'ics', 'completed', '2026-06-15T00:00:00Z');
        await discovery(db, 'sf', 'ics', 'failed', '2026-06-18T00:00:00Z');
        await discovery(db, 'sf', 'ics', 'completed', '2026-06-11T00:00:00Z');

        const stats = await selectCityStats(db, now);
        const byId = Object.fromEntries(stats.map((s) => [s.cityId, s]));
        assert.deepEqual(Object.keys(byId).sort(), ['empty', 'oakland', 'sf']);
        assert.deepEqual(byId.sf, {
          cityId: 'sf',
          events: 2,
          upcomingEvents: 1,
          lastDiscoveryAt: '2026-06-15T00:00:00.000Z',
          sources: [
            // A discovery that found nothing still counts as one.
            { source: 'ics', records: 0, lastSeenAt: null, lastDiscoveryAt: '2026-06-15T00:00:00.000Z' },
            { source: 'ticketmaster', records: 2, lastSeenAt: '2026-06-12T00:00:00.000Z', lastDiscoveryAt: '2026-06-12T00:00:00.000Z' },
          ],
        });
        assert.equal(byId.oakland!.events, 1);
        assert.equal(byId.oakland!.lastDiscoveryAt, null);
        assert.deepEqual(byId.empty, { cityId: 'empty', events: 0, upcomingEvents: 0, sources: [], lastDiscoveryAt: null });

        // A merged-away event is not counted.
        const { rows } = await db.query<{ id: string }>(`SELECT id FROM events WHERE city_id = 'sf' ORDER BY starts_at`);
        await db.query('UPDATE events SET merged_into = $2 WHERE id = $1', [rows[0]!.id, rows[1]!.id]);
        const after = (await selectCityStats(db, now)).find((s) => s.cityId === 'sf')!;
        assert.equal(after.events, 1);
        assert.equal(after.upcomingEvents, 1);
      } finally {
        await db.close();
      }
    });

    test('the cities view shares one reading of the counts, at most CITY_STATS_MAX_AGE_MS old', async () => {
      const db = await openCatalogue(backend);
      try {
        await insertCity(db, OAKLAND);
        // Counts the statements that reach the database through this handle.
        let statements = 0;
        let failNext = false;
        const handle: Queryable = {
          query(text, params) {
            statements++;
            if (failNext) {
              failNext = false;
              return Promise.reject(new Error('connection lost'));
            }
            return db.query(text, params);
          },
        };
        const [a, b] = await Promise.all([cityStats(handle), cityStats(handle)]);
        assert.equal(a, b, 'concurrent calls share one reading');
        const perReading = statements;
        assert.ok(perReading > 0);
        assert.ok(CITY_STATS_MAX_AGE_MS >= 1000);

        await insertCity(db, EMPTY);
        const kept = await cityStats(handle);
        assert.equal(statements, perReading, 'a repeated call within the age reads nothing');
        assert.deepEqual(kept.map((s) => s.cityId).sort(), ['oakland', 'sf']);
        const fresh = await cityStats(handle, { fresh: true });
        assert.equal(statements, 2 * perReading);
        assert.deepEqual(fresh.map((s) => s.cityId).sort(), ['empty', 'oakland', 'sf']);

        // A failed reading is not kept: the next call reads again.
        failNext = true;
        await assert.rejects(cityStats(handle, { fresh: true }), /connection lost/);
        const again = await cityStats(handle);
        assert.deepEqual(again.map((s) => s.cityId).sort(), ['empty', 'oakland', 'sf']);
      } finally {
        await db.close();
      }
    });
  });
}
