/**
 * Heartbeats: every interval the controller probes each ready worker; one that has not answered
 * for `heartbeatMisses` intervals, and has left a probe unanswered for all but one of them, is
 * retired (terminated, its task failed and retried) and replaced by a fresh thread. A thread
 * that said it is loading code (a worker type's code loads with its first task) has the
 * spawn's `startupTimeout` for it before its silence counts.
 *
 * While this thread is blocked (embedded-database queries run on it) it sends no probes, and a
 * worker with nothing to answer is not silent: hence the unanswered probe. And workers are
 * judged after the messages waiting for this thread are read, so an answer that came while it
 * was blocked counts.
 */
import { WorkerCrashError } from '../errors.js';
import type { ResolvedOptions } from './options.js';
import type { ControllerToWorker } from './protocol.js';
import type { PooledWorker, WorkerPool } from './worker-pool.js';

export class HealthMonitor {
  private timer: NodeJS.Timeout | undefined;
  private judging: { at: NodeJS.Immediate; stalled: boolean } | undefined;
  private requestId = 0;
  /** each worker's oldest probe sent after its last answer */
  private readonly unanswered = new WeakMap<PooledWorker, number>();

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
      // embedded-database query): the workers' answers that came meanwhile may not be read
      // yet. Judge them on the next tick.
      const stalled = now - lastTick > interval * 2;
      lastTick = now;
      // Timers run before the messages waiting for this thread are read, immediates after
      // them: the answers that came while the thread was busy count before anyone is judged.
      // Two ticks in one turn (the thread blocked inside the timers) make one judgement.
      if (this.judging) {
        this.judging.stalled ||= stalled;
        return;
      }
      const judging = { stalled, at: setImmediate(() => {
        this.judging = undefined;
        this.tick(now, judging.stalled);
      }) };
      this.judging = judging;
    }, interval);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.judging) clearImmediate(this.judging.at);
    this.timer = undefined;
    this.judging = undefined;
  }

  private tick(now: number, stalled: boolean): void {
    const { heartbeatInterval, heartbeatMisses } = this.config;
    for (const w of this.pool.workers.values()) {
      if (w.retiring || w.status === 'starting') continue;
      let probed = this.unanswered.get(w);
      // Any answer (or the end of a load) read after the probe was sent answers it.
      if (probed !== undefined && w.lastHeartbeat >= probed) probed = undefined;
      const loading = now < w.loadingUntil;
      const silent = now - w.lastHeartbeat > heartbeatInterval * heartbeatMisses && probed !== undefined && now - probed >= heartbeatInterval * (heartbeatMisses - 1);
      if (!stalled && !loading && silent) {
        this.pool.retire(w, new WorkerCrashError(`worker ${w.id} stopped answering heartbeats for ${now - w.lastHeartbeat} ms`));
        continue;
      }
      w.thread.postMessage({ type: 'health', requestId: ++this.requestId } satisfies ControllerToWorker);
      this.unanswered.set(w, probed ?? now);
    }
  }
}
