/**
 * Replica heartbeats (`replicas`) and what a live replica does about a dead one: close its
 * running attempts as `lost` and mark its workers `gone` (`task_assignments`, `worker_state`).
 */
import type { Queryable } from '../types.js';

export interface ReplicaRow {
  replicaId: string;
  hostname: string;
  pid: number;
  heartbeatMs: number;
}

export async function registerReplica(db: Queryable, r: ReplicaRow): Promise<void> {
  await db.query(
    `INSERT INTO replicas (replica_id, hostname, pid, status, heartbeat_ms, started_at, last_heartbeat)
     VALUES ($1, $2, $3, 'running', $4, now(), now())
     ON CONFLICT (replica_id) DO UPDATE
       SET hostname = EXCLUDED.hostname, pid = EXCLUDED.pid, status = 'running', heartbeat_ms = EXCLUDED.heartbeat_ms,
           started_at = now(), last_heartbeat = now(), stopped_at = NULL, taken_over_by = NULL`,
    [r.replicaId, r.hostname, r.pid, r.heartbeatMs],
  );
}

/** Writes the heartbeat; false when another replica has declared this one lost meanwhile. */
export async function beat(db: Queryable, replicaId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE replicas SET last_heartbeat = now() WHERE replica_id = $1 AND status = 'running'`,
    [replicaId],
  );
  return rowCount > 0;
}

export async function markReplicaStopped(db: Queryable, replicaId: string): Promise<void> {
  await db.query(`UPDATE replicas SET status = 'stopped', stopped_at = now() WHERE replica_id = $1 AND status = 'running'`, [replicaId]);
}

/**
 * Claims the replicas whose heartbeat is older than `misses` of their own intervals. The row
 * update makes one claimer win for each dead replica, however many live ones look at once.
 */
export async function claimDeadReplicas(db: Queryable, claimer: string, misses: number): Promise<string[]> {
  const { rows } = await db.query<{ replica_id: string }>(
    `UPDATE replicas SET status = 'lost', stopped_at = now(), taken_over_by = $1
      WHERE status = 'running' AND replica_id <> $1
        AND last_heartbeat < now() - make_interval(secs => $2::int * heartbeat_ms / 1000.0)
      RETURNING replica_id`,
    [claimer, misses],
  );
  return rows.map((r) => r.replica_id);
}

export interface LostAttempt {
  taskId: string;
  jobId: string;
  taskType: string;
  retryCount: number;
  replicaId: string;
}

/** Closes the running attempts of the given replicas as `lost`; returns them. */
export async function closeLostAttempts(db: Queryable, replicaIds: string[], error: string): Promise<LostAttempt[]> {
  if (replicaIds.length === 0) return [];
  const { rows } = await db.query<{ task_id: string; job_id: string; task_type: string; retry_count: number; replica_id: string }>(
    `UPDATE task_assignments
        SET status = 'lost', error = $2, completed_at = now(),
            duration_ms = (extract(epoch FROM now() - assigned_at) * 1000)::int
      WHERE status = 'running' AND replica_id = ANY($1::text[])
      RETURNING task_id, job_id, task_type, retry_count, replica_id`,
    [replicaIds, error],
  );
  return rows.map((r) => ({ taskId: r.task_id, jobId: r.job_id, taskType: r.task_type, retryCount: Number(r.retry_count), replicaId: r.replica_id }));
}

/**
 * Closes as `lost` the running attempts whose job has moved on (pg-boss expired it, or it runs
 * again as a later attempt) and whose replica is not running: a replica that died before
 * heartbeats existed, or one that stopped without writing its attempts' ends.
 */
export async function closeExpiredAttempts(db: Queryable, queueSchema: string, error: string): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE task_assignments a
        SET status = 'lost', error = $1, completed_at = now(),
            duration_ms = (extract(epoch FROM now() - a.assigned_at) * 1000)::int
      WHERE a.status = 'running'
        AND NOT EXISTS (SELECT 1 FROM replicas r WHERE r.replica_id = a.replica_id AND r.status = 'running')
        AND NOT EXISTS (SELECT 1 FROM ${queueSchema}.job j
                         WHERE j.name = a.task_type AND j.id = a.job_id AND j.state = 'active' AND j.retry_count = a.retry_count)`,
    [error],
  );
  return rowCount;
}

export interface OrphanedJob {
  taskType: string;
  jobId: string;
  retryCount: number;
}

/**
 * Jobs pg-boss has handed out (`active`) for longer than `olderThanMs` that no replica ever
 * recorded an attempt of: a replica fetches a job, then writes the attempt in its next batch
 * (src/lib/spawn/state-writer.ts), and one killed between the two leaves the job active with
 * nobody to run it until pg-boss expires it (the task's deadline, minutes). pg-boss's own
 * queues (`__pgboss…`) are not tasks.
 */
export async function selectOrphanedJobs(db: Queryable, queueSchema: string, olderThanMs: number): Promise<OrphanedJob[]> {
  const { rows } = await db.query<{ task_type: string; job_id: string; retry_count: number }>(
    `SELECT j.name AS task_type, j.id::text AS job_id, j.retry_count
       FROM ${queueSchema}.job j
      WHERE j.state = 'active' AND j.name NOT LIKE '\\_\\_pgboss%'
        AND j.started_on < now() - make_interval(secs => $1::float8 / 1000)
        AND NOT EXISTS (SELECT 1 FROM task_assignments a WHERE a.job_id = j.id AND a.retry_count = j.retry_count)`,
    [olderThanMs],
  );
  return rows.map((r) => ({ taskType: r.task_type, jobId: r.job_id, retryCount: Number(r.retry_count) }));
}

/** Marks the workers of the given replicas `gone`. */
export async function markWorkersGone(db: Queryable, replicaIds: string[]): Promise<number> {
  if (replicaIds.length === 0) return 0;
  const { rowCount } = await db.query(
    `UPDATE worker_state SET status = 'gone', current_task = NULL, updated_at = now()
      WHERE replica_id = ANY($1::text[]) AND status NOT IN ('stopped', 'crashed', 'gone')`,
    [replicaIds],
  );
  return rowCount;
}

/**
 * "Discover at start" once per deployment: true for the one replica that claims `name` when
 * no replica did within `withinMs` (a rolling restart of N replicas runs it once).
 */
export async function claimStartupRun(db: Queryable, name: string, replicaId: string, withinMs: number): Promise<boolean> {
  const { rows } = await db.query(
    `INSERT INTO startup_runs (name, replica_id, ran_at) VALUES ($1, $2, now())
     ON CONFLICT (name) DO UPDATE SET replica_id = EXCLUDED.replica_id, ran_at = now()
       WHERE startup_runs.ran_at < now() - make_interval(secs => $3::float8 / 1000)
     RETURNING 1`,
    [name, replicaId, withinMs],
  );
  return rows.length > 0;
}
