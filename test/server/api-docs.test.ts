/**
 * /api/docs over real HTTP: the page names only our own assets, which come from swagger-ui-dist
 * byte for byte (brotli, gzip or as they are), cached for good under a versioned path.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { request as httpRequest } from 'node:http';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { createApp } from '../../src/server/app.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/server.js';
import type { RunningService } from '../../src/service.js';
import { startCatalogueService } from './catalogue-service.js';
import { fakeDashboardDir, TOKEN } from './helpers.js';
import { closeTestDatabases } from '../helpers/db.js';

after(closeTestDatabases);

const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('/api/docs assets (real HTTP)', { timeout: 120_000 }, () => {
  let service: RunningService;
  let server: RunningHttpServer;

  before(async () => {
    service = await startCatalogueService({ sfEvents: 1 });
    const logger = pino({ level: 'silent' });
    server = await startHttpServer({ app: createApp({ service, apiToken: TOKEN, logger, staticDir: fakeDashboardDir() }), port: 0, host: '127.0.0.1', apiToken: TOKEN, logger });
  });

  after(async () => {
    await server?.close();
    await service?.stop();
  });

  it('the page loads only same-origin assets, which are swagger-ui-dist files in any encoding', async () => {
    const page = await get(`${server.url}/api/docs`);
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    const html = page.body.toString();
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(refs.length >= 3, html);
    for (const ref of refs) assert.match(ref, /^\/api\/docs\//, `${ref} is not ours`);
    const bundle = refs.find((r) => r.endsWith('/swagger-ui-bundle.js'))!;
    const original = readFileSync(join(SWAGGER_DIR, 'swagger-ui-bundle.js'));
    for (const [accept, decode, encoding] of [
      ['br, gzip', brotliDecompressSync, 'br'],
      ['gzip', gunzipSync, 'gzip'],
      ['identity', (b: Buffer) => b, undefined],
    ] as const) {
      for (let i = 0; i < 2; i++) {
        const res = await get(`${server.url}${bundle}`, { 'accept-encoding': accept });
        assert.equal(res.status, 200);
        assert.equal(res.headers['content-encoding'], encoding);
        assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
        assert.ok(decode(res.body).equals(original), `${accept}: not the package's file`);
      }
    }
    const start = await get(`${server.url}/api/docs/start.js`);
    assert.match(start.body.toString(), /\/api\/openapi\.json/);
  });

  it('serves nothing else from the package folder', async () => {
    const bundle = `/api/docs/assets/${(JSON.parse(readFileSync(join(SWAGGER_DIR, 'package.json'), 'utf8')) as { version: string }).version}`;
    for (const path of [`${bundle}/package.json`, `${bundle}/index.html`, `${bundle}/constructor`, `${bundle}/__proto__`, `${bundle}/toString`, `${bundle}/..%2f..%2fpackage.json`, '/api/docs/assets/0.0.0/swagger-ui.css']) {
      assert.equal((await get(`${server.url}${path}`)).status, 404, path);
    }
  });
});
