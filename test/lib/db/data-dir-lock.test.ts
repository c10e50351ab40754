/** An embedded data directory is open in one process at a time (src/lib/db/data-dir-lock.ts). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../../src/lib/db/connect.js';
import { DataDirInUseError } from '../../../src/lib/db/data-dir-lock.js';
import { seedDataDir } from '../../helpers/db.js';

const CONNECT = fileURLToPath(new URL('../../../src/lib/db/connect.js', import.meta.url));

/** A child process that opens `dir` with openDatabase and holds it until killed. */
function holder(dir: string): Promise<{ pid: number; kill(): Promise<void> }> {
  const code = `const { openDatabase } = await import(${JSON.stringify(CONNECT)});
    await openDatabase({ dataDir: ${JSON.stringify(dir)} });
    process.stdout.write('open\\n');
    setInterval(() => {}, 1000);`;
  // The node flags of this test process (npm test's --liftoff-only) go on to the holder, as to
  // the CLI: without them V8 also optimizes PGlite's WebAssembly, 0.4 s of CPU more.
  const child = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (status) => reject(new Error(`the holder exited (${status}) before opening ${dir}`)));
    child.stdout.setEncoding('utf8').once('data', () => {
      child.removeAllListeners('exit');
      resolve({
        pid: child.pid!,
        kill: () => new Promise((done) => {
          child.once('exit', () => done());
          child.kill('SIGKILL');
        }),
      });
    });
  });
}

describe('embedded data directory lock', () => {
  const dirs: string[] = [];
  /** A data folder holding an empty cluster: these tests are about the lock, not about initdb. */
  const seededDir = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenescout-lock-'));
    dirs.push(dir);
    await seedDataDir(join(dir, 'data'));
    return join(dir, 'data');
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('a directory another running process has open is refused, naming it; a killed holder is taken over', async () => {
    const dir = await seededDir();
    const other = await holder(dir);
    try {
      await assert.rejects(openDatabase({ dataDir: dir }), (err: Error) => {
        assert.ok(err instanceof DataDirInUseError, String(err));
        assert.match(err.message, new RegExp(`embedded database in ${dir} is in use by process ${other.pid}\\b`));
        return true;
      });
    } finally {
      await other.kill();
    }
    // SIGKILL left its lock file behind; its process is gone, so the lock is stale.
    assert.equal(readFileSync(join(dir, 'scenescout.lock'), 'utf8').trim(), String(other.pid));
    const db = await openDatabase({ dataDir: dir });
    try {
      assert.equal(readFileSync(join(dir, 'scenescout.lock'), 'utf8').trim(), String(process.pid));
      assert.deepEqual((await db.query<{ one: number }>('SELECT 1 AS one')).rows, [{ one: 1 }]);
    } finally {
      await db.close();
    }
    assert.equal(existsSync(join(dir, 'scenescout.lock')), false, 'closing releases the lock');
  });

  test('one process opens a directory once at a time; a lock naming this pid that it does not hold is stale', async () => {
    const dir = await seededDir();
    const db = await openDatabase({ dataDir: dir });
    await assert.rejects(openDatabase({ dataDir: dir }), /embedded database in .* is already open in this process/);
    await db.close();
    // As after a container restart: the server is pid 1 again, and so is the lock it left.
    writeFileSync(join(dir, 'scenescout.lock'), `${process.pid}\n`);
    const again = await openDatabase({ dataDir: dir });
    await again.close();
    assert.equal(existsSync(join(dir, 'scenescout.lock')), false);
  });
});
