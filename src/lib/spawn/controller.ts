/**
 * SpawnController: spawns typed worker threads, feeds them tasks from the durable queue,
 * watches their health, and records what happens in Postgres (or embedded PGlite).
 *
 * Dispatch never uses pg-boss's work() loop, which sleeps a polling interval after every
 * batch. Instead, for each worker type, the controller fetches exactly as many jobs as it has
 * idle workers, and wakes at once when a task is distributed here or a worker goes idle.
 * A slower poll picks up tasks sent by other replicas and retries whose backoff has passed.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, Worker, type ResourceLimits } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { parseWith } from '../../contracts/parse.js';
import { taskSchema, WORKER_TYPE_NAME as TYPE_NAME } from '../../contracts/tasks.js';
import { deepMerge, spawnConfig, type DeepPartial, type SpawnConfig, type WorkerTypeConfig } from '../../config/spawn.js';
import { openDatabase } from '../db/connect.js';
import { Migrator } from '../db/migrator.js';
import { rawEventActivity } from '../db/queries/raw-events.js';
import { attemptStats, listLiveWorkers } from '../db/queries/spawn-state.js';
import type { Database } from '../db/types.js';
import { CapacityError, TaskTimeoutError, ValidationError, WorkerCrashError, coerceError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { createProviderLimiter, type ProviderLimiter } from '../api/rate-limit.js';
import { SOURCES, type SourceId } from '../api/types.js';
import { TaskQueue, type FetchedJob } from './queue.js';
import { serializeError, serveRpc } from './rpc.js';
import { StateWriter } from './state-writer.js';
import type {
  SerializedError, SystemStatus, Task, TaskAssignment, TaskSummary, WorkerSnapshot, WorkerStatus, WorkerToController,
} from './types.js';
import type { WorkerBootData } from './worker-data.js';

export interface SpawnControllerOptions extends DeepPartial<Omit<SpawnConfig, 'workerTypes'>> {
  workerTypes?: Record<string, Partial<WorkerTypeConfig>>;
  logger?: Logger;
  logLevel?: string;
  /** ms between polls for tasks from other replicas and due retries */
  pollInterval?: number;
  /** spawn more workers of a type, up to its limits, while its queue has a backlog */
  autoscale?: boolean;
  replicaId?: string;
  /** ms a new worker gets to load its script and initialize */
  startupTimeout?: number;
  /**
   * An open database to use instead of opening one from databaseUrl/dataDir; the caller
   * keeps it and closes it after shutdown(). Its schema is the one `schema` names.
   */
  database?: Database;
}

export type ResolvedOptions = SpawnConfig & {
  pollInterval: number;
  autoscale: boolean;
  replicaId: string;
  startupTimeout: number;
  logLevel: string;
};

interface RunningTask {
  assignment: TaskAssignment;
  startedAt: number;
  timer: NodeJS.Timeout;
}

interface WorkerEntry {
  id: string;
  type: string;
  thread: Worker;
  status: WorkerStatus;
  current: RunningTask | null;
  tasksCompleted: number;
  tasksFailed: number;
  totalTimeMs: number;
  lastHeartbeat: number;
  startedAt: number;
  /** set when the controller itself ends the thread, so exit is not treated as a crash */
  retiring: boolean;
  lastError: Error | null;
}

const BUILTIN_TYPES = ['discovery', 'ingestion', 'processing'] as const;

export function parseMemoryLimit(limit: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(MB|GB|M|G)$/i.exec(limit.trim());
  if (!m) throw new ValidationError(`memoryLimit must look like '512MB' or '1GB', got ${JSON.stringify(limit)}`);
  const n = Number(m[1]);
  return Math.round(/^g/i.test(m[2]!) ? n * 1024 : n);
}

/** The `resourceLimits` of a worker type's threads. */
export function threadResourceLimits(t: WorkerTypeConfig): ResourceLimits {
  return {
    maxOldGenerationSizeMb: parseMemoryLimit(t.memoryLimit),
    ...(t.youngGenerationMb === undefined ? {} : { maxYoungGenerationSizeMb: t.youngGenerationMb }),
  };
}

