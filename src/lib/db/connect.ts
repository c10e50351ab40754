/**
 * Opens the system of record: Postgres through `pg` when a URL is given, otherwise the
 * embedded PGlite. Both speak the same SQL, and both are wrapped in the same `Database`.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ConfigError } from '../errors.js';
import { redactText, redactUrl } from '../redact.js';
import { lockDataDir } from './data-dir-lock.js';
import { extractEmptyCluster, isNewCluster, openEmptyCluster } from './empty-cluster.js';
import { pgliteOptions } from './pglite-options.js';
import { timestamptzReader } from './timestamptz.js';
import { GENERIC_PLAN, type Database, type Queryable, type QueryResult } from './types.js';

export interface OpenDatabaseOptions {
  databaseUrl?: string;
  /** embedded data directory or 'memory' */
  dataDir?: string;
  /** schema for our tables; created when missing */
  schema?: string;
  /** pool size in Postgres mode */
  max?: number;
  applicationName?: string;
  /**
   * Postgres: send long parameterized statements (the searches) as named prepared statements,
   * so each connection parses them once (default true; see
   * `preparedStatementName`). Off for a pooler in transaction mode that cannot keep them.
   */
  preparedStatements?: boolean;
  /**
   * An embedded instance to share instead of opening one (tests open one per file and give
   * each test its own schema). `close()` then leaves the instance open.
   */
  pglite?: PGliteInstance;
}

type PGliteInstance = import('@electric-sql/pglite').PGlite;

/** Tests open their own shared instance with the same extensions. */
export { pgliteExtensions } from './pglite-options.js';

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const schema = options.schema ?? 'public';
  assertIdentifier(schema);
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, schema, options.max ?? 10, options.applicationName, options.preparedStatements ?? true)
    : options.pglite
      ? wrapPglite(options.pglite, schema, async () => {}, true)
      : openPglite(options.dataDir ?? 'memory', schema);
}

/**
 * The first connection failed: say which server (the URL without its password) and what to
 * check, rather than a bare `connect ECONNREFUSED`.
 */
function unreachable(databaseUrl: string, err: unknown): ConfigError {
  const e = err as { code?: string; message?: string };
  const where = redactUrl(databaseUrl);
  const reason = e.message ? redactText(e.message, passwordOf(databaseUrl)) : String(err);
  const hint =
    e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' || e.code === 'ETIMEDOUT' || /timeout/i.test(reason)
      ? 'check that Postgres is running and that the host and port in DATABASE_URL reach it'
      : e.code === '28P01' || e.code === '28000'
        ? 'check the user and password in DATABASE_URL'
        : e.code === '3D000'
          ? 'check the database name in DATABASE_URL (create it first)'
          : 'check DATABASE_URL and that the server accepts connections from this host';
  return new ConfigError(`cannot reach the database at ${where} (DATABASE_URL): ${reason}; ${hint}`, { cause: err });
}

function passwordOf(databaseUrl: string): string[] {
  try {
    const p = decodeURIComponent(new URL(databaseUrl).password);
    return p ? [p] : [];
  } catch {
    return [];
  }
}

function assertIdentifier(name: string): void {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`schema must be a lower-case SQL identifier, got ${JSON.stringify(name)}`);
}

// pg returns int8/numeric as strings; counts and ids we read are small enough for numbers.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));
// timestamptz: the same Dates, read without pg's regular expressions (timestamptz.ts).
pg.types.setTypeParser(1184, timestamptzReader(pg.types.getTypeParser(1184)));

export function postgresPoolConfig(databaseUrl: string, schema: string, max: number, applicationName = 'scenescout', plans: 'custom' | 'generic' = 'custom'): pg.PoolConfig {
  return {
    connectionString: databaseUrl,
    max,
    application_name: applicationName,
    // Every connection resolves unqualified names in our schema first. No JIT compilation: it
    // starts when a plan's estimated cost passes jit_above_cost, and a text search page's plan
    // counts parts that never run once the page is full (src/lib/db/queries/events.ts, weekWalk):
    // 200–600 ms of compiling for a 2 ms page. Our statements are short; none gains from it.
    // No parallel workers either: a page read in parallel waited tens of ms for the workers to
    // start, for a plan that reads a few hundred rows (and a busy API has no idle cores to lend).
    // Prepared statements are planned for each run's values, never with a generic plan: blind to
    // the values, one read 3.3M index entries for a 25 km + text search at 10M events (2.8 s).
    // Except on the second pool, for statements marked GENERIC_PLAN: planned once per
    // connection (a search by place: 1 ms of planning for 1 ms of execution at 1M events).
    options: `-c search_path=${schema},public -c jit=off -c max_parallel_workers_per_gather=0 -c plan_cache_mode=force_${plans}_plan`,
    idleTimeoutMillis: 10_000,
  };
}

