/**
 * Configuration: the one module that reads the environment (env.ts). Nothing parses at import;
 * each loader parses when called and throws a ConfigError naming the variable and its value.
 *
 *   loadSpawnConfig(env?)    the controller (spawn.ts); `spawnConfig` is the same, parsed on first use
 *   loadServiceConfig(env?)  the HTTP service (service.ts)
 *   localDatabase(env?)      the database `scenescout start` and the in-process CLI commands share
 *   loadCliConfig(env?)      the CLI's server URL and token
 *   memoryBudget(config)     the most a replica's parts may take at once (memory-budget.ts)
 */
export * from './env.js';
export * from './spawn.js';
export * from './service.js';
export * from './memory-budget.js';
