/**
 * Prometheus metrics on a registry of our own (so tests and embedders don't share the global one).
 *
 * Two kinds:
 * - Gauges read on scrape from the service (workers, tasks, rates, provider budgets). One scrape
 *   reads the status once, however many gauges need it.
 * - Counters and histograms fed where the thing happens: `bindController(controller)` listens to
 *   the controller's `task:completed` / `task:failed`, `events:discovered` / `events:ingested`
 *   (sent by the discovery and ingestion workers) and `provider:call` (sent by the provider
 *   clients' HTTP layer for every request); the HTTP app calls `observeHttpRequest`.
 *
 * Process metrics (CPU, memory, heap, event-loop lag) come from prom-client's defaults.
 */
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RENDERED_EVENTS_MAX } from '../lib/catalogue/event-cache.js';
import type { SpawnService } from '../contracts/service.js';
import type { SystemStatus, WorkerSnapshot } from '../contracts/status.js';
import type { ProviderCallOutcome } from '../lib/api/types.js';
import type { SpawnEvents } from '../lib/spawn/types.js';
import { registerDedupeMetrics } from './dedupe-metrics.js';
import { registerSourceMetrics } from './source-metrics.js';
import { rowGauge, sharedRead } from './scrape.js';

export type TaskOutcome = 'completed' | 'failed';
export type { ProviderCallOutcome };

/** The part of an EventEmitter that `bindController` uses. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- listeners of any emitter
type Listener = (...args: any[]) => void;
export interface EventSource {
  on(event: string, listener: Listener): unknown;
  off?(event: string, listener: Listener): unknown;
  removeListener?(event: string, listener: Listener): unknown;
}

export interface SpawnMetrics {
  readonly registry: Registry;
  /** The Content-Type of `render()`'s text. */
  readonly contentType: string;
  /** The Prometheus text exposition of every metric. */
  render(): Promise<string>;
  observeTaskDuration(type: string, seconds: number, outcome: TaskOutcome): void;
  recordEventsDiscovered(source: string, count: number): void;
  recordEventsIngested(count: number): void;
  recordProviderCall(source: string, outcome: ProviderCallOutcome): void;
  observeHttpRequest(method: string, route: string, status: number, seconds: number): void;
  /** Feeds the event counters from a controller's events; returns a function that stops listening. */
  bindController(emitter: EventSource): () => void;
}

export interface MetricsOptions {
  /** Add prom-client's default process metrics; default true. */
  defaultMetrics?: boolean;
  /** How long one status read serves scrapes, ms; default 1000. */
  statusTtlMs?: number;
  /** Told when a scrape cannot read the service status. */
  logger?: Logger;
  /** The labeled set's benchmark figures (bench:dedupe); default `.scenescout/dedupe-benchmark.json`, false for none. */
  dedupeBenchmarkFile?: string | false;
}

