/** Worker and attempt bookkeeping: `worker_state` and `task_assignments`. Batched by the StateWriter. */
import type { Queryable } from '../types.js';
import type { WorkerSnapshot } from '../../../contracts/status.js';

export interface AttemptStart {
  taskId: string;
  jobId: string;
  workerId: string;
  taskType: string;
  parameters: Record<string, unknown>;
  retryCount: number;
  replicaId: string;
  assignedAt: Date;
}

export interface AttemptEnd {
  jobId: string;
  retryCount: number;
  /** `interrupted`: the replica shut down before the attempt finished (not counted as a retry) */
  status: 'completed' | 'failed' | 'interrupted';
  result: unknown;
  error: string | null;
  durationMs: number;
  completedAt: Date;
}

export async function insertAttempts(db: Queryable, rows: AttemptStart[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO task_assignments (task_id, job_id, worker_id, task_type, parameters, status, assigned_at, retry_count, replica_id)
     SELECT t.task_id, t.job_id, t.worker_id, t.task_type, t.parameters, 'running', t.assigned_at, t.retry_count, t.replica_id
       FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[], $6::timestamptz[], $7::int[], $8::text[])
         AS t(task_id, job_id, worker_id, task_type, parameters, assigned_at, retry_count, replica_id)
     ON CONFLICT (job_id, retry_count) DO UPDATE
       SET worker_id = EXCLUDED.worker_id, status = 'running', assigned_at = EXCLUDED.assigned_at,
           replica_id = EXCLUDED.replica_id, completed_at = NULL, result = NULL, error = NULL`,
    [
      rows.map((r) => r.taskId),
      rows.map((r) => r.jobId),
      rows.map((r) => r.workerId),
      rows.map((r) => r.taskType),
      rows.map((r) => JSON.stringify(r.parameters)),
      rows.map((r) => r.assignedAt),
      rows.map((r) => r.retryCount),
      rows.map((r) => r.replicaId),
    ],
  );
}

/**
 * Ends running attempts; returns the job ids of those it ended. An attempt another replica
 * already closed as `lost` (it took this replica for dead) stays lost, and its job is not
 * this replica's to complete any more.
 */
export async function finishAttempts(db: Queryable, rows: AttemptEnd[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const res = await db.query<{ job_id: string }>(
    `UPDATE task_assignments a
        SET status = t.status, result = t.result, error = t.error, duration_ms = t.duration_ms, completed_at = t.completed_at
       FROM unnest($1::uuid[], $2::int[], $3::text[], $4::jsonb[], $5::text[], $6::int[], $7::timestamptz[])
         AS t(job_id, retry_count, status, result, error, duration_ms, completed_at)
      WHERE a.job_id = t.job_id AND a.retry_count = t.retry_count
        -- the same end written again (a flush that failed later is retried) is still ours
        AND (a.status = 'running' OR a.status = t.status)
      RETURNING a.job_id`,
    [
      rows.map((r) => r.jobId),
      rows.map((r) => r.retryCount),
      rows.map((r) => r.status),
      rows.map((r) => (r.result === undefined ? null : JSON.stringify(r.result))),
      rows.map((r) => r.error),
      rows.map((r) => Math.round(r.durationMs)),
      rows.map((r) => r.completedAt),
    ],
  );
  return new Set(res.rows.map((r) => String(r.job_id)));
}

export async function upsertWorkers(db: Queryable, rows: WorkerSnapshot[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO worker_state (worker_id, worker_type, status, current_task, tasks_completed, tasks_failed,
                               average_time_ms, error_rate, last_heartbeat, created_at, replica_id, updated_at)
     SELECT t.worker_id, t.worker_type, t.status, t.current_task, t.tasks_completed, t.tasks_failed,
            t.average_time_ms, t.error_rate, t.last_heartbeat, t.created_at, t.replica_id, now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::int[], $8::float8[],
                   $9::timestamptz[], $10::timestamptz[], $11::text[])
         AS t(worker_id, worker_type, status, current_task, tasks_completed, tasks_failed, average_time_ms, error_rate,
              last_heartbeat, created_at, replica_id)
     ON CONFLICT (worker_id) DO UPDATE SET
       status = EXCLUDED.status, current_task = EXCLUDED.current_task, tasks_completed = EXCLUDED.tasks_completed,
       tasks_failed = EXCLUDED.tasks_failed, average_time_ms = EXCLUDED.average_time_ms,
       error_rate = EXCLUDED.error_rate, last_heartbeat = EXCLUDED.last_heartbeat, updated_at = now()`,
    [
      rows.map((r) => r.workerId),
      rows.map((r) => r.workerType),
      rows.map((r) => r.status),
      rows.map((r) => r.currentTask),
      rows.map((r) => r.tasksCompleted),
      rows.map((r) => r.tasksFailed),
      rows.map((r) => (r.averageTimeMs === null ? null : Math.round(r.averageTimeMs))),
      rows.map((r) => r.errorRate),
      rows.map((r) => r.lastHeartbeat ?? r.startedAt),
      rows.map((r) => r.startedAt),
      rows.map((r) => r.replicaId),
    ],
  );
}

