/**
 * Applies the numbered files in `sql/` once each, in order, and creates or upgrades pg-boss's
 * schema beside ours. An advisory lock makes it safe for several replicas to start at once:
 * one migrates, the others wait and find it done.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../paths.js';
import { installQueueSchema } from './queue-schema.js';
import type { Database } from './types.js';

const LOCK_KEY = 72_640_511; // arbitrary, constant: "scenescout migrations"

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

export class Migrator {
  constructor(
    private readonly db: Database,
    private readonly migrations: Migration[] = loadMigrations(),
  ) {}

  /**
   * Returns the names of the migrations this call applied. With `queueSchema`, pg-boss's
   * tables in that schema are created or upgraded in the same locked transaction.
   */
  async migrate(options: { queueSchema?: string } = {}): Promise<string[]> {
    return this.db.transaction(async (tx) => {
      // Transaction-scoped lock: released on COMMIT/ROLLBACK even if this process dies.
      await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      )`);
      const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
      const done = new Set(rows.map((r) => Number(r.version)));
      const applied: string[] = [];
      for (const m of this.migrations) {
        if (done.has(m.version)) continue;
        await tx.query(m.sql);
        await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        applied.push(m.name);
      }
      if (options.queueSchema) await installQueueSchema(tx, options.queueSchema);
      return applied;
    });
  }

  async currentVersion(): Promise<number> {
    const { rows } = await this.db.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    return Number(rows[0]?.v ?? 0);
  }
}
