/** createService: "discover at start" runs once per deployment, not once per replica. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { openDatabase } from '../src/lib/db/connect.js';
import { createService } from '../src/service.js';
import { backends, closeTestDatabases } from './helpers/db.js';

after(closeTestDatabases);

for (const backend of backends()) {
  describe(`createService on ${backend.name}`, () => {
    test('a replica starting right after another one discovered at start does not discover again', async () => {
      const config = await backend.config();
      const db = config.database ?? (await openDatabase(config));
      const start = async () => {
        const svc = await createService({
          discoverOnStart: true,
          config: {
            ...config, database: db, autoscale: false, schedules: { enabled: false },
            // No discovery workers: what was queued stays visible.
            workerTypes: { discovery: { initialWorkers: 0 }, ingestion: { initialWorkers: 0 }, processing: { initialWorkers: 0 } },
          },
        });
        let queued = 0;
        svc.controller.on('task:queued', (e: { type: string }) => (queued += e.type === 'discovery' ? 1 : 0));
        await svc.start();
        return { svc, queued: () => queued };
      };
      try {
        const first = await start();
        assert.ok(first.queued() > 0, 'the first replica discovers at start');
        // The first replica's discoveries ran (their jobs are done), then a rolling restart.
        await db.query(`DELETE FROM ${config.schema === 'public' ? 'pgboss' : `${config.schema}_boss`}.job WHERE name = 'discovery'`);
        await first.svc.stop();
        const second = await start();
        await second.svc.stop();
        assert.equal(second.queued(), 0, 'the second replica skips it');
      } finally {
        await db.close();
      }
    });
  });
}
