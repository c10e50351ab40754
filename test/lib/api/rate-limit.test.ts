import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { BudgetExhaustedError } from '../../../src/lib/errors.js';
import { createProviderLimiter } from '../../../src/lib/api/rate-limit.js';
import type { ChildInput } from './children/limiter-child.js';
import { connectRedis, deleteKeys, REDIS_URL, uniquePrefix } from './helpers.js';

/**
 * Starts a limiter child; resolves `go(startAt)` once it is connected to Redis, and its one
 * output line once it exits. A child that is not ready, or not done, within 20 s is killed.
 */
function startChild(input: Omit<ChildInput, 'startAt'>): Promise<{ go(startAt: number): Promise<string> }> {
  const child = spawn(process.execPath, [CHILD, JSON.stringify(input)], {
    env: { ...process.env, SCENESCOUT_LIMITER_CHILD: '1' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    clearTimeout(timer);
    resolve(code);
  }));
  const next = async (what: string): Promise<string> => {
    const line = await lines.next();
    if (line.done) throw new Error(`limiter child exited with ${await exited} before ${what}`);
    return line.value;
  };
  return next('it was ready').then((ready) => {
    assert.equal(ready, 'ready');
    return {
      async go(startAt: number) {
        child.stdin!.end(`${startAt}\n`);
        const out = await next('it reported');
        assert.equal(await exited, 0);
        return out;
      },
    };
  });
}
const CHILD = fileURLToPath(new URL('./children/limiter-child.js', import.meta.url));

// The tests wait on one-second windows and on limiter processes far more than they compute, and
// each has limiters (and Redis keys) of its own: they run side by side, 4 s rather than 8 s.
describe('ProviderLimiter', { concurrency: true }, () => {
  describe('in memory', () => {
    it('grants ratePerSecond slots per second and makes the rest wait for the next window', async () => {
      const limiter = createProviderLimiter({ providers: { yelp: { ratePerSecond: 5, dailyBudget: 1000 } } });
      const started = Date.now();
      const grants = await Promise.all(Array.from({ length: 15 }, () => limiter.acquire('yelp').then(() => Date.now() - started)));
      grants.sort((a, b) => a - b);
      // Lower bounds only, so a slow machine cannot fail them: at most 5 grants in the first
      // second and at most 10 in the first two.
      assert.ok(grants[5] >= 990, `6th grant after ${grants[5]} ms`);
      assert.ok(grants[10] >= 1990, `11th grant after ${grants[10]} ms`);
      assert.deepEqual(await limiter.budget('yelp'), { budget: 1000, used: 15, remaining: 985 });
    });

    it('throws BudgetExhaustedError once the daily budget is used, and resets the next UTC day', async () => {
      let now = new Date('2030-05-01T23:59:00Z');
      const limiter = createProviderLimiter({ providers: { eventbrite: { ratePerSecond: 100, dailyBudget: 3 } }, now: () => now });
      for (let i = 0; i < 3; i++) await limiter.acquire('eventbrite');
      await assert.rejects(limiter.acquire('eventbrite'), (err: unknown) => {
        assert.ok(err instanceof BudgetExhaustedError);
        assert.equal(err.code, 'ERR_BUDGET_EXHAUSTED');
        assert.equal(err.source, 'eventbrite');
        assert.equal(err.retryAfterMs, 60_000, 'until midnight UTC');
        return true;
      });
      assert.deepEqual(await limiter.budget('eventbrite'), { budget: 3, used: 3, remaining: 0 });
      now = new Date('2030-05-02T00:00:01Z');
      await limiter.acquire('eventbrite');
      assert.deepEqual(await limiter.budget('eventbrite'), { budget: 3, used: 1, remaining: 2 });
    });

    it('stops waiting when the signal aborts', async () => {
      const limiter = createProviderLimiter({ providers: { ics: { ratePerSecond: 1, dailyBudget: 100 } } });
      await limiter.acquire('ics');
      await assert.rejects(limiter.acquire('ics', AbortSignal.timeout(50)), (err: unknown) => (err as Error).name === 'TimeoutError');
    });

    it('leaves unconfigured sources alone and rejects bad limits', async () => {
      const limiter = createProviderLimiter({ providers: { ics: { ratePerSecond: 1, dailyBudget: 1 } } });
      for (let i = 0; i < 5; i++) await limiter.acquire('jsonld');
      assert.throws(() => createProviderLimiter({ providers: { ics: { ratePerSecond: 0, dailyBudget: 1 } } }), /providers\.ics\.ratePerSecond must be a positive integer, got 0/);
    });
  });

  describe('on Redis', async () => {
    const connected = await connectRedis();
    const skip = 'skip' in connected ? connected.skip : false;
    if (skip) console.warn(skip);
    let redis: Redis;
    const prefixes: string[] = [];
    before(() => {
      if (!skip && 'redis' in connected) redis = connected.redis;
    });
    after(async () => {
      if (!redis) return;
      for (const p of prefixes) await deleteKeys(redis, p);
      redis.disconnect();
    });
    const prefix = (name: string) => {
      const p = uniquePrefix(name);
      prefixes.push(p);
      return p;
    };

    it('shares one daily budget between two limiters on separate connections', { skip }, async () => {
      const keyPrefix = prefix('shared-budget');
      const other = redis.duplicate();
      try {
        const a = createProviderLimiter({ providers: { yelp: { ratePerSecond: 100, dailyBudget: 10 } }, redis, keyPrefix });
        const b = createProviderLimiter({ providers: { yelp: { ratePerSecond: 100, dailyBudget: 10 } }, redis: other, keyPrefix });
        const results = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).acquire('yelp')));
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 10);
        assert.ok(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof BudgetExhaustedError));
        assert.deepEqual(await a.budget('yelp'), { budget: 10, used: 10, remaining: 0 });
      } finally {
        other.disconnect();
      }
    });

    // Both children connect first; then both are told the same start instant, 2 s ahead: with the
    // test groups busy beside it, a child once read its start instant 850 ms after it was sent.
    const runChildren = async (input: Omit<ChildInput, 'redisUrl' | 'startAt'>) => {
      const children = await Promise.all([0, 1].map(() => startChild({ ...input, redisUrl: REDIS_URL })));
      const startAt = Date.now() + 2000;
      const outputs = await Promise.all(children.map((c) => c.go(startAt)));
      return outputs.map((o) => JSON.parse(o) as { granted: number; exhausted: number; aborted: number });
    };

    it('holds the daily budget across two processes', { skip }, async () => {
      const results = await runChildren({ keyPrefix: prefix('procs-budget'), ratePerSecond: 100, dailyBudget: 10, attempts: 10, windowMs: 5000 });
      assert.equal(results[0].granted + results[1].granted, 10, JSON.stringify(results));
      assert.equal(results[0].exhausted + results[1].exhausted, 10);
    });

    it('holds the per-second rate across two processes', { skip }, async () => {
      // Both processes start at the same instant and give up after 900 ms: every grant falls in
      // the first one-second window, which allows 5 in total, not 5 per process.
      const results = await runChildren({ keyPrefix: prefix('procs-rate'), ratePerSecond: 5, dailyBudget: 1000, attempts: 10, windowMs: 900 });
      const granted = results[0].granted + results[1].granted;
      assert.ok(granted <= 5, `granted ${granted}: ${JSON.stringify(results)}`);
      assert.ok(granted >= 1);
      assert.equal(results[0].aborted + results[1].aborted, 20 - granted);
    });
  });
});
