/**
 * pg-boss's own tables, created or upgraded by our Migrator inside its locked transaction.
 *
 * pg-boss guards its DDL with an advisory lock, but the lock does not refresh the backend's
 * catalog cache, so `CREATE SCHEMA IF NOT EXISTS` right after it can miss a schema another
 * replica just committed: three replicas starting at once on a fresh database crashed with a
 * duplicate key in pg_namespace. Here the check is an MVCC read of the catalog taken after our
 * lock, and pg-boss itself is started with `migrate: false`, so it never creates anything.
 */
import PgBoss from 'pg-boss';
import type { Queryable } from './types.js';

export type QueueSchemaChange = 'created' | 'migrated' | 'current';

/** The statements of a pg-boss plan without its own BEGIN/COMMIT, to run inside our transaction. */
function unwrap(plan: string): string {
  return plan.replace(/^\s*BEGIN;/, '').replace(/COMMIT;\s*$/, '');
}

/** The pg-boss schema version this pg-boss release creates. */
export function queueSchemaVersion(): number {
  const m = /\.version\(version\) VALUES \('(\d+)'\)/.exec(PgBoss.getConstructionPlans('probe'));
  if (!m) throw new Error('cannot read the schema version from pg-boss construction plans');
  return Number(m[1]);
}

/** Call inside the migration transaction, after its advisory lock. */
export async function installQueueSchema(tx: Queryable, schema: string): Promise<QueueSchemaChange> {
  const { rows } = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename = 'version'`,
    [schema],
  );
  if (Number(rows[0]?.n ?? 0) === 0) {
    await tx.query(unwrap(PgBoss.getConstructionPlans(schema)));
    return 'created';
  }
  const { rows: v } = await tx.query<{ version: number }>(`SELECT version::int AS version FROM ${schema}.version`);
  const installed = Number(v[0]?.version ?? 0);
  if (installed >= queueSchemaVersion()) return 'current';
  await tx.query(unwrap(PgBoss.getMigrationPlans(schema, String(installed))));
  return 'migrated';
}
