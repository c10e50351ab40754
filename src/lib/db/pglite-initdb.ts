/**
 * Creates an embedded database cluster in a data folder: `node pglite-initdb.js <folder>`, run by
 * connect.ts as a process of its own. PGlite's first open runs initdb (a second WebAssembly
 * instance and a throw-away PGlite): several hundred MB that a long-lived process would keep
 * (freed memory stays in the allocator's arenas), but that end with this process.
 */
import { PGlite } from '@electric-sql/pglite';
import { pgliteOptions } from './pglite-options.js';

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: pglite-initdb.js <data folder>\n');
  process.exit(2);
}
const db = new PGlite(await pgliteOptions(dataDir));
await db.waitReady;
await db.close();
