/**
 * What the HTTP server, the Next.js route module and the CLI need from a running service.
 * `createService()` in src/service.ts builds the real one (controller + distributor + storage).
 */
import type { SystemStatus, Task, TaskSummary, WorkerSnapshot, WorkerType } from '../lib/spawn/types.js';

export interface CityInput {
  id: string;
  name: string;
  latitude: number;
  longitude: number;
  radiusM?: number;
  timezone: string;
  priority?: number;
  enabled?: boolean;
  /** per-source settings, e.g. { eventbrite: { organizationIds: [] }, ics: { feeds: [] }, jsonld: { pages: [] } } */
  sources?: Record<string, unknown>;
}

export interface City extends Required<Omit<CityInput, 'sources'>> {
  sources: Record<string, unknown>;
}

export interface DiscoveryRequest {
  cityIds?: string[];
  sources?: string[];
}

export interface DiscoveryResult {
  queued: Array<{ taskId: string; cityId: string; source: string; priority: number }>;
  skipped: Array<{ cityId: string; source: string; reason: string }>;
}

export interface DeadLetter {
  taskId: string;
  jobId: string;
  type: WorkerType;
  error: string | null;
  retryCount: number;
  failedAt: string | null;
  parameters: Record<string, unknown>;
}

export interface EventQueryInput {
  lat?: number;
  lng?: number;
  radius_km?: number;
  from?: string;
  to?: string;
  category?: string;
  q?: string;
  limit?: number;
  cursor?: string;
}

export interface SpawnService {
  getSystemStatus(): Promise<SystemStatus>;
  getWorkerStates(): Promise<WorkerSnapshot[]>;
  getTaskQueue(options?: { state?: 'failed' | 'queued' | 'active' | 'all'; limit?: number }): Promise<TaskSummary[]>;
  spawnWorker(type: WorkerType): Promise<string>;
  distributeTask(task: Task): Promise<{ taskId: string; jobId: string | null }>;
  scheduleDiscovery(request: DiscoveryRequest): Promise<DiscoveryResult>;
  listDeadLetters(limit?: number): Promise<DeadLetter[]>;
  /** Requeues a dead-lettered task by its task id; NotFoundError when there is none. */
  retryTask(taskId: string): Promise<{ taskId: string; jobId: string }>;
  listCities(): Promise<City[]>;
  upsertCity(city: CityInput): Promise<City>;
  updateCity(id: string, patch: Partial<CityInput>): Promise<City>;
  queryEvents(input: EventQueryInput): Promise<{ events: unknown[]; nextCursor: string | null }>;
  /** Database and queue reachable. */
  readiness(): Promise<{ database: boolean; queue: boolean }>;
}
