/**
 * `/api/spawn` as a Next.js App Router route module. It delegates to the same handlers as the
 * Hono server (src/server/spawn-handlers.ts), so both answer alike.
 *
 * To mount it in a Next.js app, re-export its handlers from the app's route file, e.g.
 * `app/api/spawn/route.ts`:
 *
 *   export { GET, POST } from 'scenescout/dist/app/api/spawn/route.js';
 *   export const runtime = 'nodejs'; // worker threads and the database need Node, not the edge
 *   export const dynamic = 'force-dynamic'; // live state: never prerendered or cached
 *
 * and give it the API token once at start (e.g. in the app's `instrumentation.ts` `register()`):
 * `configureSpawnRoute({ apiToken })`. Without a token every change is refused from anywhere
 * but localhost.
 *
 * The service is one lazily started singleton per process: `setSpawnService()` injects one
 * (embedding, tests); otherwise the first request builds it with `createService()` from
 * src/service.ts. The API token comes from `setSpawnService(service, { apiToken })` or
 * `configureSpawnRoute({ apiToken })`, never from the environment here (src/config reads that).
 */
import { pino, type Logger } from 'pino';
import type { SpawnService } from '../../../contracts/service.js';
import { assertAuthorized } from '../../../server/auth.js';
import { errorToResponse, json } from '../../../server/http.js';
import { handleSpawnGet, handleSpawnPost } from '../../../server/spawn-handlers.js';

export interface SpawnRouteOptions {
  apiToken?: string;
  logger?: Logger;
  bodyLimitBytes?: number;
}

let settings: SpawnRouteOptions = {};
let servicePromise: Promise<SpawnService> | undefined;

/** Uses `service` for every later request (and `options` when given). */
export function setSpawnService(service: SpawnService, options?: SpawnRouteOptions): void {
  servicePromise = Promise.resolve(service);
  if (options) settings = { ...options };
}

/** Sets the token, logger and body limit without replacing the service. */
export function configureSpawnRoute(options: SpawnRouteOptions): void {
  settings = { ...options };
}

/** Forgets the service and settings (tests). Does not stop a service this module started. */
export function resetSpawnRoute(): void {
  servicePromise = undefined;
  settings = {};
}

function logger(): Logger {
  settings.logger ??= pino({ name: 'scenescout-route' });
  return settings.logger;
}

function getService(): Promise<SpawnService> {
  servicePromise ??= (async () => {
    // Loaded on the first request, so importing the route module stays cheap.
    const { createService } = await import('../../../service.js');
    const service = await createService();
    await service.start();
    return service;
  })().catch((err: unknown) => {
    // Let the next request try again rather than caching the failure forever.
    servicePromise = undefined;
    throw err;
  });
  return servicePromise;
}

async function withService(request: Request, run: (service: SpawnService) => Promise<Response>): Promise<Response> {
  try {
    assertAuthorized(request, settings.apiToken);
  } catch (err) {
    return errorToResponse(err, logger(), request);
  }
  let service: SpawnService;
  try {
    service = await getService();
  } catch (err) {
    logger().error({ err }, 'could not start the spawn service');
    return json({ error: 'service unavailable' }, 503);
  }
  return run(service);
}

export function GET(request: Request): Promise<Response> {
  return withService(request, (service) => handleSpawnGet(request, service, { logger: logger(), bodyLimitBytes: settings.bodyLimitBytes }));
}

export function POST(request: Request): Promise<Response> {
  return withService(request, (service) => handleSpawnPost(request, service, { logger: logger(), bodyLimitBytes: settings.bodyLimitBytes }));
}
