/** openDatabase on a shared embedded instance: one schema per wrapper, even when used at once. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { closeTestDatabases, pgliteBackend } from '../../helpers/db.js';

describe('openDatabase({ pglite })', () => {
  // pgliteBackend.open() is openDatabase({ pglite, schema }) on the file's one instance, a new schema each time.
  after(closeTestDatabases);

  test('wrappers sharing one instance each read their own schema, however their queries interleave', async () => {
    const a = await pgliteBackend.open();
    const b = await pgliteBackend.open();
    await a.query(`CREATE TABLE owner (name TEXT); INSERT INTO owner VALUES ('a')`);
    await b.query(`CREATE TABLE owner (name TEXT); INSERT INTO owner VALUES ('b')`);
    const reads = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).query<{ name: string }>('SELECT name FROM owner WHERE $1::int >= 0', [i])),
    );
    assert.deepEqual(reads.map((r) => r.rows[0]!.name), Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'a' : 'b')));
    const inTransactions = await Promise.all([
      a.transaction((tx) => tx.query<{ name: string }>('SELECT name FROM owner')),
      b.transaction((tx) => tx.query<{ name: string }>('SELECT name FROM owner')),
    ]);
    assert.deepEqual(inTransactions.map((r) => r.rows[0]!.name), ['a', 'b']);
    // Closing a wrapper leaves the shared instance open for the others.
    await a.close();
    assert.deepEqual((await b.query<{ name: string }>('SELECT name FROM owner')).rows, [{ name: 'b' }]);
  });
});
