import { fileURLToPath } from 'node:url';
import { SpawnController, type SpawnControllerOptions } from '../../src/lib/spawn/controller.js';
import type { Backend } from './db.js';

export const BEHAVE_SCRIPT = fileURLToPath(new URL('../fixtures/workers/behave.js', import.meta.url));
export const BAD_LOAD_SCRIPT = fileURLToPath(new URL('../fixtures/workers/bad-load.js', import.meta.url));
export const BAD_INIT_SCRIPT = fileURLToPath(new URL('../fixtures/workers/bad-init.js', import.meta.url));

export type Fault = 'crash' | 'exit' | 'hang' | 'oom' | 'slow';
/** One worker file per way of misbehaving (test/fixtures/workers/<fault>.ts). */
export const FAULT_SCRIPTS: Record<Fault, string> = {
  crash: fixtureScript('crash'),
  exit: fixtureScript('exit'),
  hang: fixtureScript('hang'),
  oom: fixtureScript('oom'),
  slow: fixtureScript('slow'),
};

function fixtureScript(name: string): string {
  return fileURLToPath(new URL(`../fixtures/workers/${name}.js`, import.meta.url));
}

const running = new Set<SpawnController>();

/** A controller on the backend with a `behave` test worker type and fast timings. */
export async function startController(backend: Backend, options: SpawnControllerOptions = {}): Promise<SpawnController> {
  const db = await backend.config();
  const c = new SpawnController({
    ...db,
    pollInterval: 50,
    autoscale: false,
    // A 1.5 s window: short enough for quick fault tests, long enough that a loaded machine
    // does not read a busy worker as hung. The hang test sets its own, shorter one.
    heartbeatInterval: 500,
    shutdownGracePeriod: 2000,
    maintenanceIntervalSeconds: 1,
    schedules: { enabled: false },
    ...options,
    workerTypes: {
      discovery: { initialWorkers: 0 },
      ingestion: { initialWorkers: 0 },
      processing: { initialWorkers: 0 },
      behave: { script: BEHAVE_SCRIPT, maxConcurrency: 3, memoryLimit: '64MB', initialWorkers: 0 },
      ...options.workerTypes,
    },
    retryPolicy: { maxRetries: 2, initialBackoff: 50, backoffMultiplier: 2, maxBackoff: 1000, ...options.retryPolicy },
  });
  running.add(c);
  await c.initialize();
  return c;
}

/**
 * A controller that the tests of a describe share, each on a worker type of its own: started in
 * its `before`, stopped (stopController) in its `after`; assertNoneRunning does not count it.
 */
export async function startSharedController(backend: Backend, options: SpawnControllerOptions = {}): Promise<SpawnController> {
  const c = await startController(backend, options);
  running.delete(c);
  return c;
}

export async function stopController(c: SpawnController): Promise<void> {
  running.delete(c);
  await c.shutdown(500);
}

/** For afterEach: fails the test when a controller (and its threads) was left running. */
export async function assertNoneRunning(): Promise<void> {
  if (running.size === 0) return;
  const n = running.size;
  await Promise.all([...running].map((c) => c.shutdown(0)));
  running.clear();
  throw new Error(`${n} controller(s) were left running by the test`);
}

export function once<T = unknown>(emitter: { once(e: string, f: (v: T) => void): unknown }, event: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), timeoutMs);
    emitter.once(event, (v: T) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

/** Resolves with the first event payload that matches. */
export function waitFor<T>(emitter: { on(e: string, f: (v: T) => void): unknown; off(e: string, f: (v: T) => void): unknown }, event: string, match: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      emitter.off(event, f);
      reject(new Error(`timed out waiting for a matching ${event}`));
    }, timeoutMs);
    const f = (v: T) => {
      if (!match(v)) return;
      clearTimeout(t);
      emitter.off(event, f);
      resolve(v);
    };
    emitter.on(event, f);
  });
}

/** Polls `f` until it returns something truthy. */
export async function until<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