/** Statements at least this long, with parameters, are prepared by name (the searches are 2–6 kB). */
export const PREPARE_MIN_LENGTH = 1000;
/** Distinct names a pool prepares at most; statements past it run unnamed, as before. */
export const PREPARE_MAX_NAMES = 500;

/**
 * The name a statement is prepared under, or undefined to send it unnamed. The searches are a
 * few long texts run with new values: prepared by name, each connection parses a text once (it
 * is still planned for each run's values, see plan_cache_mode above). Short statements gain
 * nothing, unless marked GENERIC_PLAN: their plan is kept too (one event by id; a short lookup
 * of the first week went 0.16 → 0.03 ms of Postgres CPU). The name is the text's hash, so every
 * connection gives one text the same name; at most `PREPARE_MAX_NAMES` per pool.
 */
export function preparedStatementName(text: string, hasParams: boolean, seen: Set<string>): string | undefined {
  // A statement marked GENERIC_PLAN keeps its plan only when prepared, however short.
  if (!text.startsWith(GENERIC_PLAN) && (!hasParams || text.length < PREPARE_MIN_LENGTH)) return undefined;
  const name = `scenescout_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
  if (!seen.has(name)) {
    if (seen.size >= PREPARE_MAX_NAMES) return undefined;
    seen.add(name);
  }
  return name;
}

async function openPostgres(databaseUrl: string, schema: string, max: number, applicationName: string | undefined, prepare: boolean): Promise<Database> {
  const setup = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  await setup.connect().catch((err: unknown) => {
    throw unreachable(databaseUrl, err);
  });
  try {
    // Concurrent replicas may race on CREATE SCHEMA IF NOT EXISTS; a duplicate is harmless.
    await setup.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`).catch((err: { code?: string }) => {
      if (err.code !== '23505' && err.code !== '42P06') throw err;
    });
  } finally {
    await setup.end();
  }
  // Statements marked GENERIC_PLAN run on connections of their own that keep one plan per
  // statement (opened on first use; prepared statements only). The two pools split `max`
  // (at least one connection each): two pools of `max` each ran up to twice the queries at
  // once on the same cores, and the searches that wait longest waited longer (bench:http at
  // 1M, mixed: p99 370-430 ms against 190-200 ms split).
  const genericMax = Math.max(1, Math.floor(max / 2));
  const pool = new pg.Pool(postgresPoolConfig(databaseUrl, schema, Math.max(1, max - genericMax), applicationName));
  let genericPool: pg.Pool | null = null;
  const generic = () => {
    if (genericPool) return genericPool;
    genericPool = new pg.Pool(postgresPoolConfig(databaseUrl, schema, genericMax, applicationName, 'generic'));
    genericPool.on('error', () => {});
    return genericPool;
  };
  const names = new Set<string>();
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return {
    kind: 'postgres',
    async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const name = prepare ? preparedStatementName(text, Boolean(params?.length), names) : undefined;
      const res = name
        ? await (text.startsWith(GENERIC_PLAN) ? generic() : pool).query({ name, text, values: params as unknown[] })
        : await pool.query(text, params as unknown[] | undefined);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          async query<R>(text: string, params?: readonly unknown[]) {
            const res = await client.query(text, params as unknown[] | undefined);
            return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
          },
        };
        const out = await fn(tx);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async session<T>(fn: (conn: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        return await fn({
          async query<R>(text: string, params?: readonly unknown[]) {
            const res = await client.query(text, params as unknown[] | undefined);
            return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
          },
        });
      } finally {
        client.release();
      }
    },
    async close() {
      await Promise.all([pool.end(), genericPool?.end()]);
    },
  };
}

