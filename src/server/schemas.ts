/**
 * The HTTP API's own request shapes: the `/api/spawn` action envelopes and query-string
 * parameters. What travels inside them (tasks, cities, the event query, discovery requests)
 * is the shared contract in src/contracts. Objects are strict, so a misspelt field is a 400
 * that names it rather than a silently ignored option.
 */
import { z } from 'zod';
import { discoveryRequestSchema, TASK_LIST_STATES } from '../contracts/service.js';
import { taskIdSchema, taskSchema, workerTypeNameSchema } from '../contracts/tasks.js';

/** A non-negative decimal integer given as a query string value. */
const intParam = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

// ---- /api/spawn -----------------------------------------------------------------------

export const spawnGetQuery = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('status') }),
  z.strictObject({ action: z.literal('workers') }),
  z.strictObject({
    action: z.literal('tasks'),
    state: z.enum(TASK_LIST_STATES).optional(),
    limit: intParam(1, 1000).optional(),
  }),
], { error: "action must be one of 'status', 'workers', 'tasks'" });

export const spawnPostBody = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('spawn'), params: z.strictObject({ type: workerTypeNameSchema }) }),
  z.strictObject({ action: z.literal('task'), params: z.strictObject({ task: taskSchema }) }),
  z.strictObject({ action: z.literal('discovery'), params: discoveryRequestSchema.default({}) }),
], { error: "action must be one of 'spawn', 'task', 'discovery'" });

// ---- /api/dead-letters ----------------------------------------------------------------

export const deadLettersQuery = z.strictObject({ limit: intParam(1, 500).optional() });
export const taskIdParam = taskIdSchema;
