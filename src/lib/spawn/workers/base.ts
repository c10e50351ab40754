/**
 * BaseWorker: the thread side of the spawn protocol. A subclass implements initialize,
 * processTask and shutdown; the base answers health probes, reports results and errors,
 * and gives the subclass storage (`this.db`) that works the same in both database modes.
 */
import { parentPort, workerData, isMainThread } from 'node:worker_threads';
import type pg from 'pg';
import type { Queryable, QueryResult } from '../../db/types.js';
import { RequestClient, serializeError, type ControllerToWorker, type LogLevel, type WorkerReport, type WorkerToController } from '../protocol.js';
import type { TaskAssignment } from '../types.js';
import type { WorkerBootData } from '../worker-data.js';

/**
 * Connections of a worker thread's own pool (Postgres mode): ingestion keeps a read ahead and
 * two writes in flight (src/lib/catalogue/ingest.ts), each on its own connection.
 */
export const WORKER_POOL_SIZE = 3;

export type { TaskAssignment };

/** pino's numeric levels; 'silent' and unknown names rank above all, so nothing is sent. */
const LEVEL_RANK: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

export abstract class BaseWorker {
  protected readonly workerId: string;
  protected readonly type: string;
  protected readonly boot: WorkerBootData;
  /** Storage: the controller's database through requests (embedded mode) or a direct pool (Postgres). */
  protected readonly db: Queryable;
  /** Requests to what only the controller's thread owns (protocol.ts). */
  protected readonly requests: RequestClient;
  private pool: Promise<pg.Pool> | undefined;
  private readonly minLogRank: number;
  private current: { taskId: string; resultSent: boolean } | null = null;
  private stopping = false;
  /** loads under way (load()): the controller hears 'loading' at the first and 'loaded' after the last */
  private loads = 0;

  constructor() {
    if (isMainThread || !parentPort) throw new Error('BaseWorker must be constructed inside a worker thread');
    this.boot = workerData as WorkerBootData;
    this.workerId = this.boot.workerId;
    this.type = this.boot.type;
    this.requests = new RequestClient(this.boot.requestPort);
    this.minLogRank = LEVEL_RANK[this.boot.logLevel] ?? Infinity;
    this.db = this.createStorage();
    this.setupMessageHandling();
    // Deferred so that subclass field initializers have run before initialize() sees `this`.
    setImmediate(() => void this.start());
  }

  /** True when `moduleUrl` is the script this thread was started with. */
  static isEntry(moduleUrl: string): boolean {
    return !isMainThread && (workerData as WorkerBootData | undefined)?.entry === moduleUrl;
  }

  protected abstract initialize(): Promise<void>;
  /** The value returned is the task's result; calling sendResult() instead is equivalent. */
  protected abstract processTask(assignment: TaskAssignment): Promise<unknown>;
  protected abstract shutdown(): Promise<void>;

  private createStorage(): Queryable {
    const storage = this.boot.storage;
    if (storage.mode === 'postgres') {
      // `pg` is loaded only in this mode: in embedded mode a thread never needs it.
      const pool = (this.pool = import('../../db/connect.js').then(async ({ postgresPoolConfig }) => {
        const { default: pgModule } = await import('pg');
        const p = new pgModule.Pool(postgresPoolConfig(storage.databaseUrl, storage.schema, WORKER_POOL_SIZE, `scenescout-${this.workerId}`));
        p.on('error', () => {});
        return p;
      }));
      return {
        async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
          const res = await (await pool).query(text, params as unknown[] | undefined);
          return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
        },
      };
    }
    return this.requests.queryable();
  }

  private async start(): Promise<void> {
    try {
      await this.initialize();
      this.post({ type: 'ready', workerId: this.workerId });
    } catch (err) {
      // A worker that cannot start is never reused: report and let the controller terminate it.
      this.post({ type: 'error', workerId: this.workerId, taskId: null, error: serializeError(err) });
    }
  }

  private setupMessageHandling(): void {
    parentPort!.on('message', (message: ControllerToWorker) => {
      void this.handleMessage(message).catch((err) => this.sendError(err));
    });
  }

  protected async handleMessage(message: ControllerToWorker): Promise<void> {
    switch (message.type) {
      case 'task':
        await this.runTask(message.assignment);
        break;
      case 'health':
        this.sendHealthStatus(message.requestId);
        break;
      case 'shutdown':
        await this.stop();
        break;
      default:
        throw new Error(`Unknown message type: ${(message as { type: string }).type}`);
    }
  }

  private async runTask(assignment: TaskAssignment): Promise<void> {
    this.current = { taskId: assignment.taskId, resultSent: false };
    try {
      const result = await this.processTask(assignment);
      if (!this.current.resultSent) this.sendResult(assignment.taskId, result ?? null);
    } catch (err) {
      if (!this.current.resultSent) this.sendError(err, assignment.taskId);
    } finally {
      this.current = null;
    }
  }

  private async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    try {
      await this.shutdown();
    } finally {
      await this.pool?.then((p) => p.end()).catch(() => {});
      parentPort!.close();
    }
  }

  protected sendResult(taskId: string, result: unknown): void {
    if (this.current?.taskId === taskId) {
      if (this.current.resultSent) return;
      this.current.resultSent = true;
    }
    this.post({ type: 'result', workerId: this.workerId, taskId, result: result ?? null });
  }

  /**
   * Reports a failure, given as an error or as `{ taskId, error }`; without a task id the
   * failure belongs to the task being run, if any.
   */
  protected sendError(error: unknown, taskId?: string): void {
    let id = taskId ?? this.current?.taskId ?? null;
    let err = error;
    if (error && typeof error === 'object' && 'taskId' in error && !(error instanceof Error)) {
      const wrapped = error as { taskId?: string; error?: unknown };
      id = wrapped.taskId ?? id;
      err = wrapped.error ?? error;
    }
    if (id && this.current?.taskId === id) {
      if (this.current.resultSent) return;
      this.current.resultSent = true;
    }
    this.post({ type: 'error', workerId: this.workerId, taskId: id, error: serializeError(err) });
  }

  protected sendHealthStatus(requestId: number | null = null): void {
    this.post({
      type: 'heartbeat',
      workerId: this.workerId,
      requestId,
      status: 'healthy',
      timestamp: Date.now(),
      memory: process.memoryUsage().heapUsed,
    });
  }

  /**
   * Loads code on first use (`() => import(...)`), telling the controller first: evaluating a
   * module graph blocks the thread, and under load that can outlast the heartbeat window.
   */
  protected load<T>(importer: () => Promise<T>): Promise<T> {
    if (this.loads++ === 0) this.post({ type: 'loading', workerId: this.workerId });
    const done = () => {
      if (--this.loads === 0) this.post({ type: 'loaded', workerId: this.workerId });
    };
    const loading = importer();
    loading.then(done, done);
    return loading;
  }

  /** A log line for the controller's logger; below the controller's level it is not sent at all. */
  protected log(level: LogLevel, msg: string, data?: Record<string, unknown>): void {
    if (LEVEL_RANK[level]! < this.minLogRank) return;
    this.post({ type: 'log', workerId: this.workerId, level, msg, ...(data ? { data } : {}) });
  }

  /** Tells the controller what this task measured; it emits the matching event (metrics read them). */
  protected report(report: WorkerReport): void {
    this.post({ type: 'report', workerId: this.workerId, report });
  }

  private post(message: WorkerToController): void {
    parentPort!.postMessage(message);
  }
}
