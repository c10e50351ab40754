/**
 * The memory benchmark's baseline: a Node process that only opens PGlite, with the options the
 * service opens it with, runs one query and waits to be measured. Prints `ready` once open.
 *
 *   node build/bench/lib/bare-pglite.js <data dir>
 */
import { PGlite } from '@electric-sql/pglite';
import { pgliteOptions } from '../../src/lib/db/pglite-options.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: bare-pglite.js <data dir>');
const db = new PGlite(await pgliteOptions(dataDir));
await db.waitReady;
await db.query('SELECT 1');
process.stdout.write('ready\n');
// Stays open until the benchmark has sampled it and sends SIGTERM.
process.on('SIGTERM', () => {
  void db.close().finally(() => process.exit(0));
});
setInterval(() => {}, 60_000);
