/**
 * The memory budget of one replica: the most its parts may take at once under a configuration.
 * Worker threads are capped (`resourceLimits`: old generation `memoryLimit`, young generation
 * `youngGenerationMb`), discovery bodies are capped (SCENESCOUT_FEED_MAX_MB, SCENESCOUT_API_MAX_MB),
 * and the rest (the main thread, the embedded database) are measured figures
 * (`npm run bench:memory`). The README's table and `test/config/memory-budget.test.ts`, which
 * holds it against the pod limit in deploy/k8s/deployment.yaml, read this.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../lib/errors.js';
import type { SpawnConfig, WorkerTypeConfig } from './spawn.js';

/** The young generation Node gives a worker thread when `resourceLimits` does not say (its `resourceLimits` reports 48). */
export const DEFAULT_YOUNG_GENERATION_MB = 48;
/** What a worker thread holds beyond its heap: its stack (4 MB), isolate and module code; measured idle at 6–15 MB. */
export const THREAD_OVERHEAD_MB = 16;
/** The main thread (HTTP, queue, controller, `pg` pool) on Postgres; measured about 100 MB. */
export const MAIN_THREAD_MB = 160;
/** The embedded database (PGlite's WebAssembly heap and code) with our settings; measured about 160 MB after a first start. */
export const PGLITE_MB = 200;

const MB = 1024 * 1024;

export interface MemoryBudgetLine {
  part: string;
  count: number;
  eachMb: number;
  totalMb: number;
}

export interface MemoryBudget {
  lines: MemoryBudgetLine[];
  totalMb: number;
}

/** MB in a memory limit such as '512MB' or '1GB'. */
export function parseMemoryLimit(limit: string, name = 'memoryLimit'): number {
  const m = /^(\d+(?:\.\d+)?)\s*(MB|GB|M|G)$/i.exec(String(limit).trim());
  if (!m) throw new ConfigError(`${name} must look like '512MB' or '1GB', got ${JSON.stringify(limit)}`);
  const n = Number(m[1]);
  return Math.round(/^g/i.test(m[2]!) ? n * 1024 : n);
}

/** The most one thread of a worker type may hold: both heap generations and the thread's own overhead. */
export function threadBudgetMb(t: WorkerTypeConfig): number {
  return parseMemoryLimit(t.memoryLimit) + (t.youngGenerationMb ?? DEFAULT_YOUNG_GENERATION_MB) + THREAD_OVERHEAD_MB;
}

/**
 * Every part at its cap at once: each type's `maxConcurrency` threads (the costliest first when
 * SPAWN_MAX_WORKERS allows fewer in all), one capped body per discovery thread, the main thread
 * and, without DATABASE_URL, the embedded database.
 */
export function memoryBudget(config: Pick<SpawnConfig, 'maxWorkers' | 'workerTypes' | 'providers' | 'databaseUrl'>): MemoryBudget {
  const lines: MemoryBudgetLine[] = [{ part: 'main thread', count: 1, eachMb: MAIN_THREAD_MB, totalMb: MAIN_THREAD_MB }];
  if (!config.databaseUrl) lines.push({ part: 'embedded database (PGlite)', count: 1, eachMb: PGLITE_MB, totalMb: PGLITE_MB });
  const types = Object.entries(config.workerTypes).map(([name, t]) => ({ name, max: t.maxConcurrency, eachMb: threadBudgetMb(t) }));
  let slots = config.maxWorkers;
  const threads = new Map<string, number>();
  for (const t of [...types].sort((a, b) => b.eachMb - a.eachMb)) {
    threads.set(t.name, Math.min(t.max, slots));
    slots -= threads.get(t.name)!;
  }
  for (const t of types) {
    const count = threads.get(t.name)!;
    if (count > 0) lines.push({ part: `${t.name} threads`, count, eachMb: t.eachMb, totalMb: count * t.eachMb });
  }
  const discoveries = threads.get('discovery') ?? 0;
  if (discoveries > 0) {
    const bodyMb = Math.ceil(Math.max(...Object.values(config.providers).map((p) => p.maxBodyBytes)) / MB);
    lines.push({ part: 'discovery bodies', count: discoveries, eachMb: bodyMb, totalMb: discoveries * bodyMb });
  }
  return { lines, totalMb: lines.reduce((sum, l) => sum + l.totalMb, 0) };
}

/** The memory limit of this process's cgroup (a container's limit), MB; undefined when there is none or it cannot be read. */
export function cgroupMemoryLimitMb(): number | undefined {
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const bytes = Number(readFileSync(file, 'utf8').trim());
      // cgroup v1 says "no limit" with a number near 2^63
      if (Number.isFinite(bytes) && bytes > 0 && bytes < 2 ** 60) return Math.floor(bytes / MB);
    } catch {
      // not there, or "max": no limit
    }
  }
  return undefined;
}
