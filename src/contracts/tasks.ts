/**
 * Tasks (glossary: task, worker type): what `distributeTask` accepts from the library, the
 * HTTP API and the CLI alike.
 */
import { z } from 'zod';

export const BUILTIN_WORKER_TYPES = ['discovery', 'ingestion', 'processing'] as const;
export type BuiltinWorkerType = (typeof BUILTIN_WORKER_TYPES)[number];
/** A built-in type or a custom one configured with a script. */
export type WorkerType = BuiltinWorkerType | (string & {});

/**
 * A worker type's name: lower case, as it also names the type's pg-boss queues, its metric
 * labels and its worker ids.
 */
export const WORKER_TYPE_NAME = /^[a-z][a-z0-9_-]{0,40}$/;

export const workerTypeNameSchema = z
  .string()
  .regex(WORKER_TYPE_NAME, 'must be a worker type name such as discovery, ingestion or processing');

/** Ids of tasks, cities in a request, dead letters: printable, no spaces, so they fit URLs and logs. */
export const taskIdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(200)
  .regex(/^[\w.:@/-]*$/, 'may contain only letters, digits and _ . : @ / -');

export const taskSchema = z.strictObject({
  /** Caller-chosen id. Distributing the same id twice while it is known is a no-op. */
  id: taskIdSchema,
  type: workerTypeNameSchema,
  /** Higher runs first. */
  priority: z.number().int().min(-1000).max(1000).default(0),
  parameters: z.record(z.string(), z.unknown()).default({}),
  /** At most one task with this key is queued or running at a time. */
  singletonKey: z.string().min(1).max(200).optional(),
  /** With singletonKey: allow one more queued while one with the key is running. */
  queueWhileRunning: z.boolean().optional(),
});

/** A task as given: priority and parameters may be left out. */
export type TaskInput = z.input<typeof taskSchema>;
/** A task with its defaults filled in. */
export interface Task extends Omit<z.output<typeof taskSchema>, 'type'> {
  type: WorkerType;
}
