/**
 * Who may change things. Reads (GET/HEAD) are open; every mutating request needs
 * `Authorization: Bearer <token>` when a token is configured.
 *
 * Without a token the server listens on 127.0.0.1 only (server.ts), and mutations are allowed
 * only for requests addressed to a loopback host name: a page on another site that resolves its
 * own name to 127.0.0.1 (DNS rebinding) sends its own Host header and is refused.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../lib/errors.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isMutating(method: string): boolean {
  return MUTATING.has(method.toUpperCase());
}

/** Throws a 401 HttpError unless `request` may mutate. Non-mutating requests always pass. */
export function assertAuthorized(request: Request, apiToken: string | undefined): void {
  if (!isMutating(request.method)) return;
  if (apiToken) {
    if (!bearerMatches(request.headers.get('authorization'), apiToken)) {
      throw new HttpError(401, 'missing or wrong bearer token (Authorization: Bearer <token>)');
    }
    return;
  }
  if (!isLoopbackHost(request)) {
    throw new HttpError(401, 'no API token is configured, so changes are accepted only on localhost');
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