async function openPglite(dataDir: string, schema: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  let unlock = () => {};
  // A new folder gets its cluster from the kept dump of an empty cluster, extracted file by file
  // (no PGlite needed), or, when none is kept yet, from a process of its own that runs initdb and
  // keeps the dump (pglite-initdb.ts), so the memory that takes goes with it. A new in-memory
  // instance starts from the kept dump, or runs initdb and is dumped before anything of ours is
  // written to it (openEmptyCluster).
  if (dataDir !== 'memory') {
    // A new folder is the owner's only, as Postgres keeps a cluster's.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    unlock = lockDataDir(dataDir);
    try {
      if (isNewCluster(dataDir) && !extractEmptyCluster(dataDir)) await createCluster(dataDir);
    } catch (err) {
      unlock();
      throw err;
    }
  }
  let db: PGliteInstance;
  try {
    db = dataDir === 'memory' ? await openEmptyCluster(await pgliteOptions(undefined)) : new PGlite(await pgliteOptions(dataDir));
    await db.waitReady;
  } catch (err) {
    unlock();
    throw err;
  }
  return wrapPglite(db, schema, async () => {
    try {
      await db.close();
    } finally {
      unlock();
    }
  });
}

/** Creates the cluster of a new data folder in a process of its own, so its memory goes with it (pglite-initdb.ts). */
function createCluster(dataDir: string): Promise<void> {
  const script = fileURLToPath(new URL('./pglite-initdb.js', import.meta.url));
  const child = spawn(process.execPath, [script, dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`creating the embedded database in ${dataDir} failed (${signal ?? `exit code ${code}`}): ${stderr.trim()}`)),
    );
  });
}

/**
 * The one connection of an embedded instance has one search_path. Wrappers that share an
 * instance (one per schema) set it again whenever the last query came from another wrapper,
 * and take turns: setting the path and running the query (or the whole transaction) is one
 * step that no other wrapper's query can come between.
 */
const activeSchema = new WeakMap<PGliteInstance, string>();
const turns = new WeakMap<PGliteInstance, Promise<unknown>>();

function inTurn<T>(db: PGliteInstance, step: () => Promise<T>): Promise<T> {
  const result = (turns.get(db) ?? Promise.resolve()).then(step);
  turns.set(db, result.catch(() => {}));
  return result;
}

async function wrapPglite(db: PGliteInstance, schema: string, closeInstance: () => Promise<void>, shared = false): Promise<Database> {
  const step = <T>(f: () => Promise<T>): Promise<T> => (shared ? inTurn(db, f) : f());
  await step(async () => {
    await db.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path TO ${schema}, public;`);
    activeSchema.set(db, schema);
  });
  const useSchema = async () => {
    if (activeSchema.get(db) === schema) return;
    await db.exec(`SET search_path TO ${schema}, public`);
    activeSchema.set(db, schema);
  };
  let closed = false;
  const run = async <R>(q: { query: PGliteInstance['query']; exec: PGliteInstance['exec'] }, text: string, params?: readonly unknown[]): Promise<QueryResult<R>> => {
    if (params && params.length > 0) {
      const res = await q.query<R>(text, params as unknown[]);
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    }
    // Without parameters the text may hold several statements (migrations, pg-boss DDL);
    // `exec` runs them all and the last statement's result is the answer.
    const results = await q.exec(text);
    const last = results[results.length - 1];
    return { rows: (last?.rows ?? []) as R[], rowCount: last?.affectedRows ?? last?.rows.length ?? 0 };
  };
  return {
    kind: 'pglite',
    query: (text, params) =>
      step(async () => {
        await useSchema();
        return run(db, text, params);
      }),
    transaction: (fn) =>
      step(async () => {
        await useSchema();
        return db.transaction(async (tx) => fn({ query: (text, params) => run(tx as never, text, params) }));
      }),
    // One connection is all PGlite has: a session is its queries, each taking its turn.
    session: (fn) =>
      fn({
        query: (text, params) =>
          step(async () => {
            await useSchema();
            return run(db, text, params);
          }),
      }),
    async close() {
      if (closed) return;
      closed = true;
      await closeInstance();
    },
  };
}
