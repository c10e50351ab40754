/**
 * The `/api/spawn` control API as plain `(Request, SpawnService) => Response` functions,
 * shared by the Hono app (app.ts) and the Next.js route module (src/app/api/spawn/route.ts).
 *
 *   GET  /api/spawn?action=status | workers | tasks[&state=failed|queued|active|all][&limit=n]
 *   POST /api/spawn  { action: 'spawn',     params: { type } }                 -> { workerId }
 *                    { action: 'task',      params: { task: { id, type, priority, parameters } } }
 *                                                                              -> { success, taskId, jobId }
 *                    { action: 'discovery', params: { cityIds?, sources? } }   -> ScheduleDiscoveryResult
 *
 * Each handler answers every failure itself (400 for bad input, 404/409 for coded errors, a
 * generic 500 otherwise), so a caller without an error middleware gets the same answers.
 * Authorization is the caller's job (app.ts middleware, route.ts) and happens before the body
 * is read.
 */
import { parseWith } from '../contracts/parse.js';
import type { SpawnService } from '../contracts/service.js';
import type { Task } from '../contracts/tasks.js';
import { assertStorableQuery, errorToResponse, json, readJsonBody, type HandlerOptions } from './http.js';
import { spawnGetQuery, spawnPostBody } from './schemas.js';
import { assertFetchableTaskParameters } from './source-urls.js';

export type SpawnHandler = (request: Request, service: SpawnService, options?: HandlerOptions) => Promise<Response>;

export const handleSpawnGet: SpawnHandler = async (request, service, options = {}) => {
  try {
    assertStorableQuery(request.url);
    const params = Object.fromEntries(new URL(request.url).searchParams);
    const query = parseWith(spawnGetQuery, params, 'query');
    switch (query.action) {
      case 'status':
        return json(await service.getSystemStatus());
      case 'workers':
        return json(await service.getWorkerStates());
      case 'tasks':
        return json(await service.getTaskQueue({ state: query.state, limit: query.limit }));
    }
  } catch (err) {
    return errorToResponse(err, options.logger, request);
  }
};

export const handleSpawnPost: SpawnHandler = async (request, service, options = {}) => {
  try {
    const raw = await readJsonBody(request, options.bodyLimitBytes);
    const body = parseWith(spawnPostBody, raw, 'request body');
    switch (body.action) {
      case 'spawn': {
        const workerId = await service.spawnWorker(body.params.type);
        return json({ workerId });
      }
      case 'task': {
        const task: Task = body.params.task;
        // Feeds and pages a caller names go through the same URL rules as a city's.
        if (task.type === 'discovery') await assertFetchableTaskParameters(task.parameters, { allowPrivate: options.allowPrivateUrls });
        const { taskId, jobId } = await service.distributeTask(task);
        return json({ success: true, taskId, jobId });
      }
      case 'discovery':
        return json(await service.scheduleDiscovery(body.params));
    }
  } catch (err) {
    return errorToResponse(err, options.logger, request);
  }
};
