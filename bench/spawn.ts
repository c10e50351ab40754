/**
 * npm run bench:spawn — no-op tasks through three paths on the same Postgres, in one run:
 *   1. the SpawnController (durable: pg-boss + attempt bookkeeping + worker threads)
 *   2. a bare pg-boss fetch/complete loop with the same batch size and concurrency
 *   3. an in-memory Piscina pool: the ceiling without durability
 * and the dispatch latency from distributeTask until the worker starts, with idle workers
 * waiting, against the bare send→fetch round trip. The last line is one JSON object.
 *
 *   --tasks N (default 3000)  --concurrency C (default 4)  --latency M (default 300)
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { Piscina } from 'piscina';
import { SpawnController } from '../src/lib/spawn/controller.js';
import { arg, now, percentile, round } from './lib/stats.js';

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const N = arg('tasks', 3000);
const C = arg('concurrency', 4);
const M = arg('latency', 300);
const schema = `bench_spawn_${Date.now().toString(36)}`;
const NOOP = fileURLToPath(new URL('./workers/noop-worker.js', import.meta.url));
const PISCINA_NOOP = new URL('./workers/piscina-noop.js', import.meta.url).href;

function log(msg: string): void {
  process.stdout.write(`${msg}\n`);
}

async function controllerPath() {
  const c = new SpawnController({
    databaseUrl: DATABASE_URL,
    schema,
    autoscale: false,
    pollInterval: 1000,
    schedules: { enabled: false },
    maxWorkers: C + 3,
    workerTypes: {
      discovery: { initialWorkers: 0 },
      ingestion: { initialWorkers: 0 },
      processing: { initialWorkers: 0 },
      noop: { script: NOOP, maxConcurrency: C, memoryLimit: '128MB', initialWorkers: 0 },
    },
  });
  await c.initialize();
  // Throughput: N tasks already queued, C workers start taking them.
  const jobs = Array.from({ length: N }, (_, i) => ({
    id: randomUUID(),
    name: 'noop',
    data: { taskId: `noop-${i}`, type: 'noop', priority: 0, parameters: {} },
  }));
  // Straight into pg-boss, as the bare baseline does; a type's queue is made by its first send.
  await c.queue.ensureQueue('noop');
  await c.queue.boss.insert(jobs);
  let done = 0;
  const finished = new Promise<void>((resolve) => {
    c.on('task:completed', () => {
      if (++done === N) resolve();
    });
  });
  const t0 = now();
  for (let i = 0; i < C; i++) await c.spawnWorker('noop');
  await finished;
  await c.getWorkerStates(); // flushes: every completion is durable before the clock stops
  const seconds = (now() - t0) / 1000;
  const { rows } = await c.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}_boss.job WHERE name = 'noop' AND state = 'completed'`);
  if (rows[0]!.n !== N) throw new Error(`controller completed ${rows[0]!.n} of ${N} jobs`);

  // Latency: idle workers waiting; one task at a time.
  const lat: number[] = [];
  for (let i = 0; i < M; i++) {
    const started = new Promise<number>((resolve) => {
      c.once('task:completed', (e: { result: { startedAt: number } }) => resolve(e.result.startedAt));
    });
    const t = now();
    await c.distributeTask({ id: `lat-${i}`, type: 'noop', priority: 0, parameters: {} });
    lat.push((await started) - t);
    // Idle workers waiting: let the previous task's bookkeeping land before the next one,
    // as the bare loop completes each job before it sends the next.
    await c.getWorkerStates();
  }
  await c.shutdown(1000);
  return { throughput: N / seconds, seconds, latency: lat };
}

async function barePgBossPath() {
  const boss = new PgBoss({ connectionString: DATABASE_URL, schema: `${schema}_bare`, supervise: false, schedule: false, max: C + 2 });
  boss.on('error', () => {});
  await boss.start();
  await boss.createQueue('noop');
  await boss.insert(Array.from({ length: N }, (_, i) => ({ name: 'noop', data: { i } })));
  let completed = 0;
  const t0 = now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      for (;;) {
        const jobs = await boss.fetch('noop', { batchSize: 1 });
        if (jobs.length === 0) return;
        await boss.complete('noop', jobs.map((j) => j.id));
        completed += jobs.length;
      }
    }),
  );
  const seconds = (now() - t0) / 1000;
  if (completed !== N) throw new Error(`bare pg-boss completed ${completed} of ${N}`);
  // The bare round trip: send, then fetch it.
  const rt: number[] = [];
  for (let i = 0; i < M; i++) {
    const t = now();
    await boss.send('noop', { i });
    const [job] = await boss.fetch('noop');
    rt.push(now() - t);
    await boss.complete('noop', job!.id);
  }
  await boss.stop({ graceful: false, wait: true });
  return { throughput: N / seconds, seconds, roundTrip: rt };
}

async function piscinaPath() {
  const pool = new Piscina({ filename: PISCINA_NOOP, minThreads: C, maxThreads: C });
  await Promise.all(Array.from({ length: C }, () => pool.run({})));
  const t0 = now();
  await Promise.all(Array.from({ length: N }, () => pool.run({})));
  const seconds = (now() - t0) / 1000;
  await pool.destroy();
  return { throughput: N / seconds, seconds };
}

async function main() {
  log(`bench:spawn — ${N} no-op tasks, concurrency ${C}, ${M} latency samples, Postgres schema ${schema}`);
  try {
    const bare = await barePgBossPath();
    log(`bare pg-boss fetch/complete loop: ${round(bare.throughput, 0)} tasks/s (${round(bare.seconds)} s)`);
    const ctl = await controllerPath();
    log(`SpawnController:                  ${round(ctl.throughput, 0)} tasks/s (${round(ctl.seconds)} s)`);
    const pis = await piscinaPath();
    log(`Piscina (in memory, no durability): ${round(pis.throughput, 0)} tasks/s (${round(pis.seconds)} s)`);
    const result = {
      tasks: N,
      concurrency: C,
      controller_tasks_per_s: round(ctl.throughput, 0),
      pgboss_tasks_per_s: round(bare.throughput, 0),
      piscina_tasks_per_s: round(pis.throughput, 0),
      controller_vs_pgboss: round(ctl.throughput / bare.throughput, 3),
      controller_vs_piscina: round(ctl.throughput / pis.throughput, 4),
      dispatch_p50_ms: round(percentile(ctl.latency, 50), 3),
      dispatch_p99_ms: round(percentile(ctl.latency, 99), 3),
      send_fetch_p50_ms: round(percentile(bare.roundTrip, 50), 3),
      send_fetch_p99_ms: round(percentile(bare.roundTrip, 99), 3),
    };
    log(`ratio controller / bare pg-boss: ${result.controller_vs_pgboss} (goal >= 0.8)`);
    log(`dispatch latency p50 ${result.dispatch_p50_ms} ms, p99 ${result.dispatch_p99_ms} ms; bare send→fetch p50 ${result.send_fetch_p50_ms} ms (goal: p50 <= ${round(result.send_fetch_p50_ms + 1, 3)} ms)`);
    log(JSON.stringify(result));
  } finally {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    for (const s of [schema, `${schema}_boss`, `${schema}_bare`]) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await client.end();
  }
}

await main();
