/**
 * HTTP fuzzing (issue 12): fast-check's hostile requests over every route, bodies, parameters,
 * query strings and headers, against the real service on PGlite, and on Postgres too when
 * SCENESCOUT_TEST_DATABASE_URL is set. Asserts 0 answers with a 5xx.
 * `SCENESCOUT_FUZZ_REQUESTS` (default 2000 per backend) and `SCENESCOUT_FUZZ_SEED` tune it.
 */
import assert from 'node:assert/strict';
import { backends, closeTestDatabases } from '../helpers/db.js';
import { fuzzServer, startFuzzTarget } from '../server/fuzz.js';
import type { FaultScenario, Figures } from './scenario.js';

const scenario: FaultScenario = {
  name: 'http-fuzz',
  async run(): Promise<Figures> {
    const count = Number(process.env.SCENESCOUT_FUZZ_REQUESTS ?? 2000);
    const seed = Number(process.env.SCENESCOUT_FUZZ_SEED ?? Date.now() % 2 ** 31);
    const figures: Figures = { seed, requests: 0, status5xx: 0 };
    const failures: unknown[] = [];
    try {
      for (const backend of backends()) {
        const target = await startFuzzTarget(backend);
        try {
          const r = await fuzzServer(target.url, count, seed);
          figures.requests = Number(figures.requests) + r.requests;
          figures.status5xx = Number(figures.status5xx) + r.status5xx;
          figures[`${backend.name}Requests`] = r.requests;
          figures[`${backend.name}5xx`] = r.status5xx;
          for (const [status, n] of Object.entries(r.byStatus)) figures[`${backend.name}Status${status}`] = n;
          failures.push(...r.failures.map((f) => ({ backend: backend.name, ...f })));
        } finally {
          await target.close();
        }
      }
    } finally {
      await closeTestDatabases();
    }
    assert.equal(figures.status5xx, 0, `5xx answers (seed ${seed}): ${JSON.stringify(failures.slice(0, 5))}`);
    return figures;
  },
};

export default scenario;
