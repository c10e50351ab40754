/**
 * Runs several test files in one process (the entries test/groups.mjs writes for `npm test`):
 * each file is a suite of its own, so its `before`/`after`/`afterEach` hooks apply to its tests
 * only, and the files run one after another. They share the process's embedded PGlite, opened
 * once (every test still gets a schema of its own), and closed after the last file.
 *
 * Each file's duration is kept in `node_modules/.cache/scenescout/test-durations/`, for the next
 * build to balance the groups and start the longest first.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { packageRoot } from '../../src/lib/paths.js';
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
  for (const file of files) {
    describe(file.name, async () => {
      let started = 0;
      before(() => {
        started = performance.now();
      });
      await file.load();
      after(() => keepDuration(file.name, performance.now() - started));
    });
  }
  after(closeSharedPglite);
}

function keepDuration(name: string, ms: number): void {
  try {
    mkdirSync(testDurationsDir(), { recursive: true });
    writeFileSync(join(testDurationsDir(), `${encodeURIComponent(name)}.json`), JSON.stringify({ ms: Math.round(ms) }));
  } catch {
    // A cache that cannot be written only costs the next run its balance.
  }
}
