/**
 * What the HTTP server, the Next.js route module and the CLI need from a running service.
 * `createService()` in src/service.ts builds the real one (controller, distributor, storage).
 */
import { z } from 'zod';
import type { City, CityInput } from './cities.js';
import { cityIdSchema } from './cities.js';
import type { EventQueryInput } from './event-query.js';
import { SOURCES, sourceIdSchema, type SourceId } from './sources.js';
import type { DeadLetter, SystemStatus, TaskSummary, WorkerSnapshot } from './status.js';
import type { Task, WorkerType } from './tasks.js';

/** Which discoveries to queue: every enabled city and every source when left out. */
export const discoveryRequestSchema = z.strictObject({
  cityIds: z.array(cityIdSchema).max(1000).optional(),
  sources: z.array(sourceIdSchema).max(SOURCES.length).optional(),
});
export interface DiscoveryRequest {
  cityIds?: string[];
  /** checked again by the distributor, so library callers get a clear error too */
  sources?: Array<SourceId | (string & {})>;
}

/** What `scheduleDiscovery` did: one entry per (city, source), queued or skipped with why. */
export interface ScheduleDiscoveryResult {
  queued: Array<{ taskId: string; cityId: string; source: string; priority: number }>;
  skipped: Array<{ cityId: string; source: string; reason: string }>;
}

export const TASK_LIST_STATES = ['failed', 'queued', 'active', 'all'] as const;
export interface TaskListOptions {
  state?: (typeof TASK_LIST_STATES)[number];
  limit?: number;
}

export interface SpawnService {
  getSystemStatus(): Promise<SystemStatus>;
  getWorkerStates(): Promise<WorkerSnapshot[]>;
  getTaskQueue(options?: TaskListOptions): Promise<TaskSummary[]>;
  spawnWorker(type: WorkerType): Promise<string>;
  distributeTask(task: Task): Promise<{ taskId: string; jobId: string | null }>;
  scheduleDiscovery(request: DiscoveryRequest): Promise<ScheduleDiscoveryResult>;
  listDeadLetters(limit?: number): Promise<DeadLetter[]>;
  /** Requeues a dead-lettered task by its task id; NotFoundError when there is none. */
  retryTask(taskId: string): Promise<{ taskId: string; jobId: string }>;
  /** Removes a dead-lettered task from the list without retrying it; NotFoundError when there is none. */
  dismissDeadLetter(taskId: string): Promise<{ taskId: string; dismissed: true }>;
  listCities(): Promise<City[]>;
  upsertCity(city: CityInput): Promise<City>;
  updateCity(id: string, patch: Partial<CityInput>): Promise<City>;
  queryEvents(input: EventQueryInput): Promise<{ events: unknown[]; nextCursor: string | null }>;
  /** Database and queue reachable. */
  readiness(): Promise<{ database: boolean; queue: boolean }>;
}
