/**
 * Cacheable catalogue answers over real HTTP: ETag / If-None-Match (304), Cache-Control, and
 * brotli/gzip bodies, against the real service on PGlite. Requests go through node:http so the
 * bytes on the wire are checked, not what a decompressing client makes of them.
 */
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { CATALOGUE_MAX_AGE_S, COMPRESS_THRESHOLD_BYTES } from '../../src/server/caching.js';
import { createApp } from '../../src/server/app.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/server.js';
import type { RunningService } from '../../src/service.js';
import { startCatalogueService } from './catalogue-service.js';
import { fakeDashboardDir, TOKEN } from './helpers.js';
import { closeTestDatabases } from '../helpers/db.js';

after(closeTestDatabases);

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function get(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('caching and compression (real HTTP, real service)', { timeout: 120_000 }, () => {
  let service: RunningService;
  let server: RunningHttpServer;
  let firstId: string;

  before(async () => {
    service = await startCatalogueService({ sfEvents: 12 });
    const logger = pino({ level: 'silent' });
    server = await startHttpServer({ app: createApp({ service, apiToken: TOKEN, logger, staticDir: fakeDashboardDir() }), port: 0, host: '127.0.0.1', apiToken: TOKEN, logger });
    const page = JSON.parse((await get(`${server.url}/api/events?limit=50`)).body.toString()) as { events: Array<{ id: string }> };
    assert.equal(page.events.length, 14);
    firstId = page.events[0]!.id;
  });

  after(async () => {
    await server?.close();
    await service?.stop();
  });

  for (const path of ['/api/events?limit=5', '/api/events?lat=37.78&lng=-122.43&radius_km=10', 'EVENT']) {
    it(`GET ${path}: ETag, a short public max-age, 304 for If-None-Match`, async () => {
      const url = `${server.url}${path === 'EVENT' ? `/api/events/${firstId}` : path}`;
      const first = await get(url);
      assert.equal(first.status, 200, first.body.toString());
      const tag = first.headers.etag;
      assert.match(tag ?? '', /^W\/"[0-9a-f]+"$/);
      assert.equal(first.headers['cache-control'], `public, max-age=${CATALOGUE_MAX_AGE_S}`);
      assert.match(first.headers.vary ?? '', /accept-encoding/i);

      const again = await get(url, { 'if-none-match': tag! });
      assert.equal(again.status, 304);
      assert.equal(again.body.length, 0);
      assert.equal(again.headers.etag, tag);
      assert.equal(again.headers['cache-control'], `public, max-age=${CATALOGUE_MAX_AGE_S}`);

      // Another tag (a changed catalogue) gets the full answer.
      const stale = await get(url, { 'if-none-match': 'W/"0000"' });
      assert.equal(stale.status, 200);
      assert.deepEqual(JSON.parse(stale.body.toString()), JSON.parse(first.body.toString()));
    });
  }

  it('the ETag changes with the answer', async () => {
    const a = await get(`${server.url}/api/events?limit=2`);
    const b = await get(`${server.url}/api/events?limit=3`);
    assert.notEqual(a.headers.etag, b.headers.etag);
  });

  it('errors and control answers are not cacheable', async () => {
    const bad = await get(`${server.url}/api/events?limit=abc`);
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.etag, undefined);
    assert.equal(bad.headers['cache-control'], 'no-store');
    const missing = await get(`${server.url}/api/events/00000000-0000-4000-8000-000000000000`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['cache-control'], 'no-store');
    const status = await get(`${server.url}/api/spawn?action=status`);
    assert.equal(status.headers['cache-control'], 'no-store');
    assert.equal(status.headers.etag, undefined);
  });

  it('brotli when preferred, gzip otherwise, identity when asked for; same JSON in each', async () => {
    const url = `${server.url}/api/events?limit=50`;
    const plain = await get(url, { 'accept-encoding': 'identity' });
    assert.equal(plain.headers['content-encoding'], undefined);
    // Declared by catalogueJson, which compression() relies on.
    assert.equal(Number(plain.headers['content-length']), plain.body.length);
    assert.ok(plain.body.length >= COMPRESS_THRESHOLD_BYTES, `page is ${plain.body.length} bytes`);
    const expected: unknown = JSON.parse(plain.body.toString());

    const br = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(Number(br.headers['content-length']), br.body.length);
    assert.ok(br.body.length < plain.body.length / 3, `brotli ${br.body.length} of ${plain.body.length} bytes`);
    assert.deepEqual(JSON.parse(brotliDecompressSync(br.body).toString()), expected);

    const gz = await get(url, { 'accept-encoding': 'gzip;q=1.0, br;q=0.5' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(JSON.parse(gunzipSync(gz.body).toString()), expected);

    // The validator is the same for every encoding of one body, so a 304 holds across them.
    assert.equal(br.headers.etag, plain.headers.etag);
    assert.equal((await get(url, { 'accept-encoding': 'br', 'if-none-match': gz.headers.etag! })).status, 304);
  });

  it('small bodies are sent as they are', async () => {
    const res = await get(`${server.url}/healthz`, { 'accept-encoding': 'br, gzip' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], undefined);
    assert.deepEqual(JSON.parse(res.body.toString()), { ok: true });
  });

  it('limits and cursors are unchanged: pages follow their cursors to the end', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const qs: string = `limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await get(`${server.url}/api/events?${qs}`, { 'accept-encoding': 'br' });
      const body = JSON.parse((res.headers['content-encoding'] === 'br' ? brotliDecompressSync(res.body) : res.body).toString()) as {
        events: Array<{ id: string }>;
        nextCursor: string | null;
      };
      assert.ok(body.events.length <= 5);
      seen.push(...body.events.map((e) => e.id));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    assert.equal(seen.length, 14);
    assert.equal(new Set(seen).size, 14);
  });
});

describe('compression() decides by headers where it can', () => {
  const big = JSON.stringify({ text: 'ünïcödé '.repeat(400) });
  const answers: Record<string, () => Response> = {
    'declared length': () => new Response(big, { headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(big)) } }),
    'undeclared length': () => new Response(big, { headers: { 'content-type': 'application/json' } }),
    'no body': () => new Response(null, { headers: { 'content-type': 'application/json' } }),
    'empty body, length 0': () => new Response('', { headers: { 'content-type': 'application/json', 'content-length': '0' } }),
    'small body, declared': () => new Response('{"a":1}', { headers: { 'content-type': 'application/json', 'content-length': '7' } }),
  };
  const expected: Record<string, { vary: string | null; encoding: string | null }> = {
    'declared length': { vary: 'accept-encoding', encoding: 'br' },
    'undeclared length': { vary: 'accept-encoding', encoding: 'br' },
    'no body': { vary: null, encoding: null },
    'empty body, length 0': { vary: 'accept-encoding', encoding: null },
    'small body, declared': { vary: 'accept-encoding', encoding: null },
  };
  it('catalogueJson declares its length in bytes', async () => {
    const { Hono } = await import('hono');
    const { catalogueJson } = await import('../../src/server/caching.js');
    const app = new Hono();
    app.get('/', (c) => catalogueJson(c, { city: 'São Paulo', title: '東京 ☕' }));
    const res = await app.request('/');
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.headers.get('content-length'), String(body.length));
    assert.deepEqual(JSON.parse(body.toString()), { city: 'São Paulo', title: '東京 ☕' });
  });

  it('bodies past SYNC_COMPRESS_MAX_BYTES are compressed too (in the thread pool), brotli and gzip', async () => {
    const { Hono } = await import('hono');
    const { catalogueJson, compression, SYNC_COMPRESS_MAX_BYTES } = await import('../../src/server/caching.js');
    const app = new Hono();
    app.use('*', compression());
    const rows = Array.from({ length: Math.ceil(SYNC_COMPRESS_MAX_BYTES / 20) }, (_, i) => ({ i, name: `Café ${i * 7919}` }));
    app.get('/', (c) => catalogueJson(c, rows));
    for (const [encoding, decode] of [['br', brotliDecompressSync], ['gzip', gunzipSync]] as const) {
      const res = await app.request('/', { headers: { 'accept-encoding': encoding } });
      assert.equal(res.headers.get('content-encoding'), encoding);
      const body = Buffer.from(await res.arrayBuffer());
      const plain = decode(body);
      assert.ok(plain.length > SYNC_COMPRESS_MAX_BYTES, `${plain.length} bytes`);
      assert.deepEqual(JSON.parse(plain.toString()), rows);
    }
  });

  for (const [name, make] of Object.entries(answers)) {
    it(`${name}: Vary ${expected[name]!.vary ?? 'none'}, encoding ${expected[name]!.encoding ?? 'none'}`, async () => {
      const { Hono } = await import('hono');
      const { compression } = await import('../../src/server/caching.js');
      const app = new Hono();
      app.use('*', compression());
      app.get('/', () => make());
      const res = await app.request('/', { headers: { 'accept-encoding': 'br, gzip' } });
      assert.equal(res.headers.get('vary'), expected[name]!.vary);
      assert.equal(res.headers.get('content-encoding'), expected[name]!.encoding);
      const body = Buffer.from(await res.arrayBuffer());
      assert.equal(Number(res.headers.get('content-length') ?? body.length), body.length);
      if (expected[name]!.encoding === 'br') assert.equal(brotliDecompressSync(body).toString(), big);
    });
  }
});

describe('compression leaves event streams alone', { timeout: 15_000 }, () => {
  it('a text/event-stream answer flows through uncompressed before it ends', async () => {
    const { Hono } = await import('hono');
    const { compression } = await import('../../src/server/caching.js');
    const app = new Hono();
    app.use('*', compression({ threshold: 1 }));
    let push: ((s: string) => void) | undefined;
    app.get('/stream', () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          push = (s) => controller.enqueue(new TextEncoder().encode(s));
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    });
    const logger = pino({ level: 'silent' });
    const server = await startHttpServer({ app, port: 0, host: '127.0.0.1', logger, apiToken: TOKEN });
    try {
      const first = await new Promise<{ encoding: string | undefined; chunk: string }>((resolve, reject) => {
        const req = httpRequest(`${server.url}/stream`, { headers: { 'accept-encoding': 'br, gzip' } }, (res) => {
          res.once('data', (c: Buffer) => {
            resolve({ encoding: res.headers['content-encoding'], chunk: c.toString() });
            req.destroy();
          });
        });
        req.on('error', reject);
        req.end();
        // The stream never ends: a buffering middleware would never answer.
        const wait = setInterval(() => {
          if (push) {
            clearInterval(wait);
            push('data: hello\n\n');
          }
        }, 10);
      });
      assert.deepEqual(first, { encoding: undefined, chunk: 'data: hello\n\n' });
    } finally {
      await server.close();
    }
  });
});
