/**
 * The spawn layer's own types (what a worker receives, the controller's events) beside the
 * task and status contracts it shares with the rest of the service, re-exported from
 * src/contracts. The words are defined in docs/glossary.md.
 */
import type { SourceId } from '../../contracts/sources.js';
import type { WorkerType } from '../../contracts/tasks.js';
import type { ProviderCall } from '../api/types.js';

export type { BuiltinWorkerType, Task, TaskInput, WorkerType } from '../../contracts/tasks.js';
export type { DeadLetter, SystemStatus, TaskState, TaskSummary, WorkerSnapshot, WorkerStatus } from '../../contracts/status.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

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
  /**
   * this replica found `replicaId` stopped heartbeating: its running attempts were closed as
   * lost (`attempts`) and those still running as that attempt retried at once (`retried`)
   */
  'replica:lost': { replicaId: string; attempts: number; retried: number; workersGone: number };
  /** one HTTP request a worker made to a provider */
  'provider:call': ProviderCall & { workerId: string; taskId: string | null };
  /** raw events a discovery found and stored */
  'events:discovered': { source: SourceId; count: number; workerId: string; taskId: string | null };
  /** raw events an ingestion turned into canonical events */
  'events:ingested': { source: string | null; count: number; workerId: string; taskId: string | null };
}

export type SpawnEventName = keyof SpawnEvents;
