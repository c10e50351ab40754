/**
 * What a controller runs on: the database (migrated), the durable queue, the bookkeeping
 * writer, and the provider limiter (in Redis when configured, so every replica shares it).
 * Opened in one step and closed in one step; a database the caller handed in is used and
 * never closed.
 */
import type { Redis } from 'ioredis';
import { createProviderLimiter, type ProviderLimiter } from '../api/rate-limit.js';
import { openDatabase } from '../db/connect.js';
import { Migrator } from '../db/migrator.js';
import type { Database } from '../db/types.js';
import type { Logger } from '../logger.js';
import type { ResolvedOptions } from './options.js';
import { TaskQueue } from './queue.js';
import { StateWriter } from './state-writer.js';

export interface SpawnRuntime {
  readonly db: Database;
  readonly queue: TaskQueue;
  readonly writer: StateWriter;
  readonly limiter: ProviderLimiter;
  /** Stops the queue and Redis, and closes the database unless the caller owns it. */
  close(): Promise<void>;
}

/** The pg-boss schema beside our own. */
export function queueSchema(schema: string): string {
  return schema === 'public' ? 'pgboss' : `${schema}_boss`;
}

/** The Redis keys of the provider limits: one set per schema, shared by its replicas and threads. */
export function limiterKeyPrefix(schema: string): string {
  return `scenescout:${schema}`;
}

export async function openRuntime(c: ResolvedOptions, logger: Logger, provided?: Database): Promise<SpawnRuntime> {
  const db = provided ?? (await openDatabase({
    databaseUrl: c.databaseUrl, dataDir: c.dataDir, schema: c.schema, applicationName: 'scenescout', preparedStatements: c.preparedStatements,
    max: c.poolSize,
  }));
  const closeDb = () => (provided ? Promise.resolve() : db.close());
  let queue: TaskQueue | undefined;
  let redis: Redis | undefined;
  try {
    await new Migrator(db).migrate({ queueSchema: queueSchema(c.schema) });
    queue = new TaskQueue(db, {
      schema: queueSchema(c.schema),
      retryPolicy: c.retryPolicy,
      workerTimeout: c.workerTimeout,
      maintenanceIntervalSeconds: c.maintenanceIntervalSeconds,
      schedule: c.schedules.enabled,
      logger,
    });
    await queue.start();
    if (c.redisUrl) {
      // Loaded only when configured: importing the client costs a process 0.13 s of CPU.
      const { Redis } = await import('ioredis');
      redis = new Redis(c.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
      redis.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));
    }
    // While Redis is down, daily budgets go on in provider_usage, shared by every replica.
    const limiter = createProviderLimiter({ providers: c.providers, redis, keyPrefix: limiterKeyPrefix(c.schema), db });
    const started = queue;
    return {
      db,
      queue: started,
      writer: new StateWriter(db, started, logger),
      limiter,
      async close() {
        await started.stop().catch((err) => logger.warn({ err }, 'queue stop failed'));
        redis?.disconnect();
        await closeDb();
      },
    };
  } catch (err) {
    await queue?.stop().catch(() => {});
    redis?.disconnect();
    await closeDb().catch(() => {});
    throw err;
  }
}
