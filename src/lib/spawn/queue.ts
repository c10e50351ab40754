/**
 * TaskQueue: the durable queue, pg-boss 10 on the same database as everything else.
 *
 * pg-boss owns job state (queued, active, retry, failed) and its maintenance fails the
 * active jobs of a replica that died once they expire. We add what pg-boss 10 lacks:
 * our own retry curve (multiplier and cap), dead-letter listing and retry by task id,
 * "send unless already queued or running" for singleton keys, requeueing an attempt a shutdown
 * cut off without using a retry (`release`), and failing a dead replica's attempt with the retry
 * due at once (`takeOver`, see replicas.ts). Its schema is created by our Migrator, not pg-boss.
 */
import { createHash, randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { Database, Queryable } from '../db/types.js';
import { NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RetryPolicy } from '../../config/spawn.js';
import type { SerializedError } from './protocol.js';
import type { Task, TaskState, TaskSummary } from './types.js';

export interface TaskQueueOptions {
  /** pg-boss schema */
  schema: string;
  retryPolicy: RetryPolicy;
  /** ms a worker gets per attempt; pg-boss expires jobs a little later (dead replicas) */
  workerTimeout: number;
  maintenanceIntervalSeconds: number;
  /** run pg-boss cron schedules on this replica */
  schedule: boolean;
  logger: Logger;
}

/** The payload of every job: the task as the caller gave it. */
export interface JobData {
  taskId: string;
  type: string;
  priority: number;
  parameters: Record<string, unknown>;
}

export interface FetchedJob {
  id: string;
  name: string;
  data: JobData;
  retryCount: number;
  priority: number;
}

/** `stale`: the job had moved on (another replica took it over); nothing was changed. */
export type FailOutcome = 'retry' | 'dead' | 'stale';

const NAMESPACE = 'scenescout-task:';

/** A stable job id per task id, so distributing the same task twice is a no-op. */
export function jobIdForTask(taskId: string): string {
  const h = createHash('sha1').update(NAMESPACE + taskId).digest();
  h[6] = (h[6]! & 0x0f) | 0x50; // version 5
  h[8] = (h[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function deadLetterQueue(type: string): string {
  return `${type}__dead`;
}

function adapter(q: Queryable): PgBoss.Db {
  return { executeSql: (text, values) => q.query(text, values) };
}

export class TaskQueue {
  readonly boss: PgBoss;
  private readonly known = new Set<string>();
  private readonly s: string;

  constructor(
    private readonly db: Database,
    private readonly options: TaskQueueOptions,
  ) {
    this.s = options.schema;
    this.boss = new PgBoss({
      db: adapter(db),
      schema: options.schema,
      supervise: true,
      schedule: options.schedule,
      // Our Migrator creates and upgrades pg-boss's schema under its lock (db/queue-schema.ts).
      migrate: false,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds,
      monitorStateIntervalSeconds: 60,
    } as PgBoss.ConstructorOptions);
    this.boss.on('error', (err) => options.logger.error({ err }, 'pg-boss error'));
  }

  /**
   * A type's queue (and its dead-letter queue) is made or brought up to date by the first send
   * of this process (ensureQueue), not here: each costs pg-boss a partition of its job table,
   * and most deployments and tests use few of their worker types. Nothing else needs it first:
   * fetching from a queue not made yet finds nothing, and a job, once sent, has both queues.
   */
  async start(): Promise<void> {
    await this.boss.start();
  }

  /** Whether pg-boss's tables answer: what readiness asks of the queue. */
  async answers(): Promise<boolean> {
    return this.db.query(`SELECT 1 FROM ${this.s}.queue LIMIT 1`).then(() => true, () => false);
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true, close: false } as PgBoss.StopOptions);
  }

  /** Seconds after which pg-boss fails an active job whose replica stopped answering. */
  private expireSeconds(): number {
    const margin = Math.min(30_000, Math.max(1_000, this.options.workerTimeout * 0.1));
    return Math.ceil((this.options.workerTimeout + margin) / 1000);
  }

  async ensureQueue(type: string): Promise<void> {
    if (this.known.has(type)) return;
    const dead = deadLetterQueue(type);
    for (const name of [dead, type]) {
      const existing = await this.boss.getQueue(name);
      const options: PgBoss.Queue = {
        name,
        policy: 'standard',
        retryLimit: name === dead ? 0 : this.options.retryPolicy.maxRetries,
        retryDelay: Math.max(1, Math.round(this.options.retryPolicy.initialBackoff / 1000)),
        retryBackoff: false,
        expireInSeconds: this.expireSeconds(),
        retentionMinutes: 60 * 24 * 14,
        ...(name === dead ? {} : { deadLetter: dead }),
      };
      if (!existing) {
        await this.createQueue(name, options);
      } else {
        await this.boss.updateQueue(name, options);
      }
    }
    this.known.add(type);
  }

  /**
   * pg-boss's create_queue inserts the queue row and creates its partition; replicas doing
   * that at once deadlock on the queue table. One at a time under an advisory lock, and the
   * check for an existing queue is a fresh read taken after the lock.
   */
  private async createQueue(name: string, options: PgBoss.Queue): Promise<void> {
    const { policy, retryLimit, retryDelay, retryBackoff, expireInSeconds, retentionMinutes, deadLetter } = options;
    await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${this.s}:create-queue`]);
      const { rows } = await tx.query(`SELECT 1 FROM ${this.s}.queue WHERE name = $1`, [name]);
      if (rows.length > 0) return;
      const data = { policy, retryLimit, retryDelay, retryBackoff, expireInSeconds, retentionMinutes, deadLetter };
      await tx.query(`SELECT ${this.s}.create_queue($1, $2)`, [name, JSON.stringify(data)]);
    });
  }

  /** Returns the job id, or null when a task with this id is already known. */
  async send(task: Task, db: Queryable = this.db): Promise<string | null> {
    await this.ensureQueue(task.type);
    const data: JobData = { taskId: task.id, type: task.type, priority: task.priority, parameters: task.parameters };
    return this.boss.send(task.type, data as unknown as object, {
      id: jobIdForTask(task.id),
      priority: task.priority,
      ...(task.singletonKey ? { singletonKey: task.singletonKey } : {}),
      db: adapter(db),
    });
  }

  /**
   * Sends the task unless a task with the same singleton key is queued, waiting to retry or
   * running. The advisory lock serializes replicas that try the same key at the same moment.
   */
  async sendUnique(task: Task & { singletonKey: string }, options: { whileRunning?: boolean } = {}): Promise<string | null> {
    // whileRunning: a task with the key that is running does not block a new one (it may
    // have read its input before the change this task is for); a queued one still does.
    const states = options.whileRunning ? ['created', 'retry'] : ['created', 'retry', 'active'];
    await this.ensureQueue(task.type);
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${task.type}:${task.singletonKey}`]);
      const { rows } = await tx.query(
        `SELECT 1 FROM ${this.s}.job WHERE name = $1 AND singleton_key = $2 AND state::text = ANY($3::text[]) LIMIT 1`,
        [task.type, task.singletonKey, states],
      );
      if (rows.length > 0) return null;
      return this.send(task, tx);
    });
  }

  async fetch(type: string, batchSize: number): Promise<FetchedJob[]> {
    const jobs = await this.boss.fetch<JobData>(type, { batchSize, includeMetadata: true, priority: true });
    return jobs.map((j) => ({ id: j.id, name: j.name, data: j.data, retryCount: j.retryCount, priority: j.priority }));
  }

  async complete(type: string, jobIds: string[]): Promise<void> {
    if (jobIds.length > 0) await this.boss.complete(type, jobIds);
  }

  /**
   * Fails one attempt. pg-boss moves the job to `retry` or, with no retries left, to
   * `failed` and copies it to the dead-letter queue; we then set the retry time from our
   * policy: initialBackoff × multiplier^retryCount, capped at maxBackoff.
   */
  async fail(type: string, jobId: string, error: SerializedError, retryCount?: number, db?: Queryable): Promise<FailOutcome> {
    const { initialBackoff, backoffMultiplier, maxBackoff } = this.options.retryPolicy;
    const run = async (tx: Queryable): Promise<FailOutcome> => {
      if (retryCount !== undefined && !(await this.lockActive(tx, type, jobId, retryCount))) return 'stale';
      if (error.retryable === false) {
        await tx.query(`UPDATE ${this.s}.job SET retry_limit = retry_count WHERE name = $1 AND id = $2`, [type, jobId]);
      }
      await this.boss.fail(type, jobId, { ...error }, { db: adapter(tx) });
      const { rows } = await tx.query<{ state: string }>(
        `UPDATE ${this.s}.job
            SET start_after = now() + make_interval(secs => LEAST($3::float8, $4::float8 * power($5::float8, retry_count)) / 1000.0)
          WHERE name = $1 AND id = $2 AND state = 'retry'
          RETURNING state`,
        [type, jobId, maxBackoff, initialBackoff, backoffMultiplier],
      );
      return rows.length > 0 ? 'retry' : 'dead';
    };
    return db ? run(db) : this.db.transaction(run);
  }

  /** Locks the job if it is still running as the given attempt; false when it moved on. */
  private async lockActive(tx: Queryable, type: string, jobId: string, retryCount: number): Promise<boolean> {
    const { rows } = await tx.query(
      `SELECT 1 FROM ${this.s}.job WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $3 FOR UPDATE`,
      [type, jobId, retryCount],
    );
    return rows.length > 0;
  }

  /**
   * Puts back a job whose attempt a shutdown cut off. The attempt keeps its number (the next
   * fetch counts it, as pg-boss does) and the retry limit grows by one, so a shutdown does not
   * use up a retry. It may run again at once, on any replica.
   */
  async release(type: string, jobId: string, retryCount: number, error: SerializedError): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE ${this.s}.job
          SET state = 'retry', retry_limit = retry_limit + 1, start_after = now(), output = $4::jsonb
        WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $3`,
      [type, jobId, retryCount, JSON.stringify(error)],
    );
    return rowCount > 0;
  }

  /**
   * Fails the attempt of a replica that stopped heartbeating, and makes the retry due at once
   * rather than after the backoff: the task did nothing wrong that waiting would help. A job
   * that moved on meanwhile (pg-boss expired it, or its retry already runs) is left alone.
   */
  async takeOver(type: string, jobId: string, retryCount: number, error: SerializedError): Promise<FailOutcome> {
    return this.db.transaction(async (tx) => {
      const outcome = await this.fail(type, jobId, error, retryCount, tx);
      if (outcome === 'retry') await tx.query(`UPDATE ${this.s}.job SET start_after = now() WHERE name = $1 AND id = $2 AND state = 'retry'`, [type, jobId]);
      return outcome;
    });
  }

  /** Job counts by state over the given queues. */
  async counts(types: string[]): Promise<Record<string, Record<string, number>>> {
    const { rows } = await this.db.query<{ name: string; state: string; n: number }>(
      `SELECT name, state::text AS state, count(*)::int AS n FROM ${this.s}.job WHERE name = ANY($1::text[]) GROUP BY 1, 2`,
      [types],
    );
    const out: Record<string, Record<string, number>> = {};
    for (const r of rows) (out[r.name] ??= {})[r.state] = Number(r.n);
    return out;
  }

  async listTasks(types: string[], states: string[], limit: number): Promise<TaskSummary[]> {
    const { rows } = await this.db.query<{
      id: string; name: string; state: string; priority: number; retry_count: number; data: JobData;
      created_on: Date; started_on: Date | null; completed_on: Date | null; output: { message?: string } | null;
    }>(
      `SELECT id, name, state::text AS state, priority, retry_count, data, created_on, started_on, completed_on, output
         FROM ${this.s}.job
        WHERE name = ANY($1::text[]) AND state::text = ANY($2::text[])
        ORDER BY created_on DESC
        LIMIT $3`,
      [types, states, limit],
    );
    return rows.map((r) => ({
      taskId: r.data?.taskId ?? r.id,
      jobId: r.id,
      type: r.name,
      state: (r.state === 'created' ? 'queued' : r.state) as TaskState,
      priority: r.priority,
      retryCount: r.retry_count,
      createdAt: new Date(r.created_on).toISOString(),
      startedAt: r.started_on ? new Date(r.started_on).toISOString() : null,
      completedAt: r.completed_on ? new Date(r.completed_on).toISOString() : null,
      parameters: r.data?.parameters ?? {},
      error: r.state === 'completed' ? null : (r.output?.message ?? null),
    }));
  }

  async listDeadLetters(types: string[], limit: number) {
    const { rows } = await this.db.query<{
      id: string; name: string; data: JobData; output: { message?: string; code?: string } | null; retry_limit: number; created_on: Date;
    }>(
      `SELECT id, name, data, output, retry_limit, created_on FROM ${this.s}.job
        WHERE name = ANY($1::text[]) AND state = 'created'
        ORDER BY created_on DESC LIMIT $2`,
      [types.map(deadLetterQueue), limit],
    );
    return rows.map((r) => ({
      taskId: r.data.taskId,
      jobId: r.id,
      type: r.data.type,
      error: r.output?.message ?? null,
      retryCount: r.retry_limit,
      failedAt: new Date(r.created_on).toISOString(),
      parameters: r.data.parameters,
    }));
  }

  /**
   * Moves a dead-lettered task back to its queue as a fresh job with a full retry budget, and
   * takes it off the dead-letter list. Idempotent: when the task was already retried, the job
   * that retry queued is returned (also once it has ended) and nothing new is queued. Concurrent
   * calls serialize on the dead-letter row (FOR UPDATE), so two clicks queue one job.
   */
  async retryDead(types: string[], taskId: string): Promise<{ taskId: string; jobId: string; type: string }> {
    return this.db.transaction(async (tx) => {
      const dead = await this.#lockDead(tx, types, taskId);
      if (!dead) {
        // Its job still queued or running, or the job the last retry queued whatever its state:
        // a concurrent retry that waited on the row sees it closed, and the job it queued may
        // already have ended by then (it closed in the same transaction that queued the job).
        const { rows: live } = await tx.query<{ id: string; name: string }>(
          `SELECT id, name FROM ${this.s}.job
            WHERE name = ANY($1::text[]) AND data->>'taskId' = $2
              AND (state::text = ANY($3::text[])
                   OR created_on >= (SELECT max(d.completed_on) FROM ${this.s}.job d
                                      WHERE d.name = ANY($4::text[]) AND d.data->>'taskId' = $2 AND d.output ? 'retried'))
            ORDER BY created_on DESC LIMIT 1`,
          [types, taskId, ['created', 'retry', 'active'], types.map(deadLetterQueue)],
        );
        if (live[0]) return { taskId, jobId: live[0].id, type: live[0].name };
        throw new NotFoundError(`no dead-lettered task with id ${JSON.stringify(taskId)}`);
      }
      await this.#closeDead(tx, dead, 'retried');
      const jobId = randomUUID();
      await this.boss.send(dead.data.type, dead.data as unknown as object, { id: jobId, priority: dead.data.priority, db: adapter(tx) });
      return { taskId, jobId, type: dead.data.type };
    });
  }

  /** Takes a dead-lettered task off the list without retrying it. */
  async dismissDead(types: string[], taskId: string): Promise<{ taskId: string; dismissed: true }> {
    return this.db.transaction(async (tx) => {
      const dead = await this.#lockDead(tx, types, taskId);
      if (!dead) throw new NotFoundError(`no dead-lettered task with id ${JSON.stringify(taskId)}`);
      await this.#closeDead(tx, dead, 'dismissed');
      return { taskId, dismissed: true as const };
    });
  }

  async #lockDead(tx: Queryable, types: string[], taskId: string): Promise<{ id: string; name: string; data: JobData } | undefined> {
    const { rows } = await tx.query<{ id: string; name: string; data: JobData }>(
      `SELECT id, name, data FROM ${this.s}.job
        WHERE name = ANY($1::text[]) AND state = 'created' AND data->>'taskId' = $2
        ORDER BY created_on DESC LIMIT 1 FOR UPDATE`,
      [types.map(deadLetterQueue), taskId],
    );
    return rows[0];
  }

  /**
   * A dead-letter entry is a `created` job nobody works; closing it completes it directly.
   * (pg-boss's complete() only completes active jobs, so it left retried entries listed.)
   * Every copy of the task still listed goes, so a task dead-lettered twice leaves in one go.
   */
  async #closeDead(tx: Queryable, dead: { name: string; data: JobData }, how: 'retried' | 'dismissed'): Promise<void> {
    await tx.query(
      `UPDATE ${this.s}.job SET state = 'completed', completed_on = now(), output = jsonb_build_object($3::text, true)
        WHERE name = $1 AND state = 'created' AND data->>'taskId' = $2`,
      [dead.name, dead.data.taskId, how],
    );
  }
}
