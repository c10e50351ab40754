/** A Redis outage shows in /readyz (as detail: the replica stays ready) and in /metrics. */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pino from 'pino';
import { createService } from '../../src/service.js';
import { createApp } from '../../src/server/app.js';
import { createMetrics } from '../../src/server/metrics.js';
import { until } from '../helpers/controller.js';
import { pgliteBackend, closeTestDatabases } from '../helpers/db.js';
import { startScratchRedis } from '../faults/scratch.js';

after(closeTestDatabases);

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const f of cleanups.reverse()) await f();
});

test('with Redis stopped, /readyz stays 200 and says the limits fell back, and scenescout_limiter_redis_up is 0', async () => {
  const redis = await startScratchRedis();
  cleanups.push(() => redis.stop());
  const svc = await createService({
    citiesFile: false,
    config: {
      ...(await pgliteBackend.config()),
      redisUrl: redis.url,
      autoscale: false,
      schedules: { enabled: false },
      workerTypes: { discovery: { initialWorkers: 0 }, ingestion: { initialWorkers: 0 }, processing: { initialWorkers: 0 } },
    },
  });
  cleanups.push(() => svc.stop());
  await svc.start();
  const logger = pino({ level: 'silent' });
  const metrics = createMetrics(svc, { logger, defaultMetrics: false, statusTtlMs: 0 });
  const app = createApp({ service: svc, logger, metrics });
  const readyz = async () => (await app.request('/readyz')).json() as Promise<{ ok: boolean; limiter?: { store: string; redis: { ok: boolean } } }>;

  await until('redis connected', async () => (await readyz()).limiter?.store === 'redis');
  await until('the metric says Redis is up', async () => /^scenescout_limiter_redis_up 1$/m.test(await metrics.render()));

  await redis.stop();
  const down = await until('the outage seen', async () => {
    const r = await readyz();
    return r.limiter?.store === 'fallback' ? r : undefined;
  });
  assert.equal(down.ok, true, 'the replica stays ready: the limits fall back');
  assert.equal(down.limiter!.redis.ok, false);
  // The status behind /metrics is cached for a moment.
  await until('the metric says Redis is down', async () => /^scenescout_limiter_redis_up 0$/m.test(await metrics.render()));
});
