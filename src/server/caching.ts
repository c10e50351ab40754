/**
 * Responses apps can cache: validators and freshness for the catalogue, and compressed bodies.
 *
 * - `catalogueJson()` (the answers of `/api/events` and `/api/events/:id`): a weak `ETag` over
 *   the JSON body, `304 Not Modified` for a matching `If-None-Match`, and `Cache-Control: public,
 *   max-age=CATALOGUE_MAX_AGE_S` on both. The catalogue changes as ingestion runs, so freshness
 *   is short; revalidating a page costs the query but not the transfer. The tag is weak because
 *   the same tag covers the identity, gzip and brotli encodings of one body.
 * - `compression()` (everywhere): brotli or gzip, as the client prefers, for text bodies of at
 *   least COMPRESS_THRESHOLD_BYTES. Node 20's CompressionStream (what `hono/compress` uses)
 *   speaks gzip and deflate only, so this uses node:zlib, which has brotli.
 */
import { hash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, constants as zlib, gzip, gzipSync } from 'node:zlib';
import type { Context, MiddlewareHandler } from 'hono';
import Negotiator from 'negotiator';
import { redactedJson } from '../lib/redact.js';

/** Seconds a cached catalogue answer stays fresh. */
export const CATALOGUE_MAX_AGE_S = 30;
/** Smaller bodies are sent as they are: compressing them saves less than it costs. */
export const COMPRESS_THRESHOLD_BYTES = 1024;

const COMPRESSIBLE = /^(?:text\/|application\/(?:json|javascript|xml|[\w.+-]+\+json|[\w.+-]+\+xml)|image\/svg\+xml)/i;
const ENCODINGS = ['br', 'gzip', 'identity'];

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * The bytes of the bodies this module made, by Response: compression() takes them from here
 * rather than reading the Response back (which turns @hono/node-server's byte-backed Response
 * into a stream and copies it twice).
 */
const madeBodies = new WeakMap<Response, Uint8Array>();

/**
 * A catalogue answer (GET): its JSON with a weak ETag over that text and a short public
 * max-age, or a bodiless 304 when `If-None-Match` names the tag (or is `*`). The tag is taken
 * from the bytes as they are made: reading a finished Response's body back to hash it cost more
 * than the search itself.
 */
export function catalogueJson(c: Context, body: unknown): Response {
  return catalogueJsonText(c, redactedJson(body));
}

/** catalogueJson for an answer already written as JSON the way the API writes it (redacted). */
export function catalogueJsonText(c: Context, text: string): Response {
  // Encoded once: the hash, the length and the socket all take these bytes (a page with one
  // non-ASCII name is a two-byte string, whose every encoding walks it again).
  const bytes = Buffer.from(text);
  const tag = `W/"${hash('sha1', bytes, 'hex')}"`;
  const headers: Record<string, string> = {
    etag: tag,
    'cache-control': `public, max-age=${CATALOGUE_MAX_AGE_S}`,
    vary: 'accept-encoding',
  };
  if (etagMatches(tag, c.req.header('if-none-match'))) return new Response(null, { status: 304, statusText: 'Not Modified', headers });
  const res = new Response(bytes, { headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(bytes.length), ...headers } });
  madeBodies.set(res, bytes);
  return res;
}

/** If-None-Match compares weakly (RFC 9110 13.1.2): W/"x" and "x" are the same tag. */
function etagMatches(tag: string, ifNoneMatch: string | undefined): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = tag.replace(/^W\//, '');
  return (ifNoneMatch.match(/"[^"]*"/g) ?? []).some((t) => t === opaque);
}

/** Brotli or gzip for text bodies of at least `threshold` bytes, by the request's Accept-Encoding. */
export function compression(options: { threshold?: number } = {}): MiddlewareHandler {
  const threshold = options.threshold ?? COMPRESS_THRESHOLD_BYTES;
  return async (c, next) => {
    await next();
    const res = c.res;
    if (c.req.method === 'HEAD' || res.status === 204 || res.status === 304 || res.status === 206) return;
    const type = res.headers.get('content-type') ?? '';
    // A stream of events is never buffered: reading it whole would hold it back until it ends.
    if (res.headers.has('content-encoding') || !COMPRESSIBLE.test(type) || /^text\/event-stream/i.test(type)) return;
    if (/\bno-transform\b/i.test(res.headers.get('cache-control') ?? '')) return;
    // A declared length says there is a body without asking for it: `res.body` turns
    // @hono/node-server's string-backed Response into a stream the server then reads back.
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (!(declared > 0) && !res.body) return;
    // The answer depends on Accept-Encoding whichever encoding this one gets.
    appendVary(res.headers, 'accept-encoding');
    if (Number.isFinite(declared) && declared < threshold) return;
    const encoding = negotiateEncoding(c.req.header('accept-encoding'));
    if (!encoding) return;

    const body = madeBodies.get(res) ?? new Uint8Array(await res.arrayBuffer());
    const headers = new Headers(res.headers);
    let out: Uint8Array = body;
    if (body.byteLength >= threshold) {
      out = body.byteLength <= SYNC_COMPRESS_MAX_BYTES ? compressBodySync(body, encoding) : await compressBody(body, encoding);
      headers.set('content-encoding', encoding);
    }
    headers.set('content-length', String(out.byteLength));
    // Clear first: Hono's setter would otherwise copy the old headers (content-length) back.
    c.res = undefined;
    c.res = new Response(out, { status: res.status, statusText: res.statusText, headers });
  };
}

export type ContentCoding = 'br' | 'gzip';

/** The compression the client prefers of those we speak; brotli wins a tie. Undefined: send it as it is. */
export function negotiateEncoding(acceptEncoding: string | undefined): ContentCoding | undefined {
  const negotiator = new Negotiator({ headers: { 'accept-encoding': acceptEncoding ?? '' } });
  // Negotiator 1.x breaks ties of equal q by `preferred` (its 0.6 types do not know the option).
  const encoding = (negotiator.encoding as (available: string[], options: { preferred: string[] }) => string | undefined)(ENCODINGS, { preferred: ENCODINGS });
  return encoding === 'br' || encoding === 'gzip' ? encoding : undefined;
}

const brotliOptions = (body: Uint8Array) => ({
  params: {
    // Quality 5 compresses JSON nearly as well as 11 at a small part of the CPU time.
    [zlib.BROTLI_PARAM_QUALITY]: 5,
    [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
    [zlib.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
  },
});
const GZIP_OPTIONS = { level: 6 };

export function compressBody(body: Uint8Array, encoding: ContentCoding): Promise<Buffer> {
  return encoding === 'br' ? brotli(body, brotliOptions(body)) : gzipAsync(body, GZIP_OPTIONS);
}

/**
 * Bodies up to this size are compressed on the event loop (a page of events: 0.2–0.5 ms). Handed
 * to the thread pool, the same bytes cost about twice the CPU (stream set-up, hand-offs), and a
 * 2-core server has no idle core for the pool to use.
 */
export const SYNC_COMPRESS_MAX_BYTES = 64 * 1024;

/** compressBody's bytes, made on the calling thread. */
export function compressBodySync(body: Uint8Array, encoding: ContentCoding): Buffer {
  return encoding === 'br' ? brotliCompressSync(body, brotliOptions(body)) : gzipSync(body, GZIP_OPTIONS);
}

export function appendVary(headers: Headers, field: string): void {
  const vary = headers.get('vary');
  if (!vary) headers.set('vary', field);
  else if (!vary.split(',').some((v) => v.trim().toLowerCase() === field || v.trim() === '*')) headers.set('vary', `${vary}, ${field}`);
}
