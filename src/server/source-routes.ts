/**
 * Source health (service.sourceHealth, src/lib/db/queries/source-health.ts):
 *
 *   GET  /api/sources                      every (city, source, feed), worst first (operational read)
 *   POST /api/sources/:id/unquarantine     lift a quarantine and clear the failures (token)
 */
import type { Hono } from 'hono';
import { parseWith } from '../contracts/parse.js';
import type { SpawnService } from '../contracts/service.js';
import { sourceHealthIdSchema, type SourceHealthOperations } from '../contracts/source-health.js';
import { json } from './http.js';

const unavailable = () => json({ error: 'this service has no database: source health is unavailable', code: 'ERR_HTTP' }, 501);

const withOperations = (service: SpawnService, handle: (ops: SourceHealthOperations) => Promise<Response>) =>
  service.sourceHealth ? handle(service.sourceHealth) : Promise.resolve(unavailable());

export function registerSourceRoutes(app: Hono, service: SpawnService): void {
  app.get('/api/sources', () => withOperations(service, async (ops) => json(await ops.list())));
  app.post('/api/sources/:id/unquarantine', (c) => withOperations(service, async (ops) => {
    const id = parseWith(sourceHealthIdSchema, c.req.param('id'), 'source health id');
    return json(await ops.unquarantine(id));
  }));
}
