/** Discovery through a running server: queue it over HTTP, then poll the task list. */
import type { DiscoveryRequest, ScheduleDiscoveryResult } from '../../contracts/service.js';
import type { TaskSummary } from '../../contracts/status.js';
import type { ApiClient } from '../api-client.js';
import type { Progress } from './progress.js';
import { isOk, queuedPairs, type DiscoverySummary, type PairOutcome } from './summary.js';

export interface RunOptions {
  wait: boolean;
  timeoutMs: number;
  progress: Progress;
  pollMs?: number;
}

export async function discoverViaServer(api: ApiClient, request: DiscoveryRequest, options: RunOptions): Promise<DiscoverySummary> {
  const started = Date.now();
  const result = await api.post<ScheduleDiscoveryResult>('/api/spawn', { action: 'discovery', params: request });
  const pairs = queuedPairs(result);
  let timedOut = false;
  if (options.wait && pairs.length > 0) {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      // Newest first: our tasks were just queued, so they are within the first page.
      const tasks = await api.get<TaskSummary[]>('/api/spawn', { action: 'tasks', state: 'all', limit: 1000 });
      const byId = new Map(tasks.map((t) => [t.taskId, t]));
      for (const p of pairs) if (p.status === 'queued') settle(p, byId.get(p.taskId));
      const done = pairs.filter((p) => p.status !== 'queued');
      options.progress.update({ phase: 'discovery', done: done.length, total: pairs.length, failed: done.filter((p) => p.status === 'failed').length });
      if (done.length === pairs.length) break;
      if (Date.now() >= deadline) {
        timedOut = true;
        for (const p of pairs) if (p.status === 'queued') p.status = 'timed out';
        break;
      }
      await sleep(options.pollMs ?? 1000);
    }
  }
  options.progress.stop();
  return {
    mode: 'server',
    where: api.baseUrl,
    waited: options.wait,
    timedOut,
    elapsedMs: Date.now() - started,
    pairs,
    skipped: result.skipped,
    followUp: null,
    ok: isOk(pairs, null, options.wait),
  };
}

/** Marks the pair done when its task ended. The API has no task results, so counts stay null. */
function settle(p: PairOutcome, t: TaskSummary | undefined): void {
  if (!t) return;
  const took = t.startedAt && t.completedAt ? Date.parse(t.completedAt) - Date.parse(t.startedAt) : null;
  if (t.state === 'completed') Object.assign(p, { status: 'completed', durationMs: took });
  else if (t.state === 'failed' || t.state === 'cancelled') Object.assign(p, { status: 'failed', durationMs: took, error: t.error ?? t.state });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
