/**
 * Dispatch: from the durable queue to idle workers, and each attempt's end back to the queue.
 *
 * It never uses pg-boss's work() loop, which sleeps a polling interval after every batch.
 * Instead, for each worker type, it fetches exactly as many jobs as there are idle workers,
 * and wakes at once when a task is distributed here or a worker goes idle. The controller's
 * slower poll picks up tasks sent by other replicas and retries whose backoff has passed.
 */
import { TaskTimeoutError, WorkerCrashError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ResolvedOptions } from './options.js';
import { serializeError } from './protocol.js';
import type { FetchedJob } from './queue.js';
import type { SpawnRuntime } from './runtime.js';
import type { TaskAssignment } from './types.js';
import type { Emit, PooledWorker, TaskOutcome, WorkerPool } from './worker-pool.js';

interface DispatchState {
  /** a wake arrived since the last fetch started */
  requested: boolean;
  /** fetches running */
  inflight: number;
  /** idle workers those fetches are for */
  reserved: number;
  waiters: Array<() => void>;
}

export class Dispatcher {
  private readonly states = new Map<string, DispatchState>();

  constructor(
    private readonly config: ResolvedOptions,
    private readonly runtime: SpawnRuntime,
    private readonly pool: WorkerPool,
    private readonly logger: Logger,
    private readonly emit: Emit,
    private readonly stopping: () => boolean,
  ) {}

  /** True while a fetch is running: its jobs are about to be assigned. */
  fetching(): boolean {
    return [...this.states.values()].some((d) => d.inflight > 0);
  }

  /**
   * Asks for jobs for the idle workers of a type. Resolves once a fetch that started after
   * this call has returned (so a task sent just before is running if a worker was free), or
   * at once when no worker is free. Up to a few fetches run at once, each for workers no
   * other fetch has reserved, so completions arriving one by one do not queue behind each other.
   */
  wake(type: string): Promise<void> {
    let st = this.states.get(type);
    if (!st) this.states.set(type, (st = { requested: false, inflight: 0, reserved: 0, waiters: [] }));
    const state = st;
    return new Promise((resolve) => {
      state.waiters.push(resolve);
      state.requested = true;
      this.pump(type, state);
    });
  }

  /** Wakes every type that has an idle worker (the poll: other replicas' tasks, due retries). */
  wakeIdle(): void {
    for (const type of Object.keys(this.config.workerTypes)) {
      if (this.pool.idleWorkers(type).length > 0) void this.wake(type);
    }
  }

  /** Ends the worker's current attempt, successfully or not, and makes the worker idle. */
  endTask(w: PooledWorker, outcome: TaskOutcome, idleAfter: boolean): void {
    const run = w.current;
    if (!run) return;
    clearTimeout(run.timer);
    w.current = null;
    const durationMs = Date.now() - run.startedAt;
    const a = run.assignment;
    const { writer, queue } = this.runtime;
    if (idleAfter && !w.retiring) w.status = 'idle';
    if ('result' in outcome) {
      w.tasksCompleted++;
      w.totalTimeMs += durationMs;
      writer.attemptEnded(
        { jobId: a.jobId, retryCount: a.retryCount, status: 'completed', result: outcome.result, error: null, durationMs, completedAt: new Date() },
        { type: a.taskType, jobId: a.jobId },
      );
      this.emit('task:completed', { taskId: a.taskId, jobId: a.jobId, type: a.taskType, workerId: w.id, durationMs, result: outcome.result });
    } else if ('shutdown' in outcome) {
      const message = `${outcome.shutdown.code}: ${outcome.shutdown.message} (task ${a.taskId}, worker ${w.id}, attempt ${a.retryCount + 1})`;
      writer.attemptEnded({ jobId: a.jobId, retryCount: a.retryCount, status: 'interrupted', result: null, error: message, durationMs, completedAt: new Date() });
      void queue
        .release(a.taskType, a.jobId, a.retryCount, { ...outcome.shutdown, message })
        .catch((err) => this.logger.error({ err, taskId: a.taskId }, 'could not requeue an interrupted task; the job will expire and retry'));
    } else {
      w.tasksFailed++;
      const error = outcome.error;
      const message = `${error.code ? `${error.code}: ` : ''}${error.message} (task ${a.taskId}, worker ${w.id}, attempt ${a.retryCount + 1})`;
      writer.attemptEnded({ jobId: a.jobId, retryCount: a.retryCount, status: 'failed', result: null, error: message, durationMs, completedAt: new Date() });
      void queue
        .fail(a.taskType, a.jobId, { ...error, message }, a.retryCount)
        .then((result) => {
          if (result === 'stale') return this.logger.warn({ taskId: a.taskId, workerId: w.id }, 'attempt ended after another replica took it over');
          this.emit('task:failed', { taskId: a.taskId, jobId: a.jobId, type: a.taskType, workerId: w.id, durationMs, error: message, outcome: result });
          this.logger.warn({ taskId: a.taskId, workerId: w.id, outcome: result, error: message }, 'task attempt failed');
        })
        .catch((err) => this.logger.error({ err, taskId: a.taskId }, 'could not record a failed attempt; the job will expire and retry'));
    }
    this.pool.changed(w);
    if (idleAfter && !w.retiring) void this.wake(w.type);
  }

  private pump(type: string, st: DispatchState): void {
    const idle = this.pool.idleWorkers(type).length;
    const free = idle - st.reserved;
    const maxInflight = Math.min(4, this.config.workerTypes[type]?.maxConcurrency ?? 1);
    if (this.stopping() || idle === 0) {
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
      const idle = this.pool.idleWorkers(type);
      for (const job of jobs) {
        const w = idle.shift();
        if (w) this.assign(w, job);
        else {
          // The worker we counted crashed while we fetched: the attempt fails and is retried.
          void this.runtime.queue.fail(type, job.id, serializeError(new WorkerCrashError('no worker left to run the fetched task')));
        }
      }
      // A full batch means the queue may hold more.
      if (jobs.length === free) st.requested = true;
      for (const w of waiters) w();
      this.pump(type, st);
    };
    this.runtime.queue.fetch(type, free).then(done, (err) => {
      this.logger.error({ err, type }, 'fetch failed');
      done([]);
    });
  }

  /** Hands a job to a worker, with a deadline after which the worker is retired. */
  private assign(w: PooledWorker, job: FetchedJob): void {
    const now = Date.now();
    const timeout = this.config.workerTimeout;
    const assignment: TaskAssignment = {
      taskId: job.data.taskId,
      jobId: job.id,
      workerId: w.id,
      taskType: w.type,
      parameters: job.data.parameters ?? {},
      deadline: now + timeout,
      retryCount: job.retryCount,
    };
    const timer = setTimeout(() => {
      if (w.current?.assignment.jobId === job.id) {
        this.pool.retire(w, new TaskTimeoutError(`task ${assignment.taskId} ran past its deadline of ${timeout} ms on ${w.id}`));
      }
    }, timeout);
    timer.unref();
    w.status = 'busy';
    w.current = { assignment, startedAt: now, timer };
    this.runtime.writer.attemptStarted({
      taskId: assignment.taskId, jobId: job.id, workerId: w.id, taskType: w.type, parameters: assignment.parameters,
      retryCount: job.retryCount, replicaId: this.config.replicaId, assignedAt: new Date(now),
    });
    this.pool.changed(w);
    w.thread.postMessage({ type: 'task', assignment });
    this.emit('task:started', { taskId: assignment.taskId, jobId: job.id, type: w.type, workerId: w.id });
  }
}
