/**
 * The design's Next.js App Router module for `/api/spawn`. It delegates to the same handlers as
 * the Hono server (src/server/spawn-handlers.ts), so both answer alike.
 *
 * The service is one lazily started singleton per process: `setSpawnService()` injects one
 * (embedding, tests); otherwise the first request builds it with `createService()` from
 * src/service.ts. The API token comes from `setSpawnService(service, { apiToken })` or
 * `configureSpawnRoute({ apiToken })`, never from the environment here (src/config reads that).
 */
import { pino, type Logger } from 'pino';
import { assertAuthorized } from '../../../server/auth.js';
import type { SpawnService } from '../../../server/context.js';
import { errorToResponse, json } from '../../../server/http.js';
import { handleSpawnGet, handleSpawnPost } from '../../../server/spawn-handlers.js';

export interface SpawnRouteOptions {
  apiToken?: string;
  logger?: Logger;
  bodyLimitBytes?: number;
}

type StartableService = SpawnService & { start(): Promise<void>; stop(): Promise<void> };
interface ServiceModule {
  createService(opts?: unknown): Promise<StartableService>;
}

// Held as a URL string so this module type-checks and loads before src/service.ts exists.
const SERVICE_MODULE = new URL('../../../service.js', import.meta.url).href;

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
    const mod = (await import(SERVICE_MODULE)) as ServiceModule;
    const service = await mod.createService();
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
