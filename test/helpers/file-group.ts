/**
 * Runs several test files in one process (the entries test/groups.mjs writes for `npm test`):
 * each file is a suite of its own, so its `before`/`after`/`afterEach` hooks apply to its tests
 * only, and the files run one after another. They share the process's embedded PGlite, opened
 * once (every test still gets a schema of its own), and closed after the last file; so is the
 * browser of the dashboard files (each file still gets its own pages and contexts).
 *
 * Each file's duration (and CPU time) is kept in `node_modules/.cache/scenescout/test-durations/`, for the next
 * build to balance the groups and start the longest first.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { packageRoot } from '../../src/lib/paths.js';
import { closeSharedAcrossFiles, shareAcrossFiles } from './across-files.js';
import { closeSharedPglite, keepPgliteAcrossFiles } from './db.js';

export interface TestFile {
  /** The source's path from the package root, e.g. `test/lib/cities.test.ts`. */
  name: string;
  load: () => Promise<unknown>;
}

export function testDurationsDir(): string {
  return join(packageRoot(), 'node_modules/.cache/scenescout/test-durations');
}

export function runTestFiles(files: readonly TestFile[]): void {
  keepPgliteAcrossFiles();
  shareAcrossFiles();
  for (const file of files) {
    describe(file.name, async () => {
      let started = 0;
      let cpu = 0;
      before(() => {
        started = performance.now();
        cpu = cpuMs();
      });
      await file.load();
      after(() => keepDuration(file.name, performance.now() - started, cpuMs() - cpu));
    });
  }
  after(async () => {
    await closeSharedAcrossFiles();
    await closeSharedPglite();
  });
}

/**
 * CPU time of this process (its threads included) and of the child processes it has waited for
 * (the CLI runs, Chromium): where a file's time goes when the machine is busy.
 */
function cpuMs(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    // /proc/self/stat fields 16 and 17 (cutime, cstime), in clock ticks (100 a second on Linux).
    const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
    children = (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    // Not Linux: this process's own time only.
  }
  return (own.user + own.system) / 1000 + children;
}

function keepDuration(name: string, ms: number, cpu: number): void {
  try {
    mkdirSync(testDurationsDir(), { recursive: true });
    writeFileSync(join(testDurationsDir(), `${encodeURIComponent(name)}.json`), JSON.stringify({ ms: Math.round(ms), cpuMs: Math.round(cpu) }));
  } catch {
    // A cache that cannot be written only costs the next run its balance.
  }
}
