/**
 * `/api/docs`: the OpenAPI document as a browsable page, Swagger UI from the swagger-ui-dist
 * package in node_modules (no CDN). The page, its start script and the two Swagger UI files
 * are all served by us, so the dashboard's Content-Security-Policy (`'self'` only) holds.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Hono } from 'hono';
import { appendVary, compressBody, negotiateEncoding } from './caching.js';
import { openApiDocument } from './openapi.js';
import { own } from '../lib/own.js';

const require = createRequire(import.meta.url);
const SWAGGER_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));
const SWAGGER_VERSION = (JSON.parse(readFileSync(join(SWAGGER_DIR, 'package.json'), 'utf8')) as { version: string }).version;
/** Versioned, so the files can be cached for good. */
const ASSET_PREFIX = `/api/docs/assets/${SWAGGER_VERSION}`;

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const START = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SceneScout Spawn API</title>
<link rel="stylesheet" href="${ASSET_PREFIX}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${ASSET_PREFIX}/swagger-ui-bundle.js"></script>
<script src="/api/docs/start.js"></script>
</body>
</html>
`;

export function mountApiDocs(app: Hono): void {
  // Each file read once, and compressed once per encoding (the bundle is 1.7 MB).
  const files = new Map<string, Promise<Buffer>>();
  const file = (name: string, encoding: 'br' | 'gzip' | undefined) => {
    const key = `${name}:${encoding ?? 'identity'}`;
    let body = files.get(key);
    if (!body) {
      body = (async () => {
        const raw = readFileSync(join(SWAGGER_DIR, name));
        return encoding ? compressBody(raw, encoding) : raw;
      })();
      body.catch(() => files.delete(key));
      files.set(key, body);
    }
    return body;
  };
  app.get('/api/openapi.json', (c) => c.json(openApiDocument(), 200, { 'cache-control': 'no-cache' }));
  app.get('/api/docs', (c) => c.html(PAGE, 200, { 'cache-control': 'no-cache' }));
  app.get('/api/docs/start.js', (c) => c.body(START, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }));
  app.get(`${ASSET_PREFIX}/:file`, async (c) => {
    const name = c.req.param('file');
    const type = own(ASSETS, name);
    if (!type) return c.notFound();
    const encoding = negotiateEncoding(c.req.header('accept-encoding'));
    const headers: Record<string, string> = { 'content-type': type, 'cache-control': 'public, max-age=31536000, immutable' };
    if (encoding) headers['content-encoding'] = encoding;
    const res = c.body(new Uint8Array(await file(name, encoding)), 200, headers);
    appendVary(res.headers, 'accept-encoding');
    return res;
  });
}
