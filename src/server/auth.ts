/**
 * Who may do what.
 *
 * - Open to anyone: the catalogue (`/api/events`, `/api/events/:id`), `/healthz`, `/readyz`,
 *   `/metrics`, the API's own description (`/api/openapi.json`, `/api/docs`) and the
 *   dashboard's files.
 * - Operational reads (cities, tasks, workers, status, dead letters, the review queue) and every change need
 *   `Authorization: Bearer <token>` when a token is configured.
 * - Without a token the server listens on 127.0.0.1 only (server.ts); reads are open there, and
 *   changes are allowed only for requests addressed to a loopback host name: a page on another
 *   site that resolves its own name to 127.0.0.1 (DNS rebinding) sends its own Host header.
 *
 * Cross-site requests (CSRF): a browser sends a form post to another site without asking
 * first, with the user's network position. A change must therefore carry something a plain
 * form cannot: a JSON content type, an `Authorization` header or an `X-Requested-With` header
 * (each makes a cross-site browser ask first with a preflight, which we never grant), and an
 * `Origin` header, when present, must be this server's own.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../lib/errors.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
/** Reads anyone may make, token or not. Paths outside /api/ (the dashboard's files) are open too. */
const OPEN_READ_PATHS = new Set(['/api/events', '/healthz', '/readyz', '/metrics', '/api/openapi.json', '/api/docs']);
/** One event (`/api/events/:id`) and the docs page's assets, below the open paths above. */
const OPEN_READ_PREFIXES = [/^\/api\/events\/[^/]+$/, /^\/api\/docs\//];

export function isMutating(method: string): boolean {
  return MUTATING.has(method.toUpperCase());
}

/** True when `path` is served to anyone without the token. */
export function isOpenPath(path: string): boolean {
  const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return OPEN_READ_PATHS.has(p) || OPEN_READ_PREFIXES.some((re) => re.test(p)) || !(p === '/api' || p.startsWith('/api/'));
}

/**
 * Throws an HttpError (401, or 403 for a cross-site change) unless `request` may go on.
 * Reads of open paths always pass.
 */
export function assertAuthorized(request: Request, apiToken: string | undefined): void {
  const mutating = isMutating(request.method);
  if (!mutating) {
    if (!apiToken || isOpenPath(pathOf(request))) return;
    if (!bearerMatches(request.headers.get('authorization'), apiToken)) {
      throw new HttpError(401, 'missing or wrong API token (header Authorization, scheme Bearer); operational reads need it too');
    }
    return;
  }
  if (apiToken) {
    if (!bearerMatches(request.headers.get('authorization'), apiToken)) {
      throw new HttpError(401, 'missing or wrong API token (header Authorization, scheme Bearer)');
    }
  } else if (!isLoopbackHost(request)) {
    throw new HttpError(401, 'no API token is configured, so changes are accepted only on localhost');
  }
  assertNotCrossSite(request);
}

/** A change must not be something a cross-site form could send (see the module comment). */
export function assertNotCrossSite(request: Request): void {
  const origin = request.headers.get('origin');
  if (origin !== null && !sameOrigin(origin, request)) {
    throw new HttpError(403, `cross-site request refused: Origin ${JSON.stringify(origin.slice(0, 100))} is not this server`);
  }
  const h = request.headers;
  const json = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(h.get('content-type') ?? '');
  if (!json && !h.has('authorization') && !h.has('x-requested-with')) {
    throw new HttpError(
      403,
      'changes need a JSON body (content-type: application/json) or an X-Requested-With header, so a cross-site form cannot make them',
    );
  }
}

function sameOrigin(origin: string, request: Request): boolean {
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false; // includes the opaque "null" origin of sandboxed frames and file: pages
  }
  const host = request.headers.get('host') ?? safeHost(request.url);
  return host !== null && o.host.toLowerCase() === host.toLowerCase();
}

function pathOf(request: Request): string {
  try {
    return new URL(request.url).pathname;
  } catch {
    return '/api';
  }
}

export function bearerMatches(header: string | null, apiToken: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return false;
  // Hash both sides so the comparison takes the same time whatever the lengths.
  const given = createHash('sha256').update(match[1]).digest();
  const expected = createHash('sha256').update(apiToken).digest();
  return timingSafeEqual(given, expected);
}

function isLoopbackHost(request: Request): boolean {
  const host = request.headers.get('host') ?? safeHost(request.url);
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return LOOPBACK_HOSTS.has(name.toLowerCase()) || /^127(?:\.\d{1,3}){3}$/.test(name);
}

function safeHost(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}