export class SpawnController extends EventEmitter {
  readonly config: ResolvedOptions;
  readonly replicaId: string;
  private readonly logger: Logger;
  private readonly workers = new Map<string, WorkerEntry>();
  private _db: Database | undefined;
  private readonly providedDb: Database | undefined;
  private _queue: TaskQueue | undefined;
  private writer: StateWriter | undefined;
  private limiter: ProviderLimiter | undefined;
  private redis: Redis | undefined;
  private readonly dispatch = new Map<string, DispatchState>();
  private readonly timers: NodeJS.Timeout[] = [];
  private initPromise: Promise<void> | undefined;
  private shutdownPromise: Promise<void> | undefined;
  private stopping = false;
  private lastIdTime = 0;
  private healthRequest = 0;
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 20 });
  private cpuMark = { usage: process.cpuUsage(), at: process.hrtime.bigint() };
  private statusCache: { at: number; value: Promise<SystemStatus> } | undefined;

  constructor(options: SpawnControllerOptions = {}) {
    super();
    const { logger, pollInterval, autoscale, replicaId, startupTimeout, logLevel, workerTypes, database, ...rest } = options;
    this.providedDb = database;
    const merged = deepMerge(spawnConfig, rest as DeepPartial<SpawnConfig>);
    const types: Record<string, WorkerTypeConfig> = { ...merged.workerTypes };
    for (const [name, partial] of Object.entries(workerTypes ?? {})) {
      if (!TYPE_NAME.test(name)) throw new ValidationError(`worker type name ${JSON.stringify(name)} must match ${TYPE_NAME}`);
      const base = types[name];
      if (!base && !partial.script) {
        throw new ValidationError(`custom worker type "${name}" needs a script: a module that constructs a BaseWorker subclass`);
      }
      types[name] = { ...{ maxConcurrency: 1, memoryLimit: '256MB', cpuLimit: 0.5 }, ...base, ...partial } as WorkerTypeConfig;
    }
    for (const [name, t] of Object.entries(types)) {
      if (!Number.isInteger(t.maxConcurrency) || t.maxConcurrency < 1) {
        throw new ValidationError(`workerTypes.${name}.maxConcurrency must be a positive integer, got ${t.maxConcurrency}`);
      }
      parseMemoryLimit(t.memoryLimit);
      if (t.youngGenerationMb !== undefined && (!Number.isInteger(t.youngGenerationMb) || t.youngGenerationMb < 1)) {
        throw new ValidationError(`workerTypes.${name}.youngGenerationMb must be a positive integer, got ${t.youngGenerationMb}`);
      }
    }
    if (!Number.isInteger(merged.maxWorkers) || merged.maxWorkers < 1) {
      throw new ValidationError(`maxWorkers must be a positive integer, got ${merged.maxWorkers}`);
    }
    this.replicaId = replicaId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.config = {
      ...merged,
      workerTypes: types,
      pollInterval: pollInterval ?? 1000,
      autoscale: autoscale ?? true,
      replicaId: this.replicaId,
      startupTimeout: startupTimeout ?? 15_000,
      logLevel: logLevel ?? 'info',
    };
    this.logger = (logger ?? silentLogger).child({ replica: this.replicaId });
  }

  get db(): Database {
    if (!this._db) throw new Error('SpawnController.initialize() has not run');
    return this._db;
  }

  get queue(): TaskQueue {
    if (!this._queue) throw new Error('SpawnController.initialize() has not run');
    return this._queue;
  }

  get providerLimiter(): ProviderLimiter {
    if (!this.limiter) throw new Error('SpawnController.initialize() has not run');
    return this.limiter;
  }

  get workerTypeNames(): string[] {
    return Object.keys(this.config.workerTypes);
  }

  /** Idempotent: a second call returns the first call's promise. */
  initialize(): Promise<void> {
    return (this.initPromise ??= this.doInitialize());
  }

  private async doInitialize(): Promise<void> {
    const c = this.config;
    this._db = this.providedDb ?? (await openDatabase({ databaseUrl: c.databaseUrl, dataDir: c.dataDir, schema: c.schema, applicationName: 'scenescout' }));
    try {
      await new Migrator(this._db).migrate();
      this._queue = new TaskQueue(this._db, {
        schema: `${c.schema === 'public' ? 'pgboss' : `${c.schema}_boss`}`,
        retryPolicy: c.retryPolicy,
        workerTimeout: c.workerTimeout,
        maintenanceIntervalSeconds: c.maintenanceIntervalSeconds,
        schedule: c.schedules.enabled,
        logger: this.logger,
      });
      await this._queue.start(this.workerTypeNames);
      this.writer = new StateWriter(this._db, this._queue, this.logger);
      if (c.redisUrl) {
        this.redis = new Redis(c.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
        this.redis.on('error', (err) => this.logger.warn({ err: err.message }, 'redis error'));
      }
      this.limiter = createProviderLimiter({ providers: c.providers, redis: this.redis, keyPrefix: `scenescout:${c.schema}` });
    } catch (err) {
      if (!this.providedDb) await this._db.close().catch(() => {});
      throw err;
    }
    this.loopDelay.enable();
    for (const [type, t] of Object.entries(c.workerTypes)) {
      const initial = t.initialWorkers ?? ((BUILTIN_TYPES as readonly string[]).includes(type) ? 1 : 0);
      for (let i = 0; i < initial && this.liveCount() < c.maxWorkers; i++) await this.spawn(type);
    }
    this.startHealthMonitoring();
    const poll = setInterval(() => this.onPoll(), c.pollInterval);
    poll.unref();
    this.timers.push(poll);
    this.logger.info({ database: this._db.kind, workers: this.workers.size }, 'spawn controller ready');
  }

  // ---- workers -----------------------------------------------------------------------

  private liveCount(type?: string): number {
    let n = 0;
    for (const w of this.workers.values()) if (!w.retiring && (type === undefined || w.type === type)) n++;
    return n;
  }

  private nextWorkerId(type: string): string {
    // Unique even when two workers spawn in the same millisecond.
    const now = Date.now();
    this.lastIdTime = now > this.lastIdTime ? now : this.lastIdTime + 1;
    return `worker-${type}-${this.lastIdTime}`;
  }

  private scriptFor(type: string): string {
    const t = this.config.workerTypes[type]!;
    if (t.script) {
      const file = t.script.startsWith('file:') ? fileURLToPath(t.script) : path.resolve(t.script);
      if (!existsSync(file)) throw new ValidationError(`worker type "${type}": script not found: ${file}`);
      return pathToFileURL(file).href;
    }
    return new URL(`./workers/${type}.js`, import.meta.url).href;
  }

  async spawnWorker(type: string): Promise<string> {
    if (typeof type !== 'string' || !this.config.workerTypes[type]) {
      throw new ValidationError(`unknown worker type ${JSON.stringify(type)}; known types: ${this.workerTypeNames.join(', ')}`);
    }
    if (this.stopping) throw new CapacityError('the controller is shutting down');
    await this.initialize();
    return this.spawn(type);
  }

  private async spawn(type: string): Promise<string> {
    const t = this.config.workerTypes[type]!;
    if (this.liveCount() >= this.config.maxWorkers) {
      throw new CapacityError(`cannot spawn a ${type} worker: SPAWN_MAX_WORKERS (${this.config.maxWorkers}) workers are running`);
    }
    if (this.liveCount(type) >= t.maxConcurrency) {
      throw new CapacityError(`cannot spawn a ${type} worker: its maxConcurrency (${t.maxConcurrency}) is reached`);
    }
    const entry = this.script(type);
    const workerId = this.nextWorkerId(type);
    const { port1, port2 } = new MessageChannel();
    const c = this.config;
    const boot: WorkerBootData = {
      workerId,
      type,
      replicaId: this.replicaId,
      entry,
      rpcPort: port2,
      storage: c.databaseUrl ? { mode: 'postgres', databaseUrl: c.databaseUrl, schema: c.schema } : { mode: 'rpc' },
      redisUrl: c.redisUrl,
      providers: c.providers,
      workerTimeout: c.workerTimeout,
      ingestionBatchSize: c.ingestionBatchSize,
      logLevel: c.logLevel,
    };
    const thread = new Worker(new URL(entry), {
      workerData: boot,
      transferList: [port2],
      resourceLimits: threadResourceLimits(t),
    });
    const w: WorkerEntry = {
      id: workerId, type, thread, status: 'starting', current: null, tasksCompleted: 0, tasksFailed: 0,
      totalTimeMs: 0, lastHeartbeat: Date.now(), startedAt: Date.now(), retiring: false, lastError: null,
    };
    this.workers.set(workerId, w); // reserves the slot before the first await
    serveRpc(port1, {
      'db.query': async ({ text, params }) => this.db.query(text, params),
      'limiter.acquire': async ({ source }) => {
        await this.providerLimiter.acquire(source as SourceId);
        return null;
      },
      'limiter.budget': async ({ source }) => this.providerLimiter.budget(source as SourceId),
    });
    port1.unref();
    try {
      await this.waitReady(w);
    } catch (err) {
      w.retiring = true;
      this.workers.delete(workerId);
      port1.close();
      await thread.terminate().catch(() => {});
      throw new ValidationError(`worker type "${type}" failed to start: ${coerceError(err).message}`, { cause: err });
    }
    thread.on('message', (msg: WorkerToController) => this.handleWorkerMessage(w, msg));
    thread.on('error', (err) => {
      w.lastError = err;
    });
    thread.on('exit', (code) => this.handleWorkerExit(w, code, port1));
    w.status = 'idle';
    w.lastHeartbeat = Date.now();
    this.writer!.workerChanged(workerId, () => this.snapshot(w));
    await this.writer!.flush();
    this.emit('worker:spawned', { workerId, type });
    this.logger.info({ workerId, type }, 'worker spawned');
    void this.wake(type);
    return workerId;
  }

  private script(type: string): string {
    return this.scriptFor(type);
  }

  private waitReady(w: WorkerEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no ready signal within ${this.config.startupTimeout} ms`)), this.config.startupTimeout);
      const onMessage = (msg: WorkerToController) => {
        if (msg.type === 'ready') finish();
        else if (msg.type === 'error' && msg.taskId === null) finish(new Error(msg.error.message));
      };
      const onError = (err: Error) => finish(err);
      const onExit = (code: number) => finish(new Error(`the thread exited with code ${code} before it was ready`));
      const finish = (err?: Error) => {
        clearTimeout(timer);
        w.thread.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
      w.thread.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
  }

  private snapshot(w: WorkerEntry): WorkerSnapshot {
    const done = w.tasksCompleted + w.tasksFailed;
    return {
      workerId: w.id,
      workerType: w.type,
      status: w.status,
      currentTask: w.current?.assignment.taskId ?? null,
      tasksCompleted: w.tasksCompleted,
      tasksFailed: w.tasksFailed,
      averageTimeMs: w.tasksCompleted > 0 ? w.totalTimeMs / w.tasksCompleted : null,
      errorRate: done > 0 ? w.tasksFailed / done : 0,
      lastHeartbeat: new Date(w.lastHeartbeat).toISOString(),
      startedAt: new Date(w.startedAt).toISOString(),
      replicaId: this.replicaId,
    };
  }

  private handleWorkerMessage(w: WorkerEntry, msg: WorkerToController): void {
    switch (msg.type) {
      case 'heartbeat':
        w.lastHeartbeat = Date.now();
        if (w.status === 'unhealthy') w.status = w.current ? 'busy' : 'idle';
        this.writer?.workerChanged(w.id, () => this.snapshot(w));
        break;
      case 'result':
        if (w.current && w.current.assignment.taskId === msg.taskId) this.finishTask(w, { result: msg.result });
        break;
      case 'error':
        if (w.current && (msg.taskId === null || w.current.assignment.taskId === msg.taskId)) {
          this.finishTask(w, { error: msg.error });
        } else {
          this.logger.warn({ workerId: w.id, error: msg.error.message }, 'worker reported an error outside a task');
        }
        break;
      case 'log':
        this.logger[msg.level]({ workerId: w.id, ...msg.data }, msg.msg);
        break;
      default:
        break;
    }
  }

  /** Ends the worker's current attempt, successfully or not, and makes the worker idle. */
  private finishTask(w: WorkerEntry, outcome: { result: unknown } | { error: SerializedError }, idleAfter = true): void {
    const run = w.current;
    if (!run) return;
    clearTimeout(run.timer);
    w.current = null;
    const durationMs = Date.now() - run.startedAt;
    const a = run.assignment;
    if (idleAfter && !w.retiring) w.status = 'idle';
    if ('result' in outcome) {
      w.tasksCompleted++;
      w.totalTimeMs += durationMs;
      this.writer!.attemptEnded(
        { jobId: a.jobId, retryCount: a.retryCount, status: 'completed', result: outcome.result, error: null, durationMs, completedAt: new Date() },
        { type: a.taskType, jobId: a.jobId },
      );
      this.emit('task:completed', { taskId: a.taskId, jobId: a.jobId, type: a.taskType, workerId: w.id, durationMs, result: outcome.result });
    } else {
      w.tasksFailed++;
      const error = outcome.error;
      const message = `${error.code ? `${error.code}: ` : ''}${error.message} (task ${a.taskId}, worker ${w.id}, attempt ${a.retryCount + 1})`;
      this.writer!.attemptEnded({ jobId: a.jobId, retryCount: a.retryCount, status: 'failed', result: null, error: message, durationMs, completedAt: new Date() });
      void this.queue
        .fail(a.taskType, a.jobId, { ...error, message })
        .then((result) => {
          this.emit('task:failed', { taskId: a.taskId, jobId: a.jobId, type: a.taskType, workerId: w.id, durationMs, error: message, outcome: result });
          this.logger.warn({ taskId: a.taskId, workerId: w.id, outcome: result, error: message }, 'task attempt failed');
        })
        .catch((err) => this.logger.error({ err, taskId: a.taskId }, 'could not record a failed attempt; the job will expire and retry'));
    }
    this.writer!.workerChanged(w.id, () => this.snapshot(w));
    if (idleAfter && !w.retiring) void this.wake(w.type);
  }

  private handleWorkerExit(w: WorkerEntry, code: number, port: MessagePortLike): void {
    port.close();
    this.workers.delete(w.id);
    const crashed = !w.retiring;
    if (w.current) {
      const reason = w.lastError
        ? `worker crashed: ${w.lastError.message}`
        : `worker exited with code ${code} while running the task`;
      const err = new WorkerCrashError(reason);
      this.finishTask(w, { error: serializeError(err) }, false);
    }
    w.status = crashed ? 'crashed' : 'stopped';
    this.writer?.workerChanged(w.id, () => this.snapshot(w));
    this.emit('worker:exit', { workerId: w.id, type: w.type, code, crashed, error: w.lastError?.message ?? null });
    if (crashed) {
      this.logger.warn({ workerId: w.id, code, error: w.lastError?.message }, 'worker crashed');
      this.replace(w.type, w.id);
    }
  }

  /** Never reuses a worker that misbehaved: a fresh thread takes its place. */
  private replace(type: string, oldId: string): void {
    if (this.stopping) return;
    this.spawnWorker(type)
      .then((newId) => this.emit('worker:replaced', { oldWorkerId: oldId, workerId: newId, type }))
      .catch((err) => this.logger.error({ err: coerceError(err).message, type }, 'could not replace a worker'));
  }

  /** Terminates a worker that hung or stopped answering; its task fails and is retried. */
  private retire(w: WorkerEntry, error: Error): void {
    if (w.retiring) return;
    w.retiring = true;
    w.status = 'unhealthy';
    if (w.current) this.finishTask(w, { error: serializeError(error) }, false);
    this.logger.warn({ workerId: w.id, reason: error.message }, 'terminating worker');
    void w.thread.terminate();
    this.replace(w.type, w.id);
  }

  private startHealthMonitoring(): void {
    const interval = this.config.heartbeatInterval;
    let lastTick = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      // A tick that fires late means this thread was blocked (a long synchronous stretch, an
      // embedded-database query): the workers' replies are still queued behind this timer, so
      // their silence says nothing yet. Judge them on the next tick, once the replies are read.
      const stalled = now - lastTick > interval * 2;
      lastTick = now;
      for (const w of this.workers.values()) {
        if (w.retiring || w.status === 'starting') continue;
        if (!stalled && now - w.lastHeartbeat > interval * this.config.heartbeatMisses) {
          this.retire(w, new WorkerCrashError(`worker ${w.id} stopped answering heartbeats for ${now - w.lastHeartbeat} ms`));
          continue;
        }
        w.thread.postMessage({ type: 'health', requestId: ++this.healthRequest });
      }
    }, interval);
    timer.unref();
    this.timers.push(timer);
  }

  // ---- tasks -------------------------------------------------------------------------

  /** Durable: the task is in the queue when this resolves, and running if a worker was idle. */
  async distributeTask(input: Task): Promise<{ taskId: string; jobId: string | null }> {
    const task: Task = parseWith(taskSchema, input, 'task');
    if (!this.config.workerTypes[task.type]) {
      throw new ValidationError(`invalid task: unknown worker type ${JSON.stringify(task.type)}; known types: ${this.workerTypeNames.join(', ')}`);
    }
    if (this.stopping) throw new CapacityError('the controller is shutting down');
    await this.initialize();
    const jobId = task.singletonKey
      ? await this.queue.sendUnique(task as Task & { singletonKey: string }, { whileRunning: task.queueWhileRunning })
      : await this.queue.send(task);
    if (jobId) {
      this.emit('task:queued', { taskId: task.id, jobId, type: task.type });
      await this.wake(task.type);
    }
    return { taskId: task.id, jobId };
  }

  /** Requeues a dead-lettered task with a fresh retry budget; it runs at once if a worker is idle. */
  async retryTask(taskId: string): Promise<{ taskId: string; jobId: string }> {
    await this.initialize();
    const r = await this.queue.retryDead(this.workerTypeNames, taskId);
    await this.wake(r.type);
    return { taskId: r.taskId, jobId: r.jobId };
  }

  /**
   * Asks for jobs for the idle workers of a type. Resolves once a fetch that started after
   * this call has returned (so a task sent just before is running if a worker was free), or
   * at once when no worker is free. Up to a few fetches run at once, each for workers no
   * other fetch has reserved, so completions arriving one by one do not queue behind each other.
   */
  private wake(type: string): Promise<void> {
    let st = this.dispatch.get(type);
    if (!st) this.dispatch.set(type, (st = { requested: false, inflight: 0, reserved: 0, waiters: [] }));
    const state = st;
    return new Promise((resolve) => {
      state.waiters.push(resolve);
      state.requested = true;
      this.pump(type, state);
    });
  }

  private pump(type: string, st: DispatchState): void {
    const idle = this.idleWorkers(type).length;
    const free = idle - st.reserved;
    const maxInflight = Math.min(4, this.config.workerTypes[type]?.maxConcurrency ?? 1);
    if (this.stopping || idle === 0) {
      // No worker is free: the task waits in the queue until one is.
      for (const w of st.waiters.splice(0)) w();
      return;
    }
    if (!st.requested || free <= 0 || st.inflight >= maxInflight) {
      // Fetches in flight may have started before the task was sent; the waiters are served
      // by the fetch that follows them (see done()). With none in flight, nothing will come.
      if (st.inflight === 0) for (const w of st.waiters.splice(0)) w();
      return;
    }
    st.requested = false;
    const waiters = st.waiters.splice(0);
    st.inflight++;
    st.reserved += free;
    const done = (jobs: FetchedJob[]) => {
      st.inflight--;
      st.reserved -= free;
      const idle = this.idleWorkers(type);
      for (const job of jobs) {
        const w = idle.shift();
        if (w) this.assign(w, job);
        else {
          // The worker we counted crashed while we fetched: the attempt fails and is retried.
          void this.queue.fail(type, job.id, serializeError(new WorkerCrashError('no worker left to run the fetched task')));
        }
      }
      // A full batch means the queue may hold more.
      if (jobs.length === free) st.requested = true;
      for (const w of waiters) w();
      this.pump(type, st);
    };
    this.queue.fetch(type, free).then(done, (err) => {
      this.logger.error({ err, type }, 'fetch failed');
      done([]);
    });
  }

  private idleWorkers(type: string): WorkerEntry[] {
    const out: WorkerEntry[] = [];
    for (const w of this.workers.values()) if (w.type === type && w.status === 'idle' && !w.retiring) out.push(w);
    return out;
  }

  private assign(w: WorkerEntry, job: FetchedJob): void {
    const now = Date.now();
    const assignment: TaskAssignment = {
      taskId: job.data.taskId,
      jobId: job.id,
      workerId: w.id,
      taskType: w.type,
      parameters: job.data.parameters ?? {},
      deadline: now + this.config.workerTimeout,
      retryCount: job.retryCount,
    };
    const timer = setTimeout(() => {
      if (w.current?.assignment.jobId === job.id) {
        this.retire(w, new TaskTimeoutError(`task ${assignment.taskId} ran past its deadline of ${this.config.workerTimeout} ms on ${w.id}`));
      }
    }, this.config.workerTimeout);
    timer.unref();
    w.status = 'busy';
    w.current = { assignment, startedAt: now, timer };
    this.writer!.attemptStarted({
      taskId: assignment.taskId, jobId: job.id, workerId: w.id, taskType: w.type, parameters: assignment.parameters,
      retryCount: job.retryCount, replicaId: this.replicaId, assignedAt: new Date(now),
    });
    this.writer!.workerChanged(w.id, () => this.snapshot(w));
    w.thread.postMessage({ type: 'task', assignment });
    this.emit('task:started', { taskId: assignment.taskId, jobId: job.id, type: w.type, workerId: w.id });
  }

  private onPoll(): void {
    if (this.stopping) return;
    for (const type of this.workerTypeNames) {
      if (this.idleWorkers(type).length > 0) void this.wake(type);
    }
    if (this.config.autoscale) void this.autoscale().catch((err) => this.logger.warn({ err: coerceError(err).message }, 'autoscale failed'));
  }

  private autoscaling = false;
  /** Adds a worker to a type whose queue has more ready tasks than it has idle workers. */
  private async autoscale(): Promise<void> {
    if (this.autoscaling) return;
    this.autoscaling = true;
    try {
      const counts = await this.queue.counts(this.workerTypeNames);
      for (const type of this.workerTypeNames) {
        const ready = (counts[type]?.created ?? 0) + (counts[type]?.retry ?? 0);
        const t = this.config.workerTypes[type]!;
        if (ready > this.idleWorkers(type).length && this.liveCount(type) < t.maxConcurrency && this.liveCount() < this.config.maxWorkers) {
          await this.spawnWorker(type).catch(() => {});
        }
      }
    } finally {
      this.autoscaling = false;
    }
  }

  // ---- status ------------------------------------------------------------------------

  async getWorkerStates(): Promise<WorkerSnapshot[]> {
    await this.initialize();
    await this.writer!.flush();
    const stale = this.config.heartbeatInterval * this.config.heartbeatMisses * 2 + 10_000;
    const rows = await listLiveWorkers(this.db, stale);
    const local = new Map([...this.workers.values()].map((w) => [w.id, this.snapshot(w)]));
    const out = rows.filter((r) => r.replicaId !== this.replicaId).concat([...local.values()]);
    return out.sort((a, b) => a.workerType.localeCompare(b.workerType) || a.workerId.localeCompare(b.workerId));
  }

  async getTaskQueue(options: { state?: 'failed' | 'queued' | 'active' | 'all'; limit?: number } = {}): Promise<TaskSummary[]> {
    await this.initialize();
    const states = {
      queued: ['created', 'retry'],
      active: ['active'],
      failed: ['failed'],
      all: ['created', 'retry', 'active', 'completed', 'failed', 'cancelled'],
    }[options.state ?? 'all'];
    return this.queue.listTasks(this.workerTypeNames, states, Math.min(Math.max(options.limit ?? 100, 1), 1000));
  }

  /** Cached for a moment: dashboards and scrapers poll this at high rates. */
  getSystemStatus(): Promise<SystemStatus> {
    const now = Date.now();
    if (this.statusCache && now - this.statusCache.at < 500) return this.statusCache.value;
    const value = this.computeStatus();
    this.statusCache = { at: now, value };
    value.catch(() => {
      if (this.statusCache?.value === value) this.statusCache = undefined;
    });
    return value;
  }

  private async computeStatus(): Promise<SystemStatus> {
    await this.initialize();
    const [workers, counts, attempts, activity, providers] = await Promise.all([
      this.getWorkerStates(),
      this.queue.counts(this.workerTypeNames),
      attemptStats(this.db),
      rawEventActivity(this.db),
      this.providerStatus(),
    ]);
    let queued = 0;
    let active = 0;
    for (const c of Object.values(counts)) {
      queued += (c.created ?? 0) + (c.retry ?? 0);
      active += c.active ?? 0;
    }
    const byType: Record<string, number> = {};
    const byStatus: Record<string, number> = {};
    for (const w of workers) {
      byType[w.workerType] = (byType[w.workerType] ?? 0) + 1;
      byStatus[w.status] = (byStatus[w.status] ?? 0) + 1;
    }
    const cpuNow = process.cpuUsage();
    const at = process.hrtime.bigint();
    const elapsedUs = Number(at - this.cpuMark.at) / 1000;
    const usedUs = cpuNow.user - this.cpuMark.usage.user + (cpuNow.system - this.cpuMark.usage.system);
    this.cpuMark = { usage: cpuNow, at };
    return {
      activeTasks: active,
      queuedTasks: queued,
      workers: { total: workers.length, byType, byStatus },
      tasks: { queued, active, completed: attempts.completed, failed: attempts.failed, averageCompletionTime: Math.round(attempts.averageMs) },
      performance: {
        cpuUsage: elapsedUs > 0 ? Math.round((usedUs / elapsedUs) * 1000) / 10 : 0,
        memoryUsage: process.memoryUsage().rss,
        eventDiscoveryRate: activity.discoveredLastHour,
        ingestionRate: activity.ingestedLastHour,
        eventLoopLagMs: Math.round(this.loopDelay.mean / 1e4) / 100,
      },
      discoveryHistory: activity.discoveredByHour.map((r) => ({ hour: r.hour.toISOString(), count: r.count })),
      providers,
      replicaId: this.replicaId,
      database: this.db.kind,
    };
  }

  private async providerStatus(): Promise<SystemStatus['providers']> {
    return Promise.all(
      SOURCES.map(async (source) => {
        const p = this.config.providers[source];
        const enabled = source === 'ics' || source === 'jsonld' || Boolean(p.apiKey);
        const b = await this.providerLimiter.budget(source).catch(() => ({ budget: p.dailyBudget, used: 0, remaining: p.dailyBudget }));
        return { source, enabled, budget: b.budget, used: b.used, remaining: b.remaining };
      }),
    );
  }

  // ---- shutdown ----------------------------------------------------------------------

  /** Graceful and idempotent: stop taking tasks, let running ones finish, then terminate. */
  shutdown(gracePeriodMs = this.config.shutdownGracePeriod): Promise<void> {
    return (this.shutdownPromise ??= this.doShutdown(gracePeriodMs));
  }

  private async doShutdown(gracePeriodMs: number): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    if (this.initPromise) await this.initPromise.catch(() => {});
    if (!this._db) return;
    while ([...this.dispatch.values()].some((d) => d.inflight > 0)) await new Promise((r) => setTimeout(r, 5));
    const deadline = Date.now() + gracePeriodMs;
    while ([...this.workers.values()].some((w) => w.current) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
    }
    for (const w of [...this.workers.values()]) {
      if (w.current) this.finishTask(w, { error: serializeError(new WorkerCrashError('the controller shut down before the task finished')) }, false);
    }
    await Promise.all([...this.workers.values()].map((w) => this.stopWorker(w)));
    await this.writer?.flush();
    this.loopDelay.disable();
    await this._queue?.stop().catch((err) => this.logger.warn({ err }, 'queue stop failed'));
    this.redis?.disconnect();
    if (!this.providedDb) await this._db.close();
    this.logger.info('spawn controller stopped');
  }

  private async stopWorker(w: WorkerEntry): Promise<void> {
    w.retiring = true;
    w.status = 'stopping';
    const exited = new Promise<void>((r) => w.thread.once('exit', () => r()));
    w.thread.postMessage({ type: 'shutdown' });
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 2000).unref());
    if ((await Promise.race([exited, timeout])) === 'timeout') await w.thread.terminate();
    await exited;
    w.status = 'stopped';
    this.writer?.workerChanged(w.id, () => this.snapshot(w));
  }
}

type MessagePortLike = { close(): void };

interface DispatchState {
  /** a wake arrived since the last fetch started */
  requested: boolean;
  /** fetches running */
  inflight: number;
  /** idle workers those fetches are for */
  reserved: number;
  waiters: Array<() => void>;
}
