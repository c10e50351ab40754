/**
 * StateWriter batches the controller's bookkeeping writes. At high task rates one round
 * trip per attempt start, per completion and per worker update would cost more than the
 * tasks; coalescing them into one flush per tick keeps the durable path near bare pg-boss.
 * Order is kept within a flush: attempt rows, then attempt ends, then queue completions.
 */
import type { Queryable } from '../db/types.js';
import { finishAttempts, insertAttempts, upsertWorkers, type AttemptEnd, type AttemptStart } from '../db/queries/spawn-state.js';
import type { Logger } from '../logger.js';
import type { TaskQueue } from './queue.js';
import type { WorkerSnapshot } from './types.js';

export class StateWriter {
  private starts: AttemptStart[] = [];
  private ends: AttemptEnd[] = [];
  private completions = new Map<string, string[]>();
  private workers = new Map<string, () => WorkerSnapshot>();
  private inFlight: Promise<void> | null = null;
  private scheduled = false;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly db: Queryable,
    private readonly queue: TaskQueue,
    private readonly logger: Logger,
  ) {}

  attemptStarted(row: AttemptStart): void {
    this.starts.push(row);
    this.schedule();
  }

  attemptEnded(row: AttemptEnd, completeJob?: { type: string; jobId: string }): void {
    this.ends.push(row);
    if (completeJob) {
      const list = this.completions.get(completeJob.type) ?? [];
      list.push(completeJob.jobId);
      this.completions.set(completeJob.type, list);
    }
    this.schedule();
  }

  /** The snapshot is taken at flush time, so many changes to one worker cost one write. */
  workerChanged(workerId: string, snapshot: () => WorkerSnapshot): void {
    this.workers.set(workerId, snapshot);
    this.schedule();
  }

  /** Resolves once everything handed over so far is written. */
  flush(): Promise<void> {
    if (this.isEmpty() && !this.inFlight) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  private isEmpty(): boolean {
    return this.starts.length === 0 && this.ends.length === 0 && this.completions.size === 0 && this.workers.size === 0;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    if (this.inFlight) {
      await this.inFlight;
      if (!this.isEmpty() || this.waiters.length) this.schedule();
      return;
    }
    const waiters = this.waiters;
    this.waiters = [];
    this.inFlight = this.write().finally(() => {
      this.inFlight = null;
    });
    await this.inFlight;
    for (const w of waiters) w();
    if (!this.isEmpty() || this.waiters.length) this.schedule();
  }

  private async write(): Promise<void> {
    const starts = this.starts;
    const ends = this.ends;
    const completions = this.completions;
    const workers = [...this.workers.values()].map((f) => f());
    this.starts = [];
    this.ends = [];
    this.completions = new Map();
    this.workers = new Map();
    try {
      await insertAttempts(this.db, starts);
      const ended = await finishAttempts(this.db, ends);
      // A job whose attempt was closed as lost meanwhile belongs to another replica's retry now.
      for (const [type, ids] of completions) await this.queue.complete(type, ids.filter((id) => ended.has(id)));
      await upsertWorkers(this.db, workers);
    } catch (err) {
      // Keep what failed and try again shortly; a job never completed here expires and is retried.
      this.logger.error({ err }, 'state write failed; retrying');
      this.starts.unshift(...starts);
      this.ends.unshift(...ends);
      for (const [type, ids] of completions) this.completions.set(type, [...ids, ...(this.completions.get(type) ?? [])]);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
