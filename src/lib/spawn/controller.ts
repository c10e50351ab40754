/**
 * SpawnController: spawns typed worker threads, feeds them tasks from the durable queue,
 * watches their health, and records what happens in Postgres (or embedded PGlite).
 *
 * This is the public face; the work is done by parts named for what they do:
 *   options.ts         defaults and checks of the constructor's options
 *   runtime.ts         database, queue, bookkeeping writer, provider limiter
 *   worker-pool.ts     threads: spawn, retire, replace, stop, snapshots
 *   health-monitor.ts  heartbeat probes
 *   dispatcher.ts      queue → idle workers, deadlines, attempt ends
 *   autoscaler.ts      more workers for a backlog
 *   status.ts          system status, worker states, task list
 *   replicas.ts        this replica's heartbeat; taking over the tasks of a replica that died
 *   protocol.ts        the messages and requests between the controller and its threads
 * Events (see SpawnEvents): worker:spawned, worker:exit, worker:replaced, task:queued,
 * task:started, task:completed, task:failed, replica:lost, provider:call, events:discovered, events:ingested.
 */
import { EventEmitter } from 'node:events';
import { parseWith } from '../../contracts/parse.js';
import { taskSchema } from '../../contracts/tasks.js';
import type { ProviderLimiter } from '../api/rate-limit.js';
import type { Database } from '../db/types.js';
import { CapacityError, ShutdownError, ValidationError, coerceError } from '../errors.js';
import type { Logger } from '../logger.js';
import { Autoscaler } from './autoscaler.js';
import { Dispatcher } from './dispatcher.js';
import { HealthMonitor } from './health-monitor.js';
import { BUILTIN_TYPES, resolveOptions, type ResolvedOptions, type SpawnControllerOptions } from './options.js';
import { serializeError } from './protocol.js';
import type { TaskQueue } from './queue.js';
import { ReplicaHeartbeat } from './replicas.js';
import { openRuntime, type SpawnRuntime } from './runtime.js';
import { StatusReporter, type TaskListState } from './status.js';
import type { SpawnEvents, SystemStatus, Task, TaskSummary, WorkerSnapshot } from './types.js';
import { WorkerPool } from './worker-pool.js';
import { own } from '../own.js';

export { parseMemoryLimit, threadResourceLimits, type ResolvedOptions, type SpawnControllerOptions } from './options.js';

interface Parts {
  runtime: SpawnRuntime;
  pool: WorkerPool;
  dispatcher: Dispatcher;
  health: HealthMonitor;
  autoscaler: Autoscaler;
  status: StatusReporter;
  heartbeat: ReplicaHeartbeat;
  poll: NodeJS.Timeout | undefined;
}

export class SpawnController extends EventEmitter {
  readonly config: ResolvedOptions;
  readonly replicaId: string;
  private readonly logger: Logger;
  private readonly providedDb: Database | undefined;
  private parts: Parts | undefined;
  private initPromise: Promise<void> | undefined;
  private shutdownPromise: Promise<void> | undefined;
  private stopping = false;

  /** Throws ConfigError naming the first bad option. */
  constructor(options: SpawnControllerOptions = {}) {
    super();
    const { config, logger } = resolveOptions(options);
    this.config = config;
    this.replicaId = config.replicaId;
    this.logger = logger;
    this.providedDb = options.database;
  }

  get db(): Database {
    return this.ready().runtime.db;
  }

  get queue(): TaskQueue {
    return this.ready().runtime.queue;
  }

  get providerLimiter(): ProviderLimiter {
    return this.ready().runtime.limiter;
  }

  get workerTypeNames(): string[] {
    return Object.keys(this.config.workerTypes);
  }

  /** Idempotent: a second call returns the first call's promise. */
  initialize(): Promise<void> {
    return (this.initPromise ??= this.start());
  }

  async spawnWorker(type: string): Promise<string> {
    this.assertKnownType(type, '');
    if (this.stopping) throw new CapacityError('the controller is shutting down');
    await this.initialize();
    return this.ready().pool.spawn(type);
  }

  /** Durable: the task is in the queue when this resolves, and running if a worker was idle. */
  async distributeTask(input: Task): Promise<{ taskId: string; jobId: string | null }> {
    const task: Task = parseWith(taskSchema, input, 'task');
    this.assertKnownType(task.type, 'invalid task: ');
    if (this.stopping) throw new CapacityError('the controller is shutting down');
    await this.initialize();
    const { runtime, dispatcher } = this.ready();
    const jobId = task.singletonKey
      ? await runtime.queue.sendUnique(task as Task & { singletonKey: string }, { whileRunning: task.queueWhileRunning })
      : await runtime.queue.send(task);
    if (jobId) {
      this.emitEvent('task:queued', { taskId: task.id, jobId, type: task.type });
      await dispatcher.wake(task.type);
    }
    return { taskId: task.id, jobId };
  }

