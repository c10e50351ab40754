/**
 * The worker threads of one controller: starting them, reading their messages, retiring and
 * replacing the ones that misbehave, stopping them, and a plain snapshot of each.
 * A worker that crashed, hung or failed to start is never reused: a fresh thread takes its place.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { CapacityError, WorkerCrashError, WorkerStartError, coerceError } from '../errors.js';
import type { Logger } from '../logger.js';
import { threadResourceLimits, type ResolvedOptions } from './options.js';
import { serializeError, serveRequests, type SerializedError, type WorkerReport, type WorkerToController } from './protocol.js';
import { limiterKeyPrefix, type SpawnRuntime } from './runtime.js';
import type { SpawnEvents, TaskAssignment, WorkerSnapshot, WorkerStatus } from './types.js';
import type { WorkerBootData } from './worker-data.js';

export type Emit = <K extends keyof SpawnEvents>(event: K, payload: SpawnEvents[K]) => void;

export interface RunningTask {
  assignment: TaskAssignment;
  startedAt: number;
  /** fires at the attempt's deadline */
  timer: NodeJS.Timeout;
}

export interface PooledWorker {
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
  /** until when (ms) the thread may stay silent loading code it loads on first use; 0 when not loading */
  loadingUntil: number;
  /** set when the controller itself ends the thread, so exit is not treated as a crash */
  retiring: boolean;
  lastError: Error | null;
}

/** `shutdown`: the controller stopped before the attempt finished; requeued without using a retry. */
export type TaskOutcome = { result: unknown } | { error: SerializedError } | { shutdown: SerializedError };

/** What the pool needs from the rest of the controller. */
export interface PoolHooks {
  /** Ends the worker's current attempt, if any; `idleAfter` false when the worker is going away. */
  endTask(w: PooledWorker, outcome: TaskOutcome, idleAfter: boolean): void;
  /** A worker of `type` is free for a task. */
  workerFree(type: string): void;
  /** True once the controller is shutting down: nothing new is spawned. */
  stopping(): boolean;
}

export class WorkerPool {
  readonly workers = new Map<string, PooledWorker>();
  private lastIdTime = 0;

  constructor(
    private readonly config: ResolvedOptions,
    private readonly runtime: SpawnRuntime,
    private readonly logger: Logger,
    private readonly emit: Emit,
    private readonly hooks: PoolHooks,
  ) {}

  /** Workers that are not being retired, of one type or of all. */
  liveCount(type?: string): number {
    let n = 0;
    for (const w of this.workers.values()) if (!w.retiring && (type === undefined || w.type === type)) n++;
    return n;
  }

  idleWorkers(type: string): PooledWorker[] {
    const out: PooledWorker[] = [];
    for (const w of this.workers.values()) if (w.type === type && w.status === 'idle' && !w.retiring) out.push(w);
    return out;
  }

  /** Starts a worker of `type` and resolves with its id once it is ready for tasks. */
  async spawn(type: string): Promise<string> {
    const c = this.config;
    const t = c.workerTypes[type]!;
    if (this.liveCount() >= c.maxWorkers) {
      throw new CapacityError(`cannot spawn a ${type} worker: SPAWN_MAX_WORKERS (${c.maxWorkers}) workers are running`);
    }
    if (this.liveCount(type) >= t.maxConcurrency) {
      throw new CapacityError(`cannot spawn a ${type} worker: its maxConcurrency (${t.maxConcurrency}) is reached`);
    }
    const entry = this.scriptFor(type);
    const workerId = this.nextWorkerId(type);
    const { port1, port2 } = new MessageChannel();
    const boot: WorkerBootData = {
      workerId,
      type,
      entry,
      requestPort: port2,
      storage: c.databaseUrl ? { mode: 'postgres', databaseUrl: c.databaseUrl, schema: c.schema } : { mode: 'controller' },
      redisUrl: c.redisUrl,
      limiterKeyPrefix: limiterKeyPrefix(c.schema),
      providers: c.providers,
      ingestionBatchSize: c.ingestionBatchSize,
      sourceHealth: c.sourceHealth,
      logLevel: c.logLevel,
    };
    const thread = new Worker(new URL(entry), { workerData: boot, transferList: [port2], resourceLimits: threadResourceLimits(t) });
    const w: PooledWorker = {
      id: workerId, type, thread, status: 'starting', current: null, tasksCompleted: 0, tasksFailed: 0,
      totalTimeMs: 0, lastHeartbeat: Date.now(), startedAt: Date.now(), loadingUntil: 0, retiring: false, lastError: null,
    };
    this.workers.set(workerId, w); // reserves the slot before the first await
    serveRequests(port1, { db: () => this.runtime.db, limiter: () => this.runtime.limiter });
    port1.unref();
    try {
      await waitReady(thread, c.startupTimeout);
    } catch (err) {
      w.retiring = true;
      this.workers.delete(workerId);
      port1.close();
      await thread.terminate().catch(() => {});
      throw new WorkerStartError(`worker type "${type}" failed to start: ${coerceError(err).message}`, { cause: err });
    }
    thread.on('message', (msg: WorkerToController) => this.onMessage(w, msg));
    thread.on('error', (err) => {
      w.lastError = err;
    });
    thread.on('exit', (code) => this.onExit(w, code, port1));
    w.status = 'idle';
    w.lastHeartbeat = Date.now();
    this.changed(w);
    await this.runtime.writer.flush();
    this.emit('worker:spawned', { workerId, type });
    this.logger.info({ workerId, type }, 'worker spawned');
    this.hooks.workerFree(type);
    return workerId;
  }

