/**
 * The HTTP API's own request shapes: the `/api/spawn` action envelopes and query-string
 * parameters. What travels inside them (tasks, cities, the event query, discovery requests)
 * is the shared contract in src/contracts. Objects are strict, so a misspelt field is a 400
 * that names it rather than a silently ignored option.
 */
import { z } from 'zod';
import { discoveryRequestSchema, TASK_LIST_STATES } from '../contracts/service.js';
import { limiterHealthSchema } from '../contracts/status.js';
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

// ---- answers ----------------------------------------------------------------------------
// What the routes answer besides the shared contracts (src/contracts); the OpenAPI document
// (openapi.ts) is generated from these and the contracts.

/** Every 4xx and 5xx answer. `code` is the stable error code (src/lib/errors.ts), absent on a 500. */
export const errorBody = z.object({ error: z.string(), code: z.string().optional() }).meta({ id: 'Error' });
export const healthBody = z.object({ ok: z.literal(true) });
export const readinessBody = z.object({
  ok: z.boolean(),
  database: z.boolean().optional(),
  queue: z.boolean().optional(),
  /** where provider limits are kept (detail: a Redis outage falls back and stays ready) */
  limiter: limiterHealthSchema.optional(),
  /** the parts that are not reachable */
  down: z.array(z.string()),
  error: z.string().optional(),
});
export const spawnedWorkerBody = z.object({ workerId: z.string() });
export const distributedTaskBody = z.object({ success: z.literal(true), taskId: z.string(), jobId: z.string().nullable() });
export const retriedTaskBody = z.object({ taskId: z.string(), jobId: z.string() });
export const dismissedTaskBody = z.object({ taskId: z.string(), dismissed: z.literal(true) });
