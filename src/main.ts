/**
 * `npm start`: the controller, its schedules and the HTTP server in one process. With no
 * DATABASE_URL it runs on the embedded database in SCENESCOUT_DATA_DIR (.scenescout/data).
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Imported here, not at the top: config is validated while these modules load, and a bad
  // value must reach the catch below as a one-line message rather than a stack trace.
  const { loadServiceConfig, loadSpawnConfig } = await import('./config/spawn.js');
  const { createLogger, redactUrl } = await import('./lib/logger.js');
  const { createService } = await import('./service.js');
  const { createApp } = await import('./server/app.js');
  const { createMetrics } = await import('./server/metrics.js');
  const { startHttpServer } = await import('./server/server.js');
  const service = loadServiceConfig(env);
  const spawn = loadSpawnConfig(env);
  const logger = createLogger({ level: service.logLevel });
  // SCENESCOUT_DATA_DIR, else .scenescout/data (loadServiceConfig); unused with DATABASE_URL.
  const dataDir = spawn.databaseUrl ? 'memory' : service.dataDir;
  logger.info(
    { database: spawn.databaseUrl ? redactUrl(spawn.databaseUrl) : `embedded PGlite in ${dataDir}`, maxWorkers: spawn.maxWorkers },
    'starting SceneScout Spawn',
  );
  for (const source of ['ticketmaster', 'eventbrite', 'yelp'] as const) {
    if (!spawn.providers[source].apiKey) logger.info({ source }, `${source} disabled: no credentials configured`);
  }
  const svc = await createService({
    config: { dataDir, logLevel: service.logLevel },
    logger,
    discoverOnStart: env.SCENESCOUT_DISCOVER_ON_START !== 'false',
  });
  await svc.start();
  const metrics = createMetrics(svc, { logger });
  metrics.bindController(svc.controller);
  const app = createApp({ service: svc, apiToken: service.apiToken, metrics, logger, bodyLimitBytes: service.bodyLimitBytes });
  const http = await startHttpServer({ app, port: service.port, host: service.host, apiToken: service.apiToken, logger });
  logger.info({ url: http.url }, 'SceneScout Spawn is up: dashboard at /, API at /api/spawn');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await http.close();
    await svc.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    // A bad configuration is the common case here: say what is wrong, without a stack.
    process.stderr.write(`scenescout: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
