/**
 * Autoscaling: on each poll, a worker type whose queue holds more ready tasks than it has idle
 * workers gets one more worker, within its maxConcurrency and SPAWN_MAX_WORKERS.
 */
import type { Logger } from '../logger.js';
import type { ResolvedOptions } from './options.js';
import type { TaskQueue } from './queue.js';
import type { WorkerPool } from './worker-pool.js';

export class Autoscaler {
  private running = false;

  constructor(
    private readonly config: ResolvedOptions,
    private readonly queue: TaskQueue,
    private readonly pool: WorkerPool,
    private readonly logger: Logger,
    private readonly stopping: () => boolean,
  ) {}

  /** One pass; a pass still running makes this one a no-op. */
  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const types = Object.keys(this.config.workerTypes);
      const counts = await this.queue.counts(types);
      for (const type of types) {
        const ready = (counts[type]?.created ?? 0) + (counts[type]?.retry ?? 0);
        const t = this.config.workerTypes[type]!;
        const room = this.pool.liveCount(type) < t.maxConcurrency && this.pool.liveCount() < this.config.maxWorkers;
        if (ready > this.pool.idleWorkers(type).length && room && !this.stopping()) {
          await this.pool.spawn(type).catch((err) => this.logger.debug({ err, type }, 'autoscale could not spawn'));
        }
      }
    } finally {
      this.running = false;
    }
  }
}
