/** storeRawEvents: a record the database refuses is isolated and reported; its batch is stored. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { storeRawEvents, upsertRawEvents } from '../../../../src/lib/db/queries/raw-events.js';
import { backends, closeTestDatabases } from '../../../helpers/db.js';
import { openCatalogue } from '../../catalogue/helpers.js';

after(closeTestDatabases);


const good = (i: number) => ({ externalId: `good-${i}`, data: { id: `good-${i}`, name: `Concert ${i}` } });

for (const backend of backends()) {
  describe(`raw event storage on ${backend.name}`, () => {
    test('records Postgres refuses (NUL, lone surrogate, index row too large) are rejected one by one; the rest of the batch is stored', async () => {
      const db = await openCatalogue(backend);
      try {
        const records = [
          ...Array.from({ length: 7 }, (_, i) => good(i)),
          { externalId: 'nul', data: { id: 'nul', name: 'Bad \u0000 byte' } },
          ...Array.from({ length: 5 }, (_, i) => good(7 + i)),
          { externalId: 'surrogate', data: { id: 'surrogate', name: 'Half \ud83d an emoji' } },
          // Random text does not compress: too large for the (source, external_id) btree.
          { externalId: Array.from({ length: 4000 }, () => Math.random().toString(36).slice(2, 3)).join(''), data: { id: 'long' } },
          ...Array.from({ length: 3 }, (_, i) => good(12 + i)),
        ];
        // One statement fails whole, which is what discovery did before.
        await assert.rejects(upsertRawEvents(db, 'jsonld', null, records));
        const result = await storeRawEvents(db, 'jsonld', null, records);
        assert.deepEqual([result.new, result.changed, result.unchanged], [15, 0, 0]);
        assert.deepEqual(result.rejected.map((r) => r.externalId.slice(0, 9)), ['nul', 'surrogate', records[14]!.externalId.slice(0, 9)]);
        assert.match(result.rejected[0]!.reason, /refused by the database \(22P05\)/);
        assert.match(result.rejected[1]!.reason, /refused by the database \(22P02\)/);
        assert.match(result.rejected[2]!.reason, /refused by the database \(54000\)/);
        const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM raw_events WHERE source = 'jsonld'`);
        assert.equal(rows[0]!.n, 15);
        // The same batch again: every stored record is unchanged, the bad ones still rejected.
        const again = await storeRawEvents(db, 'jsonld', null, records);
        assert.deepEqual([again.new, again.changed, again.unchanged, again.rejected.length], [0, 0, 15, 3]);
      } finally {
        await db.close();
      }
    });

    test('a record too deep to serialize is rejected before the statement', async () => {
      const db = await openCatalogue(backend);
      try {
        let deep: unknown = 'bottom';
        for (let i = 0; i < 100_000; i++) deep = [deep];
        const result = await storeRawEvents(db, 'ics', null, [good(1), { externalId: 'deep', data: { id: 'deep', deep } }, good(2)]);
        assert.equal(result.new, 2);
        assert.deepEqual(result.rejected.map((r) => r.externalId), ['deep']);
        assert.match(result.rejected[0]!.reason, /cannot be serialized: Maximum call stack size exceeded/);
      } finally {
        await db.close();
      }
    });
  });
}
