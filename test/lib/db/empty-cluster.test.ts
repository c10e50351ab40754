/** New embedded databases start from a kept dump of an empty cluster (src/lib/db/empty-cluster.ts). */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import { openDatabase } from '../../../src/lib/db/connect.js';
import { emptyClusterPath, isNewCluster, keepEmptyCluster, openEmptyCluster, readEmptyCluster } from '../../../src/lib/db/empty-cluster.js';
import { Migrator } from '../../../src/lib/db/migrator.js';

/** Extensions in `public`: those PGlite bundles for us (pglite-options.ts) and initdb's plpgsql. */
const BUNDLED = ['btree_gist', 'cube', 'pg_trgm', 'plpgsql', 'unaccent'];

async function extensions(db: PGlite): Promise<string[]> {
  const r = await db.query<{ extname: string }>("select extname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where nspname in ('public', 'pg_catalog') order by extname");
  return r.rows.map((row) => row.extname);
}

describe('the empty cluster new embedded databases start from', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scenescout-empty-cluster-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  // initdb costs seconds of CPU: the cluster the first test makes is the one it keeps, dumps and
  // loads again; the second makes one more where nothing can be kept.
  it('is made by initdb and dumped before anything is written, where it can be kept, and loads as kept', async () => {
    const path = join(dir, 'opened.tar');
    assert.equal(readEmptyCluster(path), undefined, 'nothing kept yet');
    const made = await openEmptyCluster({}, path);
    try {
      assert.ok(existsSync(path), 'initdb ran and its cluster was kept');
      // A cache that cannot be written is not an error: new databases run initdb instead.
      const blocked = join(dir, 'a-file');
      writeFileSync(blocked, 'not a folder');
      assert.equal(await keepEmptyCluster(made, join(blocked, 'kept.tar')), false);
      assert.equal(readEmptyCluster(join(blocked, 'kept.tar')), undefined);
      // Stand in for the kept dump: one that shows it was loaded rather than made again.
      await made.exec('create table from_the_dump (id int)');
      assert.equal(await keepEmptyCluster(made, path), true);
    } finally {
      await made.close();
    }
    assert.ok(!existsSync(`${path}.${process.pid}`), 'the partial file was renamed');
    const loaded = await openEmptyCluster({}, path);
    try {
      const dbs = await loaded.query<{ datname: string }>('select datname from pg_database order by datname');
      assert.deepEqual(dbs.rows.map((r) => r.datname), ['postgres', 'template0', 'template1']);
      const tables = await loaded.query<{ tablename: string }>("select tablename from pg_tables where schemaname = 'public'");
      assert.deepEqual(tables.rows.map((r) => r.tablename), ['from_the_dump'], 'loaded from the kept dump, and nothing else');
      assert.deepEqual(await extensions(loaded), BUNDLED, 'the bundled extensions were created before the dump');
    } finally {
      await loaded.close();
    }
  });

  it('is made by initdb where the cache cannot be written, and still opens', async () => {
    const blocked = join(dir, 'not-a-folder');
    writeFileSync(blocked, 'a file');
    const unkept = await openEmptyCluster({}, join(blocked, 'kept.tar'));
    try {
      const dbs = await unkept.query<{ datname: string }>('select datname from pg_database order by datname');
      assert.deepEqual(dbs.rows.map((r) => r.datname), ['postgres', 'template0', 'template1']);
      const r = await unkept.query<{ n: number }>("select count(*)::int as n from pg_tables where schemaname = 'public'");
      assert.equal(r.rows[0]!.n, 0, 'an empty cluster, made by initdb');
      assert.deepEqual(await extensions(unkept), BUNDLED, 'with the bundled extensions all the same');
      assert.equal(existsSync(join(blocked, 'kept.tar')), false);
    } finally {
      await unkept.close();
    }
  });

  it('is what a new data folder starts from, and a folder with a cluster is opened as it is', async () => {
    const dataDir = join(dir, 'data');
    assert.equal(isNewCluster(dataDir), true);
    assert.equal(isNewCluster('memory'), true);
    const first = await openDatabase({ dataDir });
    try {
      await new Migrator(first).migrate();
      await first.query('create table kept_rows (id int)');
    } finally {
      await first.close();
    }
    assert.ok(existsSync(emptyClusterPath()), 'the first new database keeps the dump for the next');
    assert.equal(isNewCluster(dataDir), false);
    const again = await openDatabase({ dataDir });
    try {
      const r = await again.query<{ n: number }>("select count(*)::int as n from information_schema.tables where table_name = 'kept_rows'");
      assert.equal(r.rows[0]!.n, 1, 'reopened, not replaced by the empty cluster');
    } finally {
      await again.close();
    }
  });
});
