/**
 * How the embedded PGlite is opened: its contrib extensions and the Postgres settings it starts
 * with. Kept apart from connect.ts (which loads `pg`) so a process that only opens PGlite, such
 * as the memory benchmark's baseline, opens it exactly as the service does.
 */
import type { PGliteOptions } from '@electric-sql/pglite';

/**
 * PGlite's WebAssembly memory only grows: whatever Postgres once allocated stays resident. Its
 * defaults are a server's (shared_buffers 128 MB, maintenance_work_mem 64 MB), so a fresh
 * instance held about 300 MB before any query of ours. Pages PGlite does not hold in its buffers
 * are read from files the operating system caches, so small buffers cost few reads; a sort or
 * index build larger than these limits spills to temporary files instead of growing the heap.
 */
export const PGLITE_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
  maintenance_work_mem: '16MB',
  work_mem: '4MB',
  temp_buffers: '4MB',
};

/** PGlite's own start parameters with ours after them (later `-c` settings win). */
export function pgliteStartParams(defaults: readonly string[]): string[] {
  return [...defaults, ...Object.entries(PGLITE_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
}

/**
 * The contrib extensions search uses (migrations 0012 and 0019): Postgres ships them in contrib, PGlite
 * bundles each as a module loaded when the instance opens. An instance opened elsewhere and
 * shared through `pglite` must load these too.
 */
export async function pgliteExtensions() {
  const [{ pg_trgm }, { unaccent }, { cube }, { btree_gist }] = await Promise.all([
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('@electric-sql/pglite/contrib/unaccent'),
    import('@electric-sql/pglite/contrib/cube'),
    import('@electric-sql/pglite/contrib/btree_gist'),
  ]);
  return { pg_trgm, unaccent, cube, btree_gist };
}

/** The options the service opens PGlite with; `dataDir` undefined is an in-memory instance. */
export async function pgliteOptions(dataDir: string | undefined): Promise<PGliteOptions> {
  const { PGlite } = await import('@electric-sql/pglite');
  return {
    ...(dataDir === undefined ? {} : { dataDir }),
    extensions: await pgliteExtensions(),
    startParams: pgliteStartParams(PGlite.defaultStartParams),
  };
}
