/** Discovery → ingestion → processing through real worker threads, and the distributor's rules. */
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import { createService, type RunningService } from '../../src/service.js';
import { backends, closeTestDatabases } from '../helpers/db.js';
import { once, until } from '../helpers/controller.js';

after(closeTestDatabases);
const services: RunningService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
});


for (const backend of backends()) {
  describe(`pipeline on ${backend.name}`, () => {
    async function start(config: Record<string, unknown> = {}) {
      const svc = await createService({
        config: {
          ...(await backend.config()),
          autoscale: false,
          pollInterval: 100,
          schedules: { enabled: false },
          workerTypes: { discovery: { initialWorkers: 1 }, ingestion: { initialWorkers: 1 }, processing: { initialWorkers: 1 } },
          ...config,
        },
      });
      services.push(svc);
      await svc.start();
      return svc;
    }

    test('the demo city is discovered, ingested and deduplicated end to end with no API key', async () => {
      // No discovery worker until both schedule calls are made: a task that already finished
      // would not count as queued or running.
      const svc = await start({ workerTypes: { discovery: { initialWorkers: 0 }, ingestion: { initialWorkers: 1 }, processing: { initialWorkers: 1 } } });
      const plan = await svc.scheduleDiscovery({ cityIds: ['demo-city'] });
      assert.deepEqual(plan.queued.map((q) => q.source).sort(), ['ics', 'jsonld']);
      const reasons = Object.fromEntries(plan.skipped.map((s) => [s.source, s.reason]));
      assert.match(reasons.ticketmaster!, /no TICKETMASTER_API_KEY configured/);
      assert.match(reasons.eventbrite!, /no EVENTBRITE_TOKEN configured/);
      // Queued or running: the same (city, source) is not queued twice.
      const again = await svc.scheduleDiscovery({ cityIds: ['demo-city'], sources: ['ics'] });
      assert.deepEqual(again.queued, []);
      assert.equal(again.skipped[0]!.reason, 'already queued or running');
      await svc.controller.spawnWorker('discovery');

      const db = svc.controller.db;
      await until('discovery and ingestion to finish', async () => {
        const { rows } = await db.query<{ raw: number; pending: number; events: number }>(
          `SELECT (SELECT count(*) FROM raw_events)::int AS raw,
                  (SELECT count(*) FROM raw_events WHERE processed = FALSE AND error IS NULL)::int AS pending,
                  (SELECT count(*) FROM events)::int AS events`);
        const r = rows[0]!;
        return r.raw > 0 && r.pending === 0 && r.events > 0 ? r : undefined;
      }, 60_000);
      const done = await svc.getTaskQueue({ state: 'all', limit: 100 });
      const discovery = done.filter((t) => t.type === 'discovery');
      assert.equal(discovery.length, 2);
      const { rows: attempts } = await db.query<{ result: { source: string; eventsDiscovered: number; new: number } }>(
        `SELECT result FROM task_assignments WHERE task_type = 'discovery' AND status = 'completed'`);
      for (const a of attempts) {
        assert.ok(a.result.eventsDiscovered > 0, `${a.result.source} found nothing`);
        assert.equal(a.result.new, a.result.eventsDiscovered);
      }
      // The Kulturhaus Jazz Night is listed by both the feed and the page: one canonical event.
      await until('processing to merge the shared concert', async () => {
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM events e WHERE e.merged_into IS NULL AND e.title ILIKE '%Jazz Night%'
             AND (SELECT count(DISTINCT source) FROM event_sources s WHERE s.event_id = e.id) = 2`);
        return rows[0]!.n > 0;
      }, 60_000);
      const page = await svc.queryEvents({ q: 'jazz night', limit: 5 });
      assert.ok(page.events.length > 0);
    });

    test('a second discovery of unchanged sources only touches the rows', async () => {
      const svc = await start({ workerTypes: { discovery: { initialWorkers: 1 }, ingestion: { initialWorkers: 0 }, processing: { initialWorkers: 0 } } });
      const first = once<{ result: Record<string, unknown> }>(svc.controller, 'task:completed', 60_000);
      assert.equal((await svc.scheduleDiscovery({ cityIds: ['demo-city'], sources: ['ics'] })).queued.length, 1);
      const r1 = (await first).result;
      assert.ok((r1.new as number) > 0);
      // The attempt is recorded before its queue job is completed; until both are, the
      // singleton key still counts the first task as running.
      await until('the first discovery to leave the queue', async () => {
        const open = [...(await svc.getTaskQueue({ state: 'active' })), ...(await svc.getTaskQueue({ state: 'queued' }))];
        return !open.some((t) => t.type === 'discovery');
      });
      const second = once<{ result: Record<string, unknown> }>(svc.controller, 'task:completed', 60_000);
      assert.equal((await svc.scheduleDiscovery({ cityIds: ['demo-city'], sources: ['ics'] })).queued.length, 1);
      const r2 = (await second).result;
      assert.equal(r2.new, 0);
      assert.equal(r2.changed, 0);
      assert.equal(r2.unchanged, r1.eventsDiscovered);
    });

    test('quota planning: when the budget cannot cover every city, higher priority goes first', async () => {
      const svc = await start({
        providers: { ics: { dailyBudget: 1, ratePerSecond: 10 } },
        workerTypes: { discovery: { initialWorkers: 0 }, ingestion: { initialWorkers: 0 }, processing: { initialWorkers: 0 } },
      });
      await svc.upsertCity({
        id: 'low-town', name: 'Low Town', latitude: 1, longitude: 1, timezone: 'UTC', priority: 1,
        sources: { ics: { feeds: ['/nonexistent.ics'] } },
      });
      const plan = await svc.scheduleDiscovery({ cityIds: ['demo-city', 'low-town'], sources: ['ics'] });
      assert.deepEqual(plan.queued.map((q) => q.cityId), ['demo-city']);
      const skipped = plan.skipped.find((s) => s.cityId === 'low-town')!;
      assert.match(skipped.reason, /daily budget: 0 calls left, needs ~1; deferred to the next window/);
      await assert.rejects(svc.scheduleDiscovery({ cityIds: ['atlantis'] }), /unknown or disabled city id\(s\): atlantis/);
      await assert.rejects(svc.scheduleDiscovery({ sources: ['myspace'] }), /unknown source\(s\): myspace/);
      const status = await svc.getSystemStatus();
      const ics = status.providers.find((p) => p.source === 'ics')!;
      assert.deepEqual({ budget: ics.budget, enabled: ics.enabled }, { budget: 1, enabled: true });
    });
  });
}
