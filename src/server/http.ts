/**
 * The HTTP layer's shared pieces: JSON responses, bounded body reading, and the one mapper
 * from thrown errors to responses. Both the Hono app and the Next.js route
 * module use these, so a request gets the same answer whichever of them serves it.
 */
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { coerceError, HttpError, ValidationError } from '../lib/errors.js';
import { redactedJson } from '../lib/redact.js';
import { readTextCapped } from '../lib/read-capped.js';

export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

export interface HandlerOptions {
  logger?: Logger;
  /** Largest accepted request body; default 64 KiB. */
  bodyLimitBytes?: number;
  /** Accept feeds/pages on private addresses (SCENESCOUT_ALLOW_PRIVATE_URLS); default false. */
  allowPrivateUrls?: boolean;
}

/**
 * A JSON response. Every string in it goes through redact.ts on the way out: cities, tasks and
 * dead letters hold feed URLs and errors that may carry `?token=…` or `user:pass@`, and the
 * API never serves those, whoever asks.
 */
export function json(body: unknown, status = 200, headers?: Record<string, string>): Response {
  const text = redactedJson(body);
  return new Response(text, {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      // Declared, so compression() can tell there is a body without reading it (caching.ts).
      'content-length': String(Buffer.byteLength(text)),
      // API answers describe live state; a cached one is a wrong one.
      'cache-control': 'no-store',
      ...headers,
    },
  });
}

/** How deep a request body may nest; deeper ones are refused before anything walks them. */
export const MAX_BODY_DEPTH = 64;

const NUL = /\u0000/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` cannot be stored (Postgres refuses NUL and lone surrogates in text and jsonb), or null. */
export function unstorableText(text: string): string | null {
  if (NUL.test(text)) return 'must not contain NUL (\\u0000) characters';
  if (LONE_SURROGATE.test(text)) return 'must not contain unpaired UTF-16 surrogates';
  return null;
}

/** A 400 naming the first query parameter (name or value) the database could not store. */
export function assertStorableQuery(url: string): void {
  for (const [name, value] of new URL(url).searchParams) {
    const problem = unstorableText(name) ?? unstorableText(value);
    if (problem) throw new ValidationError(`invalid query: ${displayField(name)}: ${problem}`);
  }
}

/**
 * A 400 naming the first string or key in `value` the database could not store, or the path
 * where it nests deeper than MAX_BODY_DEPTH. Iterative, so a hostile depth cannot overflow
 * the stack here.
 */
export function assertStorableJson(value: unknown, what = 'request body'): void {
  const stack: Array<{ v: unknown; path: string; depth: number }> = [{ v: value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const problem = unstorableText(v);
      if (problem) throw new ValidationError(`invalid ${what}: ${path || '(body)'}: ${problem}`);
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_BODY_DEPTH) throw new ValidationError(`invalid ${what}: ${path}: nested deeper than ${MAX_BODY_DEPTH} levels`);
    const entries = Array.isArray(v) ? v.map((item, i) => [String(i), item] as const) : Object.entries(v);
    for (const [key, item] of entries) {
      const at = path ? `${path}.${displayField(key)}` : displayField(key);
      const problem = unstorableText(key);
      if (problem) throw new ValidationError(`invalid ${what}: ${at}: key ${problem}`);
      stack.push({ v: item, path: at, depth: depth + 1 });
    }
  }
}

/** A field name safe to echo in a message: control characters and lone surrogates escaped, capped. */
function displayField(name: string): string {
  const shown = name.length > 60 ? `${name.slice(0, 60)}…` : name;
  return shown.replace(/[\u0000-\u001f\u007f]|[\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Reads a JSON object body of at most `limit` bytes. Wrong content type, bad JSON, an empty
 * body and anything but an object are ValidationErrors (400); an oversized body is a 413.
 *
 * Requiring `application/json` also keeps cross-site form posts out: a browser sends those
 * without a CORS preflight, and we answer no preflight.
 */
export async function readJsonBody(request: Request, limit = DEFAULT_BODY_LIMIT_BYTES): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new ValidationError(`request body must be JSON (content-type: application/json), got '${type || 'none'}'`);
  }
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const text = await readTextCapped(request.body, limit, () => tooLarge(limit));
  if (text.trim() === '') throw new ValidationError('request body is empty; expected a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`request body is not valid JSON: ${coerceError(err).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('request body must be a JSON object');
  }
  assertStorableJson(value);
  return value;
}

