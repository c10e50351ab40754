/**
 * Test isolation: every test gets its own database. Embedded tests use a fresh in-memory
 * PGlite; Postgres tests (when DATABASE_URL is set) get their own schema, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * `npm test` moves DATABASE_URL to SCENESCOUT_TEST_DATABASE_URL, so code under test that reads
 * the environment (spawnConfig) defaults to the embedded database; only the Postgres backend
 * below connects to Postgres, each test in its own schema.
 */
export const DATABASE_URL = process.env.SCENESCOUT_TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;

export interface Backend {
  name: 'pglite' | 'postgres';
  /** config fragment for SpawnController / openDatabase */
  /** `databaseUrl: ''` forces the embedded database even when the environment names one. */
  config(): Promise<{ databaseUrl: string; dataDir: string; schema: string }>;
}

const created: string[] = [];

export function uniqueSchema(prefix = 't'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export const pgliteBackend: Backend = {
  name: 'pglite',
  async config() {
    return { databaseUrl: '', dataDir: 'memory', schema: 'public' };
  },
};

export const postgresBackend: Backend = {
  name: 'postgres',
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

/** Drops the schemas this test file created (ours and pg-boss's). */
export async function dropCreatedSchemas(): Promise<void> {
  if (!DATABASE_URL || created.length === 0) return;
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    for (const s of created.splice(0)) {
      await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
      await client.query(`DROP SCHEMA IF EXISTS ${s}_boss CASCADE`);
    }
  } finally {
    await client.end();
  }
}
