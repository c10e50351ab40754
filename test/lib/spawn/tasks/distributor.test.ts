/**
 * Source health through real discovery: local iCalendar servers whose feeds fail, real worker
 * threads, the distributor's plan. A feed failing N times in a row is quarantined and skipped
 * while the other feeds and cities go on; a success clears it; the backoff grows.
 */
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import { createService, type RunningService } from '../../../../src/service.js';
import { pino } from 'pino';
import type { SourceHealth } from '../../../../src/contracts/source-health.js';
import { confirmEvents, listSourceHealth, recordSourceFailure, sourceHealthId } from '../../../../src/lib/db/queries/source-health.js';
import { createApp } from '../../../../src/server/app.js';
import { startHttpServer } from '../../../../src/server/server.js';
import { fakeDashboardDir, TOKEN } from '../../../server/helpers.js';
import { backends, closeTestDatabases } from '../../../helpers/db.js';
import { until } from '../../../helpers/controller.js';
import { DocumentMockServer, icsCalendar, icsVevent } from '../../api/servers/documents.js';

after(closeTestDatabases);
const services: RunningService[] = [];
const servers: DocumentMockServer[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
  for (const s of servers.splice(0)) await s.close();
});

const day = (n: number) => new Date(Date.now() + (n + 1) * 24 * 3600_000);
const feed = (...uids: string[]) => ({ type: 'text/calendar', body: icsCalendar(uids.map((u, i) => icsVevent(u, day(i)))) });

