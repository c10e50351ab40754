/**
 * GET /metrics and createMetrics: names, values read on scrape, and counters fed by the code
 * they measure (a real service, real worker threads, a local provider server, real HTTP).
 */
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { createApp } from '../../src/server/app.js';
import { createMetrics, type SpawnMetrics } from '../../src/server/metrics.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/server.js';
import { createService, type RunningService } from '../../src/service.js';
import { DocumentMockServer } from '../lib/api/servers/documents.js';
import { waitFor } from '../helpers/controller.js';
import { closeTestDatabases, pgliteBackend } from '../helpers/db.js';
import { TOKEN, makeApp } from './helpers.js';
import { ObservedService, stopObservedServices } from './observed-service.js';

afterEach(stopObservedServices);
after(closeTestDatabases);

describe('metrics', () => {
  it('GET /metrics serves Prometheus text with every metric family', async () => {
    // A daily budget of 100 that nothing spent: the gauge reads the configured budget back.
    const service = new ObservedService({ providers: { eventbrite: { dailyBudget: 100 } } });
    await service.spawnWorker('discovery');
    await service.spawnWorker('processing');
    const { app } = makeApp({ service, metrics: createMetrics(service) });
    const res = await app.request('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    for (const name of [
      'scenescout_workers',
      'scenescout_tasks',
      'scenescout_task_duration_seconds',
      'scenescout_tasks_finished_total',
      'scenescout_events_discovered_total',
      'scenescout_events_ingested_total',
      'scenescout_event_discovery_rate_per_hour',
      'scenescout_ingestion_rate_per_hour',
      'scenescout_provider_calls_total',
      'scenescout_provider_errors_total',
      'scenescout_provider_budget_remaining',
      'scenescout_http_requests_total',
      'nodejs_eventloop_lag_seconds',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `missing ${name}`);
    }
    assert.match(text, /^scenescout_workers\{type="discovery",status="idle"\} 1$/m);
    assert.match(text, /^scenescout_tasks\{state="queued"\} 0$/m);
    assert.match(text, /^scenescout_provider_budget_remaining\{source="eventbrite"\} 100$/m);
    assert.match(text, /^scenescout_status_scrape_ok 1$/m);
  });

  it('reads the status once per scrape', async () => {
    const service = new ObservedService();
    const metrics = createMetrics(service, { defaultMetrics: false });
    await metrics.render();
    assert.equal(service.calls.filter((c) => c.method === 'getSystemStatus').length, 1);
  });

  it('still answers when the status cannot be read', async () => {
    const service = new ObservedService();
    service.failWith = new Error('database down');
    const metrics = createMetrics(service, { defaultMetrics: false });
    const text = await metrics.render();
    assert.match(text, /^scenescout_status_scrape_ok 0$/m);
  });
});

type Done = { taskId: string; type: string };

/** A real service on the embedded database behind a real HTTP server, metrics bound as in main.ts. */
interface Live {
  svc: RunningService;
  metrics: SpawnMetrics;
  http: RunningHttpServer;
  feeds: DocumentMockServer;
  get(path: string): Promise<Response>;
  post(body: unknown): Promise<Response>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

async function startLive(workers: Record<'discovery' | 'ingestion' | 'processing', number>): Promise<Live> {
  const feeds = await new DocumentMockServer('ics').start();
  cleanups.push(() => feeds.close());
  feeds.pageSize = 10;
  // Inside the next 90 days: the window a scheduled discovery asks for.
  feeds.seed({ valid: 4, start: new Date(Date.now() + 2 * 86_400_000) });
  const svc = await createService({
    citiesFile: false,
    config: {
      ...(await pgliteBackend.config()),
      autoscale: false,
      pollInterval: 100,
      schedules: { enabled: false },
      retryPolicy: { maxRetries: 0 },
      // The feeds are served on 127.0.0.1.
      providers: { ics: { allowPrivateUrls: true } },
      workerTypes: {
        discovery: { initialWorkers: workers.discovery },
        ingestion: { initialWorkers: workers.ingestion },
        processing: { initialWorkers: workers.processing },
      },
    },
  });
  cleanups.push(() => svc.stop());
  await svc.start();
  // A feed that answers and one that is gone: the second is a failed provider call, skipped.
  await svc.upsertCity({
    id: 'metro', name: 'Metro', latitude: 52.52, longitude: 13.405, timezone: 'Europe/Berlin',
    sources: { ics: { feeds: [...feeds.documentUrls(), `${feeds.baseUrl}/gone.ics`] } },
  });
  const logger = pino({ level: 'silent' });
  const metrics = createMetrics(svc, { logger, statusTtlMs: 0 });
  metrics.bindController(svc.controller);
  const app = createApp({ service: svc, apiToken: TOKEN, logger, metrics });
  const http = await startHttpServer({ app, port: 0, host: '127.0.0.1', apiToken: TOKEN, logger });
  cleanups.push(() => http.close());
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  return {
    svc, metrics, http, feeds,
    get: (path) => fetch(`${http.url}${path}`),
    post: (body) => fetch(`${http.url}/api/spawn`, { method: 'POST', headers, body: JSON.stringify(body) }),
  };
}

/** Every value of every SceneScout metric, by metric name, as one comparable string each. */
async function readValues(metrics: SpawnMetrics): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    // prom-client's process metrics are fed by prom-client itself, not by our code paths.
    if (!m.name.startsWith('scenescout_')) continue;
    const values = m.values.map((v) => JSON.stringify([(v as { metricName?: string }).metricName ?? m.name, v.labels, v.value])).sort();
    out.set(m.name, values.join('\n'));
  }
  return out;
}

