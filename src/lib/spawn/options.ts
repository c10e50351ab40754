/**
 * The controller's options: the environment's configuration (read when a controller is
 * constructed) with the caller's options deep-merged over it, checked so that a bad option
 * fails the constructor with a ConfigError naming it.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import { z } from 'zod';
import { WORKER_TYPE_NAME as TYPE_NAME } from '../../contracts/tasks.js';
import { CRON_MESSAGE, isCron } from '../../config/env.js';
import { parseMemoryLimit } from '../../config/memory-budget.js';
import { deepMerge, loadSpawnConfig, type DeepPartial, type SpawnConfig, type WorkerTypeConfig } from '../../config/spawn.js';

export { parseMemoryLimit };
import type { Database } from '../db/types.js';
import { ConfigError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { own } from '../own.js';

export interface SpawnControllerOptions extends DeepPartial<Omit<SpawnConfig, 'workerTypes'>> {
  workerTypes?: Record<string, Partial<WorkerTypeConfig>>;
  logger?: Logger;
  /** Least level of the log lines worker threads send; default the logger's level. */
  logLevel?: string;
  /** ms between polls for tasks from other replicas and due retries */
  pollInterval?: number;
  /** spawn more workers of a type, up to its limits, while its queue has a backlog */
  autoscale?: boolean;
  replicaId?: string;
  /** ms a new worker gets to load its script and initialize */
  startupTimeout?: number;
  /**
   * An open database to use instead of opening one from databaseUrl/dataDir; the caller
   * keeps it and closes it after shutdown(). Its schema is the one `schema` names.
   */
  database?: Database;
}

export type ResolvedOptions = SpawnConfig & {
  pollInterval: number;
  autoscale: boolean;
  replicaId: string;
  startupTimeout: number;
  logLevel: string;
};

/** Types whose workers initialize() starts one of unless told otherwise. */
export const BUILTIN_TYPES: readonly string[] = ['discovery', 'ingestion', 'processing'];
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

const POS_INT = 'must be a positive integer';
const NON_NEG_INT = 'must be a non-negative integer';
const posInt = z.number({ error: POS_INT }).int(POS_INT).min(1, POS_INT);
const nonNegInt = z.number({ error: NON_NEG_INT }).int(NON_NEG_INT).min(0, NON_NEG_INT);
const positive = z.number({ error: 'must be a positive number' }).positive('must be a positive number');

const cronOption = z.string().refine(isCron, CRON_MESSAGE);

const workerTypeSchema = z.object({
  maxConcurrency: posInt,
  memoryLimit: z.string(),
  cpuLimit: positive,
  youngGenerationMb: posInt.optional(),
  script: z.string().min(1, 'must name a module').optional(),
  initialWorkers: nonNegInt.optional(),
});

const optionsSchema = z.object({
  maxWorkers: posInt,
  workerTimeout: posInt,
  redisUrl: z.string().optional(),
  // '' means "no Postgres": the embedded database, whatever the environment says.
  databaseUrl: z.union([z.literal(''), z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')]).optional(),
  dataDir: z.string().min(1, 'must not be empty'),
  schema: z.string().regex(/^[a-z_][a-z0-9_]{0,40}$/, 'must be a lower-case SQL identifier'),
  preparedStatements: z.boolean(),
  poolSize: z.number().int().min(2, 'must be at least 2').max(100, 'must be at most 100'),
  retryPolicy: z.object({ maxRetries: nonNegInt, backoffMultiplier: z.number().min(1, 'must be at least 1'), maxBackoff: nonNegInt, initialBackoff: nonNegInt }),
  heartbeatInterval: posInt,
  heartbeatMisses: posInt,
  replicaHeartbeatInterval: posInt,
  shutdownGracePeriod: nonNegInt,
  maintenanceIntervalSeconds: posInt,
  schedules: z.object({ discovery: cronOption, ingestion: cronOption, processing: cronOption, enabled: z.boolean() }),
  ingestionBatchSize: posInt,
  providers: z.record(z.string(), z.object({ apiKey: z.string().optional(), baseUrl: z.string().optional(), dailyBudget: posInt, ratePerSecond: positive, maxBodyBytes: posInt, maxCallsPerTask: posInt.optional(), allowPrivateUrls: z.boolean().optional() })),
  sourceHealth: z.object({ quarantineAfter: posInt, backoffMs: posInt, maxBackoffMs: posInt }),
  pollInterval: posInt,
  autoscale: z.boolean(),
  replicaId: z.string().min(1, 'must not be empty'),
  startupTimeout: posInt,
  logLevel: z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`),
});

/** Defaults and checks; throws ConfigError naming the first bad option. */
export function resolveOptions(options: SpawnControllerOptions): { config: ResolvedOptions; logger: Logger } {
  const { logger, pollInterval, autoscale, replicaId, startupTimeout, logLevel, workerTypes, database: _database, ...rest } = options;
  const merged = deepMerge(loadSpawnConfig(), rest as DeepPartial<SpawnConfig>);
  const types: Record<string, WorkerTypeConfig> = { ...merged.workerTypes };
  for (const [name, partial] of Object.entries(workerTypes ?? {})) {
    if (!TYPE_NAME.test(name)) throw new ConfigError(`worker type name ${JSON.stringify(name)} must match ${TYPE_NAME}`);
    const base = own(types, name);
    if (!base && !partial.script) {
      throw new ConfigError(`custom worker type "${name}" needs a script: a module that constructs a BaseWorker subclass`);
    }
    types[name] = { ...{ maxConcurrency: 1, memoryLimit: '256MB', cpuLimit: 0.5 }, ...base, ...partial } as WorkerTypeConfig;
  }
  const base = logger ?? silentLogger;
  const config: ResolvedOptions = {
    ...merged,
    workerTypes: types,
    pollInterval: pollInterval ?? 1000,
    autoscale: autoscale ?? true,
    replicaId: replicaId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    startupTimeout: startupTimeout ?? 15_000,
    logLevel: logLevel ?? base.level ?? 'info',
  };
  check(config);
  return { config, logger: base.child({ replica: config.replicaId }) };
}

function check(config: ResolvedOptions): void {
  const parsed = optionsSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = issue.path.join('.');
    throw new ConfigError(`${name} ${issue.message}, got ${show(valueAt(config, issue.path))}`);
  }
  for (const [name, t] of Object.entries(config.workerTypes)) {
    const typeIssue = workerTypeSchema.safeParse(t).error?.issues[0];
    if (typeIssue) {
      const key = `workerTypes.${name}.${typeIssue.path.join('.')}`;
      throw new ConfigError(`${key} ${typeIssue.message}, got ${show(valueAt(t, typeIssue.path))}`);
    }
    parseMemoryLimit(t.memoryLimit, `workerTypes.${name}.memoryLimit`);
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** The `resourceLimits` of a worker type's threads. */
export function threadResourceLimits(t: WorkerTypeConfig): ResourceLimits {
  return {
    maxOldGenerationSizeMb: parseMemoryLimit(t.memoryLimit),
    ...(t.youngGenerationMb === undefined ? {} : { maxYoungGenerationSizeMb: t.youngGenerationMb }),
  };
}
