/**
 * Applies the numbered files in `sql/` once each, in order, and creates or upgrades pg-boss's
 * schema beside ours. An advisory lock makes it safe for several replicas to start at once:
 * one migrates, the others wait and find it done.
 *
 * A file whose first line is `-- migrate: no-transaction` runs outside any transaction, one
 * statement at a time: `CREATE INDEX CONCURRENTLY` (which builds an index on a live table
 * without blocking writes) refuses to run inside one. Migrations before it are committed
 * first. Such a file must be safe to run twice (IF NOT EXISTS), since replicas racing on it
 * are not serialized by the transaction's lock; its version is recorded once. PGlite has one
 * connection and nothing to run concurrently with, so there CONCURRENTLY is left out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../paths.js';
import { installQueueSchema } from './queue-schema.js';
import type { Database, Queryable } from './types.js';

const LOCK_KEY = 72_640_511; // arbitrary, constant: "scenescout migrations"
const NO_TRANSACTION = /^--\s*migrate:\s*no-transaction\b/;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = path.join(packageRoot(), 'sql')): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f, sql: readFileSync(path.join(dir, f), 'utf8') }));
}

/** Whether a migration runs outside a transaction (its first line is the marker). */
export function runsWithoutTransaction(m: Migration): boolean {
  return NO_TRANSACTION.test(m.sql.trimStart());
}

/**
 * The statements of a no-transaction migration: split at semicolons that end a line, comment
 * lines dropped. (Such files hold plain DDL: no function bodies or strings spanning lines.)
 */
export function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !/^\s*--/.test(line))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export class Migrator {
  constructor(
    private readonly db: Database,
    private readonly migrations: Migration[] = loadMigrations(),
  ) {}

  /**
   * Returns the names of the migrations this call applied. With `queueSchema`, pg-boss's
   * tables in that schema are created or upgraded in the last locked transaction.
   */
  async migrate(options: { queueSchema?: string } = {}): Promise<string[]> {
    const applied: string[] = [];
    for (;;) {
      // Transactional migrations up to the next no-transaction one, under the lock.
      const { names, next } = await this.db.transaction(async (tx) => {
        // Transaction-scoped lock: released on COMMIT/ROLLBACK even if this process dies.
        await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
        await ensureTable(tx);
        const done = await doneVersions(tx);
        const names: string[] = [];
        for (const m of this.migrations) {
          if (done.has(m.version)) continue;
          if (runsWithoutTransaction(m)) return { names, next: m };
          await tx.query(m.sql);
          await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          names.push(m.name);
        }
        if (options.queueSchema) await installQueueSchema(tx, options.queueSchema);
        return { names, next: null as Migration | null };
      });
      applied.push(...names);
      if (next === null) return applied;
      for (const statement of splitStatements(next.sql)) {
        await this.db.query(this.db.kind === 'pglite' ? statement.replace(/\bCONCURRENTLY\s+/gi, '') : statement);
      }
      const { rowCount } = await this.db.query(
        'INSERT INTO schema_migrations (version, name) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING',
        [next.version, next.name],
      );
      if (rowCount > 0) applied.push(next.name);
    }
  }

  async currentVersion(): Promise<number> {
    const { rows } = await this.db.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    return Number(rows[0]?.v ?? 0);
  }
}

async function ensureTable(tx: Queryable): Promise<void> {
  await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
  )`);
}

async function doneVersions(tx: Queryable): Promise<Set<number>> {
  const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
  return new Set(rows.map((r) => Number(r.version)));
}
