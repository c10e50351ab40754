/**
 * Serves the built dashboard (web/dist) at `/`, with index.html for client-side routes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono, MiddlewareHandler } from 'hono';

/** The folder of scenescout's package.json, found by walking up from this module (which may run from src, dist or a build folder). */
export function findPackageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'scenescout') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    if (dirname(dir) === dir) return process.cwd();
  }
}

export function defaultStaticDir(): string {
  return join(findPackageRoot(), 'web', 'dist');
}

const NOT_SPA = /^\/(?:api|metrics|healthz|readyz)(?:\/|$)/;

export function mountDashboard(app: Hono, staticDir: string): void {
  // Created on first use, so a dashboard built after the server started is still served.
  let files: MiddlewareHandler | undefined;
  let index: MiddlewareHandler | undefined;
  const ready = () => {
    if (!files && existsSync(join(staticDir, 'index.html'))) {
      files = serveStatic({ root: staticDir });
      index = serveStatic({ root: staticDir, path: 'index.html' });
    }
    return files !== undefined;
  };

  app.use('*', async (c, next) => {
    if ((c.req.method !== 'GET' && c.req.method !== 'HEAD') || NOT_SPA.test(c.req.path)) return next();
    if (!ready()) {
      if (c.req.path !== '/') return next();
      return c.text('The dashboard is not built: run `npm run build:web`.\n', 503);
    }
    const found = await files!(c, async () => {
      // No such file: client-side routes (no extension) get the app shell; the rest is a 404.
      const last = c.req.path.split('/').pop() ?? '';
      if (last.includes('.')) return next();
      const res = await index!(c, next);
      if (res) c.res = res;
    });
    if (found instanceof Response) c.res = found;
    if (c.res.ok) {
      // Vite puts a content hash in every asset name; index.html must always be revalidated.
      const immutable = c.req.path.startsWith('/assets/');
      c.res.headers.set('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    }
  });
}
