/**
 * The whole service in this process: the controller, its schedules and the HTTP server, as
 * `npm start` (src/main.ts) and `scenescout start` run it. With no DATABASE_URL it runs on the
 * embedded database in SCENESCOUT_DATA_DIR (.scenescout/data).
 */
import { cgroupMemoryLimitMb, currentEnv, loadServiceConfig, localDatabase, loadSpawnConfig, memoryBudget, type Env, type SpawnConfig } from '../config/index.js';
import { KEYED_SOURCES } from '../contracts/sources.js';
import { ConfigError } from '../lib/errors.js';
import { createLogger, type Logger } from '../lib/logger.js';

/** Resolves once the server listens; SIGINT and SIGTERM stop it and end the process. */
export async function runServer(env: Env = currentEnv()): Promise<void> {
  const service = loadServiceConfig(env);
  const spawn = loadSpawnConfig(env);
  const database = localDatabase(env);
  // The service's modules load once its configuration is known to be good: a bad one ends the
  // process after 0.15 s of CPU rather than 0.4 s, most of which went to loading them.
  const [{ createService }, { createApp }, { createMetrics }, { startHttpServer }] = await Promise.all([
    import('../service.js'),
    import('./app.js'),
    import('./metrics.js'),
    import('./server.js'),
  ]);
  const logger = createLogger({ level: service.logLevel });
  logger.info({ database: database.description, maxWorkers: spawn.maxWorkers }, 'starting SceneScout Spawn');
  logMemoryBudget(logger, spawn);
  for (const source of KEYED_SOURCES) {
    if (!spawn.providers[source].apiKey) logger.info({ source }, `${source} disabled: no credentials configured`);
  }
  const svc = await createService({
    config: { dataDir: database.dataDir, logLevel: service.logLevel },
    logger,
    discoverOnStart: service.discoverOnStart,
  });
  await svc.start();
  const metrics = createMetrics(svc, { logger });
  metrics.bindController(svc.controller);
  const app = createApp({
    service: svc,
    apiToken: service.apiToken,
    metrics,
    logger,
    bodyLimitBytes: service.bodyLimitBytes,
    allowPrivateUrls: service.allowPrivateUrls,
  });
  const http = await startHttpServer({ app, port: service.port, host: service.host, apiToken: service.apiToken, logger }).catch(async (err: unknown) => {
    await svc.stop().catch(() => {});
    throw listenError(err, service.apiToken ? (service.host ?? '0.0.0.0') : '127.0.0.1', service.port);
  });
  logger.info({ url: http.url }, 'SceneScout Spawn is up: dashboard at /, API at /api/spawn');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await http.close();
    await svc.stop();
    logger.info({ signal }, 'shut down');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/**
 * The most this replica's parts may take at once (README, "Memory budget"), and a warning when
 * that exceeds the container's memory limit: the kernel would end the process, not one thread.
 */
function logMemoryBudget(logger: Logger, spawn: SpawnConfig): void {
  const budget = memoryBudget(spawn);
  const limitMb = cgroupMemoryLimitMb();
  const parts = Object.fromEntries(budget.lines.map((l) => [l.part, l.totalMb]));
  logger.info({ budgetMb: budget.totalMb, limitMb: limitMb ?? null, parts }, 'memory budget');
  if (limitMb !== undefined && budget.totalMb > limitMb) {
    logger.warn(
      { budgetMb: budget.totalMb, limitMb },
      'the memory budget exceeds the container memory limit: lower memoryLimit or maxConcurrency of the worker types (SPAWN_WORKER_TYPES), or raise the limit',
    );
  }
}

/** A listener that could not start, with what to change: PORT and HOST. */
function listenError(err: unknown, host: string, port: number): Error {
  const code = (err as { code?: string }).code;
  if (code === 'EADDRINUSE') {
    return new ConfigError(`cannot listen on ${host}:${port}: the port is already in use (EADDRINUSE); stop the process using it, or set PORT (and HOST) to a free address`, { cause: err });
  }
  if (code === 'EACCES') {
    return new ConfigError(`cannot listen on ${host}:${port}: permission denied (EACCES); ports below 1024 need privileges, set PORT to 1024 or above`, { cause: err });
  }
  if (code === 'EADDRNOTAVAIL') {
    return new ConfigError(`cannot listen on ${host}:${port}: no such address on this machine (EADDRNOTAVAIL); check HOST`, { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}
