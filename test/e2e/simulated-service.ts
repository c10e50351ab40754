/**
 * An in-memory SpawnService for the dashboard's deterministic checks (dashboard-ui.test.ts):
 * canned budgets and history, tasks that fail on request. It is not a model of the real
 * controller; the HTTP tests use the real service (test/server/observed-service.ts), and
 * dashboard.test.ts runs the same page against it too.
 *
 * With `start()`, a timer moves queued tasks onto idle workers and finishes them after
 * `parameters.durationMs` (default 300 ms). `parameters.failUntilRetry: n` makes attempts fail
 * until the task has been retried n times; `parameters.fail: true` always fails. A failed task
 * goes straight to the dead letters.
 */
import { EventEmitter } from 'node:events';
import { CapacityError, NotFoundError, ValidationError } from '../../src/lib/errors.js';
import type { CityStats } from '../../src/contracts/catalogue-stats.js';
import type { City, CityInput } from '../../src/contracts/cities.js';
import type { EventQueryInput } from '../../src/contracts/event-query.js';
import type { DiscoveryRequest, ScheduleDiscoveryResult, SpawnService } from '../../src/contracts/service.js';
import type { DeadLetter, SystemStatus, TaskSummary, WorkerSnapshot } from '../../src/contracts/status.js';
import type { Task, WorkerType } from '../../src/contracts/tasks.js';

const TYPES = ['discovery', 'ingestion', 'processing'];

export interface SimulatedServiceOptions {
  maxWorkers?: number;
  tickMs?: number;
}

export class SimulatedSpawnService extends EventEmitter implements SpawnService {
  readonly workers = new Map<string, WorkerSnapshot>();
  readonly tasks = new Map<string, TaskSummary>();
  readonly deadLetters = new Map<string, DeadLetter>();
  readonly cities = new Map<string, City>();
  private readonly maxWorkers: number;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;
  private nextWorker = 1;
  private nextJob = 1;
  private discovered = 0;
  private ingested = 0;
  private readonly running = new Map<string, { workerId: string; endsAt: number; fails: boolean }>();

  constructor(options: SimulatedServiceOptions = {}) {
    super();
    this.maxWorkers = options.maxWorkers ?? 8;
    this.tickMs = options.tickMs ?? 50;
  }

