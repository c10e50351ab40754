import type { MessagePort } from 'node:worker_threads';
import type { ProviderConfig } from '../../config/spawn.js';
import type { QuarantinePolicy } from '../../contracts/source-health.js';

/** What the controller hands every worker thread at spawn. */
export interface WorkerBootData {
  workerId: string;
  type: string;
  /** file URL of the script the thread runs; built-in modules start only when they are it */
  entry: string;
  /** the port of the requests the worker makes of the controller (protocol.ts) */
  requestPort: MessagePort;
  /** 'controller': storage through the controller's requests (embedded mode); 'postgres': connect directly */
  storage: { mode: 'controller' } | { mode: 'postgres'; databaseUrl: string; schema: string };
  redisUrl?: string;
  /** the Redis key prefix of the provider limits, the controller's own (runtime.ts) */
  limiterKeyPrefix: string;
  providers: Record<string, ProviderConfig>;
  ingestionBatchSize: number;
  /** when discovery quarantines a failing (city, source, feed) */
  sourceHealth: QuarantinePolicy;
  /** least level of the log lines the worker sends; lower ones never cross the thread boundary */
  logLevel: string;
}
