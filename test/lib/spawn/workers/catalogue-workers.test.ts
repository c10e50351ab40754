import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import type { IngestResult } from '../../../../src/lib/catalogue/ingest.js';
import type { DedupeCatalogueResult } from '../../../../src/lib/catalogue/dedupe/run.js';
import type { SpawnController } from '../../../../src/lib/spawn/controller.js';
import { CONCERT, eventbrite, jsonld, ticketmaster } from '../../../fixtures/catalogue/concert.js';
import { assertNoneRunning, startController, stopController, waitFor } from '../../../helpers/controller.js';
import { backends, closeTestDatabases } from '../../../helpers/db.js';
import { fixture, insertCity, insertRaw } from '../../catalogue/helpers.js';

after(closeTestDatabases);
afterEach(assertNoneRunning);

type Done = { taskId: string; result?: unknown; workerId: string };
type Failed = { taskId: string; error: string; outcome: string };

const WORKERS = { workerTypes: { ingestion: { initialWorkers: 1 }, processing: { initialWorkers: 1 } } };

/** One fixture payload per source, from test/fixtures/normalize. */
const SAMPLES = [
  ['ticketmaster', 'sports-local-time'],
  ['eventbrite', 'jazz-wine'],
  ['jsonld', 'theatre-naive'],
  ['ics', 'recurring-cancelled'],
  ['yelp', 'festival-naive'],
] as const;

/** What each sample's event shows: naive local times are read in San Francisco's zone (America/Los_Angeles). */
const EXPECTED: Record<(typeof SAMPLES)[number][0], { title: string; starts_at: Date; status: string; category: string }> = {
  ticketmaster: { title: 'Chicago Bulls vs. Boston Celtics', starts_at: new Date('2026-06-13T01:00:00Z'), status: 'scheduled', category: 'sports' },
  eventbrite: { title: "Jazz & Wine Night at L'Atelier", starts_at: new Date('2026-03-01T03:00:00Z'), status: 'scheduled', category: 'music' },
  jsonld: { title: 'Hamlet', starts_at: new Date('2026-11-21T03:30:00Z'), status: 'rescheduled', category: 'arts-theatre' },
  ics: { title: 'Weekly Neighbourhood Meetup', starts_at: new Date('2026-05-08T18:00:00Z'), status: 'cancelled', category: 'community' },
  yelp: { title: 'Café Jazz Festival', starts_at: new Date('2026-07-05T01:00:00Z'), status: 'scheduled', category: 'music' },
};

async function run<R>(c: SpawnController, id: string, type: 'ingestion' | 'processing', parameters: Record<string, unknown>): Promise<R> {
  const done = waitFor<Done>(c, 'task:completed', (e) => e.taskId === id, 30_000);
  await c.distributeTask({ id, type, priority: 5, parameters });
  return (await done).result as R;
}

for (const backend of backends()) {
  describe(`catalogue workers on ${backend.name}`, () => {
    test('the IngestionWorker thread ingests one payload of every source end to end', async () => {
      const c = await startController(backend, WORKERS);
      try {
        await insertCity(c.db);
        const ids = await insertRaw(c.db, SAMPLES.map(([source, name]) => ({ source, externalId: `${source}-${name}`, data: fixture(source, name) })));
        const result = await run<IngestResult>(c, 'ingest-fixtures', 'ingestion', { eventIds: ids });
        assert.deepEqual(result, { source: null, processed: 5, inserted: 5, updated: 0, unchanged: 0, failed: 0, errors: [], cityIds: ['sf'] });
        for (const [source, name] of SAMPLES) {
          const { rows } = await c.db.query<{ title: string; starts_at: Date; status: string; category: string }>(
            `SELECT e.title, e.starts_at, e.status, e.category FROM event_sources es JOIN events e ON e.id = es.event_id
              WHERE es.source = $1 AND es.external_id = $2`, [source, `${source}-${name}`]);
          assert.deepEqual(rows[0], EXPECTED[source], source);
        }
        // The same task again: nothing changes.
        const again = await run<IngestResult>(c, 'ingest-fixtures-again', 'ingestion', { eventIds: ids, source: 'mixed' });
        assert.equal(again.unchanged, 5);
        assert.equal(again.inserted + again.updated, 0);
      } finally {
        await stopController(c);
      }
    });

    test('ingestion takes unprocessed raw events by default; processing merges them; a bad record fails alone', async () => {
      const c = await startController(backend, WORKERS);
      try {
        await insertCity(c.db);
        const [, bad] = await insertRaw(c.db, [
          { source: 'ticketmaster', externalId: CONCERT.id, data: ticketmaster(), discoveredAt: new Date('2026-05-01T00:00:00Z') },
          { source: 'ticketmaster', externalId: 'broken', data: { id: 'broken', name: 'No Date' } },
          { source: 'eventbrite', externalId: '812000000001', data: eventbrite() },
          { source: 'jsonld', externalId: 'https://thefillmore.example/events/phoebe-bridgers', data: jsonld() },
        ]);
        const ingested = await run<IngestResult>(c, 'ingest-default', 'ingestion', {});
        assert.equal(ingested.inserted, 3);
        assert.equal(ingested.failed, 1);
        assert.equal(ingested.errors[0]!.rawEventId, bad);
        assert.match(ingested.errors[0]!.error, /ticketmaster record "broken"/);

        const processed = await run<DedupeCatalogueResult>(c, 'process-sf', 'processing', { cityId: 'sf', from: '2026-01-01T00:00:00Z' });
        assert.deepEqual(processed, { cityId: 'sf', candidates: 3, clusters: 1, merged: 2, unmerged: 0, flaggedMissing: 0 });
        const { rows } = await c.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE merged_into IS NULL');
        assert.equal(rows[0]!.n, 1);
      } finally {
        await stopController(c);
      }
    });

    test('malformed parameters fail the task without retries', async () => {
      const c = await startController(backend, WORKERS);
      try {
        const failed = waitFor<Failed>(c, 'task:failed', (e) => e.taskId === 'bad-params', 30_000);
        await c.distributeTask({ id: 'bad-params', type: 'ingestion', priority: 5, parameters: { eventIds: ['not-a-uuid'] } });
        const f = await failed;
        assert.match(f.error, /parameter eventIds\.0 must be a raw_events id/);
        assert.equal(f.outcome, 'dead', 'not retried');
      } finally {
        await stopController(c);
      }
    });
  });
}
