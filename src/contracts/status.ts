/**
 * Plain snapshots of what the system is doing, as the status API, the dashboard, the CLI and
 * the `workers` table read them. Written by the spawn layer, stored by the db layer. Each is a
 * zod schema (the OpenAPI document's source) and the type inferred from it.
 */
import { z } from 'zod';
import type { WorkerType } from './tasks.js';

const isoInstant = z.string().meta({ format: 'date-time' });
/** A built-in worker type or a configured custom one (tasks.ts). */
const workerType = z.custom<WorkerType>((v) => typeof v === 'string').meta({ type: 'string' });
const parameters = z.record(z.string(), z.unknown());

/** `gone`: its replica stopped heartbeating (killed); another replica marked it. */
export const WORKER_STATUSES = ['starting', 'idle', 'busy', 'unhealthy', 'stopping', 'stopped', 'crashed', 'gone'] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

/** What one worker is doing. */
export const workerSnapshotSchema = z
  .object({
    workerId: z.string(),
    workerType,
    status: z.enum(WORKER_STATUSES),
    currentTask: z.string().nullable(),
    tasksCompleted: z.number(),
    tasksFailed: z.number(),
    averageTimeMs: z.number().nullable(),
    errorRate: z.number(),
    lastHeartbeat: isoInstant.nullable(),
    startedAt: isoInstant,
    /** The replica (process) that owns the worker. */
    replicaId: z.string(),
  })
  .meta({ id: 'WorkerSnapshot' });
export type WorkerSnapshot = z.output<typeof workerSnapshotSchema>;

export const TASK_STATES = ['queued', 'retry', 'active', 'completed', 'failed', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** One task as the queue knows it. */
export const taskSummarySchema = z
  .object({
    taskId: z.string(),
    jobId: z.string(),
    type: workerType,
    state: z.enum(TASK_STATES),
    priority: z.number(),
    retryCount: z.number(),
    createdAt: isoInstant,
    startedAt: isoInstant.nullable(),
    completedAt: isoInstant.nullable(),
    parameters,
    error: z.string().nullable(),
  })
  .meta({ id: 'TaskSummary' });
export type TaskSummary = z.output<typeof taskSummarySchema>;

/** A task that used up its retries (glossary: dead letter). */
export const deadLetterSchema = z
  .object({
    taskId: z.string(),
    jobId: z.string(),
    type: workerType,
    error: z.string().nullable(),
    retryCount: z.number(),
    failedAt: isoInstant.nullable(),
    parameters,
  })
  .meta({ id: 'DeadLetter' });
export type DeadLetter = z.output<typeof deadLetterSchema>;

/** Where the provider limits are kept now: Redis, or the fallbacks while Redis is down. */
export const limiterHealthSchema = z
  .object({
    /** `redis`: shared in Redis; `fallback`: Redis is down, daily budgets in Postgres; `memory`: no Redis configured */
    store: z.enum(['redis', 'fallback', 'memory']),
    redis: z.object({ configured: z.boolean(), ok: z.boolean(), since: isoInstant.nullable(), lastError: z.string().nullable() }),
  })
  .meta({ id: 'LimiterHealth' });
export type LimiterHealth = z.output<typeof limiterHealthSchema>;

export const systemStatusSchema = z
  .object({
    activeTasks: z.number(),
    queuedTasks: z.number(),
    workers: z.object({
      total: z.number(),
      byType: z.record(z.string(), z.number()),
      byStatus: z.record(z.string(), z.number()),
    }),
    tasks: z.object({
      queued: z.number(),
      active: z.number(),
      completed: z.number(),
      failed: z.number(),
      /** ms, over completed attempts recorded in task_assignments */
      averageCompletionTime: z.number(),
    }),
    performance: z.object({
      cpuUsage: z.number(),
      memoryUsage: z.number(),
      /** raw events discovered in the last hour */
      eventDiscoveryRate: z.number(),
      /** raw events ingested in the last hour */
      ingestionRate: z.number(),
      eventLoopLagMs: z.number(),
    }),
    /** events discovered per hour over the last 24 hours, oldest first */
    discoveryHistory: z.array(z.object({ hour: z.string(), count: z.number() })),
    providers: z.array(z.object({ source: z.string(), enabled: z.boolean(), budget: z.number(), used: z.number(), remaining: z.number() })),
    replicaId: z.string(),
    database: z.enum(['postgres', 'pglite']),
    /** the provider limiter's store; Redis outages show here (and in /readyz, /metrics) */
    limiter: limiterHealthSchema.optional(),
  })
  .meta({ id: 'SystemStatus' });
export type SystemStatus = z.output<typeof systemStatusSchema>;
