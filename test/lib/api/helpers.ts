/** Shared test helpers: a capturing logger, repo paths, a guarded HTTP client, Redis for the cross-process tests. */
import { resolve } from 'node:path';
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { HttpClient, type HttpUrlGuard } from '../../../src/lib/api/http.js';
import type { Logger, SourceId } from '../../../src/lib/api/types.js';

export interface LogLine {
  level: 'warn' | 'info' | 'debug';
  obj: Record<string, unknown>;
  msg?: string;
}

export function captureLogger(): { logger: Logger; lines: LogLine[]; text(): string } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (obj: Record<string, unknown>, msg?: string) => lines.push({ level, obj, msg });
  return { logger: { warn: at('warn'), info: at('info'), debug: at('debug') }, lines, text: () => JSON.stringify(lines) };
}

/** Tests run from the repo root (`node --test build/test/lib/api/`). */
export function repoPath(...parts: string[]): string {
  return resolve(process.cwd(), ...parts);
}

export function fixture(name: string): string {
  return repoPath('test', 'fixtures', 'providers', name);
}

/** Every way an error could be shown: message, stack, util.inspect (with causes), JSON. */
export function everyRendering(err: unknown): string {
  const e = err as Error;
  return [String(e?.message), String(e?.stack), inspect(err, { depth: 10 }), JSON.stringify(err)].join('\n');
}

/** An HttpClient for the URL guard's tests: one attempt, no waits, the guard as given. */
export function guardedClient(source: SourceId, urlGuard: HttpUrlGuard): HttpClient {
  return new HttpClient({
    source,
    stats: { apiCalls: 0, skipped: [], repaired: [], retries: 0 },
    maxBodyBytes: 1024 * 1024,
    timeoutMs: 5000,
    maxRetries: 0,
    retryBaseMs: 1,
    retryMaxMs: 1,
    maxRetryWaitMs: 1,
    urlGuard,
  });
}

export const REDIS_URL = process.env.SPAWN_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A connected client, or the reason Redis is unreachable. */
export async function connectRedis(): Promise<{ redis: Redis } | { skip: string }> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 1000, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
    return { redis };
  } catch (err) {
    redis.disconnect();
    return { skip: `Redis unreachable at ${REDIS_URL} (${(err as Error).message}); skipping Redis-backed limiter tests` };
  }
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 100);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

export function uniquePrefix(name: string): string {
  return `scenescout-test:${name}:${process.pid}:${Date.now().toString(36)}:${Math.random().toString(36).slice(2, 8)}`;
}
