/**
 * Creates an embedded database cluster in a data folder: `node pglite-initdb.js <folder>`, run by
 * connect.ts as a process of its own when no dump of an empty cluster is kept yet (with one kept,
 * connect.ts extracts it into the folder itself). It extracts the kept dump (one another process
 * kept meanwhile), or runs initdb
 * (a second WebAssembly instance and a throw-away PGlite) and keeps a dump of the result for the
 * next new folder (openEmptyCluster, empty-cluster.ts). Either takes memory (initdb several hundred
 * MB, a dump its 40 MB and what untarring it grows the heap by) that a long-lived process would
 * keep (freed memory stays in the allocator's arenas), but that ends with this process.
 */
import { openEmptyCluster } from './empty-cluster.js';
import { pgliteOptions } from './pglite-options.js';

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: pglite-initdb.js <data folder>\n');
  process.exit(2);
}
const db = await openEmptyCluster(await pgliteOptions(dataDir));
await db.close();
