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
import { NotFoundError } from '../lib/errors.js';
import { catalogueJson } from './caching.js';
import { json, readJsonBody } from './http.js';

/** A service without a catalogue (a test double) cannot serve these routes: 501, said plainly. */
const unavailable = () => json({ error: 'this service has no catalogue: event detail, review and unmerge are unavailable', code: 'ERR_HTTP' }, 501);

/** Runs `handle` with the service's dedupe operations, or answers 501 without them. */
const withOperations = (service: SpawnService, handle: (ops: DedupeOperations) => Promise<Response>) =>
  service.dedupe ? handle(service.dedupe) : Promise.resolve(unavailable());

export function registerDedupeRoutes(app: Hono, service: SpawnService, bodyLimitBytes: number): void {
  app.get('/api/events/:id', (c) => withOperations(service, async (ops) => {
    const id = c.req.param('id');
    const found = await ops.getEventDetail(id);
    if (found === null) throw new NotFoundError(`no event ${id}`);
    if (found.kind === 'moved') {
      // Not cached: an unmerge can give the old id its own event back.
      return new Response(null, { status: 301, headers: { location: `/api/events/${found.to}`, 'cache-control': 'no-store' } });
    }
    return catalogueJson(c, found.detail);
  }));

  app.post('/api/events/:id/unmerge', (c) => withOperations(service, async (ops) => {
    const request = parseWith(unmergeRequestSchema, await readJsonBody(c.req.raw, bodyLimitBytes), 'unmerge request');
    return json(await ops.unmergeEvent(c.req.param('id'), request));
  }));

  app.get('/api/review', (c) => withOperations(service, async (ops) => {
    const query = parseWith(reviewListQuerySchema, c.req.query(), 'query');
    return json(await ops.listReview(query));
  }));

  app.post('/api/review/:pairId', (c) => withOperations(service, async (ops) => {
    const pairId = parseWith(pairIdSchema, c.req.param('pairId'), 'pair id');
    const { decision } = parseWith(reviewDecisionSchema, await readJsonBody(c.req.raw, bodyLimitBytes), 'review decision');
    return json(await ops.decideReview(pairId, decision));
  }));
}
