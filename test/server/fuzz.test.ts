/**
 * A small, deterministic HTTP fuzz (fixed seed) against the real service: no request may get a
 * 5xx. The fault suite (test/faults/http-fuzz.fault.ts) runs the same generator longer.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { backends, closeTestDatabases } from '../helpers/db.js';
import { fuzzServer, startFuzzTarget } from './fuzz.js';

after(closeTestDatabases);

for (const backend of backends()) {
  describe(`HTTP fuzz on ${backend.name}`, () => {
    it('answers 300 hostile requests without a 5xx', async () => {
      const target = await startFuzzTarget(backend);
      try {
        const r = await fuzzServer(target.url, 300, 20261202);
        assert.ok(r.requests >= 250, `only ${r.requests} requests reached the server`);
        assert.equal(r.status5xx, 0, JSON.stringify(r.failures, null, 1));
        assert.ok(Object.keys(r.byStatus).some((s) => s.startsWith('2')), 'some requests succeeded');
        assert.ok((r.byStatus['400'] ?? 0) > 0, 'some requests were refused as bad input');
      } finally {
        await target.close();
      }
    });
  });
}