for (const backend of backends()) {
  describe(`source health on ${backend.name}`, () => {
    async function start() {
      const svc = await createService({
        citiesFile: false,
        config: {
          ...(await backend.config()),
          autoscale: false,
          pollInterval: 50,
          schedules: { enabled: false },
          retryPolicy: { maxRetries: 0 },
          providers: { ics: { allowPrivateUrls: true } },
          sourceHealth: { quarantineAfter: 2, backoffMs: 3_600_000 },
          workerTypes: { discovery: { initialWorkers: 1 }, ingestion: { initialWorkers: 0 }, processing: { initialWorkers: 0 } },
        },
      });
      services.push(svc);
      await svc.start();
      return svc;
    }

    /** Schedules discovery of the cities' feeds and waits until every queued task ended. */
    async function round(svc: RunningService, cityIds: string[]) {
      const plan = await svc.scheduleDiscovery({ cityIds, sources: ['ics'] });
      const ids = new Set(plan.queued.map((q) => q.taskId));
      await until('every queued discovery to end', async () => {
        const { rows } = await svc.controller.db.query<{ n: number }>(
          `SELECT count(DISTINCT task_id)::int AS n FROM task_assignments
            WHERE task_id = ANY($1::text[]) AND status IN ('completed', 'failed')`, [[...ids]]);
        return rows[0]!.n === ids.size;
      }, 60_000);
      // The attempt is recorded before its queue job is completed; until both are, the
      // singleton key still counts the task as running.
      await until('the discoveries to leave the queue', async () => {
        const open = [...(await svc.getTaskQueue({ state: 'active' })), ...(await svc.getTaskQueue({ state: 'queued' }))];
        return !open.some((t) => t.type === 'discovery');
      });
      return plan;
    }

    test('a feed failing N times is quarantined and skipped; its neighbours and other cities go on; a success clears it', async () => {
      const server = await new DocumentMockServer('ics').start();
      servers.push(server);
      server.files.set('good.ics', feed('good-1@t', 'good-2@t'));
      server.files.set('neighbour.ics', feed('n-1@t'));
      // broken.ics and lonely.ics are not served: 404, which no retry can help
      const url = (name: string) => `${server.baseUrl}/files/${name}`;
      const svc = await start();
      const mk = (id: string, feeds: string[]) => svc.upsertCity({ id, name: id, latitude: 52.5, longitude: 13.4, timezone: 'Europe/Berlin', sources: { ics: { feeds } } });
      await mk('healthy', [url('good.ics')]);
      await mk('mixed', [url('broken.ics'), url('neighbour.ics')]);
      await mk('lonely', [url('lonely.ics')]);
      for (let i = 1; i <= 2; i++) {
        const plan = await round(svc, ['healthy', 'mixed', 'lonely']);
        assert.deepEqual(plan.queued.map((q) => q.cityId).sort(), ['healthy', 'lonely', 'mixed'], `round ${i}`);
      }
      const health = await listSourceHealth(svc.controller.db);
      const byFeed = new Map(health.map((h) => [h.feed, h]));
      const broken = byFeed.get(url('broken.ics'))!;
      assert.equal(broken.consecutiveFailures, 2);
      assert.equal(broken.quarantined, true);
      assert.ok(broken.quarantinedUntil && broken.lastError && /404|not found|could not fetch/i.test(broken.lastError), broken.lastError ?? '');
      assert.equal(byFeed.get(url('lonely.ics'))!.quarantined, true);
      const good = byFeed.get(url('good.ics'))!;
      assert.deepEqual([good.consecutiveFailures, good.quarantined, good.eventsLastSeen], [0, false, 2]);
      assert.equal(byFeed.get(url('neighbour.ics'))!.eventsLastSeen, 1);
      // worst first
      assert.deepEqual(health.slice(0, 2).map((h) => h.quarantined), [true, true]);
      assert.equal(health.at(-1)!.quarantined, false);

      // Round 3: the quarantined feeds are not fetched; everything else is.
      const before = server.requests.length;
      const plan = await round(svc, ['healthy', 'mixed', 'lonely']);
      assert.deepEqual(plan.queued.map((q) => q.cityId).sort(), ['healthy', 'mixed']);
      assert.match(plan.skipped.find((s) => s.cityId === 'lonely')!.reason, /quarantined/);
      const fetched = server.requests.slice(before).map((r) => r.path).sort();
      assert.deepEqual(fetched, ['/files/good.ics', '/files/neighbour.ics']);

      // The feed comes back; an operator lifts the quarantine; the next success clears the record.
      server.files.set('broken.ics', feed('b-1@t', 'b-2@t', 'b-3@t'));
      // over HTTP, as an operator would: the list needs the token, so does the change
      const logger = pino({ level: 'silent' });
      const http = await startHttpServer({ app: createApp({ service: svc, apiToken: TOKEN, logger, staticDir: fakeDashboardDir() }), port: 0, host: '127.0.0.1', apiToken: TOKEN, logger });
      try {
        const auth = { authorization: `Bearer ${TOKEN}` };
        assert.equal((await fetch(`${http.url}/api/sources`)).status, 401);
        const listed = (await (await fetch(`${http.url}/api/sources`, { headers: auth })).json()) as SourceHealth[];
        assert.deepEqual(listed.filter((h) => h.quarantined).map((h) => h.id).sort(), [broken.id, byFeed.get(url('lonely.ics'))!.id].sort());
        // /metrics (open to anyone): gauges by city and source, the feed by its id, never its URL
        const metrics = await (await fetch(`${http.url}/metrics`)).text();
        assert.match(metrics, new RegExp(`^scenescout_source_quarantined\\{city="mixed",source="ics",feed="${broken.id}"\\} 1$`, 'm'));
        assert.match(metrics, new RegExp(`^scenescout_source_consecutive_failures\\{city="mixed",source="ics",feed="${broken.id}"\\} 2$`, 'm'));
        assert.match(metrics, /^scenescout_source_quarantined\{city="healthy",source="ics",feed="[0-9a-f]{16}"\} 0$/m);
        assert.doesNotMatch(metrics, /broken\.ics|127\.0\.0\.1/);
        assert.equal((await fetch(`${http.url}/api/sources/${broken.id}/unquarantine`, { method: 'POST' })).status, 401);
        const res = await fetch(`${http.url}/api/sources/${broken.id}/unquarantine`, { method: 'POST', headers: auth });
        assert.equal(res.status, 200);
        const body = (await res.json()) as { health: SourceHealth };
        assert.deepEqual([body.health.quarantined, body.health.consecutiveFailures], [false, 0]);
      } finally {
        await http.close();
      }
      const healing = await round(svc, ['mixed']);
      assert.equal(healing.queued.length, 1, JSON.stringify(healing));
      const healed = (await listSourceHealth(svc.controller.db)).find((h) => h.id === broken.id)!;
      assert.deepEqual([healed.consecutiveFailures, healed.quarantined, healed.quarantines, healed.eventsLastSeen], [0, false, 0, 3]);
      assert.ok(healed.lastSuccessAt);
      assert.ok(healed.lastErrorAt, 'the last error stays visible');
    });

    test('each quarantine in a row doubles the backoff, up to the cap; ids do not carry the feed', async () => {
      const svc = await start();
      const db = svc.controller.db;
      const key = { cityId: 'c', source: 'ics', feed: 'https://feeds.example/private.ics?token=s3cret' };
      const policy = { quarantineAfter: 2, backoffMs: 60_000, maxBackoffMs: 150_000 };
      const first = await recordSourceFailure(db, key, 'boom https://feeds.example/private.ics?token=s3cret', policy);
      assert.deepEqual([first.consecutiveFailures, first.quarantined], [1, false]);
      const lengths: number[] = [];
      for (let i = 0; i < 3; i++) {
        const h = await recordSourceFailure(db, key, 'boom', policy);
        assert.equal(h.quarantined, true);
        lengths.push(Date.parse(h.quarantinedUntil!) - Date.parse(h.lastErrorAt!));
      }
      assert.deepEqual(lengths, [60_000, 120_000, 150_000]);
      const [row] = await listSourceHealth(db);
      assert.equal(row!.id, sourceHealthId(key));
      assert.match(row!.id, /^[0-9a-f]{16}$/);
      assert.doesNotMatch(JSON.stringify(row), /s3cret/);
    });

    test('a discovery seeing a source record confirms its event (lastConfirmedAt)', async () => {
      const svc = await start();
      const db = svc.controller.db;
      const { rows } = await db.query<{ id: string }>(`INSERT INTO events (title, starts_at, timezone) VALUES ('Confirmed', now() + interval '1 day', 'UTC') RETURNING id`);
      await db.query(`INSERT INTO event_sources (event_id, origin_event_id, source, external_id) VALUES ($1, $1, 'ics', 'seen@t'), ($1, $1, 'jsonld', 'other')`, [rows[0]!.id]);
      const before = (await svc.queryEvents({ limit: 5 })).events as Array<{ id: string; lastConfirmedAt: string | null }>;
      assert.equal(before.find((e) => e.id === rows[0]!.id)!.lastConfirmedAt, null);
      await confirmEvents(db, 'ics', ['seen@t']);
      const after = (await svc.queryEvents({ limit: 5 })).events as Array<{ id: string; lastConfirmedAt: string | null }>;
      assert.ok(after.find((e) => e.id === rows[0]!.id)!.lastConfirmedAt);
    });
  });
}
