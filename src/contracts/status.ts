/**
 * Plain snapshots of what the system is doing, as the status API, the dashboard, the CLI and
 * the `workers` table read them. Written by the spawn layer, stored by the db layer.
 */
import type { WorkerType } from './tasks.js';

/** `gone`: its replica stopped heartbeating (killed); another replica marked it. */
export type WorkerStatus = 'starting' | 'idle' | 'busy' | 'unhealthy' | 'stopping' | 'stopped' | 'crashed' | 'gone';

/** What one worker is doing. */
export interface WorkerSnapshot {
  workerId: string;
  workerType: WorkerType;
  status: WorkerStatus;
  currentTask: string | null;
  tasksCompleted: number;
  tasksFailed: number;
  averageTimeMs: number | null;
  errorRate: number;
  lastHeartbeat: string | null;
  startedAt: string;
  /** The replica (process) that owns the worker. */
  replicaId: string;
}

export type TaskState = 'queued' | 'retry' | 'active' | 'completed' | 'failed' | 'cancelled';

/** One task as the queue knows it. */
export interface TaskSummary {
  taskId: string;
  jobId: string;
  type: WorkerType;
  state: TaskState;
  priority: number;
  retryCount: number;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  parameters: Record<string, unknown>;
  error: string | null;
}

/** A task that used up its retries (glossary: dead letter). */
export interface DeadLetter {
  taskId: string;
  jobId: string;
  type: WorkerType;
  error: string | null;
  retryCount: number;
  failedAt: string | null;
  parameters: Record<string, unknown>;
}

export interface SystemStatus {
  activeTasks: number;
  queuedTasks: number;
  workers: {
    total: number;
    byType: Record<string, number>;
    byStatus: Record<string, number>;
  };
  tasks: {
    queued: number;
    active: number;
    completed: number;
    failed: number;
    /** ms, over completed attempts recorded in task_assignments */
    averageCompletionTime: number;
  };
  performance: {
    cpuUsage: number;
    memoryUsage: number;
    /** raw events discovered in the last hour */
    eventDiscoveryRate: number;
    /** raw events ingested in the last hour */
    ingestionRate: number;
    eventLoopLagMs: number;
  };
  /** events discovered per hour over the last 24 hours, oldest first */
  discoveryHistory: Array<{ hour: string; count: number }>;
  providers: Array<{ source: string; enabled: boolean; budget: number; used: number; remaining: number }>;
  replicaId: string;
  database: 'postgres' | 'pglite';
  /** the provider limiter's store; Redis outages show here (and in /readyz, /metrics) */
  limiter?: LimiterHealth;
}

/** Where the provider limits are kept now: Redis, or the fallbacks while Redis is down. */
export interface LimiterHealth {
  /** `redis`: shared in Redis; `fallback`: Redis is down, daily budgets in Postgres; `memory`: no Redis configured */
  store: 'redis' | 'fallback' | 'memory';
  redis: { configured: boolean; ok: boolean; since: string | null; lastError: string | null };
}
