/**
 * A new embedded database starts from a copy of an empty cluster. PGlite makes a new cluster by
 * running initdb in a second instance, which costs several seconds of CPU (8–9 s on a busy 2-core
 * machine); loading a dump of an empty one costs a third of that. Every empty cluster of one
 * PGlite version is the same, so the first new database is dumped before anything is written to
 * it, and the dump is kept in `node_modules/.cache/scenescout/`. Where that folder cannot be
 * written (a read-only image), every new database runs initdb, as PGlite does by itself.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PGlite, PGliteOptions } from '@electric-sql/pglite';
import { packageRoot } from '../paths.js';

let version: string | undefined;

/** Where the dump of an empty cluster of the installed PGlite version is kept. */
export function emptyClusterPath(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot(), 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }).version;
  return join(packageRoot(), 'node_modules/.cache/scenescout', `pglite-${version}-datadir.tar`);
}

/** The kept dump, or undefined when there is none yet (or it cannot be read). */
export function readEmptyCluster(path = emptyClusterPath()): Blob | undefined {
  try {
    return existsSync(path) ? new Blob([readFileSync(path)]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps a dump of `db`, which must be a cluster nothing has been written to yet. Written under
 * a name of its own, then renamed: processes starting at the same time never read half a dump.
 * Returns whether it was kept; a cache that cannot be written is not an error.
 */
export async function keepEmptyCluster(db: PGlite, path = emptyClusterPath()): Promise<boolean> {
  let partial: string | undefined;
  try {
    const dump = Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer());
    mkdirSync(dirname(path), { recursive: true });
    partial = `${path}.${process.pid}`;
    writeFileSync(partial, dump);
    renameSync(partial, path);
    return true;
  } catch {
    if (partial) rmSync(partial, { force: true });
    return false;
  }
}

/**
 * Opens PGlite on a new, empty cluster: loaded from the kept dump, or, when none is kept yet,
 * made by initdb and dumped before anything is written to it, for the next. `options` name a
 * data folder that holds no cluster yet, or none for an in-memory instance. Where the dump
 * cannot be kept the instance is opened all the same.
 */
export async function openEmptyCluster(options: PGliteOptions, path = emptyClusterPath()): Promise<PGlite> {
  const { PGlite } = await import('@electric-sql/pglite');
  const kept = readEmptyCluster(path);
  const db = new PGlite({ ...options, ...(kept ? { loadDataDir: kept } : {}) });
  await db.waitReady;
  if (!kept) await keepEmptyCluster(db, path);
  return db;
}

/** Whether `dataDir` holds no cluster yet ('memory' never does). */
export function isNewCluster(dataDir: string): boolean {
  return dataDir === 'memory' || !existsSync(join(dataDir, 'PG_VERSION'));
}
