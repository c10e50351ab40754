/**
 * The HTTP API and dashboard as one Hono app over Web-standard Request/Response.
 *
 *   GET  /healthz                          liveness
 *   GET  /readyz                           database and queue reachable (200 / 503)
 *   GET  /metrics                          Prometheus text
 *   GET  /api/spawn?action=…  POST /api/spawn          control: status, workers, tasks (spawn-handlers.ts)
 *   GET  /api/events                       canonical events near a point / in a window
 *   GET  /api/events/:id                   one event with sources, evidence, parent/children, history;
 *                                          301 to the surviving event for an id merged away
 *   POST /api/events/:id/unmerge           split a source record out of an event
 *   GET  /api/review   POST /api/review/:pairId   dedupe's review queue and an operator's decision
 *   GET  /api/dead-letters   POST /api/dead-letters/:taskId/retry   DELETE /api/dead-letters/:taskId
 *   GET  /api/cities   POST /api/cities   PATCH /api/cities/:id   GET /api/cities/stats
 *   GET  /api/sources  POST /api/sources/:id/unquarantine   (source-routes.ts)
 *   GET  /api/openapi.json   GET /api/docs    the OpenAPI 3.1 document (openapi.ts) and its page (api-docs.ts)
 *   GET  /                                 the dashboard (web/dist)
 *
 * With a token configured, changes and operational reads need it (auth.ts: the catalogue,
 * health, metrics, the API docs and the dashboard's files stay open); changes must not be
 * cross-site (auth.ts). Bodies are capped (413) and checked for what the database cannot store
 * (400); every error goes through one mapper (http.ts) so no stack trace or secret reaches a
 * response, and every string in a response is redacted. Catalogue answers carry an ETag and a
 * short public max-age, and large text bodies are compressed (caching.ts).
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import { cityIdSchema, cityInputSchema, cityPatchSchema } from '../contracts/cities.js';
import { eventQuerySchema } from '../contracts/event-query.js';
import { parseWith } from '../contracts/parse.js';
import type { SpawnService } from '../contracts/service.js';
import { mountApiDocs } from './api-docs.js';
import { assertAuthorized } from './auth.js';
import { catalogueJson, catalogueJsonText, compression } from './caching.js';
import { assertStorableQuery, DEFAULT_BODY_LIMIT_BYTES, errorToResponse, json, readJsonBody, tooLarge, type HandlerOptions } from './http.js';
import { createMetrics, type SpawnMetrics } from './metrics.js';
import { registerSourceRoutes } from './source-routes.js';
import { registerDedupeRoutes } from './dedupe-routes.js';
import { deadLettersQuery, taskIdParam } from './schemas.js';
import { assertFetchableCitySources } from './source-urls.js';
import { handleSpawnGet, handleSpawnPost } from './spawn-handlers.js';
import { defaultStaticDir, mountDashboard } from './static.js';

export interface AppOptions {
  service: SpawnService;
  /** Bearer token for mutating requests; without one the listener must stay on loopback. */
  apiToken?: string;
  /** Defaults to a fresh `createMetrics(service)`. */
  metrics?: SpawnMetrics;
  logger: Logger;
  /** The built dashboard; default `<package root>/web/dist`. */
  staticDir?: string;
  /** Largest accepted request body; default 64 KiB. */
  bodyLimitBytes?: number;
  /** Accept feeds/pages on private addresses (SCENESCOUT_ALLOW_PRIVATE_URLS); default false. */
  allowPrivateUrls?: boolean;
}

