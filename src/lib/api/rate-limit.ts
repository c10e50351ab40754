/**
 * Per-source request limits: a per-second rate and a daily budget keyed by UTC day.
 *
 * With a Redis client the counters live in Redis (RateLimiterRedis), so the limits hold across
 * worker threads, processes and replicas; without one they are per process (RateLimiterMemory).
 * Both limiters are fixed windows: a caller refused a slot sleeps for the limiter's
 * `msBeforeNext` and asks again, so waiting costs no CPU.
 *
 * When Redis is down a short circuit breaker sends calls straight to the fallbacks instead of
 * letting each one wait for ioredis to give up (about a second): the daily budget goes on in
 * Postgres (`provider_usage`, shared by every replica; while Redis is up each call writes the
 * day's count there too, so the fallback starts from the real use), and the per-second rate is
 * kept per process. `health()` tells the outage.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { consumeDailyUsage, dailyUsage, recordDailyUsage } from '../db/queries/provider-usage.js';
import type { Queryable } from '../db/types.js';
import { BudgetExhaustedError } from '../errors.js';
import type { SourceId } from '../../contracts/sources.js';
import type { LimiterHealth } from '../../contracts/status.js';

export type { LimiterHealth };

export interface ProviderLimits {
  /** requests per second across every process sharing the Redis keys */
  ratePerSecond: number;
  /** requests per UTC day */
  dailyBudget: number;
}

export interface BudgetStatus {
  budget: number;
  used: number;
  remaining: number;
}

export interface ProviderLimiter {
  /**
   * Resolves when a per-second slot is ours and the daily budget allowed the request.
   * Throws BudgetExhaustedError when the day's budget is used up, or the signal's reason when aborted.
   */
  acquire(source: SourceId, signal?: AbortSignal): Promise<void>;
  budget(source: SourceId): Promise<BudgetStatus>;
  /** Where the limits are kept now (createProviderLimiter's limiters have it; stand-ins may not). */
  health?(): LimiterHealth;
}

export interface ProviderLimiterOptions {
  /** Sources missing here are not limited. `SpawnConfig.providers` fits as is. */
  providers: Partial<Record<SourceId, ProviderLimits>>;
  redis?: Redis;
  /** Redis key prefix, default 'scenescout:limits'; give tests their own. */
  keyPrefix?: string;
  /** Where daily budgets go on while Redis is down (`provider_usage`); without it, per process. */
  db?: Queryable;
  /** ms the breaker stays open after a Redis failure before a call tries Redis again; default 5000 */
  breakerMs?: number;
  /** clock, for tests around UTC midnight */
  now?: () => Date;
}

interface SourceLimiters {
  limits: ProviderLimits;
  perSecond: RateLimiterAbstract;
  daily: RateLimiterAbstract;
  /** per process, used while the breaker is open */
  perSecondLocal: RateLimiterAbstract;
  dailyLocal: RateLimiterAbstract;
  /** the highest daily count Redis told this process, by day key: where Postgres starts */
  lastRedisCount: Map<string, number>;
}

const DAY_SECONDS = 86_400;

/** Redis up or down, as this process sees it; open = go straight to the fallbacks. */
class RedisBreaker {
  private openUntil = 0;
  private everReady = false;
  ok = true;
  since: Date | null = null;
  lastError: string | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly openMs: number,
  ) {
    this.everReady = redis.status === 'ready';
    redis.on('ready', () => {
      this.everReady = true;
      this.up();
    });
    redis.on('close', () => this.down('connection closed'));
    redis.on('error', (err: Error) => this.down(err.message));
  }

  /** False while open, and while the connection is down after it once was up. */
  allows(): boolean {
    if (Date.now() < this.openUntil) return false;
    const st = this.redis.status;
    // At start the first commands wait in ioredis's offline queue for the connection.
    return st === 'ready' || (!this.everReady && (st === 'wait' || st === 'connecting' || st === 'connect'));
  }

  down(message: string): void {
    this.openUntil = Date.now() + this.openMs;
    if (this.ok) this.since = new Date();
    this.ok = false;
    this.lastError = message;
  }

  up(): void {
    if (!this.ok) this.since = new Date();
    this.ok = true;
    this.openUntil = 0;
  }
}

