/**
 * The running service: controller, distributor, cities and catalogue behind one object that
 * the HTTP server, the Next.js route module and the CLI share (`SpawnService`).
 */
import { loadCitiesFile } from './lib/cities.js';
import { listCities, upsertCity, updateCity } from './lib/db/queries/cities.js';
import { claimStartupRun } from './lib/db/queries/replicas.js';
import { listSourceHealth, unquarantineSource } from './lib/db/queries/source-health.js';
import { renderedEventStats } from './lib/catalogue/event-cache.js';
import { queryEvents, queryEventsJson } from './lib/catalogue/query.js';
import { cityStats } from './lib/db/queries/catalogue-stats.js';
import { createDedupeOperations } from './lib/catalogue/dedupe/operations.js';
import { silentLogger, type Logger } from './lib/logger.js';
import { SpawnController, type SpawnControllerOptions } from './lib/spawn/controller.js';
import { TaskDistributor } from './lib/spawn/tasks/distributor.js';
import type { CityInput } from './contracts/cities.js';
import type { EventQueryInput } from './contracts/event-query.js';
import type { DiscoveryRequest, SpawnService } from './contracts/service.js';
import type { Task, WorkerType } from './contracts/tasks.js';

/** Replicas starting this soon after another one discovered at start skip it. */
export const DISCOVER_ON_START_WINDOW_MS = 10 * 60_000;

export interface CreateServiceOptions {
  config?: SpawnControllerOptions;
  logger?: Logger;
  /** cities file loaded at start; default config/cities.json, `false` for none */
  citiesFile?: string | false;
  /** run the cron schedules (discovery, ingestion, processing); default config.schedules.enabled */
  schedules?: boolean;
  /**
   * run a discovery of every city right after start, once per deployment: the replica that
   * claims it runs it, and replicas starting within `DISCOVER_ON_START_WINDOW_MS` of that claim
   * (the rest of a cold start, a rolling restart) skip it; default false
   */
  discoverOnStart?: boolean;
}

export interface RunningService extends SpawnService {
  readonly controller: SpawnController;
  readonly distributor: TaskDistributor;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function createService(options: CreateServiceOptions = {}): Promise<RunningService> {
  const logger = options.logger ?? silentLogger;
  const controller = new SpawnController({ logger, ...options.config });
  const distributor = new TaskDistributor(controller, { logger });
  let startPromise: Promise<void> | undefined;
  let stopPromise: Promise<void> | undefined;

  const service: RunningService = {
    controller,
    distributor,
    start() {
      return (startPromise ??= (async () => {
        const citiesFile = options.citiesFile ?? controller.config.citiesFile;
        // Read the file before touching the database: a bad file fails the start cleanly.
        const cities = citiesFile === false ? [] : loadCitiesFile(citiesFile);
        await controller.initialize();
        for (const city of cities) await upsertCity(controller.db, city);
        if (options.schedules ?? controller.config.schedules.enabled) await distributor.startScheduledTasks();
        if (options.discoverOnStart) {
          const mine = await claimStartupRun(controller.db, 'discover-on-start', controller.replicaId, DISCOVER_ON_START_WINDOW_MS);
          if (mine) await distributor.scheduleDiscovery({});
          else logger.info('discovery at start already ran for this deployment (another replica, within 10 minutes): skipped');
        }
      })());
    },
    stop() {
      return (stopPromise ??= (async () => {
        await distributor.stop().catch(() => {});
        await controller.shutdown();
      })());
    },
    getSystemStatus: () => controller.getSystemStatus(),
    getWorkerStates: () => controller.getWorkerStates(),
    getTaskQueue: (o) => controller.getTaskQueue(o),
    spawnWorker: (type: WorkerType) => controller.spawnWorker(type),
    distributeTask: (task: Task) => controller.distributeTask(task),
    scheduleDiscovery: (request: DiscoveryRequest) => distributor.scheduleDiscovery(request),
    listDeadLetters: (limit = 50) => controller.queue.listDeadLetters(controller.workerTypeNames, Math.min(Math.max(limit, 1), 500)),
    retryTask: (taskId: string) => controller.retryTask(taskId),
    dismissDeadLetter: (taskId: string) => controller.dismissDeadLetter(taskId),
    listCities: () => listCities(controller.db),
    upsertCity: (city: CityInput) => upsertCity(controller.db, city),
    updateCity: (id: string, patch: Partial<CityInput>) => updateCity(controller.db, id, patch),
    queryEvents: (input: EventQueryInput) => queryEvents(controller.db, input),
    queryEventsJson: (input: EventQueryInput) => queryEventsJson(controller.db, input),
    eventCacheStats: () => renderedEventStats(controller.db),
    cityStats: () => cityStats(controller.db),
    // The database opens in start(); the operations reach it on each call.
    dedupe: createDedupeOperations({ query: (text, params) => controller.db.query(text, params) }),
    sourceHealth: {
      list: () => listSourceHealth(controller.db),
      unquarantine: async (id: string) => ({ id, unquarantined: true as const, health: await unquarantineSource(controller.db, id) }),
    },
    readiness: async () => {
      const database = await controller.db.query('SELECT 1').then(() => true, () => false);
      const queue = await controller.queue.answers();
      const limiter = controller.providerLimiter.health?.();
      return { database, queue, ...(limiter ? { limiter } : {}) };
    },
  };
  return service;
}
