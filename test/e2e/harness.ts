/**
 * Browser-test plumbing: the built dashboard, an HTTP server around a SpawnService, headless
 * Debian Chromium (together, one suite's dashboardUnderTest), and the checks the dashboard
 * suites share.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before } from 'node:test';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pino } from 'pino';
import { createApp } from '../../src/server/app.js';
import type { SpawnService } from '../../src/contracts/service.js';
import { createMetrics, type EventSource } from '../../src/server/metrics.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/server.js';
import { closeAfterLastFile, sharedAcrossFiles } from '../helpers/across-files.js';

export const ROOT = process.cwd();
export const STATIC_DIR = join(ROOT, 'web', 'dist');
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
export const CHROMIUM = '/usr/bin/chromium';

/** Builds web/dist unless it is there already (CI builds it first with `npm run build:web`). */
function ensureDashboardBuilt(): void {
  if (existsSync(join(STATIC_DIR, 'index.html'))) return;
  execFileSync(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

async function launchBrowser(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

let sharedBrowser: Promise<Browser> | undefined;

/**
 * Chromium costs a second or more of CPU to start: the files of one process share one, each with
 * pages (so browser contexts, cookies and storage) of its own. A file run alone has its own.
 */
function openBrowser(): Promise<Browser> {
  if (!sharedAcrossFiles()) return launchBrowser();
  if (!sharedBrowser) {
    sharedBrowser = launchBrowser();
    closeAfterLastFile(async () => {
      const browser = sharedBrowser;
      sharedBrowser = undefined;
      await browser?.then((b) => b.close(), () => {});
    });
  }
  return sharedBrowser;
}

async function serve(service: SpawnService, apiToken: string): Promise<RunningHttpServer> {
  const logger = pino({ level: 'warn' });
  const metrics = createMetrics(service, { logger });
  // The controller's task events feed the duration histogram, when the service exposes them.
  const emitter = [service, (service as { controller?: unknown }).controller].find(
    (e): e is EventSource => typeof (e as Partial<EventSource> | undefined)?.on === 'function',
  );
  if (emitter) metrics.bindController(emitter);
  const app = createApp({ service, apiToken, logger, metrics, staticDir: STATIC_DIR });
  return startHttpServer({ app, port: 0, host: '127.0.0.1', apiToken, logger });
}

/** One suite's dashboard: its fields are set once the suite's `before` has run. */
export interface DashboardUnderTest<S extends SpawnService> {
  service: S;
  server: RunningHttpServer;
  browser: Browser;
  /** a desktop-sized (1280 × 900) page, not yet opened on the dashboard */
  page: Page;
  /** what the page raised (watchPageErrors) */
  pageErrors: string[];
}

/**
 * Registers, in the calling suite, a `before` that builds the dashboard if needed, starts the
 * service, serves it with `token` and opens a desktop page in Chromium, and an `after` that
 * closes the page (and the browser, unless the process shares it across files) and the server,
 * then stops the service (`stop`: none by default).
 */
export function dashboardUnderTest<S extends SpawnService>(
  token: string,
  start: () => Promise<S>,
  stop: (service: S) => Promise<void> = async () => {},
): DashboardUnderTest<S> {
  const ui = {} as DashboardUnderTest<S>;
  before(async () => {
    ensureDashboardBuilt();
    ui.service = await start();
    ui.server = await serve(ui.service, token);
    ui.browser = await openBrowser();
    ui.page = await ui.browser.newPage({ viewport: { width: 1280, height: 900 } });
    ui.pageErrors = watchPageErrors(ui.page);
  });
  after(async () => {
    // The page's own context goes with it; a shared browser stays for the process's next file.
    await ui.page?.close();
    if (!sharedAcrossFiles()) await ui.browser?.close();
    await ui.server?.close();
    if (ui.service) await stop(ui.service);
  });
  return ui;
}

/** Errors the page itself raised (exceptions, CSP violations); failed fetches are not counted. */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Uncaught|React/i.test(msg.text())) errors.push(msg.text());
  });
  return errors;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export async function numberIn(page: Page, testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).textContent()) ?? '';
  const n = Number(text.replace(/[^\d.-]/g, ''));
  assert.ok(Number.isFinite(n) && text.trim() !== '', `${testId} shows '${text}', not a number`);
  return n;
}

/** Waits until `read()` returns a value `accept` likes, or fails naming what it last saw. */
export async function eventually<T>(what: string, read: () => Promise<T>, accept: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await read();
      if (accept(last)) return last;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function apiPost(server: RunningHttpServer, path: string, body: unknown, token: string): Promise<unknown> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const json: unknown = await res.json();
  assert.equal(res.status, 200, `POST ${path}: ${JSON.stringify(json)}`);
  return json;
}

