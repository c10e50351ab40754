/**
 * Builds the dashboard into web/dist, which the HTTP server serves at `/`.
 *   vite build --config web/vite.config.ts
 * `vite --config web/vite.config.ts` runs a dev server that proxies the API to a local
 * SceneScout server (SCENESCOUT_DEV_API, default http://127.0.0.1:8787).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.SCENESCOUT_DEV_API ?? 'http://127.0.0.1:8787';

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    proxy: { '/api': api, '/metrics': api, '/healthz': api, '/readyz': api },
  },
});