  /** Terminates a worker that hung or stopped answering; its task fails and is retried. */
  retire(w: PooledWorker, error: Error): void {
    if (w.retiring) return;
    w.retiring = true;
    w.status = 'unhealthy';
    if (w.current) this.hooks.endTask(w, { error: serializeError(error) }, false);
    this.logger.warn({ workerId: w.id, reason: error.message }, 'terminating worker');
    void w.thread.terminate();
    this.replace(w.type, w.id);
  }

  /** Asks every worker to stop; one that does not within 2 s is terminated. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => this.stop(w)));
  }

  /** Records the worker's snapshot at the next bookkeeping flush. */
  changed(w: PooledWorker): void {
    this.runtime.writer.workerChanged(w.id, () => this.snapshot(w));
  }

  snapshot(w: PooledWorker): WorkerSnapshot {
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
      replicaId: this.config.replicaId,
    };
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
      if (!existsSync(file)) throw new WorkerStartError(`worker type "${type}": script not found: ${file}`);
      return pathToFileURL(file).href;
    }
    return new URL(`./workers/${type}.js`, import.meta.url).href;
  }

  private onMessage(w: PooledWorker, msg: WorkerToController): void {
    switch (msg.type) {
      case 'loading':
        // Loading a module graph blocks the thread; it gets the allowance a spawn gets to load its script.
        w.loadingUntil = Date.now() + this.config.startupTimeout;
        break;
      case 'loaded':
        // Until the next load, the heartbeat window holds again (from now: the load was silent).
        w.loadingUntil = 0;
        w.lastHeartbeat = Date.now();
        break;
      case 'heartbeat':
        w.lastHeartbeat = Date.now();
        if (w.status === 'unhealthy') w.status = w.current ? 'busy' : 'idle';
        this.changed(w);
        break;
      case 'result':
        if (w.current && w.current.assignment.taskId === msg.taskId) this.hooks.endTask(w, { result: msg.result }, true);
        break;
      case 'error':
        if (w.current && (msg.taskId === null || w.current.assignment.taskId === msg.taskId)) {
          this.hooks.endTask(w, { error: msg.error }, true);
        } else {
          this.logger.warn({ workerId: w.id, error: msg.error.message }, 'worker reported an error outside a task');
        }
        break;
      case 'log':
        this.logger[msg.level]({ workerId: w.id, ...msg.data }, msg.msg);
        break;
      case 'report':
        this.emitReport(w, msg.report);
        break;
      default:
        break;
    }
  }

  /** A worker's measurement becomes the controller event of the same name. */
  private emitReport(w: PooledWorker, report: WorkerReport): void {
    const ids = { workerId: w.id, taskId: w.current?.assignment.taskId ?? null };
    switch (report.kind) {
      case 'provider-call': {
        const { kind: _kind, ...call } = report;
        this.emit('provider:call', { ...call, ...ids });
        break;
      }
      case 'events-discovered':
        this.emit('events:discovered', { source: report.source, count: report.count, ...ids });
        break;
      case 'events-ingested':
        this.emit('events:ingested', { source: report.source, count: report.count, ...ids });
        break;
    }
  }

  private onExit(w: PooledWorker, code: number, port: MessagePort): void {
    port.close();
    this.workers.delete(w.id);
    const crashed = !w.retiring;
    if (w.current) {
      const reason = w.lastError ? `worker crashed: ${w.lastError.message}` : `worker exited with code ${code} while running the task`;
      this.hooks.endTask(w, { error: serializeError(new WorkerCrashError(reason)) }, false);
    }
    w.status = crashed ? 'crashed' : 'stopped';
    this.changed(w);
    this.emit('worker:exit', { workerId: w.id, type: w.type, code, crashed, error: w.lastError?.message ?? null });
    if (crashed) {
      this.logger.warn({ workerId: w.id, code, error: w.lastError?.message }, 'worker crashed');
      this.replace(w.type, w.id);
    }
  }

  private replace(type: string, oldId: string): void {
    if (this.hooks.stopping()) return;
    this.spawn(type)
      .then((newId) => this.emit('worker:replaced', { oldWorkerId: oldId, workerId: newId, type }))
      .catch((err) => this.logger.error({ err: coerceError(err).message, type }, 'could not replace a worker'));
  }

  private async stop(w: PooledWorker): Promise<void> {
    w.retiring = true;
    w.status = 'stopping';
    const exited = new Promise<void>((r) => w.thread.once('exit', () => r()));
    w.thread.postMessage({ type: 'shutdown' });
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 2000).unref());
    if ((await Promise.race([exited, timeout])) === 'timeout') await w.thread.terminate();
    await exited;
    w.status = 'stopped';
    this.changed(w);
  }
}

/** Resolves when the thread says it is ready; rejects when it fails, exits or stays silent. */
function waitReady(thread: Worker, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no ready signal within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (msg: WorkerToController) => {
      if (msg.type === 'ready') finish();
      else if (msg.type === 'error' && msg.taskId === null) finish(new Error(msg.error.message));
    };
    const onError = (err: Error) => finish(err);
    const onExit = (code: number) => finish(new Error(`the thread exited with code ${code} before it was ready`));
    const finish = (err?: Error) => {
      clearTimeout(timer);
      thread.off('message', onMessage).off('error', onError).off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    thread.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}
