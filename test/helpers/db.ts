/**
 * Test isolation: every test gets its own schema, so its own empty database. Embedded tests
 * share one in-memory PGlite per test process (opening one costs seconds, a schema milliseconds):
 * a test file run on its own, or a group of files `npm test` runs in one process (test/groups.mjs);
 * Postgres tests (when DATABASE_URL is set) get their own schema there, dropped afterwards.
 * pg-boss keeps its tables beside ours, in `<schema>_boss`, so it is fresh per test too.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openDatabase } from '../../src/lib/db/connect.js';
import { emptyClusterPath, extractEmptyCluster, openEmptyCluster } from '../../src/lib/db/empty-cluster.js';
import { pgliteOptions } from '../../src/lib/db/pglite-options.js';
import type { Database } from '../../src/lib/db/types.js';

/**
 * `npm test` moves DATABASE_URL to SCENESCOUT_TEST_DATABASE_URL, so code under test that reads
 * the environment (spawnConfig) defaults to the embedded database; only the Postgres backend
 * below connects to Postgres, each test in its own schema.
 */
export const DATABASE_URL = process.env.SCENESCOUT_TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;

/** Options for SpawnController or createService's `config`: one test's database. */
export interface TestDatabaseConfig {
  /** `''` forces the embedded database even when the environment names one. */
  databaseUrl: string;
  dataDir: string;
  schema: string;
  /** On PGlite: the test's schema on the file's shared instance, used (never closed) by the controller. */
  database?: Database;
}

export interface Backend {
  name: 'pglite' | 'postgres';
  /** A fresh, empty (unmigrated) database in a schema of its own; close() it when done. */
  open(): Promise<Database>;
  /** Controller options on a fresh schema of their own. */
  config(): Promise<TestDatabaseConfig>;
}

const created: string[] = [];

export function uniqueSchema(prefix = 't'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

let shared: Promise<PGlite> | undefined;
let keptAcrossFiles = false;

/**
 * For an entry that runs several test files in one process (test/groups.mjs): each file's
 * closeTestDatabases() leaves the embedded instance open for the next file (every test still
 * has a schema of its own), and the entry closes it with closeSharedPglite() after the last.
 */
export function keepPgliteAcrossFiles(): void {
  keptAcrossFiles = true;
}

/** Closes this process's embedded instance, if one was opened. */
export async function closeSharedPglite(): Promise<void> {
  const instance = shared;
  shared = undefined;
  await instance?.then((db) => db.close(), () => {});
}

/** This process's embedded instance, opened on first use and closed by closeTestDatabases(). */
function sharedPglite(): Promise<PGlite> {
  return (shared ??= openPgliteFromTemplate());
}

/**
 * Opened on an empty cluster as a new in-memory database is (src/lib/db/empty-cluster.ts): from
 * the kept dump, which the first file to need it makes if no start has yet.
 */
async function openPgliteFromTemplate(): Promise<PGlite> {
  // Opened as the service opens an in-memory one: the contrib extensions migration 0012 creates
  // (loaded by whoever opens the instance) and its settings (small buffers, which also spare
  // each open zeroing Postgres's default 128 MB of shared buffers, a second of CPU).
  return openEmptyCluster(await pgliteOptions(undefined));
}

/**
 * Fills `dataDir` (created if missing) with a fresh, empty cluster, as PGlite's initdb would,
 * for tests about something else than creating one (locks, the CLI against a data folder).
 */
export async function seedDataDir(dataDir: string): Promise<void> {
  if (!existsSync(emptyClusterPath())) await (await openEmptyCluster({})).close();
  if (!existsSync(emptyClusterPath())) throw new Error(`cannot write ${emptyClusterPath()}`);
  extractEmptyCluster(dataDir);
}

export const pgliteBackend: Backend = {
  name: 'pglite',
  async open() {
    return openDatabase({ pglite: await sharedPglite(), schema: uniqueSchema() });
  },
  async config() {
    // The controller's pg-boss schema is `${schema}_boss` (src/lib/spawn/runtime.ts).
    const schema = uniqueSchema();
    const database = await openDatabase({ pglite: await sharedPglite(), schema });
    return { databaseUrl: '', dataDir: 'memory', schema, database };
  },
};

export const postgresBackend: Backend = {
  name: 'postgres',
  async open() {
    const { databaseUrl, schema } = await this.config();
    return openDatabase({ databaseUrl, schema });
  },
  async config() {
    const schema = uniqueSchema();
    created.push(schema);
    return { databaseUrl: DATABASE_URL!, dataDir: 'memory', schema };
  },
};

/** The backends to run a suite on: PGlite always, Postgres when DATABASE_URL is set. */
export function backends(): Backend[] {
  return DATABASE_URL ? [pgliteBackend, postgresBackend] : [pgliteBackend];
}

/**
 * For a file's `after`: closes the shared PGlite (unless keepPgliteAcrossFiles() was called) and
 * drops the Postgres schemas the file created (ours and pg-boss's).
 */
export async function closeTestDatabases(): Promise<void> {
  if (!keptAcrossFiles) await closeSharedPglite();
  if (DATABASE_URL) await dropSchemas(DATABASE_URL, created.splice(0));
}

/** Drops schemas a test made on Postgres, each with pg-boss's beside it (`<schema>_boss`). */
export async function dropSchemas(databaseUrl: string, schemas: readonly string[]): Promise<void> {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const s of schemas) {
      await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
      await client.query(`DROP SCHEMA IF EXISTS ${s}_boss CASCADE`);
    }
  } finally {
    await client.end();
  }
}

