/**
 * What the HTTP server, the Next.js route module and the CLI need from a running service.
 * `createService()` in src/service.ts builds the real one (controller, distributor, storage).
 */
import type { SourceHealthOperations } from './source-health.js';
import { z } from 'zod';
import type { CityStats } from './catalogue-stats.js';
import type { City, CityInput } from './cities.js';
import { cityIdSchema } from './cities.js';
import type { DedupeOperations } from './dedupe.js';
import type { EventQueryInput } from './event-query.js';
import type { CanonicalEvent } from './events.js';
import { SOURCES, sourceIdSchema, type SourceId } from './sources.js';
import type { DeadLetter, SystemStatus, TaskSummary, WorkerSnapshot, LimiterHealth } from './status.js';
import type { Task, WorkerType } from './tasks.js';

/** Which discoveries to queue: every enabled city and every source when left out. */
export const discoveryRequestSchema = z.strictObject({
  cityIds: z.array(cityIdSchema).max(1000).optional().meta({ description: 'ids of the cities to discover (GET /api/cities); every enabled city when left out' }),
  sources: z.array(sourceIdSchema).max(SOURCES.length).optional().meta({ description: 'sources to ask; every source enabled for the city when left out' }),
});
export interface DiscoveryRequest {
  cityIds?: string[];
  /** checked again by the distributor, so library callers get a clear error too */
  sources?: Array<SourceId | (string & {})>;
}

/** What `scheduleDiscovery` did: one entry per (city, source), queued or skipped with why. */
export const scheduleDiscoveryResultSchema = z
  .object({
    queued: z.array(z.object({ taskId: z.string(), cityId: z.string(), source: z.string(), priority: z.number() })),
    skipped: z.array(z.object({ cityId: z.string(), source: z.string(), reason: z.string() })),
  })
  .meta({ id: 'ScheduleDiscoveryResult' });
export type ScheduleDiscoveryResult = z.output<typeof scheduleDiscoveryResultSchema>;

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
  /**
   * The same page as JSON text, as the API writes it (redacted), for the HTTP answer to send as
   * it is. Absent in a test double: the route then writes queryEvents' page.
   */
  queryEventsJson?(input: EventQueryInput): Promise<string>;
  /** How the events kept as text have served pages (src/lib/catalogue/event-cache.ts); absent in a test double. */
  eventCacheStats?(): { hits: number; misses: number; size: number };
  /** Per city: events, each source's records and the last discovery. */
  cityStats(): Promise<CityStats[]>;
  /**
   * Database and queue reachable. `limiter` is detail, not a condition: while Redis is down the
   * limits fall back (daily budgets in Postgres) and the replica stays ready.
   */
  readiness(): Promise<{ database: boolean; queue: boolean; limiter?: LimiterHealth }>;
  /**
   * Event detail, review queue, unmerge (src/lib/catalogue/dedupe/operations.ts). Absent in a
   * service without a catalogue (a test double); the HTTP API then answers 501.
   */
  readonly dedupe?: DedupeOperations;
  /** Source health and un-quarantine (src/lib/db/queries/source-health.ts); absent in a test double (501). */
  readonly sourceHealth?: SourceHealthOperations;
}
