/**
 * A small typed request/response channel over a MessagePort. Worker threads use it to reach
 * what only the controller's thread owns: the embedded database and in-process rate limits.
 */
import type { MessagePort } from 'node:worker_threads';
import { coerceError, ConfigError, NonRetryableError, ValidationError } from '../errors.js';
import type { SerializedError } from './types.js';

export interface RpcMethods {
  'db.query': { args: { text: string; params: unknown[] }; result: { rows: unknown[]; rowCount: number } };
  'limiter.acquire': { args: { source: string }; result: null };
  'limiter.budget': { args: { source: string }; result: { budget: number; used: number; remaining: number } };
}
export type RpcMethod = keyof RpcMethods;

type RpcRequest = { id: number; method: RpcMethod; args: unknown };
type RpcResponse = { id: number; result?: unknown; error?: SerializedError };

export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly port: MessagePort) {
    port.on('message', (msg: RpcResponse) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(deserializeError(msg.error));
      else p.resolve(msg.result);
    });
    // The port must not keep the thread alive on its own.
    port.unref();
  }

  call<M extends RpcMethod>(method: M, args: RpcMethods[M]['args']): Promise<RpcMethods[M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ id, method, args } satisfies RpcRequest);
    });
  }
}

export type RpcHandlers = { [M in RpcMethod]?: (args: RpcMethods[M]['args']) => Promise<RpcMethods[M]['result']> };

export function serveRpc(port: MessagePort, handlers: RpcHandlers): void {
  port.on('message', async (msg: RpcRequest) => {
    const handler = handlers[msg.method] as ((args: unknown) => Promise<unknown>) | undefined;
    try {
      if (!handler) throw new Error(`unknown rpc method ${msg.method}`);
      const result = await handler(msg.args);
      port.postMessage({ id: msg.id, result } satisfies RpcResponse);
    } catch (err) {
      port.postMessage({ id: msg.id, error: serializeError(err) } satisfies RpcResponse);
    }
  });
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
