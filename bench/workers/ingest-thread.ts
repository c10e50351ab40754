/**
 * bench:ingest's ingestion thread: ingestRawEvents on the thread's own pool, as an
 * IngestionWorker runs it in Postgres mode (same pool size; the benchmark gives the thread the
 * ingestion worker type's resource limits). Each message is one ingestion of the given ids.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../src/lib/db/connect.js';
import { ingestRawEvents } from '../../src/lib/catalogue/ingest.js';
import { WORKER_POOL_SIZE } from '../../src/lib/spawn/workers/base.js';

export interface IngestThreadData {
  databaseUrl: string;
  schema: string;
  chunkSize: number;
}

const { databaseUrl, schema, chunkSize } = workerData as IngestThreadData;
const db = await openDatabase({ databaseUrl, schema, max: WORKER_POOL_SIZE, applicationName: 'bench-ingest-thread' });
const port = parentPort!;

port.on('message', (message: { ids: string[] } | 'close') => {
  if (message === 'close') {
    void db.close().finally(() => port.close());
    return;
  }
  const t0 = performance.now();
  ingestRawEvents(db, { ids: message.ids, chunkSize }).then(
    (result) => port.postMessage({ ms: performance.now() - t0, result }),
    (err: unknown) => port.postMessage({ error: err instanceof Error ? err.stack ?? err.message : String(err) }),
  );
});
port.postMessage({ ready: true });
