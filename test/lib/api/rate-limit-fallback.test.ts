/**
 * Redis goes down under the provider limiter: daily budgets go on in Postgres (provider_usage),
 * shared by every replica, and the limiter says so. A scratch redis-server, killed by pid.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createProviderLimiter } from '../../../src/lib/api/rate-limit.js';
import { Migrator } from '../../../src/lib/db/migrator.js';
import { BudgetExhaustedError } from '../../../src/lib/errors.js';
import { backends, closeTestDatabases } from '../../helpers/db.js';
import { startScratchRedis } from '../../faults/scratch.js';

after(closeTestDatabases);

for (const backend of backends()) {
  describe(`ProviderLimiter when Redis goes down, on ${backend.name}`, () => {
    it('two replicas keep one daily budget between them in Postgres, and health() tells the outage', async () => {
      const server = await startScratchRedis();
      const db = await backend.open();
      const clients: Redis[] = [];
      try {
        await new Migrator(db).migrate();
        const providers = { yelp: { ratePerSecond: 1000, dailyBudget: 10 } };
        const keyPrefix = `fallback-${backend.name}-${Date.now()}`;
        const [a, b] = [0, 1].map(() => {
          const redis = new Redis(server.url, { maxRetriesPerRequest: 2 });
          redis.on('error', () => {});
          clients.push(redis);
          return createProviderLimiter({ providers, redis, keyPrefix, db });
        }) as [ReturnType<typeof createProviderLimiter>, ReturnType<typeof createProviderLimiter>];
        for (let i = 0; i < 4; i++) await (i % 2 ? b : a).acquire('yelp');
        assert.deepEqual(a.health!().redis.ok, true);
        assert.equal(a.health!().store, 'redis');

        await server.stop();
        let granted = 0;
        let refused = 0;
        for (let i = 0; i < 20; i++) {
          try {
            await (i % 2 ? b : a).acquire('yelp');
            granted++;
          } catch (err) {
            assert.ok(err instanceof BudgetExhaustedError, String(err));
            refused++;
          }
        }
        // 4 spent through Redis, then the 6 left of the budget, for both replicas together.
        assert.deepEqual({ granted, refused }, { granted: 6, refused: 14 });
        const health = a.health!();
        assert.equal(health.store, 'fallback');
        assert.equal(health.redis.ok, false);
        assert.ok(health.redis.since && health.redis.lastError, 'the outage has a start and an error');
        assert.deepEqual(await b.budget('yelp'), { budget: 10, used: 10, remaining: 0 });
      } finally {
        for (const r of clients) r.disconnect();
        await server.stop();
        await db.close();
      }
    });
  });
}
