/**
 * Heartbeats: every interval the controller probes each ready worker; one that has not answered
 * for `heartbeatMisses` intervals is retired (terminated, its task failed and retried) and
 * replaced by a fresh thread. A thread that said it is loading code (a worker type's code loads
 * with its first task) has the spawn's `startupTimeout` for it before its silence counts.
 */
import { WorkerCrashError } from '../errors.js';
import type { ResolvedOptions } from './options.js';
import type { ControllerToWorker } from './protocol.js';
import type { WorkerPool } from './worker-pool.js';

export class HealthMonitor {
  private timer: NodeJS.Timeout | undefined;
  private requestId = 0;

  constructor(
    private readonly config: Pick<ResolvedOptions, 'heartbeatInterval' | 'heartbeatMisses'>,
    private readonly pool: WorkerPool,
  ) {}

  start(): void {
    if (this.timer) return;
    const interval = this.config.heartbeatInterval;
    let lastTick = Date.now();
    this.timer = setInterval(() => {
      const now = Date.now();
      // A tick that fires late means this thread was blocked (a long synchronous stretch, an
      // embedded-database query): the workers' replies are still queued behind this timer, so
      // their silence says nothing yet. Judge them on the next tick, once the replies are read.
      const stalled = now - lastTick > interval * 2;
      lastTick = now;
      this.tick(now, stalled);
    }, interval);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(now: number, stalled: boolean): void {
    const { heartbeatInterval, heartbeatMisses } = this.config;
    for (const w of this.pool.workers.values()) {
      if (w.retiring || w.status === 'starting') continue;
      const loading = now < w.loadingUntil;
      if (!stalled && !loading && now - w.lastHeartbeat > heartbeatInterval * heartbeatMisses) {
        this.pool.retire(w, new WorkerCrashError(`worker ${w.id} stopped answering heartbeats for ${now - w.lastHeartbeat} ms`));
        continue;
      }
      w.thread.postMessage({ type: 'health', requestId: ++this.requestId } satisfies ControllerToWorker);
    }
  }
}
