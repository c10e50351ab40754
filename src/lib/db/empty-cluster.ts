/**
 * A new embedded database starts from a copy of a new cluster. PGlite makes a new cluster by
 * running initdb in a second instance, which costs several seconds of CPU (8–9 s on a busy 2-core
 * machine); loading a dump of one costs a third of that. Every new cluster of one PGlite version
 * is the same, so the first new database is dumped before anything of ours is written to it, and
 * the dump is kept in `node_modules/.cache/scenescout/`. Where that folder cannot be written (a
 * read-only image), every new database runs initdb, as PGlite does by itself. A new in-memory
 * database gets the dump's files through its file system without a copy (memoryFsFrom); a new
 * data folder gets them extracted one by one, without PGlite (extractEmptyCluster).
 *
 * The dump holds the contrib extensions PGlite bundles for us (pglite-options.ts), created in
 * `public` as the migrations would: creating them costs each new database 0.2 s of CPU, which
 * the dump pays once. The migrations' CREATE EXTENSION IF NOT EXISTS then finds them there.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PGlite, PGliteOptions } from '@electric-sql/pglite';
import { packageRoot } from '../paths.js';
import { pgliteExtensions } from './pglite-options.js';
import { extractTar, tarEntries } from './untar.js';

let version: string | undefined;

/** Where the dump of a new cluster (with the bundled extensions) of the installed PGlite version is kept. */
export function emptyClusterPath(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot(), 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }).version;
  return join(packageRoot(), 'node_modules/.cache/scenescout', `pglite-${version}-datadir-extensions.tar`);
}

/** The kept dump, or undefined when there is none yet (or it cannot be read). */
export function readEmptyCluster(path = emptyClusterPath()): Buffer | undefined {
  try {
    return existsSync(path) ? readFileSync(path) : undefined;
  } catch {
    return undefined;
  }
}

/** What of Emscripten's file system the dump is written with. */
interface EmscriptenFs {
  mkdirTree(path: string, mode?: number): void;
  writeFile(path: string, data: Uint8Array, options: { canOwn: boolean }): void;
}

/**
 * PGlite's in-memory file system, holding the kept dump's files when PGlite looks for a cluster
 * (`initialSyncFs`, where a stored file system fills its memory). Each file is handed over as a
 * view of the bytes read from the dump (Emscripten's `canOwn`), so the 40 MB are read once and
 * never copied: loading the dump as a tarball copied them twice more (a slice per file, then the
 * file system's own copy), about 0.5 s of CPU per new in-memory database in a profile of
 * `scenescout discover --in-process`. A file that grows later gets storage of its own.
 */
async function memoryFsFrom(dump: Buffer, path: string) {
  const { MemoryFS } = await import('@electric-sql/pglite');
  // Read before anything is written: a dump that is not a tar fails the open here.
  const entries = [...tarEntries(dump, path)];
  return new (class KeptDumpFs extends MemoryFS {
    override async initialSyncFs(): Promise<void> {
      await super.initialSyncFs();
      const mod = this.pg!.Module;
      const fs = mod.FS as unknown as EmscriptenFs;
      const root = (mod.ENV as { PGDATA: string }).PGDATA;
      const folders = new Set<string>();
      const folder = (path: string) => {
        if (folders.has(path)) return;
        fs.mkdirTree(path);
        folders.add(path);
      };
      for (const entry of entries) {
        const target = entry.name === '' ? root : `${root}/${entry.name}`;
        if (entry.type === 'folder') folder(target);
        if (entry.type !== 'file') continue;
        folder(target.slice(0, target.lastIndexOf('/')));
        // Stamped with the time of writing, as Postgres would see a copied data folder.
        fs.writeFile(target, entry.data, { canOwn: true });
      }
    }
  })();
}

/**
 * Keeps a dump of `db`, which must be a new cluster holding nothing but the bundled extensions
 * (createBundledExtensions). Written under
 * a name of its own, then renamed: processes starting at the same time never read half a dump.
 * Returns whether it was kept; a cache that cannot be written is not an error.
 */
export async function keepEmptyCluster(db: PGlite, path = emptyClusterPath()): Promise<boolean> {
  const partial = `${path}.${process.pid}`;
  let fd: number | undefined;
  try {
    // The file is made before the dump: where the cache cannot be written (a read-only image),
    // every new database would otherwise pay for a 40 MB dump (0.3 s of CPU) only to drop it.
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(partial, 'w');
  } catch {
    return false;
  }
  try {
    writeFileSync(fd, Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer()));
    closeSync(fd);
    fd = undefined;
    renameSync(partial, path);
    return true;
  } catch {
    if (fd !== undefined) closeSync(fd);
    rmSync(partial, { force: true });
    return false;
  }
}

/**
 * Opens PGlite on a new cluster: loaded from the kept dump, or, when none is kept yet, made by
 * initdb, given the bundled extensions and dumped, for the next. `options` name a data folder
 * that holds no cluster yet, or none for an in-memory instance; the bundled extensions are
 * loaded unless they name their own. Where the dump cannot be kept the instance is opened all
 * the same.
 */
export async function openEmptyCluster(options: PGliteOptions, path = emptyClusterPath()): Promise<PGlite> {
  const { PGlite } = await import('@electric-sql/pglite');
  let kept: PGliteOptions | undefined;
  if (options.fs === undefined) {
    if (options.dataDir === undefined) {
      const dump = readEmptyCluster(path);
      if (dump) kept = { fs: await memoryFsFrom(dump, path) };
    } else if (extractEmptyCluster(options.dataDir, path)) {
      // The folder now holds the cluster: PGlite opens it as it found it.
      kept = {};
    }
  }
  const db = new PGlite({ extensions: await pgliteExtensions(), ...options, ...kept });
  await db.waitReady;
  if (!kept) {
    await createBundledExtensions(db);
    await keepEmptyCluster(db, path);
  }
  return db;
}

/** Creates each extension PGlite bundles for us in `public`, where the migrations create them. */
export async function createBundledExtensions(db: PGlite): Promise<void> {
  const names = Object.keys(await pgliteExtensions());
  await db.exec(names.map((name) => `CREATE EXTENSION IF NOT EXISTS ${name} SCHEMA public;`).join('\n'));
}

/**
 * Fills `dataDir`, which holds no cluster yet, with the kept dump's files, as PGlite would when
 * loading it, without PGlite: the next open finds a cluster. PG_VERSION, which marks a folder as
 * holding one (isNewCluster), is written last. Returns false when no dump is kept yet.
 */
export function extractEmptyCluster(dataDir: string, path = emptyClusterPath()): boolean {
  if (!existsSync(path)) return false;
  // The owner's only, as Postgres makes a cluster's files: a dump made in memory stores 0666.
  extractTar(path, dataDir, { last: ['PG_VERSION'], mask: 0o700 });
  return true;
}

/** Whether `dataDir` holds no cluster yet ('memory' never does). */
export function isNewCluster(dataDir: string): boolean {
  return dataDir === 'memory' || !existsSync(join(dataDir, 'PG_VERSION'));
}
