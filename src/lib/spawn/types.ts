/**
 * The spawn layer's own types (what a worker receives, the controller <-> worker protocol)
 * beside the task and status contracts it shares with the rest of the service, re-exported
 * from src/contracts. The words are defined in docs/glossary.md.
 */
import type { WorkerType } from '../../contracts/tasks.js';

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

// ---- controller <-> worker protocol -------------------------------------------------

export type ControllerToWorker =
  | { type: 'task'; assignment: TaskAssignment }
  | { type: 'health'; requestId: number }
  | { type: 'shutdown' };

export type WorkerToController =
  | { type: 'ready'; workerId: string }
  | { type: 'started'; workerId: string; taskId: string }
  | { type: 'result'; workerId: string; taskId: string; result: unknown }
  | { type: 'error'; workerId: string; taskId: string | null; error: SerializedError }
  | { type: 'heartbeat'; workerId: string; requestId: number | null; status: 'healthy'; timestamp: number; memory: number }
  | { type: 'log'; workerId: string; level: 'debug' | 'info' | 'warn' | 'error'; msg: string; data?: Record<string, unknown> };

export interface SerializedError {
  message: string;
  code?: string;
  name?: string;
  /** false: do not retry this task */
  retryable?: boolean;
}

/** Storage RPC between a worker thread and the controller that owns the embedded database. */
export type DbRequest = { id: number; text: string; params: unknown[] };
export type DbResponse = { id: number; rows?: unknown[]; rowCount?: number; error?: SerializedError };
