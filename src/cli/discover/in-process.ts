/**
 * Discovery with no server: start the service in this process (no schedules, no HTTP), queue
 * the discovery, and wait for it and for the ingestion and processing tasks it chains.
 */
import type { EventEmitter } from 'node:events';
import type { LocalDatabase } from '../../config/index.js';
import type { DiscoveryRequest } from '../../contracts/service.js';
import { createService } from '../../service.js';
import type { Progress } from './progress.js';
import type { RunOptions } from './remote.js';
import { sleep } from './remote.js';
import { isOk, queuedPairs, type DiscoverySummary, type PairOutcome } from './summary.js';

interface Outcome {
  type: string;
  ok: boolean;
  result?: unknown;
  error?: string;
  durationMs: number;
}

/** Follows the controller's task events from before the discovery is queued. */
class TaskTracker {
  readonly outcomes = new Map<string, Outcome>();
  readonly inflight = new Map<string, string>();
  lastActivity = Date.now();
  // Each handler names its own event's payload type.
  private readonly handlers: Record<string, (e: any) => void> = {
    'task:queued': (e: { taskId: string; type: string }) => this.touch(() => this.inflight.set(e.taskId, e.type)),
    'task:started': () => this.touch(),
    'task:completed': (e: { taskId: string; type: string; result: unknown; durationMs: number }) =>
      this.touch(() => this.end(e.taskId, { type: e.type, ok: true, result: e.result, durationMs: e.durationMs })),
    'task:failed': (e: { taskId: string; type: string; error: string; durationMs: number; outcome: 'retry' | 'dead' }) =>
      // A failed attempt that will be retried is not an outcome yet.
      this.touch(() => e.outcome === 'dead' && this.end(e.taskId, { type: e.type, ok: false, error: e.error, durationMs: e.durationMs })),
  };

  constructor(private readonly emitter: EventEmitter) {
    for (const [event, fn] of Object.entries(this.handlers)) emitter.on(event, fn);
  }

  dispose(): void {
    for (const [event, fn] of Object.entries(this.handlers)) this.emitter.off(event, fn);
  }

  private touch(change?: () => unknown): void {
    change?.();
    this.lastActivity = Date.now();
  }

  private end(taskId: string, outcome: Outcome): void {
    this.inflight.delete(taskId);
    this.outcomes.set(taskId, outcome);
  }

  followUp(exclude: Set<string>) {
    const ended = [...this.outcomes].filter(([id, o]) => !exclude.has(id) && o.type !== 'discovery');
    const failed = ended.filter(([, o]) => !o.ok);
    const pending = [...this.inflight].filter(([id, type]) => !exclude.has(id) && type !== 'discovery').length;
    return { completed: ended.length - failed.length, failed: failed.length, pending, errors: failed.map(([, o]) => o.error ?? 'failed') };
  }
}

/** How long the queue must stay empty before chained work counts as finished. */
const QUIET_MS = 1000;

export async function discoverInProcess(db: LocalDatabase, request: DiscoveryRequest, options: RunOptions): Promise<DiscoverySummary> {
  const started = Date.now();
  // The database `db` names (from the environment the CLI runs on), also when it runs inside
  // another process whose own DATABASE_URL differs: '' is the embedded one, whatever that says.
  const service = await createService({ config: { databaseUrl: db.databaseUrl ?? '', dataDir: db.dataDir, schedules: { enabled: false } }, schedules: false });
  let tracker: TaskTracker | undefined;
  let timedOut = false;
  try {
    await service.start();
    tracker = new TaskTracker(service.controller);
    const result = await service.scheduleDiscovery(request);
    const pairs = queuedPairs(result);
    const ours = new Set(pairs.map((p) => p.taskId));
    let followUp: DiscoverySummary['followUp'] = null;
    if (options.wait) {
      const deadline = Date.now() + options.timeoutMs;
      let discoveryDone = false;
      const counts = () => service.controller.queue.counts(service.controller.workerTypeNames);
      timedOut = !(await waitFor(deadline, options, async (last) => {
        for (const p of pairs) settle(p, tracker!.outcomes.get(p.taskId));
        if (!discoveryDone) {
          report(options.progress, 'discovery', pairs);
          if (pairs.some((p) => p.status === 'queued')) return false;
          discoveryDone = true;
        }
        const f = tracker!.followUp(ours);
        options.progress.update({ phase: 'follow-up', done: f.completed + f.failed, total: f.completed + f.failed + f.pending, failed: f.failed });
        if (f.pending > 0 || (!last && Date.now() - tracker!.lastActivity < QUIET_MS)) return false;
        // Chaining happens after a task completes; an empty queue for a quiet second means no more.
        let busy = 0;
        for (const c of Object.values(await counts())) busy += (c.created ?? 0) + (c.retry ?? 0) + (c.active ?? 0);
        return busy === 0;
      }));
      for (const p of pairs) if (p.status === 'queued') p.status = 'timed out';
      followUp = tracker.followUp(ours);
    }
    options.progress.stop();
    return {
      mode: 'in-process',
      where: db.description,
      waited: options.wait,
      timedOut,
      elapsedMs: Date.now() - started,
      pairs,
      skipped: result.skipped,
      followUp,
      ok: !timedOut && isOk(pairs, followUp, options.wait),
    };
  } finally {
    options.progress.stop();
    tracker?.dispose();
    // After a timeout the tasks still running are not worth the usual grace period.
    if (timedOut) await service.controller.shutdown(1000).catch(() => {});
    await service.stop();
  }
}

/** Polls `check` until it passes or the deadline; the last call is told, so it can skip waiting for quiet. */
async function waitFor(deadline: number, options: RunOptions, check: (last: boolean) => Promise<boolean>): Promise<boolean> {
  for (;;) {
    const last = Date.now() >= deadline;
    if (await check(last)) return true;
    if (last) return false;
    await sleep(options.pollMs ?? 200);
  }
}

function report(progress: Progress, phase: 'discovery', pairs: PairOutcome[]): void {
  const done = pairs.filter((p) => p.status !== 'queued');
  progress.update({ phase, done: done.length, total: pairs.length, failed: done.filter((p) => p.status === 'failed').length });
}

function settle(p: PairOutcome, o: Outcome | undefined): void {
  if (!o || p.status !== 'queued') return;
  p.durationMs = o.durationMs;
  if (!o.ok) {
    p.status = 'failed';
    p.error = o.error ?? 'failed';
    return;
  }
  p.status = 'completed';
  const r = (o.result ?? {}) as Record<string, unknown>;
  const n = (v: unknown) => (typeof v === 'number' ? v : null);
  p.discovered = n(r.eventsDiscovered);
  p.new = n(r.new);
  p.changed = n(r.changed);
  p.unchanged = n(r.unchanged);
}
