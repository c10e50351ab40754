/**
 * The one module that reads `process.env`. Everything else receives typed config objects.
 * A bad value fails at start with a message naming the variable and the value.
 */
import { z } from 'zod';
import { ConfigError } from '../lib/errors.js';

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
  workerTypes: Record<string, WorkerTypeConfig>;
  retryPolicy: RetryPolicy;
  /** ms between heartbeat probes; a worker missing `heartbeatMisses` in a row is replaced */
  heartbeatInterval: number;
  heartbeatMisses: number;
  /** ms a running task gets to finish on shutdown */
  shutdownGracePeriod: number;
  /** how often pg-boss looks for expired jobs of dead replicas, seconds */
  maintenanceIntervalSeconds: number;
  schedules: { discovery: string; ingestion: string; processing: string; enabled: boolean };
  ingestionBatchSize: number;
  providers: Record<'ticketmaster' | 'eventbrite' | 'yelp' | 'ics' | 'jsonld', ProviderConfig>;
  citiesFile?: string;
}

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const posInt = z.coerce.number().int().positive();
const nonNegInt = z.coerce.number().int().nonnegative();

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
  SPAWN_HEARTBEAT_INTERVAL: posInt.default(5_000),
  SPAWN_SHUTDOWN_GRACE: nonNegInt.default(30_000),
  SPAWN_MAINTENANCE_INTERVAL: posInt.default(30),
  SPAWN_MAX_RETRIES: nonNegInt.max(100).optional(),
  SCENESCOUT_DISCOVERY_CRON: z.string().min(9).default('0 */6 * * *'),
  SCENESCOUT_INGESTION_CRON: z.string().min(9).default('*/30 * * * *'),
  SCENESCOUT_PROCESSING_CRON: z.string().min(9).default('*/30 * * * *'),
  SCENESCOUT_SCHEDULES: bool.default(true),
  SCENESCOUT_INGEST_BATCH: posInt.max(10_000).default(100),
  SCENESCOUT_CITIES_FILE: z.string().min(1).optional(),
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
});

export type Env = Record<string, string | undefined>;

/** A value for an error message: never a secret, even a malformed one. */
function showValue(key: string, value: string | undefined): string {
  if (/KEY|TOKEN|SECRET|PASSWORD/.test(key)) return '[redacted]';
  if (value && /_URL$/.test(key)) return JSON.stringify(value.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@'));
  return JSON.stringify(value);
}

/** Validates the variables `schema` names; the error lists each bad one with its (redacted) value. */
function parseEnv<S extends z.ZodObject>(schema: S, env: Env): z.output<S> {
  // Empty strings mean "unset", as in most shells' `FOO= cmd`.
  const cleaned: Env = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') cleaned[key] = v;
  }
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]);
      return `${key}=${showValue(key, env[key])}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  return parsed.data;
}

/** Builds the config from an environment, throwing ConfigError that names the bad variable. */
export function loadSpawnConfig(env: Env = process.env): SpawnConfig {
  const e = parseEnv(envSchema, env);
  return {
    maxWorkers: e.SPAWN_MAX_WORKERS,
    workerTimeout: e.SPAWN_WORKER_TIMEOUT,
    redisUrl: e.SPAWN_REDIS_URL,
    databaseUrl: e.DATABASE_URL,
    // Library default: in memory. The service (`npm start`) defaults to DEFAULT_SERVICE_DATA_DIR.
    dataDir: e.SCENESCOUT_DATA_DIR ?? 'memory',
    schema: e.SCENESCOUT_SCHEMA,
    workerTypes: {
      discovery: { maxConcurrency: 3, memoryLimit: '512MB', cpuLimit: 0.5 },
      // Ingestion's heap cap is 2GB, not the design's 256MB. V8 paces full collections by the
      // cap: under 2 GB it counts the heap as memory-constrained and collects the old generation
      // soon after it grows past what is live (about 25 MB in an ingestion thread). Full
      // collections per 20k-event ingestion, measured: 4–5 at a 256 MB–1 GB cap, 2 at 1.5–1.9 GB,
      // 1 at 2 GB. At 2 GB the thread used 20% less CPU and ingestion took 9% less time (paired
      // runs on this 2-core VM). What the thread holds stays bounded by its batch; the cap is
      // the backstop for a runaway thread.
      // 192 MB young generation: 64 MB semi-spaces hold the ~2–3 chunks of payloads an ingestion
      // keeps alive, so they die young instead of being promoted (less CPU than 16–128 MB
      // semi-spaces, and than 96 MB with the 2 GB cap, on this 2-core VM).
      ingestion: { maxConcurrency: 5, memoryLimit: '2GB', cpuLimit: 0.3, youngGenerationMb: 192 },
      processing: { maxConcurrency: 2, memoryLimit: '1GB', cpuLimit: 1 },
    },
    retryPolicy: {
      maxRetries: e.SPAWN_MAX_RETRIES ?? 3,
      backoffMultiplier: 2,
      maxBackoff: 60_000,
      initialBackoff: 1_000,
    },
    heartbeatInterval: e.SPAWN_HEARTBEAT_INTERVAL,
    heartbeatMisses: 3,
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
      },
      eventbrite: {
        apiKey: e.EVENTBRITE_TOKEN ?? e.EVENTBRITE_API_KEY,
        baseUrl: e.EVENTBRITE_BASE_URL,
        dailyBudget: e.EVENTBRITE_DAILY_BUDGET,
        ratePerSecond: e.EVENTBRITE_RATE,
      },
      yelp: {
        apiKey: e.YELP_API_KEY,
        baseUrl: e.YELP_BASE_URL,
        dailyBudget: e.YELP_DAILY_BUDGET,
        ratePerSecond: e.YELP_RATE,
      },
      ics: { dailyBudget: e.ICS_DAILY_BUDGET, ratePerSecond: 10 },
      jsonld: { dailyBudget: e.JSONLD_DAILY_BUDGET, ratePerSecond: 10 },
    },
    citiesFile: e.SCENESCOUT_CITIES_FILE,
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

export const DEFAULT_SERVICE_DATA_DIR = '.scenescout/data';

export interface ServiceConfig {
  port: number;
  host?: string;
  apiToken?: string;
  logLevel: string;
  /** where `npm start` keeps the embedded database when DATABASE_URL is unset */
  dataDir: string;
  bodyLimitBytes: number;
}

const serviceSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).optional(),
  SCENESCOUT_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SCENESCOUT_DATA_DIR: z.string().min(1).default(DEFAULT_SERVICE_DATA_DIR),
  SCENESCOUT_BODY_LIMIT: posInt.max(10 * 1024 * 1024).default(64 * 1024),
});

/** The HTTP service's settings; like loadSpawnConfig, a bad value names its variable. */
export function loadServiceConfig(env: Env = process.env): ServiceConfig {
  const e = parseEnv(serviceSchema, env);
  return {
    port: e.PORT,
    host: e.HOST,
    apiToken: e.SCENESCOUT_API_TOKEN,
    logLevel: e.LOG_LEVEL,
    dataDir: e.SCENESCOUT_DATA_DIR,
    bodyLimitBytes: e.SCENESCOUT_BODY_LIMIT,
  };
}

/** The design's `spawnConfig`, read from `process.env` once at import. */
export const spawnConfig: SpawnConfig = loadSpawnConfig(process.env);
