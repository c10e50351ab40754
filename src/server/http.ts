/**
 * The HTTP layer's shared pieces: JSON responses, bounded body reading, and the one mapper
 * from thrown errors to responses. Both the Hono app and the Next.js route
 * module use these, so a request gets the same answer whichever of them serves it.
 */
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { coerceError, HttpError, ValidationError } from '../lib/errors.js';

export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

export interface HandlerOptions {
  logger?: Logger;
  /** Largest accepted request body; default 64 KiB. */
  bodyLimitBytes?: number;
}

export function json(body: unknown, status = 200, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      // API answers describe live state; a cached one is a wrong one.
      'cache-control': 'no-store',
      ...headers,
    },
  });
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
  const text = await readTextCapped(request, limit);
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
  return value;
}

async function readTextCapped(request: Request, limit: number): Promise<string> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
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
