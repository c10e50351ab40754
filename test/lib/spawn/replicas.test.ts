/** Several processes on one Postgres share the queues. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, afterEach, describe, test } from 'node:test';
import { DATABASE_URL, closeTestDatabases, postgresBackend } from '../../helpers/db.js';
import { BEHAVE_SCRIPT, assertNoneRunning, startController, stopController, until } from '../../helpers/controller.js';

const REPLICA = fileURLToPath(new URL('../../fixtures/replica.js', import.meta.url));
const children: ChildProcess[] = [];

after(closeTestDatabases);
afterEach(async () => {
  for (const ch of children.splice(0)) if (ch.exitCode === null) ch.kill('SIGKILL');
  await assertNoneRunning();
});

function startReplica(schema: string, id: string, env: Record<string, string> = {}): Promise<ChildProcess> {
  const ch = spawn(process.execPath, [REPLICA], {
    env: { ...process.env, ...env, TEST_SCHEMA: schema, TEST_REPLICA_ID: id },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(ch);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ch.kill('SIGKILL');
      reject(new Error(`replica ${id} was not ready within 30 s`));
    }, 30_000);
    ch.stdout!.on('data', (d: Buffer) => {
      if (!d.toString().includes('ready')) return;
      clearTimeout(timer);
      resolve(ch);
    });
    ch.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`replica ${id} exited with ${code} before it was ready`));
    });
  });
}


/**
 * Skipped test by test, not as a suite: node:test counts skipped tests, not skipped suites, so
 * a run without Postgres reports these as skipped instead of a quiet 0 of 0.
 */
const skip = DATABASE_URL ? false : 'needs Postgres: set DATABASE_URL (.ci/run always does)';