/** Workers of every replica that are alive: not stopped and heard from recently. */
export async function listLiveWorkers(db: Queryable, staleAfterMs: number): Promise<WorkerSnapshot[]> {
  const { rows } = await db.query<{
    worker_id: string; worker_type: string; status: string; current_task: string | null; tasks_completed: number;
    tasks_failed: number; average_time_ms: number | null; error_rate: number; last_heartbeat: Date; created_at: Date; replica_id: string;
  }>(
    `SELECT worker_id, worker_type, status, current_task, tasks_completed, tasks_failed, average_time_ms, error_rate,
            last_heartbeat, created_at, replica_id
       FROM worker_state
      WHERE status NOT IN ('stopped', 'crashed', 'gone') AND last_heartbeat > now() - make_interval(secs => $1::float8 / 1000)
      ORDER BY worker_type, created_at`,
    [staleAfterMs],
  );
  return rows.map((r) => ({
    workerId: r.worker_id,
    workerType: r.worker_type,
    status: r.status as WorkerSnapshot['status'],
    currentTask: r.current_task,
    tasksCompleted: Number(r.tasks_completed ?? 0),
    tasksFailed: Number(r.tasks_failed ?? 0),
    averageTimeMs: r.average_time_ms === null ? null : Number(r.average_time_ms),
    errorRate: Number(r.error_rate ?? 0),
    lastHeartbeat: new Date(r.last_heartbeat).toISOString(),
    startedAt: new Date(r.created_at).toISOString(),
    replicaId: r.replica_id,
  }));
}

export async function attemptStats(db: Queryable, sinceHours = 24) {
  const { rows } = await db.query<{ completed: number; failed: number; avg_ms: number | null }>(
    `SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed,
            count(*) FILTER (WHERE status = 'failed')::int AS failed,
            avg(duration_ms) FILTER (WHERE status = 'completed')::float8 AS avg_ms
       FROM task_assignments
      WHERE completed_at > now() - make_interval(hours => $1::int)`,
    [sinceHours],
  );
  const r = rows[0];
  return { completed: Number(r?.completed ?? 0), failed: Number(r?.failed ?? 0), averageMs: Number(r?.avg_ms ?? 0) };
}

export async function attemptsForTask(db: Queryable, taskId: string) {
  const { rows } = await db.query<{
    task_id: string; job_id: string; worker_id: string; status: string; retry_count: number; result: unknown; error: string | null;
    assigned_at: Date; completed_at: Date | null; duration_ms: number | null;
  }>(
    `SELECT task_id, job_id, worker_id, status, retry_count, result, error, assigned_at, completed_at, duration_ms
       FROM task_assignments WHERE task_id = $1 ORDER BY assigned_at, retry_count`,
    [taskId],
  );
  return rows;
}
