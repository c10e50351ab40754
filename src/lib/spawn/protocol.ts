/**
 * The controller↔worker protocol, both halves in one place:
 * - the messages on the thread's own port: one union each way;
 * - the requests a worker makes of what only the controller's thread owns (the embedded
 *   database, in-process rate limits), over a second port: the client the worker calls and
 *   the table the controller serves;
 * - errors as they cross the thread boundary.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ProviderCall, SourceId } from '../api/types.js';
import type { ProviderLimiter } from '../api/rate-limit.js';
import type { Queryable, QueryResult } from '../db/types.js';
import { coerceError, ConfigError, NonRetryableError, ValidationError } from '../errors.js';
import type { TaskAssignment } from './types.js';

// ---- messages on the thread's port ----------------------------------------------------

export type ControllerToWorker =
  | { type: 'task'; assignment: TaskAssignment }
  | { type: 'health'; requestId: number }
  | { type: 'shutdown' };

/** What a worker measured while it ran a task; the controller turns each into an event. */
export type WorkerReport =
  /** one HTTP request to a provider, retries counted one by one */
  | ({ kind: 'provider-call' } & ProviderCall)
  /** raw events a discovery found and stored */
  | { kind: 'events-discovered'; source: SourceId; count: number }
  /** raw events an ingestion turned into canonical events (inserted, updated or unchanged) */
  | { kind: 'events-ingested'; source: string | null; count: number };

export type WorkerToController =
  | { type: 'ready'; workerId: string }
  /** the thread is about to load code (its type's, on first use): it may not answer probes until done */
  | { type: 'loading'; workerId: string }
  /** the code it said it was loading has loaded (or failed to): probes are answered again */
  | { type: 'loaded'; workerId: string }
  | { type: 'result'; workerId: string; taskId: string; result: unknown }
  | { type: 'error'; workerId: string; taskId: string | null; error: SerializedError }
  | { type: 'heartbeat'; workerId: string; requestId: number | null; status: 'healthy'; timestamp: number; memory: number }
  | { type: 'log'; workerId: string; level: LogLevel; msg: string; data?: Record<string, unknown> }
  | { type: 'report'; workerId: string; report: WorkerReport };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

// ---- errors across the boundary ------------------------------------------------------

export interface SerializedError {
  message: string;
  code?: string;
  name?: string;
  /** false: do not retry this task */
  retryable?: boolean;
}

export function serializeError(err: unknown): SerializedError {
  const e = coerceError(err) as Error & { code?: unknown; retryable?: unknown };
  return {
    message: e.message,
    name: e.name,
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    // Retrying cannot fix bad input, bad configuration or a refused credential.
    ...(err instanceof NonRetryableError || err instanceof ConfigError || err instanceof ValidationError ||
    e.code === 'ERR_NON_RETRYABLE' || e.code === 'ERR_BUDGET_EXHAUSTED' || e.retryable === false
      ? { retryable: false }
      : {}),
  };
}

export function deserializeError(s: SerializedError): Error {
  const e = new Error(s.message) as Error & { code?: string };
  if (s.name) e.name = s.name;
  if (s.code) e.code = s.code;
  return e;
}

// ---- requests a worker makes of the controller -----------------------------------------

export interface RequestMethods {
  'db.query': { args: { text: string; params: unknown[] }; result: { rows: unknown[]; rowCount: number } };
  'limiter.acquire': { args: { source: SourceId }; result: null };
  'limiter.budget': { args: { source: SourceId }; result: { budget: number; used: number; remaining: number } };
}
export type RequestMethod = keyof RequestMethods;

type Request = { id: number; method: RequestMethod; args: unknown };
type Response = { id: number; result?: unknown; error?: SerializedError };

/** The worker's half: calls that resolve with the controller's answer. */
export class RequestClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly port: MessagePort) {
    port.on('message', (msg: Response) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(deserializeError(msg.error));
      else p.resolve(msg.result);
    });
    // The port must not keep the thread alive on its own.
    port.unref();
  }

  call<M extends RequestMethod>(method: M, args: RequestMethods[M]['args']): Promise<RequestMethods[M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ id, method, args } satisfies Request);
    });
  }

  /** Storage through the controller's database (embedded mode). */
  queryable(): Queryable {
    return {
      query: async <R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> => {
        const res = await this.call('db.query', { text, params: [...(params ?? [])] });
        return { rows: res.rows as R[], rowCount: res.rowCount };
      },
    };
  }

  /** Rate limits kept in the controller's process, shared by its threads (no Redis). */
  limiter(): ProviderLimiter {
    return {
      acquire: async (source) => {
        await this.call('limiter.acquire', { source });
      },
      budget: (source) => this.call('limiter.budget', { source }),
    };
  }
}

/** The controller's half: answers one worker's requests from its database and limiter. */
export function serveRequests(port: MessagePort, owner: { db(): Queryable; limiter(): ProviderLimiter }): void {
  const handlers: { [M in RequestMethod]: (args: RequestMethods[M]['args']) => Promise<RequestMethods[M]['result']> } = {
    'db.query': ({ text, params }) => owner.db().query(text, params),
    'limiter.acquire': async ({ source }) => {
      await owner.limiter().acquire(source);
      return null;
    },
    'limiter.budget': ({ source }) => owner.limiter().budget(source),
  };
  port.on('message', async (msg: Request) => {
    const handler = handlers[msg.method] as ((args: unknown) => Promise<unknown>) | undefined;
    try {
      if (!handler) throw new Error(`unknown request method ${String(msg.method)}`);
      const result = await handler(msg.args);
      port.postMessage({ id: msg.id, result } satisfies Response);
    } catch (err) {
      port.postMessage({ id: msg.id, error: serializeError(err) } satisfies Response);
    }
  });
}
