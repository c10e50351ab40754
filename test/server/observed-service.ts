/**
 * The service behind the HTTP-layer tests: the real one (`createService()` on the test file's
 * shared PGlite, in a schema of its own), with no worker threads until a test spawns one and
 * nothing scheduled. It starts on the first call that reaches it, so a request the HTTP layer
 * refuses costs no database. Each call is recorded, and a test may make every call fail
 * (the 500 path) or readiness report a part down (the 503 path).
 */
import type { CityInput } from '../../src/contracts/cities.js';
import type { EventQueryInput } from '../../src/contracts/event-query.js';
import type { DedupeOperations } from '../../src/contracts/dedupe.js';
import type { DiscoveryRequest, SpawnService, TaskListOptions } from '../../src/contracts/service.js';
import type { Task, WorkerType } from '../../src/contracts/tasks.js';
import type { SpawnControllerOptions } from '../../src/lib/spawn/controller.js';
import { createService, type RunningService } from '../../src/service.js';
import { pgliteBackend } from '../helpers/db.js';

const started = new Set<ObservedService>();

/** For afterEach: stops the services the test started (but those shared across tests). */
export async function stopObservedServices(): Promise<void> {
  const all = [...started].filter((s) => s.stopsAfterEachTest);
  for (const s of all) started.delete(s);
  await Promise.all(all.map((s) => s.stop()));
}

export class ObservedService implements SpawnService {
  readonly calls: Array<{ method: string; args: unknown[] }> = [];
  /** When set, every call throws it instead of reaching the service. */
  failWith: unknown;
  /** Set a part to false and readiness reports it down, whatever the real check says. */
  readonly ready = { database: true, queue: true };
  /** False for a service several tests share: whoever shares it stops it (stop()), after the last. */
  stopsAfterEachTest = true;
  private running: Promise<RunningService> | undefined;

  constructor(private readonly config: SpawnControllerOptions = {}) {}

  /** The real service, started on first use. */
  service(): Promise<RunningService> {
    return (this.running ??= (async () => {
      started.add(this);
      const svc = await createService({
        citiesFile: false,
        config: {
          ...(await pgliteBackend.config()),
          autoscale: false,
          schedules: { enabled: false },
          workerTypes: { discovery: { initialWorkers: 0 }, ingestion: { initialWorkers: 0 }, processing: { initialWorkers: 0 } },
          ...this.config,
        },
      });
      await svc.start();
      return svc;
    })());
  }

  async stop(): Promise<void> {
    started.delete(this);
    const running = this.running;
    this.running = undefined;
    const svc = await running?.catch(() => undefined);
    await svc?.stop();
  }

  /** The queries GET /api/events passed on, in order. */
  get eventQueries(): EventQueryInput[] {
    return this.calls.filter((c) => c.method === 'queryEvents').map((c) => c.args[0] as EventQueryInput);
  }

  private async call<T>(method: keyof SpawnService, args: unknown[], run: (s: RunningService) => Promise<T>): Promise<T> {
    this.calls.push({ method, args });
    if (this.failWith !== undefined) throw this.failWith;
    return run(await this.service());
  }

  getSystemStatus = () => this.call('getSystemStatus', [], (s) => s.getSystemStatus());
  getWorkerStates = () => this.call('getWorkerStates', [], (s) => s.getWorkerStates());
  getTaskQueue = (options?: TaskListOptions) => this.call('getTaskQueue', [options], (s) => s.getTaskQueue(options));
  spawnWorker = (type: WorkerType) => this.call('spawnWorker', [type], (s) => s.spawnWorker(type));
  distributeTask = (task: Task) => this.call('distributeTask', [task], (s) => s.distributeTask(task));
  scheduleDiscovery = (request: DiscoveryRequest) => this.call('scheduleDiscovery', [request], (s) => s.scheduleDiscovery(request));
  listDeadLetters = (limit?: number) => this.call('listDeadLetters', [limit], (s) => s.listDeadLetters(limit));
  retryTask = (taskId: string) => this.call('retryTask', [taskId], (s) => s.retryTask(taskId));
  dismissDeadLetter = (taskId: string) => this.call('dismissDeadLetter', [taskId], (s) => s.dismissDeadLetter(taskId));
  listCities = () => this.call('listCities', [], (s) => s.listCities());
  upsertCity = (city: CityInput) => this.call('upsertCity', [city], (s) => s.upsertCity(city));
  updateCity = (id: string, patch: Partial<CityInput>) => this.call('updateCity', [id, patch], (s) => s.updateCity(id, patch));
  queryEvents = (input: EventQueryInput) => this.call('queryEvents', [input], (s) => s.queryEvents(input));
  cityStats = () => this.call('cityStats', [], (s) => s.cityStats());
  /** The real service's dedupe operations, reached through the same recording and failing door. */
  readonly dedupe: DedupeOperations = {
    getEventDetail: (id) => this.call('dedupe', ['getEventDetail', id], (s) => s.dedupe!.getEventDetail(id)),
    listReview: (query) => this.call('dedupe', ['listReview', query], (s) => s.dedupe!.listReview(query)),
    decideReview: (pairId, decision) => this.call('dedupe', ['decideReview', pairId, decision], (s) => s.dedupe!.decideReview(pairId, decision)),
    unmergeEvent: (eventId, request) => this.call('dedupe', ['unmergeEvent', eventId, request], (s) => s.dedupe!.unmergeEvent(eventId, request)),
    stats: () => this.call('dedupe', ['stats'], (s) => s.dedupe!.stats()),
  };
  readiness = () =>
    this.call('readiness', [], async (s) => {
      const real = await s.readiness();
      return { database: real.database && this.ready.database, queue: real.queue && this.ready.queue };
    });
}