export function createMetrics(service: SpawnService, options: MetricsOptions = {}): SpawnMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const readState = cachedState(service, options.statusTtlMs ?? 1000, options.logger);
  const registers = [registry];

  // ---- read on scrape -----------------------------------------------------------------
  const scrapeOk = new Gauge({
    name: 'scenescout_status_scrape_ok',
    help: '1 when the last scrape could read the service status, else 0',
    registers,
    async collect() {
      scrapeOk.set((await readState()) ? 1 : 0);
    },
  });
  const workers = new Gauge({
    name: 'scenescout_workers',
    help: 'Workers of this replica by worker type and status',
    labelNames: ['type', 'status'] as const,
    registers,
    async collect() {
      const state = await readState();
      if (!state) return;
      workers.reset();
      for (const w of state.workers) workers.inc({ type: w.workerType, status: w.status });
    },
  });
  const tasks = new Gauge({
    name: 'scenescout_tasks',
    help: 'Tasks by state (queued, active, completed, failed)',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      const state = await readState();
      if (!state) return;
      const t = state.status.tasks;
      tasks.set({ state: 'queued' }, t.queued);
      tasks.set({ state: 'active' }, t.active);
      tasks.set({ state: 'completed' }, t.completed);
      tasks.set({ state: 'failed' }, t.failed);
    },
  });
  const avgCompletion = new Gauge({
    name: 'scenescout_task_average_completion_seconds',
    help: 'Average run time of completed attempts',
    registers,
    async collect() {
      const state = await readState();
      if (state) avgCompletion.set(state.status.tasks.averageCompletionTime / 1000);
    },
  });
  const discoveryRate = new Gauge({
    name: 'scenescout_event_discovery_rate_per_hour',
    help: 'Raw events discovered in the last hour',
    registers,
    async collect() {
      const state = await readState();
      if (state) discoveryRate.set(state.status.performance.eventDiscoveryRate);
    },
  });
  const ingestionRate = new Gauge({
    name: 'scenescout_ingestion_rate_per_hour',
    help: 'Raw events ingested in the last hour',
    registers,
    async collect() {
      const state = await readState();
      if (state) ingestionRate.set(state.status.performance.ingestionRate);
    },
  });
  const providerGauge = (name: string, help: string, value: (p: SystemStatus['providers'][number]) => number) =>
    rowGauge(registry, { name, help, labelNames: ['source'], rows: async () => (await readState())?.status.providers ?? null, labels: (p) => ({ source: p.source }), value });
  const redisUp = new Gauge({
    name: 'scenescout_limiter_redis_up',
    help: '1 while the provider limits are shared in Redis, 0 while Redis is down and they fall back (daily budgets in Postgres); absent without Redis',
    registers,
    async collect() {
      const limiter = (await readState())?.status.limiter;
      redisUp.reset();
      if (limiter?.redis.configured) redisUp.set(limiter.redis.ok ? 1 : 0);
    },
  });
  providerGauge('scenescout_provider_enabled', '1 when the source is configured and enabled', (p) => (p.enabled ? 1 : 0));
  providerGauge('scenescout_provider_budget', 'Daily request budget of the source', (p) => p.budget);
  providerGauge('scenescout_provider_budget_used', 'Requests to the source spent today', (p) => p.used);
  providerGauge('scenescout_provider_budget_remaining', 'Requests to the source left today', (p) => p.remaining);

  // The events the catalogue keeps as text (src/lib/catalogue/event-cache.ts): its totals as
  // counters, read on scrape (each metric's collect reads them; a second read adds nothing).
  let keptSeen = { hits: 0, misses: 0 };
  const readKept = () => {
    let now: ReturnType<NonNullable<SpawnService['eventCacheStats']>> | undefined;
    try {
      now = service.eventCacheStats?.();
    } catch {
      return; // not started: nothing kept yet
    }
    if (!now) return;
    keptHits.inc(Math.max(0, now.hits - keptSeen.hits));
    keptMisses.inc(Math.max(0, now.misses - keptSeen.misses));
    keptSize.set(now.size);
    keptSeen = { hits: now.hits, misses: now.misses };
  };
  const keptHits = new Counter({ name: 'scenescout_event_cache_hits_total', help: 'Events of /api/events pages served from the kept text at their current version', registers, collect: readKept });
  const keptMisses = new Counter({ name: 'scenescout_event_cache_misses_total', help: 'Events of /api/events pages read by id: not kept, or kept at an older version', registers, collect: readKept });
  const keptSize = new Gauge({ name: 'scenescout_event_cache_events', help: `Events kept as text, at most ${RENDERED_EVENTS_MAX}`, registers, collect: readKept });

  registerDedupeMetrics(registry, service, { benchmarkFile: options.dedupeBenchmarkFile, ttlMs: options.statusTtlMs, logger: options.logger });
  registerSourceMetrics(registry, service, { ttlMs: options.statusTtlMs, logger: options.logger });

  // ---- fed by events ------------------------------------------------------------------
  const taskDuration = new Histogram({
    name: 'scenescout_task_duration_seconds',
    help: 'Run time of one task attempt by worker type and outcome',
    labelNames: ['type', 'outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers,
  });
  const tasksFinished = new Counter({
    name: 'scenescout_tasks_finished_total',
    help: 'Task attempts finished by worker type and outcome',
    labelNames: ['type', 'outcome'] as const,
    registers,
  });
  const discovered = new Counter({
    name: 'scenescout_events_discovered_total',
    help: 'Raw events discovered, by source',
    labelNames: ['source'] as const,
    registers,
  });
  const ingested = new Counter({
    name: 'scenescout_events_ingested_total',
    help: 'Raw events ingested into canonical events',
    registers,
  });
  const providerCalls = new Counter({
    name: 'scenescout_provider_calls_total',
    help: 'Requests to event providers by source and outcome',
    labelNames: ['source', 'outcome'] as const,
    registers,
  });
  const providerErrors = new Counter({
    name: 'scenescout_provider_errors_total',
    help: 'Failed requests to event providers by source',
    labelNames: ['source'] as const,
    registers,
  });
  const httpRequests = new Counter({
    name: 'scenescout_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'scenescout_http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });

  const metrics: SpawnMetrics = {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    observeTaskDuration(type, seconds, outcome) {
      tasksFinished.inc({ type, outcome });
      if (Number.isFinite(seconds) && seconds >= 0) taskDuration.observe({ type, outcome }, seconds);
    },
    recordEventsDiscovered(source, count) {
      if (count > 0) discovered.inc({ source }, count);
    },
    recordEventsIngested(count) {
      if (count > 0) ingested.inc(count);
    },
    recordProviderCall(source, outcome) {
      providerCalls.inc({ source, outcome });
      if (outcome !== 'ok') providerErrors.inc({ source });
    },
    observeHttpRequest(method, route, status, seconds) {
      httpRequests.inc({ method, route, status: String(status) });
      httpDuration.observe({ method, route }, seconds);
    },
    bindController(emitter) {
      const onTask = (outcome: TaskOutcome) => (e: SpawnEvents['task:completed'] | SpawnEvents['task:failed']) => {
        metrics.observeTaskDuration(e.type, e.durationMs / 1000, outcome);
      };
      const listeners: { [K in keyof SpawnEvents]?: (e: SpawnEvents[K]) => void } = {
        'task:completed': onTask('completed'),
        'task:failed': onTask('failed'),
        'events:discovered': (e) => metrics.recordEventsDiscovered(e.source, e.count),
        'events:ingested': (e) => metrics.recordEventsIngested(e.count),
        'provider:call': (e) => metrics.recordProviderCall(e.source, e.outcome),
      };
      for (const [event, listener] of Object.entries(listeners) as Array<[string, Listener]>) emitter.on(event, listener);
      return () => {
        for (const [event, listener] of Object.entries(listeners) as Array<[string, Listener]>) {
          if (emitter.off) emitter.off(event, listener);
          else emitter.removeListener?.(event, listener);
        }
      };
    },
  };
  return metrics;
}

interface ScrapeState {
  status: SystemStatus;
  workers: WorkerSnapshot[];
}

/**
 * One read of the service for all the gauges of a scrape. A failed read yields null: the gauges
 * keep their last values and scenescout_status_scrape_ok drops to 0.
 */
function cachedState(service: SpawnService, ttlMs: number, logger?: Logger): () => Promise<ScrapeState | null> {
  return sharedRead(
    async () => {
      const [status, workers] = await Promise.all([service.getSystemStatus(), service.getWorkerStates()]);
      return { status, workers };
    },
    'the service status',
    ttlMs,
    logger,
  );
}