export function tooLarge(limit: number): HttpError {
  return new HttpError(413, `request body exceeds ${limit} bytes`);
}

/** The status of each coded error a caller can cause; any other error is a 500. */
const STATUS_BY_CODE: Record<string, ContentfulStatusCode> = {
  ERR_VALIDATION: 400,
  ERR_NOT_FOUND: 404,
  ERR_CAPACITY: 409,
  ERR_RATE_LIMITED: 429,
  ERR_BUDGET_EXHAUSTED: 429,
};

/**
 * The one mapper from errors to responses: `{ error, code }` with the status of the error's
 * code (an HttpError carries its own). Coded errors carry messages written for callers;
 * anything else may hold a stack, a SQL text or a secret, so it is logged and answered with a
 * generic 500.
 */
export function errorToResponse(err: unknown, logger?: Logger, request?: Request): Response {
  // Hono's own middleware (e.g. a malformed request it refuses) throws these.
  if (err instanceof HTTPException) {
    if (err.status >= 500) logger?.error({ err, ...describe(request) }, 'request failed');
    return json({ error: err.message || statusText(err.status) }, err.status, authenticate(err.status));
  }
  if (isDatabaseUnavailable(err)) {
    logger?.warn({ err: coerceError(err), ...describe(request) }, 'database unavailable');
    return json({ error: 'the database is unavailable; try again shortly', code: 'ERR_DB_UNAVAILABLE' }, 503, {
      'retry-after': String(DB_RETRY_AFTER_SECONDS),
    });
  }
  // Match on the stable code, not the class: the error may come from another copy of the module.
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined;
  const status = code === 'ERR_HTTP' ? httpStatus((err as { status?: unknown }).status) : code ? STATUS_BY_CODE[code] : undefined;
  if (status !== undefined && status < 500 && err instanceof Error) {
    const headers = authenticate(status);
    const retryAfterMs = (err as { retryAfterMs?: unknown }).retryAfterMs;
    if (status === 429 && typeof retryAfterMs === 'number') headers['retry-after'] = String(Math.ceil(retryAfterMs / 1000));
    return json({ error: err.message || statusText(status), code }, status, headers);
  }
  logger?.error({ err: coerceError(err), ...describe(request) }, 'request failed');
  return json({ error: 'internal error' }, 500);
}

/** What a client is told to wait when the database is down. */
export const DB_RETRY_AFTER_SECONDS = 5;

/** Socket errors, Postgres's "cannot connect now" / "admin shutdown" / connection-exception classes. */
const UNAVAILABLE_CODES = new Set([
  'ERR_DB_UNAVAILABLE',
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND',
  '57P01', '57P02', '57P03', '53300',
  '08000', '08001', '08003', '08004', '08006',
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Cannot use a pool after calling end|PGlite is closed|database system is (?:starting up|shutting down)/i;

/**
 * True when `err` (or an error it wraps) says the database cannot be reached. Those are the
 * raw `pg`/`pg-pool`/socket errors, so the one mapper recognises them and no query needs a
 * wrapper; the caller gets a 503 with Retry-After instead of a 500.
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (depth > 5 || typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
  // Our own coded errors speak for themselves; their messages may quote anything.
  if (typeof e.code === 'string' && e.code.startsWith('ERR_')) return false;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

function httpStatus(value: unknown): ContentfulStatusCode | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599 ? (value as ContentfulStatusCode) : undefined;
}

function authenticate(status: number): Record<string, string> {
  return status === 401 ? { 'www-authenticate': 'Bearer' } : {};
}

function describe(request: Request | undefined): Record<string, string> {
  if (!request) return {};
  return { method: request.method, path: new URL(request.url).pathname };
}

function statusText(status: number): string {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not found';
    case 405:
      return 'method not allowed';
    case 413:
      return 'request body too large';
    default:
      return 'error';
  }
}
