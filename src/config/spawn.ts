/**
 * The controller's configuration (`SpawnConfig`): limits, the database, retry policy,
 * schedules and providers, from the SPAWN_*, SCENESCOUT_* and provider variables.
 * `loadSpawnConfig(env)` parses on demand; `spawnConfig` is the same, parsed on first use.
 */
import { z } from 'zod';
import type { QuarantinePolicy } from '../contracts/source-health.js';
import type { SourceId } from '../contracts/sources.js';
import { withDeclaredWorkerTypes } from './worker-types.js';
import { cron, currentEnv, bool, nonNegInt, parseEnv, posInt, type Env } from './env.js';

export type { Env } from './env.js';

export interface WorkerTypeConfig {
  maxConcurrency: number;
  /** e.g. '512MB', '1GB'; enforced through worker `resourceLimits` */
  memoryLimit: string;
  /** share of a core; advisory (threads cannot be CPU-capped), reported in status */
  cpuLimit: number;
  /**
   * V8's young generation for the type's threads, MB (`resourceLimits.maxYoungGenerationSizeMb`;
   * a third of it is one semi-space). Unset: V8's default. A type that keeps batches of parsed
   * payloads alive while it allocates more (ingestion) spends less time in GC with a larger one.
   */
  youngGenerationMb?: number;
  /** Module that constructs a BaseWorker subclass. Built-in types have one already. */
  script?: string;
  /** Workers of this type spawned by initialize(); default 1 for built-in types. */
  initialWorkers?: number;
}

export interface RetryPolicy {
  maxRetries: number;
  backoffMultiplier: number;
  maxBackoff: number;
  /** delay before the first retry, ms */
  initialBackoff: number;
}

export interface ProviderConfig {
  /** API key or token; undefined disables the source */
  apiKey?: string;
  baseUrl?: string;
  dailyBudget: number;
  /** requests per second across all replicas */
  ratePerSecond: number;
  /** fetch feeds/pages on private addresses too (SCENESCOUT_ALLOW_PRIVATE_URLS) */
  allowPrivateUrls?: boolean;
  /** largest response body (or local document) read, bytes; past it the task fails, not retried */
  maxBodyBytes: number;
  /** Ticketmaster: most HTTP calls one discovery task may make */
  maxCallsPerTask?: number;
}

export interface SpawnConfig {
  maxWorkers: number;
  workerTimeout: number;
  redisUrl?: string;
  databaseUrl?: string;
  /** Directory of the embedded database, or 'memory'. Ignored when databaseUrl is set. */
  dataDir: string;
  /** Postgres schema for our tables (search_path); pg-boss uses `${schema}_boss`. */
  schema: string;
  /** Postgres: long statements (the searches) as named prepared statements (SCENESCOUT_PG_PREPARED) */
  preparedStatements: boolean;
  /** Postgres: connections this process's pool opens at most (SCENESCOUT_PG_POOL_SIZE; the workers have their own) */
  poolSize: number;
  workerTypes: Record<string, WorkerTypeConfig>;
  retryPolicy: RetryPolicy;
  /** ms between heartbeat probes; a worker missing `heartbeatMisses` in a row is replaced */
  heartbeatInterval: number;
  heartbeatMisses: number;
  /** ms between this replica's heartbeats in `replicas`; 3 missed ones and another replica takes over its tasks */
  replicaHeartbeatInterval: number;
  /** ms a running task gets to finish on shutdown */
  shutdownGracePeriod: number;
  /** how often pg-boss looks for expired jobs of dead replicas, seconds */
  maintenanceIntervalSeconds: number;
  schedules: { discovery: string; ingestion: string; processing: string; enabled: boolean };
  ingestionBatchSize: number;
  providers: Record<SourceId, ProviderConfig>;
  citiesFile?: string;
  /** when a failing (city, source, feed) is quarantined, and for how long (source health) */
  sourceHealth: QuarantinePolicy;
}

