/** The HTTP layer's entry points, for src/service.ts and the CLI. */
export { createApp, type AppOptions } from './app.js';
export { startHttpServer, type HttpServerOptions, type RunningHttpServer } from './server.js';
export { createMetrics, type SpawnMetrics, type MetricsOptions, type EventSource } from './metrics.js';
export { handleSpawnGet, handleSpawnPost } from './spawn-handlers.js';
export type { SpawnService } from './context.js';
