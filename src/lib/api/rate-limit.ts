/**
 * Per-source request limits: a per-second rate and a daily budget keyed by UTC day.
 *
 * With a Redis client the counters live in Redis (RateLimiterRedis), so the limits hold across
 * worker threads, processes and replicas; without one they are per process (RateLimiterMemory).
 * Both limiters are fixed windows: a caller refused a slot sleeps for the limiter's
 * `msBeforeNext` and asks again, so waiting costs no CPU.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { BudgetExhaustedError } from '../errors.js';
import type { SourceId } from '../../contracts/sources.js';

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
}

export interface ProviderLimiterOptions {
  /** Sources missing here are not limited. `SpawnConfig.providers` fits as is. */
  providers: Partial<Record<SourceId, ProviderLimits>>;
  redis?: Redis;
  /** Redis key prefix, default 'scenescout:limits'; give tests their own. */
  keyPrefix?: string;
  /** clock, for tests around UTC midnight */
  now?: () => Date;
}

interface SourceLimiters {
  limits: ProviderLimits;
  perSecond: RateLimiterAbstract;
  daily: RateLimiterAbstract;
}

const DAY_SECONDS = 86_400;

export function createProviderLimiter(options: ProviderLimiterOptions): ProviderLimiter {
  const prefix = options.keyPrefix ?? 'scenescout:limits';
  const now = options.now ?? (() => new Date());
  const bySource = new Map<SourceId, SourceLimiters>();

  for (const [source, limits] of Object.entries(options.providers) as Array<[SourceId, ProviderLimits | undefined]>) {
    if (!limits) continue;
    assertPositiveInt(`providers.${source}.ratePerSecond`, limits.ratePerSecond);
    assertPositiveInt(`providers.${source}.dailyBudget`, limits.dailyBudget);
    bySource.set(source, {
      limits,
      // The per-second window is exact: one second from the first request in it.
      perSecond: makeLimiter(options.redis, `${prefix}:rps`, limits.ratePerSecond, 1),
      // Daily keys carry the UTC day, so the budget resets at midnight UTC; the two-day
      // duration only decides when Redis drops yesterday's key.
      daily: makeLimiter(options.redis, `${prefix}:daily`, limits.dailyBudget, 2 * DAY_SECONDS),
    });
  }

  return {
    async acquire(source, signal) {
      const entry = bySource.get(source);
      if (!entry) return;
      await waitForSlot(entry.perSecond, source, signal);
      try {
        await entry.daily.consume(dailyKey(source, now()));
      } catch (err) {
        if (err instanceof RateLimiterRes) {
          throw new BudgetExhaustedError(
            source,
            `${source}: daily budget of ${entry.limits.dailyBudget} requests is used up (resets at 00:00 UTC)`,
            msUntilUtcMidnight(now()),
          );
        }
        throw err;
      }
    },
    async budget(source) {
      const entry = bySource.get(source);
      if (!entry) return { budget: Infinity, used: 0, remaining: Infinity };
      const res = await entry.daily.get(dailyKey(source, now()));
      // Refused requests still count in the limiter, so clamp to the budget.
      const used = Math.min(res?.consumedPoints ?? 0, entry.limits.dailyBudget);
      return { budget: entry.limits.dailyBudget, used, remaining: entry.limits.dailyBudget - used };
    },
  };
}

function makeLimiter(redis: Redis | undefined, keyPrefix: string, points: number, duration: number): RateLimiterAbstract {
  if (!redis) return new RateLimiterMemory({ keyPrefix, points, duration });
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix,
    points,
    duration,
    // When Redis commands fail (after ioredis gives up retrying), fall back to a per-process
    // limit instead of failing every request. We do not use `rejectIfRedisNotReady`: it would
    // bypass the shared counters while the connection is still being set up at start.
    insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
  });
}

async function waitForSlot(limiter: RateLimiterAbstract, key: string, signal: AbortSignal | undefined): Promise<void> {
  for (;;) {
    signal?.throwIfAborted();
    try {
      await limiter.consume(key);
      return;
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
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