const envSchema = z.object({
  SPAWN_MAX_WORKERS: posInt.max(1024).default(10),
  SPAWN_WORKER_TIMEOUT: posInt.default(300_000),
  SPAWN_REDIS_URL: z.string().url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  SCENESCOUT_DATA_DIR: z.string().min(1).optional(),
  SCENESCOUT_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,40}$/, 'must be a lower-case SQL identifier')
    .default('public'),
  SCENESCOUT_PG_PREPARED: bool.default(true),
  // At least 2: statements planned per run and those keeping a generic plan have a connection each.
  SCENESCOUT_PG_POOL_SIZE: posInt.min(2, 'must be at least 2').max(100, 'must be at most 100').default(10),
  SPAWN_HEARTBEAT_INTERVAL: posInt.default(5_000),
  SPAWN_REPLICA_HEARTBEAT_INTERVAL: posInt.default(5_000),
  SPAWN_SHUTDOWN_GRACE: nonNegInt.default(30_000),
  SPAWN_MAINTENANCE_INTERVAL: posInt.default(30),
  SPAWN_MAX_RETRIES: nonNegInt.max(100).optional(),
  SCENESCOUT_DISCOVERY_CRON: cron.default('0 */6 * * *'),
  SCENESCOUT_INGESTION_CRON: cron.default('*/30 * * * *'),
  SCENESCOUT_PROCESSING_CRON: cron.default('*/30 * * * *'),
  SCENESCOUT_SCHEDULES: bool.default(true),
  SCENESCOUT_INGEST_BATCH: posInt.max(10_000).default(100),
  SCENESCOUT_CITIES_FILE: z.string().min(1).optional(),
  SPAWN_WORKER_TYPES: z.string().min(1).optional(),
  TICKETMASTER_API_KEY: z.string().min(1).optional(),
  TICKETMASTER_BASE_URL: z.string().url().optional(),
  TICKETMASTER_DAILY_BUDGET: posInt.default(5000),
  TICKETMASTER_RATE: posInt.default(5),
  EVENTBRITE_TOKEN: z.string().min(1).optional(),
  EVENTBRITE_API_KEY: z.string().min(1).optional(),
  EVENTBRITE_BASE_URL: z.string().url().optional(),
  EVENTBRITE_DAILY_BUDGET: posInt.default(2000),
  EVENTBRITE_RATE: posInt.default(5),
  YELP_API_KEY: z.string().min(1).optional(),
  YELP_BASE_URL: z.string().url().optional(),
  YELP_DAILY_BUDGET: posInt.default(5000),
  YELP_RATE: posInt.default(5),
  ICS_DAILY_BUDGET: posInt.default(10_000),
  JSONLD_DAILY_BUDGET: posInt.default(10_000),
  SCENESCOUT_ALLOW_PRIVATE_URLS: bool.default(false),
  SCENESCOUT_FEED_MAX_MB: posInt.max(2048).default(50),
  SCENESCOUT_API_MAX_MB: posInt.max(2048).default(10),
  TICKETMASTER_MAX_CALLS: posInt.default(100),
  SCENESCOUT_QUARANTINE_AFTER: posInt.max(1000).default(5),
  SCENESCOUT_QUARANTINE_BACKOFF_MINUTES: posInt.max(10_080).default(60),
});

const MB = 1024 * 1024;