  /** Requeues a dead-lettered task with a fresh retry budget; it runs at once if a worker is idle. */
  async retryTask(taskId: string): Promise<{ taskId: string; jobId: string }> {
    await this.initialize();
    const { runtime, dispatcher } = this.ready();
    const r = await runtime.queue.retryDead(this.workerTypeNames, taskId);
    await dispatcher.wake(r.type);
    return { taskId: r.taskId, jobId: r.jobId };
  }

  /** Takes a dead-lettered task off the list without retrying it. */
  async dismissDeadLetter(taskId: string): Promise<{ taskId: string; dismissed: true }> {
    await this.initialize();
    return this.ready().runtime.queue.dismissDead(this.workerTypeNames, taskId);
  }

  async getWorkerStates(): Promise<WorkerSnapshot[]> {
    await this.initialize();
    return this.ready().status.workerStates();
  }

  async getTaskQueue(options: { state?: TaskListState; limit?: number } = {}): Promise<TaskSummary[]> {
    await this.initialize();
    return this.ready().status.taskQueue(options);
  }

  async getSystemStatus(): Promise<SystemStatus> {
    await this.initialize();
    return this.ready().status.systemStatus();
  }

  /** Graceful and idempotent: stop taking tasks, let running ones finish, then terminate. */
  shutdown(gracePeriodMs = this.config.shutdownGracePeriod): Promise<void> {
    return (this.shutdownPromise ??= this.stop(gracePeriodMs));
  }

  private async start(): Promise<void> {
    const c = this.config;
    const runtime = await openRuntime(c, this.logger, this.providedDb);
    const stopping = () => this.stopping;
    const emit = this.emitEvent.bind(this);
    let dispatcher: Dispatcher | undefined;
    const pool = new WorkerPool(c, runtime, this.logger, emit, {
      endTask: (w, outcome, idleAfter) => dispatcher!.endTask(w, outcome, idleAfter),
      workerFree: (type) => void dispatcher!.wake(type),
      stopping,
    });
    dispatcher = new Dispatcher(c, runtime, pool, this.logger, emit, stopping);
    const autoscaler = new Autoscaler(c, runtime.queue, pool, this.logger, stopping);
    const status = new StatusReporter(c, runtime, pool);
    const health = new HealthMonitor(c, pool);
    const heartbeat = new ReplicaHeartbeat(c, runtime, this.logger, emit, () => dispatcher!.wakeIdle());
    status.start();
    this.parts = { runtime, pool, dispatcher, health, autoscaler, status, heartbeat, poll: undefined };
    try {
      await heartbeat.start();
    } catch (err) {
      status.stop();
      await runtime.close();
      this.parts = undefined;
      throw err;
    }
    for (const [type, t] of Object.entries(c.workerTypes)) {
      const initial = t.initialWorkers ?? (BUILTIN_TYPES.includes(type) ? 1 : 0);
      for (let i = 0; i < initial && pool.liveCount() < c.maxWorkers; i++) await pool.spawn(type);
    }
    health.start();
    // The poll picks up tasks other replicas sent and retries whose backoff has passed.
    this.parts.poll = setInterval(() => {
      if (this.stopping) return;
      dispatcher.wakeIdle();
      if (c.autoscale) void autoscaler.run().catch((err) => this.logger.warn({ err: coerceError(err).message }, 'autoscale failed'));
    }, c.pollInterval);
    this.parts.poll.unref();
    this.logger.info({ database: runtime.db.kind, workers: pool.workers.size }, 'spawn controller ready');
  }

  private async stop(gracePeriodMs: number): Promise<void> {
    this.stopping = true;
    if (this.initPromise) await this.initPromise.catch(() => {});
    const parts = this.parts;
    if (!parts) return;
    const { runtime, pool, dispatcher, health, status, heartbeat } = parts;
    health.stop();
    clearInterval(parts.poll);
    while (dispatcher.fetching()) await new Promise((r) => setTimeout(r, 5));
    const deadline = Date.now() + gracePeriodMs;
    const running = () => [...pool.workers.values()].filter((w) => w.current);
    while (running().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    // Requeued without using a retry: the task did nothing wrong (ERR_SHUTDOWN).
    const cut = serializeError(new ShutdownError(`replica ${this.replicaId} shut down before the task finished`));
    for (const w of running()) dispatcher.endTask(w, { shutdown: cut }, false);
    await pool.stopAll();
    await runtime.writer.flush();
    await heartbeat.stop();
    status.stop();
    await runtime.close();
    this.logger.info('spawn controller stopped');
  }

  private ready(): Parts {
    if (!this.parts) throw new Error('SpawnController.initialize() has not run');
    return this.parts;
  }

  private assertKnownType(type: string, prefix: string): void {
    if (typeof type === 'string' && own(this.config.workerTypes, type)) return;
    throw new ValidationError(`${prefix}unknown worker type ${JSON.stringify(type)}; known types: ${this.workerTypeNames.join(', ')}`);
  }

  private emitEvent<K extends keyof SpawnEvents>(event: K, payload: SpawnEvents[K]): void {
    this.emit(event, payload);
  }
}
