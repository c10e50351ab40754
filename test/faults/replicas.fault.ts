/**
 * Replica faults, on scratch servers (test/faults/scratch.ts), with real replica processes
 * (test/fixtures/replica.ts) at the default timings unless a scenario says otherwise:
 *   replica-kill      3 replicas, 1,000 tasks, `kill -9` of one; times the takeover
 *   postgres-restart  the database restarts under 2 replicas running tasks
 *   redis-stopped     Redis dies under the provider limiter; daily budgets go on in Postgres
 *   worker-faults     workers that crash, exit, hang and run out of memory
 *   cold-start        3 replicas started at once on a fresh schema
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SpawnController } from '../../src/lib/spawn/controller.js';
import { createProviderLimiter } from '../../src/lib/api/rate-limit.js';
import { openDatabase } from '../../src/lib/db/connect.js';
import { Migrator } from '../../src/lib/db/migrator.js';
import { Redis } from 'ioredis';
import { FAULT_SCRIPTS, type Fault } from '../helpers/controller.js';
import type { FaultScenario, Figures } from './scenario.js';
import { startScratchPostgres, startScratchRedis, type ScratchPostgres } from './scratch.js';

const REPLICA = fileURLToPath(new URL('../fixtures/replica.js', import.meta.url));
const BEHAVE = fileURLToPath(new URL('../fixtures/workers/behave.js', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The defaults a deployment runs with (SPAWN_WORKER_TIMEOUT, SPAWN_REPLICA_HEARTBEAT_INTERVAL, ...). */
const DEFAULTS = { TEST_WORKER_TIMEOUT: '300000', TEST_REPLICA_HEARTBEAT: '5000', TEST_MAINTENANCE_INTERVAL: '30', TEST_POLL_INTERVAL: '1000' };

interface Replica {
  id: string;
  child: ChildProcess;
  readyMs: number;
}