/** Builds the config from an environment, throwing ConfigError that names the bad variable. */
export function loadSpawnConfig(env: Env = currentEnv()): SpawnConfig {
  const e = parseEnv(envSchema, env);
  const apiBody = e.SCENESCOUT_API_MAX_MB * MB;
  const feedBody = e.SCENESCOUT_FEED_MAX_MB * MB;
  return {
    maxWorkers: e.SPAWN_MAX_WORKERS,
    workerTimeout: e.SPAWN_WORKER_TIMEOUT,
    redisUrl: e.SPAWN_REDIS_URL,
    databaseUrl: e.DATABASE_URL,
    // Library default: in memory. The service (`npm start`) defaults to DEFAULT_SERVICE_DATA_DIR.
    dataDir: e.SCENESCOUT_DATA_DIR ?? 'memory',
    schema: e.SCENESCOUT_SCHEMA,
    preparedStatements: e.SCENESCOUT_PG_PREPARED,
    poolSize: e.SCENESCOUT_PG_POOL_SIZE,
    workerTypes: withDeclaredWorkerTypes(e.SPAWN_WORKER_TYPES, {
      // Every thread at its caps, with one capped body per discovery, must fit a pod's memory
      // (src/config/memory-budget.ts, the README's budget; a test holds it to deploy/k8s).
      // Discovery parses a 50 MB feed or a 100,000-event page within 256 MB (the fault suite).
      // Ingestion's batch (SCENESCOUT_INGEST_BATCH) bounds what it holds, about 25 MB at 100;
      // a larger cap only makes V8 collect less often (docs/tuning.md).
      discovery: { maxConcurrency: 3, memoryLimit: '256MB', cpuLimit: 0.5 },
      ingestion: { maxConcurrency: 2, memoryLimit: '192MB', cpuLimit: 0.3 },
      processing: { maxConcurrency: 1, memoryLimit: '384MB', cpuLimit: 1 },
    }),
    retryPolicy: {
      maxRetries: e.SPAWN_MAX_RETRIES ?? 3,
      backoffMultiplier: 2,
      maxBackoff: 60_000,
      initialBackoff: 1_000,
    },
    heartbeatInterval: e.SPAWN_HEARTBEAT_INTERVAL,
    heartbeatMisses: 3,
    replicaHeartbeatInterval: e.SPAWN_REPLICA_HEARTBEAT_INTERVAL,
    shutdownGracePeriod: e.SPAWN_SHUTDOWN_GRACE,
    maintenanceIntervalSeconds: e.SPAWN_MAINTENANCE_INTERVAL,
    schedules: {
      discovery: e.SCENESCOUT_DISCOVERY_CRON,
      ingestion: e.SCENESCOUT_INGESTION_CRON,
      processing: e.SCENESCOUT_PROCESSING_CRON,
      enabled: e.SCENESCOUT_SCHEDULES,
    },
    ingestionBatchSize: e.SCENESCOUT_INGEST_BATCH,
    providers: {
      ticketmaster: {
        apiKey: e.TICKETMASTER_API_KEY,
        baseUrl: e.TICKETMASTER_BASE_URL,
        dailyBudget: e.TICKETMASTER_DAILY_BUDGET,
        ratePerSecond: e.TICKETMASTER_RATE,
        allowPrivateUrls: e.SCENESCOUT_ALLOW_PRIVATE_URLS,
        maxBodyBytes: apiBody,
        maxCallsPerTask: e.TICKETMASTER_MAX_CALLS,
      },
      eventbrite: {
        apiKey: e.EVENTBRITE_TOKEN ?? e.EVENTBRITE_API_KEY,
        baseUrl: e.EVENTBRITE_BASE_URL,
        dailyBudget: e.EVENTBRITE_DAILY_BUDGET,
        ratePerSecond: e.EVENTBRITE_RATE,
        allowPrivateUrls: e.SCENESCOUT_ALLOW_PRIVATE_URLS,
        maxBodyBytes: apiBody,
      },
      yelp: {
        apiKey: e.YELP_API_KEY,
        baseUrl: e.YELP_BASE_URL,
        dailyBudget: e.YELP_DAILY_BUDGET,
        ratePerSecond: e.YELP_RATE,
        maxBodyBytes: apiBody,
        allowPrivateUrls: e.SCENESCOUT_ALLOW_PRIVATE_URLS,
      },
      ics: { dailyBudget: e.ICS_DAILY_BUDGET, ratePerSecond: 10, maxBodyBytes: feedBody, allowPrivateUrls: e.SCENESCOUT_ALLOW_PRIVATE_URLS },
      jsonld: { dailyBudget: e.JSONLD_DAILY_BUDGET, ratePerSecond: 10, maxBodyBytes: feedBody, allowPrivateUrls: e.SCENESCOUT_ALLOW_PRIVATE_URLS },
    },
    citiesFile: e.SCENESCOUT_CITIES_FILE,
    sourceHealth: {
      quarantineAfter: e.SCENESCOUT_QUARANTINE_AFTER,
      backoffMs: e.SCENESCOUT_QUARANTINE_BACKOFF_MINUTES * 60_000,
      // doubling stops at a week: a feed that comes back is found within that
      maxBackoffMs: 7 * 24 * 60 * 60_000,
    },
  };
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Deep-merges plain objects; arrays and other values in `over` replace those in `base`. */
export function deepMerge<T>(base: T, over: DeepPartial<T> | undefined): T {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) {
    if (v === undefined) continue;
    out[k] = k in out ? deepMerge(out[k], v as never) : v;
  }
  return out as T;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

let parsed: SpawnConfig | undefined;
const current = (): SpawnConfig => (parsed ??= loadSpawnConfig());

/**
 * `spawnConfig`: the process environment's SpawnConfig, parsed on first use and then kept.
 * An object rather than a function so `spawnConfig.maxWorkers` reads as before; importing this
 * module parses nothing, so a bad value throws its ConfigError where the config is first read.
 * Assigning to it throws (treat its nested objects as read-only too). Code that must see a
 * changed environment, or its own copy, calls `loadSpawnConfig(env)` instead.
 */
export const spawnConfig: SpawnConfig = new Proxy({} as SpawnConfig, {
  get: (_target, key) => Reflect.get(current(), key),
  has: (_target, key) => Reflect.has(current(), key),
  ownKeys: () => Reflect.ownKeys(current()),
  getOwnPropertyDescriptor: (_target, key) => Reflect.getOwnPropertyDescriptor(current(), key),
  getPrototypeOf: () => Object.prototype,
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false,
});

/** Every variable loadSpawnConfig reads (the README's table lists each; a test checks). */
export const SPAWN_VARIABLES = Object.keys(envSchema.shape);
