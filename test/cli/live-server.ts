/** A real server for the CLI to talk to: embedded database, worker threads, HTTP on a free port. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/lib/logger.js';
import { createService, type RunningService } from '../../src/service.js';
import { createApp } from '../../src/server/app.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/server.js';
import { pgliteBackend } from '../helpers/db.js';
import { TOKEN } from './helpers.js';

export interface TestServer {
  service: RunningService;
  http: RunningHttpServer;
  url: string;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  // The embedded database on the test file's shared PGlite (test/helpers/db.ts closes it).
  const service = await createService({ config: { ...(await pgliteBackend.config()), maxWorkers: 4, schedules: { enabled: false } }, citiesFile: false });
  // A start that fails half-way leaves worker threads and the database open: close them, or
  // this test process never exits.
  await service.start().catch(async (err) => {
    await service.stop().catch(() => {});
    throw err;
  });
  const app = createApp({ service, apiToken: TOKEN, logger: silentLogger, staticDir: join(tmpdir(), 'scenescout-cli-no-dashboard') });
  const http = await startHttpServer({ app, port: 0, host: '127.0.0.1', apiToken: TOKEN, logger: silentLogger });
  return {
    service,
    http,
    url: http.url,
    async close() {
      await http.close();
      await service.stop();
    },
  };
}

