/**
 * The database settings the in-process commands (migrate, discover without a server) share
 * with `scenescout start`: DATABASE_URL, or the embedded database in SCENESCOUT_DATA_DIR.
 * Imported lazily: src/config validates the whole environment when it loads.
 */
export interface LocalDatabase {
  /** the controller's dataDir option ('memory' when DATABASE_URL is set: it is then unused) */
  dataDir: string;
  /** for messages: a redacted URL or the embedded data directory */
  description: string;
  logLevel: string;
}

export async function localDatabase(): Promise<LocalDatabase> {
  const { loadServiceConfig, loadSpawnConfig } = await import('../config/spawn.js');
  const { redactUrl } = await import('../lib/logger.js');
  const service = loadServiceConfig();
  const spawn = loadSpawnConfig();
  // Same rule as main(): SCENESCOUT_DATA_DIR, or the service's default directory.
  const dataDir = spawn.databaseUrl ? 'memory' : service.dataDir;
  const description = spawn.databaseUrl
    ? `Postgres at ${redactUrl(spawn.databaseUrl)}`
    : dataDir === 'memory'
      ? 'embedded PGlite in memory'
      : `embedded PGlite in ${dataDir}`;
  return { dataDir, description, logLevel: service.logLevel };
}