export function createApp(options: AppOptions): Hono {
  const { service, apiToken, logger } = options;
  const metrics = options.metrics ?? createMetrics(service, { logger });
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const allowPrivate = options.allowPrivateUrls === true;
  const handlerOptions: HandlerOptions = { logger, bodyLimitBytes: limit, allowPrivateUrls: allowPrivate };
  const app = new Hono();

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    // routePath is the matched pattern (`/api/cities/:id`), which keeps label values few.
    const matched = c.req.routePath;
    const route = c.res.status === 404 ? 'unmatched' : matched === '/*' || matched === '*' ? 'dashboard' : matched;
    metrics.observeHttpRequest(c.req.method, route, c.res.status, (performance.now() - started) / 1000);
  });
  app.use('*', compression());
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  // Authorization comes before the body limit so an unauthorized upload is never read.
  app.use('*', async (c, next) => {
    assertAuthorized(c.req.raw, apiToken);
    await next();
  });
  const limitBody = bodyLimit({
    maxSize: limit,
    onError: () => {
      throw tooLarge(limit);
    },
  });
  // A GET or HEAD has no body to limit (fetch's Request carries none). Asking for it anyway
  // (`raw.body`) makes @hono/node-server build the full Request it otherwise skips.
  app.use('/api/*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next)));
  app.use('/api/*', async (c, next) => {
    assertStorableQuery(c.req.url);
    await next();
  });

  // ---- health and metrics -------------------------------------------------------------
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', async () => {
    try {
      const parts = await service.readiness();
      const down = Object.entries(parts)
        .filter(([, up]) => !up)
        .map(([name]) => name);
      return json({ ok: down.length === 0, ...parts, down }, down.length === 0 ? 200 : 503);
    } catch (err) {
      logger.warn({ err }, 'readiness check failed');
      return json({ ok: false, down: ['service'], error: 'readiness check failed' }, 503);
    }
  });
  app.get('/metrics', async () => {
    const text = await metrics.render();
    return new Response(text, { headers: { 'content-type': metrics.contentType, 'cache-control': 'no-store' } });
  });

  // ---- control: status, workers, tasks, discovery ---------------------------------------
  app.get('/api/spawn', (c) => handleSpawnGet(c.req.raw, service, handlerOptions));
  app.post('/api/spawn', (c) => handleSpawnPost(c.req.raw, service, handlerOptions));

  // ---- events -------------------------------------------------------------------------
  app.get('/api/events', async (c) => {
    const query = parseWith(eventQuerySchema, c.req.query(), 'query');
    return service.queryEventsJson ? catalogueJsonText(c, await service.queryEventsJson(query)) : catalogueJson(c, await service.queryEvents(query));
  });

  // ---- event detail, review queue, unmerge ---------------------------------------------
  registerDedupeRoutes(app, service, limit);

  // ---- dead letters -------------------------------------------------------------------
  app.get('/api/dead-letters', async (c) => {
    const { limit: n } = parseWith(deadLettersQuery, c.req.query(), 'query');
    return json(await service.listDeadLetters(n));
  });
  app.post('/api/dead-letters/:taskId/retry', async (c) => {
    const taskId = parseWith(taskIdParam, c.req.param('taskId'), 'task id');
    return json(await service.retryTask(taskId));
  });
  app.delete('/api/dead-letters/:taskId', async (c) => {
    const taskId = parseWith(taskIdParam, c.req.param('taskId'), 'task id');
    return json(await service.dismissDeadLetter(taskId));
  });

  // ---- cities -------------------------------------------------------------------------
  app.get('/api/cities', async () => json(await service.listCities()));
  app.get('/api/cities/stats', async () => json(await service.cityStats()));
  app.post('/api/cities', async (c) => {
    const city = parseWith(cityInputSchema, await readJsonBody(c.req.raw, limit), 'city');
    await assertFetchableCitySources(city.sources, { allowPrivate });
    return json(await service.upsertCity(city), 201);
  });
  app.patch('/api/cities/:id', async (c) => {
    const id = parseWith(cityIdSchema, c.req.param('id'), 'city id');
    const patch = parseWith(cityPatchSchema, await readJsonBody(c.req.raw, limit), 'city patch');
    if (patch.id !== undefined && patch.id !== id) {
      return json({ error: `city id in the body ('${patch.id}') differs from the one in the path ('${id}')` }, 400);
    }
    await assertFetchableCitySources(patch.sources, { allowPrivate }, 'city patch');
    const { id: _ignored, ...changes } = patch;
    return json(await service.updateCity(id, changes));
  });

  // ---- source health ------------------------------------------------------------------
  registerSourceRoutes(app, service);

  // ---- the OpenAPI document and its page ---------------------------------------------------
  mountApiDocs(app);

  // A known path with the wrong method is a 405, not a 404.
  const allow = (methods: string) => (c: Context) =>
    c.json({ error: `method ${c.req.method} not allowed; use ${methods}` }, 405, { allow: methods });
  app.all('/api/spawn', allow('GET, POST'));
  app.all('/api/events', allow('GET'));
  app.all('/api/events/:id', allow('GET'));
  app.all('/api/events/:id/unmerge', allow('POST'));
  app.all('/api/review', allow('GET'));
  app.all('/api/review/:pairId', allow('POST'));
  app.all('/api/dead-letters', allow('GET'));
  app.all('/api/dead-letters/:taskId/retry', allow('POST'));
  app.all('/api/dead-letters/:taskId', allow('DELETE'));
  app.all('/api/cities', allow('GET, POST'));
  app.all('/api/cities/stats', allow('GET'));
  app.all('/api/cities/:id', allow('PATCH'));
  app.all('/api/sources', allow('GET'));
  app.all('/api/sources/:id/unquarantine', allow('POST'));

  mountDashboard(app, options.staticDir ?? defaultStaticDir());

  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => errorToResponse(err, logger, c.req.raw));
  return app;
}
