/**
 * Glossary
 *
 * - task: one unit of work with an id, a worker type, a priority and parameters
 *   ("discover Berlin on Ticketmaster", "ingest these 100 raw events").
 * - attempt: one try at running a task. A task that fails is retried as a new attempt
 *   under the retry policy until it completes or is dead-lettered.
 * - worker: one `node:worker_threads` thread that runs one attempt at a time.
 * - worker type: what a worker does (discovery, ingestion, processing or a custom type),
 *   with its own queue, concurrency limit and memory limit.
 * - controller: the `SpawnController` of one process: it spawns workers, fetches tasks
 *   from the durable queue for idle workers, and watches their health.
 * - replica: one process running a controller. Replicas share the queue through Postgres.
 * - source: a provider of events: ticketmaster, eventbrite, yelp, ics, jsonld.
 * - raw event: a provider's own record, stored as-is in `raw_events`.
 * - canonical event: one real-world event in `events`, merged from its raw events.
 */

import type { ProviderCall, SourceId } from '../api/types.js';

export type BuiltinWorkerType = 'discovery' | 'ingestion' | 'processing';
export type WorkerType = BuiltinWorkerType | (string & {});

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Task {
  /** Caller-chosen id. Distributing the same id twice while it is known is a no-op. */
  id: string;
  type: WorkerType;
  /** Higher runs first. */
  priority: number;
  parameters: Record<string, unknown>;
  /** Optional key: at most one task with this key is queued or running at a time. */
  singletonKey?: string;
  /** With singletonKey: allow one more queued while one with the key is running. */
  queueWhileRunning?: boolean;
}

/** What a worker receives for one attempt. */
export interface TaskAssignment {
  taskId: string;
  /** The durable queue's job id of this task. */
  jobId: string;
  workerId: string;
  taskType: WorkerType;
  parameters: Record<string, unknown>;
  /** Epoch ms after which the attempt counts as failed. */
  deadline: number;
  retryCount: number;
}

export type WorkerStatus = 'starting' | 'idle' | 'busy' | 'unhealthy' | 'stopping' | 'stopped' | 'crashed';

/** A plain snapshot of what one worker is doing; the status API and dashboard read these. */
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
}

// ---- the controller's events ----------------------------------------------------------

/** Every event a SpawnController emits, with its payload. */
export interface SpawnEvents {
  'worker:spawned': { workerId: string; type: string };
  /** `crashed`: the thread ended without the controller asking it to */
  'worker:exit': { workerId: string; type: string; code: number; crashed: boolean; error: string | null };
  /** a fresh worker took the place of one that crashed or was retired */
  'worker:replaced': { oldWorkerId: string; workerId: string; type: string };
  'task:queued': { taskId: string; jobId: string; type: string };
  'task:started': { taskId: string; jobId: string; type: string; workerId: string };
  'task:completed': { taskId: string; jobId: string; type: string; workerId: string; durationMs: number; result: unknown };
  /** `outcome`: whether the task will be retried or was dead-lettered */
  'task:failed': { taskId: string; jobId: string; type: string; workerId: string; durationMs: number; error: string; outcome: 'retry' | 'dead' };
  /** one HTTP request a worker made to a provider */
  'provider:call': ProviderCall & { workerId: string; taskId: string | null };
  /** raw events a discovery found and stored */
  'events:discovered': { source: SourceId; count: number; workerId: string; taskId: string | null };
  /** raw events an ingestion turned into canonical events */
  'events:ingested': { source: string | null; count: number; workerId: string; taskId: string | null };
}

export type SpawnEventName = keyof SpawnEvents;