export function createProviderLimiter(options: ProviderLimiterOptions): ProviderLimiter {
  const prefix = options.keyPrefix ?? 'scenescout:limits';
  const now = options.now ?? (() => new Date());
  const bySource = new Map<SourceId, SourceLimiters>();
  const breaker = options.redis ? new RedisBreaker(options.redis, options.breakerMs ?? 5000) : undefined;

  for (const [source, limits] of Object.entries(options.providers) as Array<[SourceId, ProviderLimits | undefined]>) {
    if (!limits) continue;
    assertPositiveInt(`providers.${source}.ratePerSecond`, limits.ratePerSecond);
    assertPositiveInt(`providers.${source}.dailyBudget`, limits.dailyBudget);
    const perSecondLocal = new RateLimiterMemory({ keyPrefix: `${prefix}:rps`, points: limits.ratePerSecond, duration: 1 });
    const dailyLocal = new RateLimiterMemory({ keyPrefix: `${prefix}:daily`, points: limits.dailyBudget, duration: 2 * DAY_SECONDS });
    bySource.set(source, {
      limits,
      // The per-second window is exact: one second from the first request in it.
      perSecond: options.redis ? makeRedisLimiter(options.redis, `${prefix}:rps`, limits.ratePerSecond, 1) : perSecondLocal,
      // Daily keys carry the UTC day, so the budget resets at midnight UTC; the two-day
      // duration only decides when Redis drops yesterday's key.
      daily: options.redis ? makeRedisLimiter(options.redis, `${prefix}:daily`, limits.dailyBudget, 2 * DAY_SECONDS) : dailyLocal,
      perSecondLocal,
      dailyLocal,
      lastRedisCount: new Map(),
    });
  }

  /** Runs `f` on Redis unless the breaker is open; a Redis failure opens it and answers null. */
  async function onRedis<T>(f: () => Promise<T>): Promise<T | null> {
    if (!breaker || !breaker.allows()) return null;
    try {
      const out = await f();
      breaker.up();
      return out;
    } catch (err) {
      if (err instanceof RateLimiterRes) throw err;
      breaker.down(err instanceof Error ? err.message : String(err));
      return null;
    }
  }

  const exhausted = (source: SourceId, entry: SourceLimiters) =>
    new BudgetExhaustedError(
      source,
      `${source}: daily budget of ${entry.limits.dailyBudget} requests is used up (resets at 00:00 UTC)`,
      msUntilUtcMidnight(now()),
    );

  async function consumeDaily(source: SourceId, entry: SourceLimiters): Promise<void> {
    const day = now().toISOString().slice(0, 10);
    const key = dailyKey(source, now());
    if (!breaker) {
      await entry.daily.consume(key).catch((err) => {
        throw err instanceof RateLimiterRes ? exhausted(source, entry) : err;
      });
      return;
    }
    try {
      const res = await onRedis(() => entry.daily.consume(key));
      if (res) {
        entry.lastRedisCount.set(key, res.consumedPoints);
        // Postgres keeps up with Redis's count, so a fallback starts from the day's real use.
        if (options.db) await recordDailyUsage(options.db, source, day, res.consumedPoints).catch(() => {});
        return;
      }
    } catch (err) {
      if (err instanceof RateLimiterRes) throw exhausted(source, entry);
      throw err;
    }
    // Redis is down: the budget every replica shares goes on in Postgres.
    if (options.db) {
      const calls = await consumeDailyUsage(options.db, source, day, entry.limits.dailyBudget, entry.lastRedisCount.get(key) ?? 0);
      if (calls === null) throw exhausted(source, entry);
      return;
    }
    await entry.dailyLocal.consume(key).catch((err) => {
      throw err instanceof RateLimiterRes ? exhausted(source, entry) : err;
    });
  }

  return {
    async acquire(source, signal) {
      const entry = bySource.get(source);
      if (!entry) return;
      await waitForSlot(() => (breaker && breaker.allows() ? entry.perSecond : entry.perSecondLocal), source, signal, (err) => {
        breaker?.down(err instanceof Error ? err.message : String(err));
      });
      await consumeDaily(source, entry);
    },
    async budget(source) {
      const entry = bySource.get(source);
      if (!entry) return { budget: Infinity, used: 0, remaining: Infinity };
      const key = dailyKey(source, now());
      let consumed: number | null = null;
      if (breaker) {
        const res = await onRedis(() => entry.daily.get(key));
        if (res !== null || breaker.ok) consumed = res?.consumedPoints ?? 0;
        else if (options.db) consumed = Math.max(await dailyUsage(options.db, source, key.slice(source.length + 1)), entry.lastRedisCount.get(key) ?? 0);
      }
      if (consumed === null) consumed = (await entry.dailyLocal.get(key))?.consumedPoints ?? 0;
      // Refused requests still count in the limiter, so clamp to the budget.
      const used = Math.min(consumed, entry.limits.dailyBudget);
      return { budget: entry.limits.dailyBudget, used, remaining: entry.limits.dailyBudget - used };
    },
    health() {
      if (!breaker) return { store: 'memory', redis: { configured: false, ok: false, since: null, lastError: null } };
      return {
        store: breaker.ok ? 'redis' : 'fallback',
        redis: { configured: true, ok: breaker.ok, since: breaker.since?.toISOString() ?? null, lastError: breaker.ok ? null : breaker.lastError },
      };
    },
  };
}

function makeRedisLimiter(redis: Redis, keyPrefix: string, points: number, duration: number): RateLimiterAbstract {
  // No insurance limiter: a failure reaches us, opens the breaker, and the fallbacks answer.
  return new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration });
}

async function waitForSlot(
  limiter: () => RateLimiterAbstract,
  key: string,
  signal: AbortSignal | undefined,
  onStoreError: (err: unknown) => void,
): Promise<void> {
  for (;;) {
    signal?.throwIfAborted();
    try {
      await limiter().consume(key);
      return;
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) {
        // The store failed (Redis down): the next round uses the per-process limiter.
        onStoreError(err);
        continue;
      }
      // A little jitter so waiters from many processes do not all wake at the same instant.
      await sleep(err.msBeforeNext + Math.floor(Math.random() * 15), signal);
    }
  }
}

function dailyKey(source: SourceId, at: Date): string {
  return `${source}:${at.toISOString().slice(0, 10)}`;
}

function msUntilUtcMidnight(at: Date): number {
  const next = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1);
  return next - at.getTime();
}

function assertPositiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive integer, got ${String(value)}`);
  }
}

/** setTimeout as a promise that rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