function startReplica(url: string, schema: string, id: string, env: Record<string, string>): Promise<Replica> {
  const started = performance.now();
  const child = spawn(process.execPath, [REPLICA], {
    env: { ...process.env, SCENESCOUT_TEST_DATABASE_URL: url, DATABASE_URL: '', TEST_SCHEMA: schema, TEST_REPLICA_ID: id, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`replica ${id} was not ready within 60 s`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (!d.toString().includes('ready')) return;
      clearTimeout(timer);
      resolve({ id, child, readyMs: performance.now() - started });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`replica ${id} exited with ${code} before it was ready: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

async function killAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(children.map(async (ch) => {
    if (ch.exitCode !== null || ch.signalCode) return;
    const gone = new Promise((r) => ch.once('exit', r));
    process.kill(ch.pid!, 'SIGKILL');
    await gone;
  }));
}

/** A controller in this process that only sends tasks (no workers of the test type). */
async function sender(url: string, schema: string): Promise<SpawnController> {
  const c = new SpawnController({
    databaseUrl: url, schema, autoscale: false, schedules: { enabled: false },
    workerTypes: {
      discovery: { initialWorkers: 0 }, ingestion: { initialWorkers: 0 }, processing: { initialWorkers: 0 },
      behave: { script: BEHAVE, initialWorkers: 0, maxConcurrency: 3, memoryLimit: '64MB' },
    },
  });
  await c.initialize();
  return c;
}

async function withPostgres<T>(f: (pg: ScratchPostgres) => Promise<T>): Promise<T> {
  const pg = await startScratchPostgres();
  try {
    return await f(pg);
  } finally {
    await pg.stop();
  }
}

async function sendTasks(c: SpawnController, n: number, parameters: Record<string, unknown>): Promise<void> {
  for (let i = 0; i < n; i++) await c.distributeTask({ id: `t-${i}`, type: 'behave', priority: 0, parameters });
}

async function attemptFigures(c: SpawnController) {
  const { rows } = await c.db.query<{ completed: number; attempts: number; lost_attempts: number; duplicates: number; dup_without_lost: number }>(
    `WITH per_task AS (
       SELECT task_id, count(*) AS attempts, count(*) FILTER (WHERE status = 'completed') AS completed,
              count(*) FILTER (WHERE status = 'lost') AS lost
         FROM task_assignments GROUP BY task_id)
     SELECT count(*) FILTER (WHERE completed > 0)::int AS completed,
            coalesce(sum(attempts), 0)::int AS attempts,
            coalesce(sum(lost), 0)::int AS lost_attempts,
            count(*) FILTER (WHERE attempts > 1)::int AS duplicates,
            count(*) FILTER (WHERE attempts > 1 AND lost = 0)::int AS dup_without_lost
       FROM per_task`);
  return rows[0]!;
}

const replicaKill: FaultScenario = {
  name: 'replica-kill',
  run: () => withPostgres(async (pg) => {
    const N = 1000;
    const schema = 'fault_kill';
    const children: ChildProcess[] = [];
    const c = await sender(pg.url, schema);
    try {
      const replicas = await Promise.all(['kill-a', 'kill-b', 'kill-c'].map((id) => startReplica(pg.url, schema, id, DEFAULTS)));
      children.push(...replicas.map((r) => r.child));
      await sendTasks(c, N, { mode: 'sleep', ms: 300 });
      const victim = replicas[0]!;
      // Kill once a third is done, while the victim runs a task it started under 150 ms ago: a
      // task lasts 300 ms, so it is still running when the kill lands. (Any running task was not
      // enough: on a slow machine the ones seen had ended by then, and the kill cut nothing off.)
      const killBy = Date.now() + 120_000;
      for (;;) {
        const { rows } = await c.db.query<{ done: number; running: number }>(
          `SELECT count(*) FILTER (WHERE status = 'completed')::int AS done,
                  count(*) FILTER (WHERE status = 'running' AND replica_id = $1
                                     AND assigned_at > now() - interval '150 milliseconds')::int AS running FROM task_assignments`, [victim.id]);
        if (rows[0]!.done >= N / 3 && rows[0]!.running > 0) break;
        assert.ok(Date.now() < killBy, 'the victim never started a task to cut off');
        await sleep(20);
      }
      const { rows: [{ now: killedAt }] } = await c.db.query<{ now: Date }>('SELECT now()');
      process.kill(victim.child.pid!, 'SIGKILL');
      const deadline = Date.now() + 240_000;
      for (;;) {
        const { rows } = await c.db.query<{ n: number }>(`SELECT count(DISTINCT task_id)::int AS n FROM task_assignments WHERE status = 'completed'`);
        if (rows[0]!.n >= N) break;
        assert.ok(Date.now() < deadline, `only ${rows[0]!.n} of ${N} tasks completed 4 minutes after the kill`);
        await sleep(250);
      }
      // The retries of the attempts the kill cut off: when the first of them started.
      const { rows: [takeover] } = await c.db.query<{ first_retry_s: number | null; last_retry_s: number | null; cut: number }>(
        `SELECT extract(epoch FROM min(r.assigned_at) - $1::timestamptz)::float8 AS first_retry_s,
                extract(epoch FROM max(r.assigned_at) - $1::timestamptz)::float8 AS last_retry_s,
                count(DISTINCT l.job_id)::int AS cut
           FROM task_assignments l JOIN task_assignments r ON r.job_id = l.job_id AND r.retry_count > l.retry_count
          WHERE l.status = 'lost' AND l.replica_id = $2`, [killedAt, victim.id]);
      const f = await attemptFigures(c);
      const { rows: stolen } = await c.db.query(`SELECT 1 FROM task_assignments WHERE status = 'lost' AND replica_id <> $1`, [victim.id]);
      const figures: Figures = {
        tasks: N,
        completed: f.completed,
        lost: N - f.completed,
        lostAttempts: f.lost_attempts,
        duplicates: f.duplicates,
        secondsToRetry: Math.round((takeover?.first_retry_s ?? -1) * 10) / 10,
        secondsToLastRetry: Math.round((takeover?.last_retry_s ?? -1) * 10) / 10,
        liveAttemptsTakenOver: stolen.length,
      };
      assert.equal(figures.lost, 0, 'every task completed');
      assert.ok(f.lost_attempts > 0, 'the kill cut off at least one attempt');
      assert.equal(f.dup_without_lost, 0, 'duplicates only for attempts the kill cut off');
      assert.equal(stolen.length, 0, 'no attempt of a live replica was taken over');
      assert.ok(takeover?.first_retry_s !== null && takeover!.first_retry_s! <= 30, `retry started ${takeover?.first_retry_s} s after the kill (goal ≤ 30 s)`);
      return figures;
    } finally {
      await killAll(children);
      await c.shutdown(0);
    }
  }),
};

const postgresRestart: FaultScenario = {
  name: 'postgres-restart',
  run: () => withPostgres(async (pg) => {
    const N = 300;
    const schema = 'fault_pg';
    const children: ChildProcess[] = [];
    try {
      const env = { ...DEFAULTS, TEST_WORKER_TIMEOUT: '20000' };
      const replicas = await Promise.all(['pg-a', 'pg-b'].map((id) => startReplica(pg.url, schema, id, env)));
      children.push(...replicas.map((r) => r.child));
      let c = await sender(pg.url, schema);
      await sendTasks(c, N, { mode: 'sleep', ms: 200 });
      // Restart once a quarter is done, with attempts running on both replicas.
      let before = 0;
      for (let i = 0; i < 600 && before < N / 4; i++) {
        await sleep(50);
        before = (await attemptFigures(c)).completed;
      }
      await c.shutdown(0);
      const t0 = performance.now();
      await pg.restart();
      const restartS = (performance.now() - t0) / 1000;
      c = await sender(pg.url, schema);
      try {
        const deadline = Date.now() + 180_000;
        let f = await attemptFigures(c);
        while (f.completed < N) {
          assert.ok(Date.now() < deadline, `only ${f.completed} of ${N} tasks completed 3 minutes after the restart`);
          await sleep(250);
          f = await attemptFigures(c);
        }
        const exited = replicas.filter((r) => r.child.exitCode !== null || r.child.signalCode).length;
        const { rows: lost } = await c.db.query(`SELECT 1 FROM task_assignments WHERE status = 'lost'`);
        const figures: Figures = {
          tasks: N, completedBeforeRestart: before, completed: f.completed, lost: N - f.completed, attempts: f.attempts,
          lostAttempts: lost.length, replicasExited: exited, restartSeconds: Math.round(restartS * 10) / 10,
        };
        assert.ok(before > 0 && before < N, 'the restart came mid-run');
        assert.equal(exited, 0, 'no replica needed a restart');
        assert.equal(lost.length, 0, 'no live replica was taken for dead');
        return figures;
      } finally {
        await c.shutdown(0);
      }
    } finally {
      await killAll(children);
    }
  }),
};

const coldStart: FaultScenario = {
  name: 'cold-start',
  run: () => withPostgres(async (pg) => {
    const children: ChildProcess[] = [];
    try {
      const started = await Promise.allSettled(['cold-a', 'cold-b', 'cold-c'].map((id) => startReplica(pg.url, 'fault_cold', id, DEFAULTS)));
      for (const r of started) if (r.status === 'fulfilled') children.push(r.value.child);
      const failed = started.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
      assert.deepEqual(failed, [], 'all 3 replicas start');
      const ms = started.map((r) => (r as PromiseFulfilledResult<Replica>).value.readyMs);
      return { replicas: 3, started: 3, slowestReadySeconds: Math.round(Math.max(...ms) / 100) / 10 };
    } finally {
      await killAll(children);
    }
  }),
};

const workerFaults: FaultScenario = {
  name: 'worker-faults',
  run: () => withPostgres(async (pg) => {
    const faults: Fault[] = ['crash', 'exit', 'hang', 'oom'];
    const c = new SpawnController({
      databaseUrl: pg.url, schema: 'fault_workers', autoscale: false, schedules: { enabled: false },
      heartbeatInterval: 1000, pollInterval: 100,
      retryPolicy: { maxRetries: 1, initialBackoff: 50 },
      workerTypes: {
        discovery: { initialWorkers: 0 }, ingestion: { initialWorkers: 0 }, processing: { initialWorkers: 0 },
        ...Object.fromEntries(faults.map((f) => [f, { script: FAULT_SCRIPTS[f], maxConcurrency: 1, memoryLimit: '64MB', initialWorkers: 1 }])),
      },
    });
    let replaced = 0;
    c.on('worker:replaced', () => replaced++);
    await c.initialize();
    try {
      for (const f of faults) await c.distributeTask({ id: `bad-${f}`, type: f, priority: 0, parameters: { ms: 60_000 } });
      const deadline = Date.now() + 120_000;
      let dead = 0;
      while (dead < faults.length) {
        assert.ok(Date.now() < deadline, `only ${dead} of ${faults.length} faulty tasks dead-lettered after 2 minutes`);
        await sleep(250);
        dead = (await c.queue.listDeadLetters(faults, 10)).length;
      }
      // Every pool healed: a healthy task of each type completes on a fresh worker.
      for (const f of faults) await c.distributeTask({ id: `ok-${f}`, type: f, priority: 0, parameters: { healthy: true } });
      let healthy = 0;
      while (healthy < faults.length) {
        assert.ok(Date.now() < deadline, 'healthy tasks did not complete after the faults');
        await sleep(100);
        const { rows } = await c.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM task_assignments WHERE task_id LIKE 'ok-%' AND status = 'completed'`);
        healthy = rows[0]!.n;
      }
      assert.ok(replaced >= faults.length * 2, `each faulty attempt's worker replaced (${replaced})`);
      return { faults: faults.length, attemptsPerFault: 2, workersReplaced: replaced, deadLettered: dead, healthyAfter: healthy };
    } finally {
      await c.shutdown(0);
    }
  }),
};

