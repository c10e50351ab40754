/**
 * Base of the local mock servers. Each provider's server speaks that provider's wire format
 * (paths, params, auth, bodies, error shapes); this base gives them a port on 127.0.0.1, a log
 * of requests, and fault injection so the contract suite can drive every server the same way.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  /** 429 in the provider's format; `retryAfter` sets Retry-After; `body`/`headers` override */
  | { kind: 'rate-limit'; retryAfter?: string; headers?: Record<string, string>; body?: unknown }
  | { kind: 'server-error'; status?: number; retryAfter?: string }
  /** accept the request and never answer */
  | { kind: 'hang' }
  /** 200 with a body that does not parse */
  | { kind: 'malformed' }
  | { kind: 'unauthorized' };

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** the raw request target, secrets and all, for asserting what was sent */
  target: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** objects are sent as JSON */
  body: string | object;
}

export interface SeedOptions {
  /** records that fit the provider's format */
  valid: number;
  /** records missing required fields, interleaved with the valid ones */
  invalid?: number;
  /** first event start; one event per day after it (default 2030-01-01T18:00:00Z) */
  start?: Date;
  /** add an unknown field to valid records: `sceneScoutExtra` (X-SCENESCOUT-EXTRA in iCalendar) */
  extraField?: boolean;
}

export const SEED_START = new Date('2030-01-01T18:00:00Z');
export const SEED_RANGE = { start: '2030-01-01T00:00:00Z', end: '2030-12-31T23:59:59Z' };

export abstract class MockServer {
  readonly requests: RecordedRequest[] = [];
  baseUrl = '';
  /** records (or documents) served per page */
  pageSize = 3;
  readonly #server: Server;
  #faults: Fault[] = [];
  #always: Fault | null = null;

  constructor() {
    this.#server = createServer((req, res) => {
      this.#dispatch(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** The next requests fail with these faults, in order. */
  fail(...faults: Fault[]): void {
    this.#faults.push(...faults);
  }

  /** Every request fails with `fault` until called with null. */
  failAlways(fault: Fault | null): void {
    this.#always = fault;
  }

  abstract seed(options: SeedOptions): void;
  protected abstract handle(req: RecordedRequest): Reply | Promise<Reply>;
  protected abstract faultReply(fault: Exclude<Fault, { kind: 'hang' }>, req: RecordedRequest): Reply;

  async #dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, target: req.url ?? '' };
    this.requests.push(recorded);
    const fault = this.#faults.shift() ?? this.#always;
    if (fault?.kind === 'hang') return;
    send(res, fault ? this.faultReply(fault, recorded) : await this.handle(recorded));
  }
}

function send(res: ServerResponse, reply: Reply): void {
  const isText = typeof reply.body === 'string';
  const body = isText ? (reply.body as string) : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json;charset=utf-8',
    ...reply.headers,
  });
  res.end(body);
}

export function seedDates(count: number, start = SEED_START): Date[] {
  return Array.from({ length: count }, (_, i) => new Date(start.getTime() + i * 86_400_000));
}

/** Interleaves `invalid` bad records into `valid` good ones, deterministically. */
export function interleave<T>(valid: T[], invalid: T[]): T[] {
  const out: T[] = [];
  const step = invalid.length ? Math.max(1, Math.floor(valid.length / invalid.length)) : Infinity;
  let bad = 0;
  valid.forEach((v, i) => {
    out.push(v);
    if ((i + 1) % step === 0 && bad < invalid.length) out.push(invalid[bad++]);
  });
  while (bad < invalid.length) out.push(invalid[bad++]);
  return out;
}

export function bearer(req: RecordedRequest): string | undefined {
  const h = req.headers.authorization;
  return typeof h === 'string' && h.startsWith('Bearer ') ? h.slice('Bearer '.length) : undefined;
}
