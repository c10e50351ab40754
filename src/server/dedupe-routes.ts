/**
 * Dedupe's operator endpoints (service.dedupe, src/lib/catalogue/dedupe/operations.ts):
 *
 *   GET  /api/events/:id            the event with its sources, merge evidence, parent/children and
 *                                   history; an id merged away answers 301 to the surviving event
 *   POST /api/events/:id/unmerge    `{ source, externalId }`: split that record out (token)
 *   GET  /api/review                pending pairs with their evidence (`?status=decided`, `?limit=`)
 *   POST /api/review/:pairId        `{ "decision": "same" | "different" }` (token)
 */
import type { Hono } from 'hono';
import { pairIdSchema, reviewDecisionSchema, reviewListQuerySchema, unmergeRequestSchema, type DedupeOperations } from '../contracts/dedupe.js';
import { parseWith } from '../contracts/parse.js';
import type { SpawnService } from '../contracts/service.js';
import { HttpError, NotFoundError } from '../lib/errors.js';
import { json, readJsonBody } from './http.js';

function operations(service: SpawnService): DedupeOperations {
  if (!service.dedupe) throw new HttpError(501, 'this service has no catalogue: event detail, review and unmerge are unavailable');
  return service.dedupe;
}

export function registerDedupeRoutes(app: Hono, service: SpawnService, bodyLimitBytes: number): void {
  app.get('/api/events/:id', async (c) => {
    const id = c.req.param('id');
    const found = await operations(service).getEventDetail(id);
    if (found === null) throw new NotFoundError(`no event ${id}`);
    if (found.kind === 'moved') {
      // Not cached: an unmerge can give the old id its own event back.
      return new Response(null, { status: 301, headers: { location: `/api/events/${found.to}`, 'cache-control': 'no-store' } });
    }
    return json(found.detail);
  });

  app.post('/api/events/:id/unmerge', async (c) => {
    const request = parseWith(unmergeRequestSchema, await readJsonBody(c.req.raw, bodyLimitBytes), 'unmerge request');
    return json(await operations(service).unmergeEvent(c.req.param('id'), request));
  });

  app.get('/api/review', async (c) => {
    const query = parseWith(reviewListQuerySchema, c.req.query(), 'query');
    return json(await operations(service).listReview(query));
  });

  app.post('/api/review/:pairId', async (c) => {
    const pairId = parseWith(pairIdSchema, c.req.param('pairId'), 'pair id');
    const { decision } = parseWith(reviewDecisionSchema, await readJsonBody(c.req.raw, bodyLimitBytes), 'review decision');
    return json(await operations(service).decideReview(pairId, decision));
  });
}
