/** Shared set-up for the HTTP-layer tests. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { createApp, type AppOptions } from '../../src/server/app.js';
import { createMetrics } from '../../src/server/metrics.js';
import { ObservedService } from './observed-service.js';

export const TOKEN = 'test-token-0123456789';

/** A pino logger whose lines are kept in `lines` (parsed). */
export function memoryLogger(): { logger: Logger; lines: Array<Record<string, unknown>>; text: () => string } {
  const raw: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void raw.push(s) });
  return {
    logger,
    get lines() {
      return raw.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    text: () => raw.join(''),
  };
}

/** A built-dashboard stand-in: index.html and one hashed asset. */
export function fakeDashboardDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scenescout-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>SceneScout</title><div id="root"></div>');
  writeFileSync(join(dir, 'assets', 'app-abc123.js'), 'console.log("hi")');
  return dir;
}

/**
 * The app on an ObservedService (the real service, started by the first call that reaches it).
 * Files that use it stop the services in afterEach (stopObservedServices) and close the shared
 * database in after (closeTestDatabases).
 */
export function makeApp(overrides: Partial<AppOptions> = {}) {
  const service = (overrides.service as ObservedService | undefined) ?? new ObservedService();
  const log = memoryLogger();
  const app = createApp({
    service,
    apiToken: TOKEN,
    logger: log.logger,
    metrics: createMetrics(service, { defaultMetrics: false }),
    staticDir: join(tmpdir(), 'scenescout-no-dashboard'),
    ...overrides,
  });
  return { app, service, log };
}

export const auth = { authorization: `Bearer ${TOKEN}` };
export const jsonHeaders = { 'content-type': 'application/json', ...auth };

export function postJson(body: unknown, headers: Record<string, string> = jsonHeaders): RequestInit {
  return { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}