const redisStopped: FaultScenario = {
  name: 'redis-stopped',
  run: () => withPostgres(async (pg) => {
    const redisServer = await startScratchRedis();
    const db = await openDatabase({ databaseUrl: pg.url, schema: 'fault_redis' });
    const clients: Redis[] = [];
    try {
      await new Migrator(db).migrate();
      const budget = 40;
      const providers = { ics: { dailyBudget: budget, ratePerSecond: 1000 } } as never;
      // Two replicas' limiters on one Redis and one database.
      const limiters = [0, 1].map(() => {
        const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 2, enableOfflineQueue: true });
        redis.on('error', () => {});
        clients.push(redis);
        return createProviderLimiter({ providers, redis, keyPrefix: 'fault', db });
      });
      for (let i = 0; i < 10; i++) await limiters[i % 2]!.acquire('ics');
      await redisServer.stop();
      let granted = 10;
      let refused = 0;
      const t0 = performance.now();
      for (let i = 0; i < 100; i++) {
        try {
          await limiters[i % 2]!.acquire('ics');
          granted++;
        } catch {
          refused++;
        }
      }
      const msPerCall = (performance.now() - t0) / 100;
      const health = limiters[0]!.health!();
      const figures: Figures = { dailyBudget: budget, replicas: 2, granted, refused, msPerCallDuringOutage: Math.round(msPerCall * 10) / 10, redisDownReported: !health.redis.ok };
      assert.equal(granted, budget, 'two replicas share one daily budget through Postgres while Redis is down');
      assert.ok(!health.redis.ok, 'the outage shows in the limiter health');
      return figures;
    } finally {
      for (const r of clients) r.disconnect();
      await redisServer.stop();
      await db.close();
    }
  }),
};

export default [coldStart, replicaKill, postgresRestart, redisStopped, workerFaults];
