/** The one shape every storage caller uses: `pg.Pool`, a pg client, PGlite, or the worker-thread RPC. */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

export type DatabaseKind = 'postgres' | 'pglite';

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** Runs `fn` inside BEGIN/COMMIT on one connection; rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs `fn` on one connection, outside a transaction (session-level locks, CREATE INDEX CONCURRENTLY). */
  session<T>(fn: (conn: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * A statement that begins with this comment may be planned once per connection and the plan
 * reused whatever its values (Postgres: prepared by name on connections with
 * plan_cache_mode = force_generic_plan; see src/lib/db/connect.ts). Only for statements whose
 * best plan does not depend on the values: the indexes they can use are fixed by their text.
 * Elsewhere (PGlite, or statements not prepared) it is a comment.
 */
export const GENERIC_PLAN = '/* generic plan */ ';