describe('replicas on Postgres', () => {
  test('two replicas share one queue and never run the same attempt', { skip }, async () => {
    // The controller here only sends: it has no workers of the test type.
    const c = await startController(postgresBackend);
    try {
      const schema = c.config.schema;
      await Promise.all([startReplica(schema, 'replica-a'), startReplica(schema, 'replica-b')]);
      const N = 120;
      for (let i = 0; i < N; i++) await c.distributeTask({ id: `r-${i}`, type: 'behave', priority: 0, parameters: { mode: 'sleep', ms: 20 } });
      await until('all tasks completed', async () => {
        const { rows } = await c.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM task_assignments WHERE status = 'completed'`);
        return rows[0]!.n >= N;
      });
      const { rows } = await c.db.query<{ completed: number; jobs: number; replicas: number }>(
        `SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed,
                count(DISTINCT job_id) FILTER (WHERE status = 'completed')::int AS jobs,
                count(DISTINCT replica_id)::int AS replicas
           FROM task_assignments`);
      assert.deepEqual(rows[0], { completed: N, jobs: N, replicas: 2 });
      // Never two attempts of one job at once. (A loaded machine may fail an attempt, e.g. a
      // worker missing its heartbeats, and the job is retried; that is a second attempt, after.)
      const { rows: overlapping } = await c.db.query(
        `SELECT a.job_id FROM task_assignments a JOIN task_assignments b ON a.job_id = b.job_id AND a.id < b.id
          WHERE b.assigned_at < coalesce(a.completed_at, 'infinity') AND a.assigned_at < coalesce(b.completed_at, 'infinity')`);
      assert.deepEqual(overlapping, []);
      // Both replicas heartbeat the whole time: neither takes over the other's attempts.
      const { rows: lost } = await c.db.query(`SELECT status, error FROM task_assignments WHERE status = 'lost'`);
      assert.deepEqual(lost, []);
    } finally {
      await stopController(c);
    }
  });

  test('three replicas started at once on a fresh schema all start (migrations create pg-boss too)', { skip }, async () => {
    // No controller first: the replicas race to create our tables and pg-boss's.
    const { schema } = await postgresBackend.config();
    const ready = await Promise.allSettled(['cold-a', 'cold-b', 'cold-c'].map((id) => startReplica(schema, id)));
    assert.deepEqual(ready.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ready')), ['ready', 'ready', 'ready']);
  });

  test('when a replica is killed with -9, a live replica closes its attempt as lost, marks its workers gone and retries at once', { skip }, async () => {
    const c = await startController(postgresBackend);
    try {
      const schema = c.config.schema;
      // A task timeout far longer than the test: only the heartbeat takeover can retry in time
      // (pg-boss alone would wait for the job to expire after ~66 s).
      const a = await startReplica(schema, 'replica-a', { TEST_WORKER_TIMEOUT: '60000' });
      await c.distributeTask({ id: 'orphan', type: 'behave', priority: 0, parameters: { mode: 'sleep-first' } });
      await until('replica-a running the task', async () => {
        const { rows } = await c.db.query(`SELECT 1 FROM task_assignments WHERE task_id = 'orphan' AND status = 'running' AND replica_id = 'replica-a'`);
        return rows.length > 0;
      });
      a.kill('SIGKILL');
      await startReplica(schema, 'replica-b', { TEST_WORKER_TIMEOUT: '60000' });
      const row = await until('replica-b completing the task', async () => {
        const { rows } = await c.db.query<{ replica_id: string; retry_count: number; result: { attempt: number } }>(
          `SELECT replica_id, retry_count, result FROM task_assignments WHERE task_id = 'orphan' AND status = 'completed'`);
        return rows[0];
      }, 40_000);
      assert.equal(row.replica_id, 'replica-b');
      assert.equal(row.retry_count, 1);
      assert.equal(row.result.attempt, 2);
      const { rows: first } = await c.db.query<{ status: string; error: string }>(
        `SELECT status, error FROM task_assignments WHERE task_id = 'orphan' AND replica_id = 'replica-a'`);
      assert.equal(first.length, 1);
      assert.equal(first[0]!.status, 'lost');
      assert.match(first[0]!.error, /^ERR_REPLICA_LOST: replica replica-a stopped heartbeating/);
      const { rows: workers } = await c.db.query<{ status: string }>(`SELECT DISTINCT status FROM worker_state WHERE replica_id = 'replica-a'`);
      assert.deepEqual(workers.map((w) => w.status), ['gone']);
      const { rows: replicas } = await c.db.query<{ replica_id: string; status: string }>(
        `SELECT replica_id, status FROM replicas WHERE replica_id IN ('replica-a', 'replica-b') ORDER BY 1`);
      assert.deepEqual(replicas, [{ replica_id: 'replica-a', status: 'lost' }, { replica_id: 'replica-b', status: 'running' }]);
    } finally {
      await stopController(c);
    }
  });

  test('a replica taken for dead while alive cannot complete or fail the job its retry now runs', { skip }, async () => {
    // A stalls (its heartbeat is made an hour old); B takes over A's attempt and runs the retry.
    const a = await startController(postgresBackend, { replicaId: 'stalled-a', replicaHeartbeatInterval: 60_000, workerTypes: { behave: { script: BEHAVE_SCRIPT, initialWorkers: 1 } } });
    const b = await startController(postgresBackend, { schema: a.config.schema, replicaId: 'live-b', replicaHeartbeatInterval: 200 });
    try {
      await a.distributeTask({ id: 'fenced', type: 'behave', priority: 0, parameters: { mode: 'sleep-first', ms: 3000 } });
      await until('A running the task', async () => {
        const { rows } = await a.db.query(`SELECT 1 FROM task_assignments WHERE task_id = 'fenced' AND status = 'running'`);
        return rows.length > 0;
      });
      await a.db.query(`UPDATE replicas SET last_heartbeat = now() - interval '1 hour' WHERE replica_id = 'stalled-a'`);
      await until('B closing A\'s attempt as lost', async () => {
        const { rows } = await a.db.query(`SELECT 1 FROM task_assignments WHERE task_id = 'fenced' AND status = 'lost'`);
        return rows.length > 0;
      });
      await b.spawnWorker('behave');
      const { rows: [retry] } = await until('B completing the retry', async () => {
        const r = await a.db.query<{ replica_id: string; retry_count: number }>(`SELECT replica_id, retry_count FROM task_assignments WHERE task_id = 'fenced' AND status = 'completed'`);
        return r.rows.length ? r : undefined;
      });
      assert.deepEqual(retry, { replica_id: 'live-b', retry_count: 1 });
      // A's worker finishes its (first) attempt 3 s in; its late end must change nothing.
      await until('A\'s worker idle again', async () => (await a.getWorkerStates()).some((w) => w.replicaId === 'stalled-a' && w.status === 'idle' && w.tasksCompleted === 1));
      await a.getWorkerStates(); // flushes A's writes
      const { rows } = await a.db.query<{ retry_count: number; status: string; replica_id: string }>(
        `SELECT retry_count, status, replica_id FROM task_assignments WHERE task_id = 'fenced' ORDER BY retry_count`);
      assert.deepEqual(rows, [
        { retry_count: 0, status: 'lost', replica_id: 'stalled-a' },
        { retry_count: 1, status: 'completed', replica_id: 'live-b' },
      ]);
      const { rows: job } = await a.db.query<{ state: string; output: { attempt?: number } }>(
        `SELECT state::text AS state, output FROM ${a.config.schema}_boss.job WHERE data->>'taskId' = 'fenced'`);
      assert.equal(job[0]!.state, 'completed');
    } finally {
      await stopController(b);
      await stopController(a);
    }
  });

  test('a job handed to a replica that died before recording its attempt is retried, not left to expire', { skip }, async () => {
    // The kill lands between pg-boss handing out the job and the replica's batched attempt write:
    // pg-boss says `active`, task_assignments has nothing. Made so by hand: handed out 5 s ago,
    // past the 3 × 200 ms a lost replica is allowed, long before pg-boss would expire it.
    const c = await startController(postgresBackend, { replicaId: 'live', replicaHeartbeatInterval: 200 });
    try {
      await c.distributeTask({ id: 'orphan', type: 'behave', priority: 0, parameters: { mode: 'ok' } });
      const boss = `${c.config.schema}_boss`;
      await c.db.query(`UPDATE ${boss}.job SET state = 'active', started_on = now() - interval '5 seconds' WHERE data->>'taskId' = 'orphan'`);
      // A job handed out a moment ago, whose attempt is on its way, is left alone.
      await c.distributeTask({ id: 'fresh', type: 'behave', priority: 0, parameters: { mode: 'ok' } });
      await c.db.query(`UPDATE ${boss}.job SET state = 'active', started_on = now() + interval '1 hour' WHERE data->>'taskId' = 'fresh'`);
      await c.spawnWorker('behave');
      const { rows: [done] } = await until('the orphan retried and completed', async () => {
        const r = await c.db.query<{ retry_count: number; status: string }>(`SELECT retry_count, status FROM task_assignments WHERE task_id = 'orphan' AND status = 'completed'`);
        return r.rows.length ? r : undefined;
      });
      assert.deepEqual(done, { retry_count: 1, status: 'completed' });
      const { rows: fresh } = await c.db.query<{ state: string; retry_count: number }>(
        `SELECT state::text AS state, retry_count FROM ${boss}.job WHERE data->>'taskId' = 'fresh'`);
      assert.deepEqual(fresh, [{ state: 'active', retry_count: 0 }]);
    } finally {
      await stopController(c);
    }
  });
});