describe('metrics fed by the code they measure', () => {
  it('provider calls of a real discovery reach /metrics, counted by outcome', async () => {
    const live = await startLive({ discovery: 1, ingestion: 0, processing: 0 });
    // The first request is answered 429 with Retry-After: 0 and retried at once.
    live.feeds.fail({ kind: 'rate-limit', retryAfter: '0' });
    const discovered = waitFor<Done>(live.svc.controller, 'task:completed', (e) => e.type === 'discovery', 60_000);
    const res = await live.post({ action: 'discovery', params: { cityIds: ['metro'], sources: ['ics'] } });
    assert.equal(res.status, 200, await res.clone().text());
    await discovered;

    const scrape = await live.get('/metrics');
    assert.equal(scrape.status, 200);
    const text = await scrape.text();
    // one 429, then the feed (200) and the gone one (404), in whichever order they were asked for
    assert.match(text, /^scenescout_provider_calls_total\{source="ics",outcome="rate_limited"\} 1$/m);
    assert.match(text, /^scenescout_provider_calls_total\{source="ics",outcome="ok"\} 1$/m);
    assert.match(text, /^scenescout_provider_calls_total\{source="ics",outcome="error"\} 1$/m);
    assert.match(text, /^scenescout_provider_errors_total\{source="ics"\} 2$/m);
    assert.equal(live.feeds.requests.length, 3, 'each call counted once');
    assert.match(text, /^scenescout_events_discovered_total\{source="ics"\} 4$/m);
    assert.match(text, /^scenescout_task_duration_seconds_count\{type="discovery",outcome="completed"\} 1$/m);
    assert.match(text, /^scenescout_tasks_finished_total\{type="discovery",outcome="completed"\} 1$/m);

    const unbind = live.metrics.bindController(live.svc.controller);
    const before = live.svc.controller.listenerCount('provider:call');
    unbind();
    assert.equal(live.svc.controller.listenerCount('provider:call'), before - 1);
  });

  it('every metric moves in a small real pipeline, but for a few that hold settings', async () => {
    // Gauges that report configuration or health: a pipeline run does not change them.
    const STAY = new Set([
      'scenescout_status_scrape_ok', // 1 while the status can be read, before and after
      'scenescout_provider_enabled', // which sources have credentials
      'scenescout_provider_budget', // each source's daily budget
      'scenescout_limiter_redis_up', // Redis health (absent without Redis; test/server/redis-outage.test.ts moves it)
      // dedupe's: one source merges and queues nothing, no operator acts, and the benchmark
      // figures are bench:dedupe's file (test/server/dedupe-routes.test.ts moves them all)
      ...['merges_total', 'unmerges_total', 'review_decisions_total', 'review_queue', 'benchmark_precision', 'benchmark_recall',
        'benchmark_f1', 'benchmark_traps_merged', 'benchmark_timestamp_seconds'].map((n) => `scenescout_dedupe_${n}`),
    ]);
    const live = await startLive({ discovery: 0, ingestion: 0, processing: 0 });
    const names = [...(await readValues(live.metrics)).keys()];
    for (const name of STAY) assert.ok(names.includes(name), `${name} is allowed to stay but does not exist`);
    const baseline = await readValues(live.metrics);

    // Workers spawned over HTTP, then discovery → ingestion → processing, chained by the distributor.
    for (const type of ['discovery', 'ingestion', 'processing']) {
      const res = await live.post({ action: 'spawn', params: { type } });
      assert.equal(res.status, 200, await res.clone().text());
    }
    const processed = waitFor<Done>(live.svc.controller, 'task:completed', (e) => e.type === 'processing', 90_000);
    await live.svc.scheduleDiscovery({ cityIds: ['metro'], sources: ['ics'] });
    await processed;
    // and a task that fails: bad parameters are dead-lettered at once
    const failed = waitFor<Done>(live.svc.controller, 'task:failed', (e) => e.taskId === 'bad-window', 30_000);
    await live.svc.distributeTask({ id: 'bad-window', type: 'processing', priority: 0, parameters: { from: 'yesterday-ish' } });
    await failed;
    assert.equal((await live.get('/healthz')).status, 200);
    // A page of the catalogue read twice: its events are read by id, then kept.
    for (let i = 0; i < 2; i++) {
      const page = await live.get('/api/events?city=metro');
      assert.equal(page.status, 200);
      assert.ok(((await page.json()) as { events: unknown[] }).events.length > 0);
    }

    const after = await readValues(live.metrics);
    assert.deepEqual([...after.keys()].sort(), [...baseline.keys()].sort(), 'no metric appears or disappears');
    const still = names.filter((n) => !STAY.has(n) && after.get(n) === baseline.get(n));
    assert.deepEqual(still, [], `metrics that never moved: ${still.join(', ')}`);
  });
});
