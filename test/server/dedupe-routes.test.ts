/**
 * Dedupe's operator endpoints end to end over HTTP, on both databases: the review queue and its
 * decisions, unmerge, and the 301 for ids merged away. The catalogue part is the real one
 * (createDedupeOperations and queryEvents over a migrated database, real dedupe runs); only the
 * spawn controls come from the test double, which these routes never touch.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { EventDetail, ReviewDecisionResult, ReviewItem, UnmergeResult } from '../../src/contracts/dedupe.js';
import { createDedupeOperations } from '../../src/lib/catalogue/dedupe/operations.js';
import type { EventQueryInput } from '../../src/contracts/event-query.js';
import { ingestRawEvents } from '../../src/lib/catalogue/ingest.js';
import { getEvent, queryEvents } from '../../src/lib/catalogue/query.js';
import type { Database } from '../../src/lib/db/types.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createService } from '../../src/service.js';
import { createApp } from '../../src/server/app.js';
import { createMetrics } from '../../src/server/metrics.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/server.js';
import { CONCERT, eventbrite } from '../fixtures/catalogue/concert.js';
import { EB_ID, dedupeSf, seedUnsurePair } from '../fixtures/catalogue/review-pair.js';
import { backends, closeTestDatabases } from '../helpers/db.js';
import { changeRaw, openCatalogue, sourceOf } from '../lib/catalogue/helpers.js';
import { SimulatedSpawnService } from '../e2e/simulated-service.js';
import { TOKEN } from './helpers.js';

after(closeTestDatabases);

const TM_KEY = `ticketmaster:${CONCERT.id}`;

interface World {
  db: Database;
  http: RunningHttpServer;
  url: string;
  raw: { tm: string; eb: string; ld: string };
  close(): Promise<void>;
}

async function start(backend: Parameters<typeof openCatalogue>[0], benchmarkFile: string | false = false): Promise<World> {
  const db = await openCatalogue(backend);
  const raw = await seedUnsurePair(db);
  // The catalogue reads and dedupe operations are the real ones over the test's database.
  const service = Object.assign(new SimulatedSpawnService(), {
    dedupe: createDedupeOperations(db),
    queryEvents: (input: EventQueryInput) => queryEvents(db, input),
  });
  const app = createApp({
    service,
    apiToken: TOKEN,
    logger: silentLogger,
    metrics: createMetrics(service, { defaultMetrics: false, statusTtlMs: 0, dedupeBenchmarkFile: benchmarkFile }),
    staticDir: join(tmpdir(), 'scenescout-no-dashboard'),
  });
  const http = await startHttpServer({ app, port: 0, host: '127.0.0.1', apiToken: TOKEN, logger: silentLogger });
  return {
    db,
    http,
    url: http.url,
    raw,
    async close() {
      await http.close();
      await db.close();
    },
  };
}

const dedupe = dedupeSf;

const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const post = (url: string, body: unknown, headers: Record<string, string> = auth) =>
  fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function pending(w: World): Promise<ReviewItem[]> {
  const res = await fetch(`${w.url}/api/review`, { headers: auth });
  assert.equal(res.status, 200);
  return ((await res.json()) as { items: ReviewItem[] }).items;
}

const involves = (item: ReviewItem, source: string) => item.a.source === source || item.b.source === source;

for (const backend of backends()) {
  describe(`dedupe operations over HTTP on ${backend.name}`, () => {
    test('the unsure pair waits in the review queue with both listings and evidence; bad requests are refused', async () => {
      const w = await start(backend);
      try {
        const items = await pending(w);
        assert.ok(items.length >= 1, 'the eventbrite listing is queued against the concert');
        assert.ok(items.every((i) => involves(i, 'eventbrite')), 'the merged pair itself is not queued');
        const item = items.find((i) => involves(i, 'ticketmaster'))!;
        assert.equal(item.status, 'pending');
        assert.equal(item.evidence.decision, 'review');
        assert.ok(item.evidence.fields.some((f) => f.field === 'title'));
        assert.ok(item.score > 0 && item.score < 1);
        const eb = item.a.source === 'eventbrite' ? item.a : item.b;
        assert.equal(eb.title, 'Comedy Showcase');
        assert.equal(eb.venueName, 'The Fillmore');
        assert.equal(eb.startsAt, '2026-06-13T03:00:00.000Z');

        const url = `${w.url}/api/review/${item.pairId}`;
        assert.equal((await post(url, { decision: 'same' }, { 'content-type': 'application/json' })).status, 401);
        const bad = await post(url, { decision: 'maybe' });
        assert.equal(bad.status, 400);
        assert.match(((await bad.json()) as { error: string }).error, /decision/);
        assert.equal((await post(url, { decision: 'same', extra: 1 })).status, 400);
        assert.equal((await post(url, 'not json')).status, 400);
        const unknown = await post(`${w.url}/api/review/AAAAAAAAAAAAAAAAAAAAAA`, { decision: 'same' });
        assert.equal(unknown.status, 404);
        assert.equal((await post(`${w.url}/api/review/x`, { decision: 'same' })).status, 400);
        assert.equal((await fetch(`${w.url}/api/review?status=everything`, { headers: auth })).status, 400);
        assert.equal((await pending(w)).length, items.length, 'nothing was decided');
      } finally {
        await w.close();
      }
    });

    test('"same" merges the pair, survives the next runs; the old id answers 301; unmerge splits it back for good', async () => {
      const w = await start(backend);
      try {
        const tm = await sourceOf(w.db, 'ticketmaster');
        const eb = await sourceOf(w.db, 'eventbrite');
        const ld = await sourceOf(w.db, 'jsonld');
        assert.equal(ld.event_id, tm.event_id, 'the venue page merged with ticketmaster');
        assert.notEqual(eb.event_id, tm.event_id);

        const item = (await pending(w)).find((i) => involves(i, 'ticketmaster'))!;
        const res = await post(`${w.url}/api/review/${item.pairId}`, { decision: 'same' });
        assert.equal(res.status, 200);
        const decided = (await res.json()) as ReviewDecisionResult;
        assert.equal(decided.decision, 'same');
        assert.equal(decided.eventIds[0], decided.eventIds[1], 'one event hosts both records now');
        const survivor = tm.origin_event_id;
        assert.equal(decided.eventIds[0], survivor, 'the oldest origin survives');
        assert.deepEqual(await pending(w), [], 'the other unsure pair is one event now too');

        // The next scheduled runs keep it.
        await dedupe(w.db);
        await dedupe(w.db);
        assert.equal((await sourceOf(w.db, 'eventbrite')).event_id, survivor);

        // The survivor with its sources, evidence and history.
        const detailRes = await fetch(`${w.url}/api/events/${survivor}`);
        assert.equal(detailRes.status, 200);
        const detail = (await detailRes.json()) as EventDetail;
        assert.equal(detail.event.id, survivor);
        assert.deepEqual((detail.event.sources as Array<{ source: string }>).map((s) => s.source).sort(), ['eventbrite', 'jsonld', 'ticketmaster']);
        assert.ok(detail.evidence.some((e) => e.evidence.decision === 'match' && [e.a, e.b].includes(TM_KEY)));
        assert.ok(detail.evidence.every((e) => typeof e.score === 'number' && Array.isArray(e.evidence.fields)));
        const actions = detail.history.map((h) => h.action);
        assert.ok(actions.includes('merge') && actions.includes('review'), `history: ${actions.join(', ')}`);
        assert.equal(detail.parent, null);
        assert.deepEqual(detail.children, []);

        // The eventbrite listing's own id was merged away: 301 to the survivor, never 404.
        const moved = await fetch(`${w.url}/api/events/${eb.origin_event_id}`, { redirect: 'manual' });
        assert.equal(moved.status, 301);
        assert.equal(moved.headers.get('location'), `/api/events/${survivor}`);
        const followed = await fetch(`${w.url}/api/events/${eb.origin_event_id}`);
        assert.equal(followed.status, 200);
        assert.equal(((await followed.json()) as EventDetail).event.id, survivor);
        assert.equal((await fetch(`${w.url}/api/events/00000000-0000-4000-8000-000000000000`)).status, 404);
        assert.equal((await fetch(`${w.url}/api/events/not-a-uuid`)).status, 400);

        // Unmerge: bad bodies, a record the event does not hold, then the real split.
        const unmergeUrl = `${w.url}/api/events/${survivor}/unmerge`;
        assert.equal((await post(unmergeUrl, { source: 'eventbrite' })).status, 400);
        assert.equal((await post(unmergeUrl, { source: 'eventbrite', externalId: EB_ID }, { 'content-type': 'application/json' })).status, 401);
        assert.equal((await post(unmergeUrl, { source: 'eventbrite', externalId: 'nope' })).status, 404);
        const split = await post(unmergeUrl, { source: 'eventbrite', externalId: EB_ID });
        assert.equal(split.status, 200);
        const result = (await split.json()) as UnmergeResult;
        assert.equal(result.eventId, survivor);
        assert.equal(result.nowHostedBy, eb.origin_event_id, 'the record is back on its own event');
        const own = await fetch(`${w.url}/api/events/${eb.origin_event_id}`, { redirect: 'manual' });
        assert.equal(own.status, 200, 'the restored id answers for itself again');
        const ownSources = ((await own.json()) as EventDetail).event.sources as Array<{ source: string; externalId: string }>;
        assert.deepEqual(ownSources.map((s) => [s.source, s.externalId]), [['eventbrite', EB_ID]]);

        // The split holds on later runs, even after the listing changes to match perfectly.
        await changeRaw(w.db, w.raw.eb, eventbrite({ ...CONCERT, id: EB_ID, title: 'Phoebe Bridgers - Live' }));
        await ingestRawEvents(w.db, { ids: [w.raw.eb] });
        await dedupe(w.db);
        await dedupe(w.db);
        assert.equal((await sourceOf(w.db, 'eventbrite')).event_id, eb.origin_event_id);
        assert.equal((await sourceOf(w.db, 'jsonld')).event_id, survivor);
        assert.deepEqual(await pending(w), [], 'a decided pair is not queued again');
        const history = ((await (await fetch(`${w.url}/api/events/${survivor}`)).json()) as EventDetail).history.map((h) => h.action);
        assert.ok(history.includes('unmerge'));

        // An event of one record has nothing to split.
        const alone = await post(`${w.url}/api/events/${eb.origin_event_id}/unmerge`, { source: 'eventbrite', externalId: EB_ID });
        assert.equal(alone.status, 409);
      } finally {
        await w.close();
      }
    });

    test('a child show linked to its umbrella event: /api/events leaves children or parents out; the detail shows both links', async () => {
      const w = await start(backend);
      try {
        // Two visible events: the concert (ticketmaster + venue page) and the eventbrite listing.
        // Parent links are dedupe's to write (decision 'parent'); here the link is stored directly.
        const parent = (await sourceOf(w.db, 'ticketmaster')).event_id;
        const child = (await sourceOf(w.db, 'eventbrite')).event_id;
        await w.db.query('UPDATE events SET parent_id = $1 WHERE id = $2', [parent, child]);
        const ids = async (query: string) => {
          const res = await fetch(`${w.url}/api/events?from=2026-01-01${query}`);
          assert.equal(res.status, 200, await res.clone().text());
          return ((await res.json()) as { events: Array<{ id: string }> }).events.map((e) => e.id).sort();
        };
        assert.deepEqual(await ids(''), [parent, child].sort());
        assert.deepEqual(await ids('&exclude=children'), [parent]);
        assert.deepEqual(await ids('&exclude=parents'), [child]);
        const bad = await fetch(`${w.url}/api/events?exclude=cousins`);
        assert.equal(bad.status, 400);
        assert.match(((await bad.json()) as { error: string }).error, /exclude/);

        const up = (await (await fetch(`${w.url}/api/events/${child}`)).json()) as EventDetail;
        assert.equal(up.parent?.id, parent);
        assert.equal(up.event.parentId, parent);
        const down = (await (await fetch(`${w.url}/api/events/${parent}`)).json()) as EventDetail;
        assert.deepEqual(down.children.map((c) => c.id), [child]);
        assert.equal(down.parent, null);
      } finally {
        await w.close();
      }
    });

    test('the detail, read in one statement, is what its parts read one by one give', async () => {
      const w = await start(backend);
      try {
        const parent = (await sourceOf(w.db, 'ticketmaster')).event_id;
        const child = (await sourceOf(w.db, 'eventbrite')).event_id;
        await w.db.query('UPDATE events SET parent_id = $1 WHERE id = $2', [parent, child]);
        // More lineage than the detail keeps, with microsecond instants and jsonb details in both directions.
        await w.db.query(
          `INSERT INTO event_lineage (at, action, event_id, other_id, detail)
           SELECT TIMESTAMPTZ '2026-05-01 10:00:00.123456+00' + g * INTERVAL '1.000321 second', 'review',
                  CASE WHEN g % 3 = 0 THEN $2::uuid ELSE $1::uuid END, CASE WHEN g % 3 = 0 THEN $1::uuid END,
                  jsonb_build_object('zeta', g, 'alpha', jsonb_build_array(1.50, 'x', null), 'n', g / 7.0)
             FROM generate_series(1, 230) g`,
          [child, parent],
        );
        const iso = (d: Date | string) => new Date(d).toISOString();
        // The reads as they were made before they became one statement.
        const oneByOne = async (id: string) => {
          const event = (await getEvent(w.db, id))!;
          const link = (r: { id: string; title: string; starts_at: Date | string }) => ({ id: r.id, title: r.title, startsAt: iso(r.starts_at) });
          const up = (await w.db.query<{ id: string; title: string; starts_at: Date }>(
            'SELECT p.id, p.title, p.starts_at FROM events e JOIN events p ON p.id = e.parent_id WHERE e.id = $1::uuid', [id])).rows[0];
          const down = (await w.db.query<{ id: string; title: string; starts_at: Date }>(
            'SELECT id, title, starts_at FROM events WHERE parent_id = $1::uuid AND merged_into IS NULL ORDER BY starts_at, id', [id])).rows;
          const lineage = (await w.db.query<{ at: Date; action: string; event_id: string; other_id: string | null; source: string | null; external_id: string | null; detail: unknown }>(
            `SELECT at, action, event_id, other_id, source, external_id, detail FROM (
               SELECT l.id, l.at, l.action, l.event_id, l.other_id, l.source, l.external_id, l.detail FROM event_lineage l
                WHERE l.event_id = $1::uuid OR l.other_id = $1::uuid ORDER BY l.id DESC LIMIT 200) t ORDER BY t.id`, [id])).rows;
          return {
            event: { ...event, parentId: up?.id ?? null },
            parent: up ? link(up) : null,
            children: down.map(link),
            history: lineage.map((l) => ({ at: iso(l.at), action: l.action, eventId: l.event_id, otherId: l.other_id, source: l.source, externalId: l.external_id, detail: l.detail })),
          };
        };
        for (const id of [child, parent]) {
          const res = await fetch(`${w.url}/api/events/${id}`);
          assert.equal(res.status, 200);
          const { evidence: _evidence, ...detail } = (await res.json()) as EventDetail;
          const expected = await oneByOne(id);
          if (id === child) assert.equal(detail.history.length, 200, 'the newest 200 of its 230 and more');
          else assert.ok(detail.history.length > 70);
          assert.deepEqual(detail, JSON.parse(JSON.stringify(expected)));
          // Key order too: the answer's text is what its ETag covers.
          assert.equal(JSON.stringify(detail.history), JSON.stringify(expected.history));
        }
      } finally {
        await w.close();
      }
    });

    test('"different" keeps the pair apart on every later run; the metrics count decisions, queue and benchmark figures', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'scenescout-bench-'));
      const benchmarkFile = join(dir, 'dedupe-benchmark.json');
      writeFileSync(benchmarkFile, JSON.stringify({
        measuredAt: '2026-01-02T03:04:05.000Z',
        labeledSet: 'test/fixtures/dedupe',
        overall: { precision: 0.99, recall: 0.96, f1: 0.975 },
        sourcePairs: [{ pair: 'eventbrite+ticketmaster', precision: 1, recall: 0.93, f1: 0.964 }],
        trapsMerged: 0,
      }));
      const w = await start(backend, benchmarkFile);
      try {
        const before = await pending(w);
        let metrics = await (await fetch(`${w.url}/metrics`)).text();
        assert.match(metrics, new RegExp(`^scenescout_dedupe_review_queue ${before.length}$`, 'm'));
        assert.match(metrics, /^scenescout_dedupe_merges_total 1$/m, 'the venue page merged into the concert');
        assert.match(metrics, /^scenescout_dedupe_benchmark_f1\{source_pair="all"\} 0\.975$/m);
        assert.match(metrics, /^scenescout_dedupe_benchmark_recall\{source_pair="eventbrite\+ticketmaster"\} 0\.93$/m);
        assert.match(metrics, /# HELP scenescout_dedupe_benchmark_precision .*not production truth/);

        const item = before.find((i) => involves(i, 'ticketmaster'))!;
        const res = await post(`${w.url}/api/review/${item.pairId}`, { decision: 'different' });
        assert.equal(res.status, 200);
        const decided = (await res.json()) as ReviewDecisionResult;
        assert.notEqual(decided.eventIds[0], decided.eventIds[1]);

        // The listing changes to the concert's own title: the matcher alone would merge it now.
        await changeRaw(w.db, w.raw.eb, eventbrite({ ...CONCERT, id: EB_ID, title: 'Phoebe Bridgers - Live' }));
        await ingestRawEvents(w.db, { ids: [w.raw.eb] });
        await dedupe(w.db);
        const tm = await sourceOf(w.db, 'ticketmaster');
        const eb = await sourceOf(w.db, 'eventbrite');
        assert.notEqual(eb.event_id, tm.event_id, 'cannot-link splits what the matcher would join');
        assert.equal(eb.event_id, eb.origin_event_id);
        assert.equal((await sourceOf(w.db, 'jsonld')).event_id, tm.event_id);

        const decidedList = (await (await fetch(`${w.url}/api/review?status=decided`, { headers: auth })).json()) as { items: ReviewItem[] };
        assert.deepEqual(decidedList.items.map((i) => [i.pairId, i.decision]), [[item.pairId, 'different']]);
        assert.ok(!(await pending(w)).some((i) => i.pairId === item.pairId));

        metrics = await (await fetch(`${w.url}/metrics`)).text();
        assert.match(metrics, /^scenescout_dedupe_review_decisions_total\{decision="different"\} 1$/m);
        assert.match(metrics, /^scenescout_dedupe_review_decisions_total\{decision="same"\} 0$/m);
        assert.match(metrics, new RegExp(`^scenescout_dedupe_review_queue ${(await pending(w)).length}$`, 'm'));
      } finally {
        await w.close();
      }
    });
  });
}

describe('the running service', () => {
  test('createService() wires the dedupe operations to its own database', async () => {
    const service = await createService({ config: { dataDir: 'memory', databaseUrl: '', maxWorkers: 1, schedules: { enabled: false } }, citiesFile: false });
    await service.start().catch(async (err) => {
      await service.stop().catch(() => {});
      throw err;
    });
    const app = createApp({ service, apiToken: TOKEN, logger: silentLogger, staticDir: join(tmpdir(), 'scenescout-no-dashboard') });
    try {
      const review = await app.request('/api/review', { headers: auth });
      assert.equal(review.status, 200);
      assert.deepEqual(await review.json(), { items: [] });
      assert.equal((await app.request('/api/events/00000000-0000-4000-8000-000000000000')).status, 404);
      const unknown = await app.request('/api/review/AAAAAAAAAAAAAAAAAAAAAA', { method: 'POST', headers: auth, body: '{"decision":"different"}' });
      assert.equal(unknown.status, 404);
      assert.match(await (await app.request('/metrics')).text(), /^scenescout_dedupe_review_queue 0$/m);
    } finally {
      await service.stop();
    }
  });

  test('a service without a catalogue answers 501, not 500', async () => {
    const app = createApp({ service: new SimulatedSpawnService(), apiToken: TOKEN, logger: silentLogger, staticDir: join(tmpdir(), 'scenescout-no-dashboard') });
    assert.equal((await app.request('/api/review', { headers: auth })).status, 501);
    assert.equal((await app.request('/api/events/00000000-0000-4000-8000-000000000000')).status, 501);
  });
});