export async function saveTokenInUi(page: Page, token: string): Promise<void> {
  await page.getByTestId('token-input').fill(token);
  await page.getByTestId('token-save').click();
  await assert.doesNotReject(page.getByTestId('token-save').filter({ hasText: 'Saved' }).waitFor({ timeout: 5000 }));
}

/** Spawn worker (type select + button) adds a row to the worker table. */
export async function checkSpawnAddsRow(page: Page, type: string): Promise<string> {
  const rows = page.getByTestId('worker-row');
  const before = await rows.count();
  await page.getByTestId('spawn-type').selectOption(type);
  const result = page.getByTestId('control-result');
  // An earlier control's message may still be showing: wait for the answer to this click.
  const previous = (await result.count()) > 0 ? ((await result.textContent()) ?? '') : '';
  await page.getByTestId('spawn-button').click();
  const message = await eventually(
    'the answer to Spawn',
    async () => ((await result.count()) > 0 ? ((await result.textContent()) ?? '') : ''),
    (text) => text !== previous && /Spawned|failed/.test(text),
    15_000,
  );
  const workerId = /Spawned (\S+)/.exec(message)?.[1];
  assert.ok(workerId, `spawn did not succeed: ${message}`);
  await eventually('a new worker row', () => rows.count(), (n) => n === before + 1);
  await page.locator(`[data-testid="worker-row"][data-worker-id="${workerId}"]`).waitFor({ timeout: 10_000 });
  return workerId;
}

/** Clicks Retry on the failure of `taskId` and waits for the server's 200 and the UI's word. */
export async function checkRetry(page: Page, taskId: string): Promise<void> {
  const row = page.locator(`[data-testid="failure-row"][data-task-id="${taskId}"]`);
  await row.waitFor({ timeout: 30_000 });
  const response = page.waitForResponse(
    (r) => r.request().method() === 'POST' && r.url().endsWith(`/api/dead-letters/${encodeURIComponent(taskId)}/retry`),
  );
  await row.getByTestId('retry-button').click();
  const res = await response;
  assert.equal(res.status(), 200, `retry answered ${res.status()}: ${await res.text()}`);
  await page.getByTestId('retry-result').filter({ hasText: `Requeued ${taskId}` }).waitFor({ timeout: 10_000 });
}

/** At phone width (390 px) nothing sticks out past the viewport, except what scrolls inside its own container. */
export async function assertNoSidewaysOverflow(page: Page): Promise<void> {
  // A string, because this program is type-checked without the DOM library.
  const report = await page.evaluate<{ width: number; scrollWidth: number; overflowing: string[] }>(`(() => {
    const width = document.documentElement.clientWidth;
    const scrollers = [...document.querySelectorAll('.table-scroll, .tabs, [data-testid="worker-table-scroll"]')];
    const overflowing = [];
    for (const el of document.body.querySelectorAll('*')) {
      if (scrollers.some((s) => s !== el && s.contains(el))) continue;
      const r = el.getBoundingClientRect();
      if (r.width > 0 && (r.right > width + 0.5 || r.left < -0.5)) {
        overflowing.push(el.tagName.toLowerCase() + '.' + el.className + ' [' + Math.round(r.left) + '..' + Math.round(r.right) + ']');
      }
    }
    return { width, scrollWidth: document.documentElement.scrollWidth, overflowing: overflowing.slice(0, 10) };
  })()`);
  assert.equal(report.width, 390);
  assert.deepEqual(report.overflowing, [], 'elements wider than the viewport');
  assert.ok(report.scrollWidth <= report.width, `page scrolls sideways: ${report.scrollWidth} > ${report.width}`);
}

/**
 * At phone width nothing may stick out past the viewport, and the worker table's own container
 * fits it and scrolls sideways instead.
 */
export async function checkPhoneLayout(page: Page): Promise<void> {
  await assertNoSidewaysOverflow(page);
  // A string, because this program is type-checked without the DOM library.
  const table = await page.evaluate<{ fits: boolean; scrolls: boolean }>(`(() => {
    const scroller = document.querySelector('[data-testid="worker-table-scroll"]');
    const box = scroller ? scroller.getBoundingClientRect() : null;
    return {
      fits: box ? box.right <= document.documentElement.clientWidth + 0.5 : false,
      scrolls: scroller ? scroller.scrollWidth > scroller.clientWidth : false,
    };
  })()`);
  assert.ok(table.fits, 'the table container fits the viewport');
  assert.ok(table.scrolls, 'the worker table scrolls inside its container');
}