  async start(): Promise<void> {
    this.timer ??= setInterval(() => this.tick(), this.tickMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async getSystemStatus(): Promise<SystemStatus> {
    const all = [...this.tasks.values()];
    const count = (s: string) => all.filter((t) => t.state === s).length;
    const byType: Record<string, number> = {};
    const byStatus: Record<string, number> = {};
    for (const w of this.workers.values()) {
      byType[w.workerType] = (byType[w.workerType] ?? 0) + 1;
      byStatus[w.status] = (byStatus[w.status] ?? 0) + 1;
    }
    const done = all.filter((t) => t.state === 'completed' && t.startedAt && t.completedAt);
    const avg = done.length
      ? done.reduce((s, t) => s + (Date.parse(t.completedAt!) - Date.parse(t.startedAt!)), 0) / done.length
      : 0;
    const now = Date.now();
    const hour = 3_600_000;
    return {
      activeTasks: count('active'),
      queuedTasks: count('queued'),
      workers: { total: this.workers.size, byType, byStatus },
      tasks: { queued: count('queued'), active: count('active'), completed: count('completed'), failed: count('failed'), averageCompletionTime: avg },
      performance: { cpuUsage: 12.5, memoryUsage: 96 * 1024 * 1024, eventDiscoveryRate: this.discovered, ingestionRate: this.ingested, eventLoopLagMs: 1.2 },
      discoveryHistory: Array.from({ length: 24 }, (_, i) => ({
        hour: new Date(Math.floor((now - (23 - i) * hour) / hour) * hour).toISOString(),
        count: i === 23 ? this.discovered : Math.round(40 + 30 * Math.sin(i / 3)),
      })),
      providers: [
        { source: 'ticketmaster', enabled: true, budget: 5000, used: 1200, remaining: 3800 },
        { source: 'eventbrite', enabled: true, budget: 2000, used: 1900, remaining: 100 },
        { source: 'yelp', enabled: false, budget: 5000, used: 0, remaining: 5000 },
        { source: 'ics', enabled: true, budget: 10000, used: 340, remaining: 9660 },
      ],
      replicaId: 'fake-replica-1',
      database: 'pglite',
    };
  }

  async getWorkerStates(): Promise<WorkerSnapshot[]> {
    return [...this.workers.values()].map((w) => ({ ...w }));
  }

  async getTaskQueue(options?: { state?: 'failed' | 'queued' | 'active' | 'all'; limit?: number }): Promise<TaskSummary[]> {
    const state = options?.state ?? 'all';
    return [...this.tasks.values()].filter((t) => state === 'all' || t.state === state).slice(0, options?.limit ?? 100);
  }

  async spawnWorker(type: WorkerType): Promise<string> {
    if (!TYPES.includes(type)) throw new ValidationError(`unknown worker type '${type}'`);
    if (this.workers.size >= this.maxWorkers) throw new CapacityError(`SPAWN_MAX_WORKERS (${this.maxWorkers}) reached`);
    const workerId = `${type}-${this.nextWorker++}`;
    this.workers.set(workerId, {
      workerId,
      workerType: type,
      status: 'idle',
      currentTask: null,
      tasksCompleted: 0,
      tasksFailed: 0,
      averageTimeMs: null,
      errorRate: 0,
      lastHeartbeat: new Date().toISOString(),
      startedAt: new Date().toISOString(),
      replicaId: 'fake-replica-1',
    });
    return workerId;
  }

  async distributeTask(task: Task): Promise<{ taskId: string; jobId: string | null }> {
    if (!TYPES.includes(task.type)) throw new ValidationError(`unknown worker type '${task.type}'`);
    if (this.tasks.has(task.id)) return { taskId: task.id, jobId: null };
    const jobId = `job-${this.nextJob++}`;
    this.tasks.set(task.id, {
      taskId: task.id,
      jobId,
      type: task.type,
      state: 'queued',
      priority: task.priority,
      retryCount: 0,
      createdAt: new Date().toISOString(),
      startedAt: null,
      completedAt: null,
      parameters: task.parameters,
      error: null,
    });
    return { taskId: task.id, jobId };
  }

  async scheduleDiscovery(request: DiscoveryRequest): Promise<ScheduleDiscoveryResult> {
    const cities = request.cityIds ?? [...this.cities.keys()];
    const sources = request.sources ?? ['ics'];
    const result: ScheduleDiscoveryResult = { queued: [], skipped: [] };
    for (const cityId of cities) {
      for (const source of sources) {
        const taskId = `discovery:${cityId}:${source}:${Date.now()}`;
        await this.distributeTask({ id: taskId, type: 'discovery', priority: 5, parameters: { cityId, source } });
        result.queued.push({ taskId, cityId, source, priority: 5 });
      }
    }
    return result;
  }

  async listDeadLetters(limit?: number): Promise<DeadLetter[]> {
    return [...this.deadLetters.values()].slice(0, limit ?? 50);
  }

  async retryTask(taskId: string): Promise<{ taskId: string; jobId: string }> {
    const dead = this.deadLetters.get(taskId);
    const task = this.tasks.get(taskId);
    if (!dead || !task) throw new NotFoundError(`no dead-lettered task '${taskId}'`);
    this.deadLetters.delete(taskId);
    const jobId = `job-${this.nextJob++}`;
    Object.assign(task, { jobId, state: 'queued', retryCount: task.retryCount + 1, startedAt: null, completedAt: null, error: null });
    return { taskId, jobId };
  }

  async dismissDeadLetter(taskId: string): Promise<{ taskId: string; dismissed: true }> {
    if (!this.deadLetters.delete(taskId)) throw new NotFoundError(`no dead-lettered task '${taskId}'`);
    return { taskId, dismissed: true };
  }

  async listCities(): Promise<City[]> {
    return [...this.cities.values()];
  }

  async upsertCity(input: CityInput): Promise<City> {
    const city: City = {
      radiusM: 50_000,
      priority: 5,
      enabled: true,
      ...input,
      sources: input.sources ?? {},
    } as City;
    this.cities.set(city.id, city);
    return city;
  }

  async updateCity(id: string, patch: Partial<CityInput>): Promise<City> {
    const city = this.cities.get(id);
    if (!city) throw new NotFoundError(`no city '${id}'`);
    Object.assign(city, patch);
    return city;
  }

  async queryEvents(_input: EventQueryInput): Promise<{ events: unknown[]; nextCursor: string | null }> {
    return { events: [], nextCursor: null };
  }

  async cityStats(): Promise<CityStats[]> {
    return [...this.cities.keys()].map((cityId) => ({ cityId, events: 0, upcomingEvents: 0, sources: [], lastDiscoveryAt: null }));
  }

  async readiness(): Promise<{ database: boolean; queue: boolean }> {
    return { database: true, queue: true };
  }

  /** One step of the simulated controller: finish due attempts, then start queued ones. */
  private tick(): void {
    const now = Date.now();
    for (const [taskId, run] of this.running) {
      if (run.endsAt > now) continue;
      this.running.delete(taskId);
      const task = this.tasks.get(taskId)!;
      const worker = this.workers.get(run.workerId);
      task.completedAt = new Date(now).toISOString();
      const durationMs = now - Date.parse(task.startedAt!);
      if (worker) {
        worker.status = 'idle';
        worker.currentTask = null;
        worker.lastHeartbeat = new Date(now).toISOString();
        const finished = worker.tasksCompleted + worker.tasksFailed;
        worker.averageTimeMs = ((worker.averageTimeMs ?? 0) * finished + durationMs) / (finished + 1);
        if (run.fails) worker.tasksFailed++;
        else worker.tasksCompleted++;
        worker.errorRate = worker.tasksFailed / (worker.tasksCompleted + worker.tasksFailed);
      }
      if (run.fails) {
        task.state = 'failed';
        task.error = `simulated failure of task ${taskId} (attempt ${task.retryCount + 1})`;
        this.deadLetters.set(taskId, {
          taskId,
          jobId: task.jobId,
          type: task.type,
          error: task.error,
          retryCount: task.retryCount,
          failedAt: task.completedAt,
          parameters: task.parameters,
        });
        this.emit('task:failed', { taskId, type: task.type, durationMs, error: task.error });
      } else {
        task.state = 'completed';
        if (task.type === 'discovery') this.discovered += 7;
        if (task.type === 'ingestion') this.ingested += 5;
        this.emit('task:completed', { taskId, type: task.type, durationMs });
      }
    }
    const queued = [...this.tasks.values()].filter((t) => t.state === 'queued').sort((a, b) => b.priority - a.priority);
    for (const task of queued) {
      const worker = [...this.workers.values()].find((w) => w.workerType === task.type && w.status === 'idle');
      if (!worker) continue;
      worker.status = 'busy';
      worker.currentTask = task.taskId;
      task.state = 'active';
      task.startedAt = new Date(now).toISOString();
      const p = task.parameters;
      const fails = p.fail === true || (typeof p.failUntilRetry === 'number' && task.retryCount < p.failUntilRetry);
      const duration = typeof p.durationMs === 'number' ? p.durationMs : 300;
      this.running.set(task.taskId, { workerId: worker.workerId, endsAt: now + duration, fails });
    }
  }
}
