/**
 * Applies the numbered files in `sql/` once each, in order, and creates or upgrades pg-boss's
 * schema beside ours. An advisory lock makes it safe for several replicas to start at once:
 * one migrates, the others wait and find it done.
 *
 * A file whose first line is `-- migrate: no-transaction` runs outside any transaction, one
 * statement at a time: `CREATE INDEX CONCURRENTLY` (which builds an index on a live table
 * without blocking writes) refuses to run inside one. Migrations before it are committed
 * first. It runs once across replicas, under a session-level advisory lock of its own (taken
 * by polling, see runWithoutTransaction); write it to be safe to run twice anyway (IF NOT
 * EXISTS), since a replica killed halfway leaves it half done. PGlite has one
 * connection and nothing to run concurrently with, so there CONCURRENTLY is left out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { packageRoot } from '../paths.js';
import { installQueueSchema } from './queue-schema.js';
import type { Database, Queryable } from './types.js';

/** How often a replica asks again for the lock of a no-transaction migration another one runs. */
const NO_TRANSACTION_POLL_MS = 200;
const LOCK_KEY = 72_640_511; // arbitrary, constant: "scenescout migrations"
/**
 * The no-transaction migrations' own key. A replica waiting for LOCK_KEY in its transaction
 * holds a snapshot, which CREATE INDEX CONCURRENTLY waits for: were the index built under
 * LOCK_KEY, each would wait for the other.
 */
const NO_TRANSACTION_LOCK_KEY = LOCK_KEY + 1;
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
      if (await this.#runWithoutTransaction(next)) applied.push(next.name);
    }
  }

  /**
   * A no-transaction migration, once across replicas: on one connection, under a session-level
   * lock of its own, taken by polling. A replica blocked in `pg_advisory_lock` would hold a
   * snapshot that CREATE INDEX CONCURRENTLY waits for, while it waits for the lock: a deadlock.
   * True when this call applied it (false when another replica had).
   */
  async #runWithoutTransaction(m: Migration): Promise<boolean> {
    return this.db.session(async (conn) => {
      for (;;) {
        const { rows } = await conn.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [NO_TRANSACTION_LOCK_KEY]);
        if (rows[0]?.locked) break;
        await sleep(NO_TRANSACTION_POLL_MS);
      }
      try {
        if ((await doneVersions(conn)).has(m.version)) return false;
        for (const statement of splitStatements(m.sql)) {
          await conn.query(this.db.kind === 'pglite' ? statement.replace(/\bCONCURRENTLY\s+/gi, '') : statement);
        }
        await conn.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        return true;
      } finally {
        await conn.query('SELECT pg_advisory_unlock($1)', [NO_TRANSACTION_LOCK_KEY]);
      }
    });
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
