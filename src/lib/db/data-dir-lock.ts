/**
 * One process at a time on an embedded data directory.
 *
 * PGlite is Postgres in single-user mode, and unlike a Postgres server (postmaster.pid) it takes
 * no lock on its directory: a second process that opens it, such as `scenescout migrate` or
 * `scenescout discover --in-process` beside a running `scenescout start`, writes to the same
 * files and leaves the directory unreadable. So opening one takes a lock first: a file in the
 * directory naming the holder's process id, which appears with its content in one step. A
 * lock whose holder is no longer running is taken over; so is one naming this process's own id
 * that this process does not hold (a container's server is pid 1 again after a restart).
 */
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataDirInUseError } from '../errors.js';

export { DataDirInUseError } from '../errors.js';

const LOCK_FILE = 'scenescout.lock';

/** Directories this process holds, so a lock naming this pid can be told from a stale one. */
const held = new Set<string>();

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Creates the lock naming this process, or returns false if one exists. The file is written
 * under a name of its own and then hard-linked into place, so no other process can read it
 * empty: an empty lock would look stale and be taken over while its creator still holds it.
 */
function create(file: string): boolean {
  const own = `${file}.${process.pid}`;
  writeFileSync(own, `${process.pid}\n`);
  try {
    linkSync(own, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(own);
  }
}

/**
 * Locks `dir` (which must exist) for this process; returns the release. Throws a
 * DataDirInUseError naming the holder when another running process, or this one, has it open.
 */
export function lockDataDir(dir: string): () => void {
  const path = resolve(dir);
  const file = join(path, LOCK_FILE);
  if (held.has(path)) throw new DataDirInUseError(`the embedded database in ${dir} is already open in this process`);
  for (let attempt = 0; !create(file); attempt++) {
    const holder = holderOf(file);
    const stale = holder === null || holder === process.pid || !running(holder);
    if (!stale || attempt > 0) {
      throw new DataDirInUseError(
        `the embedded database in ${dir} is in use by process ${holder ?? '(unknown)'}: `
          + 'stop that process first, or reach its server instead (the CLI\'s --url)',
      );
    }
    try {
      unlinkSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  held.add(path);
  const release = () => {
    process.off('exit', release);
    if (!held.delete(path)) return;
    try {
      if (holderOf(file) === process.pid) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  process.on('exit', release);
  return release;
}
