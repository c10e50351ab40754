/**
 * What the status API, the dashboard and the metrics read: worker snapshots (this replica's
 * live ones, other replicas' from the database), the task list, and the system status with
 * this process's CPU, event-loop lag and the providers' daily budgets.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SOURCES } from '../api/types.js';
import { rawEventActivity } from '../db/queries/raw-events.js';
import { attemptStats, listLiveWorkers } from '../db/queries/spawn-state.js';
import type { ResolvedOptions } from './options.js';
import type { SpawnRuntime } from './runtime.js';
import type { SystemStatus, TaskSummary, WorkerSnapshot } from './types.js';
import type { WorkerPool } from './worker-pool.js';

export type TaskListState = 'failed' | 'queued' | 'active' | 'all';

const STATES_BY_FILTER: Record<TaskListState, string[]> = {
  queued: ['created', 'retry'],
  active: ['active'],
  failed: ['failed'],
  all: ['created', 'retry', 'active', 'completed', 'failed', 'cancelled'],
};

export class StatusReporter {
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 20 });
  private cpuMark = { usage: process.cpuUsage(), at: process.hrtime.bigint() };
  private cache: { at: number; value: Promise<SystemStatus> } | undefined;

  constructor(
    private readonly config: ResolvedOptions,
    private readonly runtime: SpawnRuntime,
    private readonly pool: WorkerPool,
  ) {}

  start(): void {
    this.loopDelay.enable();
  }

  stop(): void {
    this.loopDelay.disable();
  }

  private get types(): string[] {
    return Object.keys(this.config.workerTypes);
  }

  /** This replica's workers as they are now, and other replicas' as they last wrote them. */
  async workerStates(): Promise<WorkerSnapshot[]> {
    await this.runtime.writer.flush();
    const c = this.config;
    const stale = c.heartbeatInterval * c.heartbeatMisses * 2 + 10_000;
    const rows = await listLiveWorkers(this.runtime.db, stale);
    const local = [...this.pool.workers.values()].map((w) => this.pool.snapshot(w));
    const out = rows.filter((r) => r.replicaId !== c.replicaId).concat(local);
    return out.sort((a, b) => a.workerType.localeCompare(b.workerType) || a.workerId.localeCompare(b.workerId));
  }

  taskQueue(options: { state?: TaskListState; limit?: number }): Promise<TaskSummary[]> {
    const states = STATES_BY_FILTER[options.state ?? 'all'];
    return this.runtime.queue.listTasks(this.types, states, Math.min(Math.max(options.limit ?? 100, 1), 1000));
  }

  /** Cached for a moment: dashboards and scrapers poll this at high rates. */
  systemStatus(): Promise<SystemStatus> {
    const now = Date.now();
    if (this.cache && now - this.cache.at < 500) return this.cache.value;
    const value = this.compute();
    this.cache = { at: now, value };
    value.catch(() => {
      if (this.cache?.value === value) this.cache = undefined;
    });
    return value;
  }

  private async compute(): Promise<SystemStatus> {
    const { db, queue } = this.runtime;
    const [workers, counts, attempts, activity, providers] = await Promise.all([
      this.workerStates(),
      queue.counts(this.types),
      attemptStats(db),
      rawEventActivity(db),
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
    return {
      activeTasks: active,
      queuedTasks: queued,
      workers: { total: workers.length, byType, byStatus },
      tasks: { queued, active, completed: attempts.completed, failed: attempts.failed, averageCompletionTime: Math.round(attempts.averageMs) },
      performance: {
        cpuUsage: this.cpuPercentSinceLastRead(),
        memoryUsage: process.memoryUsage().rss,
        eventDiscoveryRate: activity.discoveredLastHour,
        ingestionRate: activity.ingestedLastHour,
        eventLoopLagMs: Math.round(this.loopDelay.mean / 1e4) / 100,
      },
      discoveryHistory: activity.discoveredByHour.map((r) => ({ hour: r.hour.toISOString(), count: r.count })),
      providers,
      replicaId: this.config.replicaId,
      database: db.kind,
      ...(this.runtime.limiter.health ? { limiter: this.runtime.limiter.health() } : {}),
    };
  }

  /** This process's CPU use since the previous status, as a percentage of one core. */
  private cpuPercentSinceLastRead(): number {
    const usage = process.cpuUsage();
    const at = process.hrtime.bigint();
    const elapsedUs = Number(at - this.cpuMark.at) / 1000;
    const usedUs = usage.user - this.cpuMark.usage.user + (usage.system - this.cpuMark.usage.system);
    this.cpuMark = { usage, at };
    return elapsedUs > 0 ? Math.round((usedUs / elapsedUs) * 1000) / 10 : 0;
  }

  private providerStatus(): Promise<SystemStatus['providers']> {
    return Promise.all(
      SOURCES.map(async (source) => {
        const p = this.config.providers[source];
        const enabled = source === 'ics' || source === 'jsonld' || Boolean(p.apiKey);
        const b = await this.runtime.limiter.budget(source).catch(() => ({ budget: p.dailyBudget, used: 0, remaining: p.dailyBudget }));
        return { source, enabled, budget: b.budget, used: b.used, remaining: b.remaining };
      }),
    );
  }
}
