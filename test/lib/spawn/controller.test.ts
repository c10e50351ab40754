import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { SpawnController } from '../../../src/lib/spawn/controller.js';
import { attemptsForTask } from '../../../src/lib/db/queries/spawn-state.js';
import { backends, closeTestDatabases, pgliteBackend, uniqueSchema } from '../../helpers/db.js';
import { REDIS_URL, connectRedis, deleteKeys } from '../api/helpers.js';
import { DocumentMockServer } from '../api/servers/documents.js';
import { SEED_RANGE } from '../api/servers/common.js';
import { holdChannel } from '../../fixtures/workers/hold.js';
import { BAD_INIT_SCRIPT, BAD_LOAD_SCRIPT, BEHAVE_SCRIPT, assertNoneRunning, startController, startSharedController, stopController, waitFor } from '../../helpers/controller.js';

type Done = { taskId: string; result?: unknown; error?: string; outcome?: string; workerId: string };

after(closeTestDatabases);
afterEach(assertNoneRunning);

for (const backend of backends()) {
  describe(`SpawnController on ${backend.name}`, () => {
    test('spawns workers with unique ids and enforces both limits', async () => {
      const c = await startController(backend, { maxWorkers: 4 });
      try {
        const ids = await Promise.all([c.spawnWorker('behave'), c.spawnWorker('behave'), c.spawnWorker('behave')]);
        assert.equal(new Set(ids).size, 3);
        for (const id of ids) assert.match(id, /^worker-behave-\d+$/);
        await assert.rejects(c.spawnWorker('behave'), /maxConcurrency \(3\)/);
        await c.spawnWorker('discovery');
        await assert.rejects(c.spawnWorker('ingestion'), /SPAWN_MAX_WORKERS \(4\)/);
        await assert.rejects(c.spawnWorker('nope'), /unknown worker type "nope"; known types: discovery, ingestion, processing, behave/);
        // Names an object already answers to are not worker types.
        for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
          await assert.rejects(c.spawnWorker(name), { name: 'ValidationError', message: /unknown worker type/ });
        }
        const states = await c.getWorkerStates();
        assert.equal(states.length, 4);
        const { rows } = await c.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM worker_state WHERE status = 'idle'`);
        assert.equal(rows[0]!.n, 4);
      } finally {
        await stopController(c);
      }
    });

    test('a distributed task is running when distributeTask resolves and its result is recorded', async () => {
      const c = await startController(backend);
      try {
        await c.spawnWorker('behave');
        const hold = holdChannel();
        const done = waitFor<Done>(c, 'task:completed', (e) => e.taskId === 't-hold');
        try {
          await c.distributeTask({ id: 't-hold', type: 'behave', priority: 5, parameters: { mode: 'hold' } });
          const status = await c.getSystemStatus();
          assert.equal(status.activeTasks, 1);
          assert.equal(status.workers.byStatus.busy, 1);
          await hold.holding('t-hold');
          hold.release('t-hold');
        } finally {
          hold.close();
        }
        const ev = await done;
        assert.deepEqual(ev.result, { held: 't-hold' });
        const viaSend = waitFor<Done>(c, 'task:completed', (e) => e.taskId === 't-send');
        await c.distributeTask({ id: 't-send', type: 'behave', priority: 1, parameters: { mode: 'send-result' } });
        assert.deepEqual((await viaSend).result, { viaSendResult: true });
        await c.shutdown(500);
      } finally {
        await stopController(c);
      }
    });

    test('distributing the same task id twice is a no-op', async () => {
      const c = await startController(backend);
      try {
        const a = await c.distributeTask({ id: 'dup', type: 'behave', priority: 0, parameters: {} });
        const b = await c.distributeTask({ id: 'dup', type: 'behave', priority: 0, parameters: {} });
        assert.ok(a.jobId);
        assert.equal(b.jobId, null);
        assert.equal((await c.getSystemStatus()).queuedTasks, 1);
      } finally {
        await stopController(c);
      }
    });

    test('rejects malformed tasks with errors that name the problem', async () => {
      const c = await startController(backend);
      try {
        await assert.rejects(c.distributeTask({ id: '', type: 'behave', priority: 0, parameters: {} }), /invalid task: id: must not be empty/);
        await assert.rejects(c.distributeTask({ id: 'x', type: 'martian', priority: 0, parameters: {} }), /unknown worker type "martian"/);
        await assert.rejects(c.distributeTask({ id: 'x', type: 'constructor', priority: 0, parameters: {} }), /unknown worker type "constructor"/);
        await assert.rejects(c.distributeTask({ id: 'x', type: 'behave', priority: 1.5, parameters: {} }), /invalid task: priority/);
        await assert.rejects(c.distributeTask({ id: 'x', type: 'behave', priority: 0, parameters: [] as never }), /invalid task: parameters/);
        assert.equal((await c.getSystemStatus()).queuedTasks, 0, 'nothing half-written');
      } finally {
        await stopController(c);
      }
    });

    test('retries failed attempts with exponential backoff, then succeeds', async () => {
      const c = await startController(backend, { retryPolicy: { maxRetries: 3, initialBackoff: 200, backoffMultiplier: 2, maxBackoff: 10_000 } });
      try {
        await c.spawnWorker('behave');
        const done = waitFor<Done>(c, 'task:completed', (e) => e.taskId === 't-flaky', 20_000);
        await c.distributeTask({ id: 't-flaky', type: 'behave', priority: 0, parameters: { mode: 'flaky', failTimes: 2 } });
        assert.deepEqual((await done).result, { succeededOnAttempt: 3 });
        await c.getWorkerStates();
        const attempts = await attemptsForTask(c.db, 't-flaky');
        assert.deepEqual(attempts.map((a) => [a.retry_count, a.status]), [[0, 'failed'], [1, 'failed'], [2, 'completed']]);
        assert.match(attempts[0]!.error!, /flaky failure on attempt 1 \(task t-flaky, worker worker-behave-\d+, attempt 1\)/);
        const gap1 = +attempts[1]!.assigned_at - +attempts[0]!.completed_at!;
        const gap2 = +attempts[2]!.assigned_at - +attempts[1]!.completed_at!;
        assert.ok(gap1 >= 180, `first retry waited ${gap1} ms, expected ~200`);
        assert.ok(gap2 >= 380, `second retry waited ${gap2} ms, expected ~400`);
      } finally {
        await stopController(c);
      }
    });

    test('dead-letters a task that used up its retries, and retries it on demand', async () => {
      const c = await startController(backend, { retryPolicy: { maxRetries: 1 } });
      try {
        await c.spawnWorker('behave');
        const dead = waitFor<Done>(c, 'task:failed', (e) => e.taskId === 't-dead' && e.outcome === 'dead');
        await c.distributeTask({ id: 't-dead', type: 'behave', priority: 0, parameters: { mode: 'throw' } });
        await dead;
        const letters = await c.queue.listDeadLetters(c.workerTypeNames, 10);
        assert.equal(letters.length, 1);
        assert.equal(letters[0]!.taskId, 't-dead');
        assert.match(letters[0]!.error!, /boom in t-dead .*attempt 2/);
        const failed = await c.getTaskQueue({ state: 'failed' });
        assert.equal(failed[0]!.taskId, 't-dead');
        const again = waitFor<Done>(c, 'task:failed', (e) => e.taskId === 't-dead');
        const r = await c.queue.retryDead(c.workerTypeNames, 't-dead');
        assert.equal(r.taskId, 't-dead');
        await again;
        await assert.rejects(c.queue.retryDead(c.workerTypeNames, 'no-such-task'), /no dead-lettered task with id "no-such-task"/);
      } finally {
        await stopController(c);
      }
    });

    test('custom types whose script does not load get a clear error at the call', async () => {
      const c = await startController(backend, {
        workerTypes: {
          broken: { script: BAD_LOAD_SCRIPT, maxConcurrency: 1, memoryLimit: '64MB' },
          badinit: { script: BAD_INIT_SCRIPT, maxConcurrency: 1, memoryLimit: '64MB' },
          missing: { script: '/nonexistent/worker.js', maxConcurrency: 1, memoryLimit: '64MB' },
        },
      });
      try {
        const startError = (message: RegExp) => ({ name: 'WorkerStartError', code: 'ERR_WORKER_START', message });
        await assert.rejects(c.spawnWorker('broken'), startError(/worker type "broken" failed to start: this worker script is broken on purpose/));
        await assert.rejects(c.spawnWorker('badinit'), startError(/worker type "badinit" failed to start: cannot reach the provider at start/));
        await assert.rejects(c.spawnWorker('missing'), startError(/worker type "missing": script not found: \/nonexistent\/worker.js/));
        assert.equal((await c.getWorkerStates()).length, 0, 'no half-registered workers');
      } finally {
        await stopController(c);
      }
    });

    test("worker log lines below the controller's level are not sent", async () => {
      const lines: Array<{ msg: string; workerId?: string }> = [];
      const logger = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
      const c = await startController(backend, { logger, logLevel: 'info' });
      try {
        const wid = await c.spawnWorker('behave');
        const done = waitFor<Done>(c, 'task:completed', (e) => e.taskId === 't-log');
        await c.distributeTask({ id: 't-log', type: 'behave', priority: 0, parameters: { mode: 'log' } });
        await done;
        const fromWorker = lines.filter((l) => l.workerId === wid).map((l) => l.msg);
        assert.ok(fromWorker.includes('a warn line'), JSON.stringify(fromWorker));
        // the controller's logger would print it (level debug): the worker never sent it
        assert.ok(!fromWorker.includes('a debug line'), JSON.stringify(fromWorker));
      } finally {
        await stopController(c);
      }
    });

    test('shutdown is graceful and idempotent', async () => {
      const c = await startController(backend);
      await c.spawnWorker('behave');
      const done = waitFor<Done>(c, 'task:completed', (e) => e.taskId === 't-grace');
      await c.distributeTask({ id: 't-grace', type: 'behave', priority: 0, parameters: { mode: 'sleep', ms: 300 } });
      const p1 = c.shutdown(5000);
      const p2 = c.shutdown(5000);
      assert.equal(p1, p2);
      await p1;
      assert.deepEqual((await done).result, { slept: 300 });
      await stopController(c);
    });

    // Tests that only add tasks of their own and read their own rows share one controller (a
    // controller's start migrates a schema and creates its queues, most of such a test's CPU):
    // each has a worker type of its own, so its tasks run on its own threads only, and each
    // uses task ids (and a city id) no other test does.
    describe('on one shared controller, each test with a worker type of its own', () => {
      const type = (extra: Record<string, unknown> = {}) => ({ script: BEHAVE_SCRIPT, maxConcurrency: 1, memoryLimit: '64MB', initialWorkers: 0, ...extra });
      let c: SpawnController;
      before(async () => {
        // The default retry policy (maxRetries 2) leaves retries that a NonRetryableError must not use.
        c = await startSharedController(backend, {
          workerTypes: { young: type({ youngGenerationMb: 24 }), attempts: type(), nonretry: type(), storage: type() },
        });
      });
      after(() => stopController(c));

      test("threads get their type's memory limits: old generation and, when set, young generation", async () => {
        await c.spawnWorker('young');
        const done = waitFor<Done>(c, 'task:completed', (e) => e.taskId === 't-limits');
        await c.distributeTask({ id: 't-limits', type: 'young', priority: 5, parameters: { mode: 'limits' } });
        const limits = (await done).result as { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number };
        assert.equal(limits.maxOldGenerationSizeMb, 64);
        assert.equal(limits.maxYoungGenerationSizeMb, 24);
      });

      test('records every attempt and worker stats in Postgres tables', async () => {
        const wid = await c.spawnWorker('attempts');
        const done = waitFor<Done>(c, 'task:completed', (e) => e.taskId === 't-ok');
        await c.distributeTask({ id: 't-ok', type: 'attempts', priority: 0, parameters: { mode: 'ok', value: 42 } });
        await done;
        await c.getWorkerStates(); // flushes pending writes
        const attempts = await attemptsForTask(c.db, 't-ok');
        assert.equal(attempts.length, 1);
        assert.equal(attempts[0]!.status, 'completed');
        assert.equal(attempts[0]!.worker_id, wid);
        assert.deepEqual((attempts[0]!.result as { value: number }).value, 42);
        assert.ok(attempts[0]!.completed_at);
        const { rows } = await c.db.query<{ tasks_completed: number; status: string; current_task: string | null }>(
          'SELECT tasks_completed, status, current_task FROM worker_state WHERE worker_id = $1', [wid]);
        assert.deepEqual(rows[0], { tasks_completed: 1, status: 'idle', current_task: null });
      });

      test('a NonRetryableError dead-letters at once', async () => {
        await c.spawnWorker('nonretry');
        const dead = waitFor<Done>(c, 'task:failed', (e) => e.taskId === 't-nr');
        await c.distributeTask({ id: 't-nr', type: 'nonretry', priority: 0, parameters: { mode: 'nonretryable' } });
        assert.equal((await dead).outcome, 'dead');
        assert.match((await dead).error!, /ERR_NON_RETRYABLE: bad parameters/);
      });

      test('worker storage works the same in both modes', async () => {
        await c.spawnWorker('storage');
        const first = waitFor<Done>(c, 'task:completed', (e) => e.taskId === 'db-1');
        await c.distributeTask({ id: 'db-1', type: 'storage', priority: 0, parameters: { mode: 'db', value: 'city-x' } });
        assert.deepEqual((await first).result, { before: 0 });
        const second = waitFor<Done>(c, 'task:completed', (e) => e.taskId === 'db-2');
        await c.distributeTask({ id: 'db-2', type: 'storage', priority: 0, parameters: { mode: 'db', value: 'city-x' } });
        assert.deepEqual((await second).result, { before: 1 });
      });
    });
  });
}

test('configuration: constructor validation names the bad key', () => {
  const bad = (message: RegExp) => ({ name: 'ConfigError', code: 'ERR_CONFIG', message });
  assert.throws(() => new SpawnController({ maxWorkers: 0 }), bad(/maxWorkers must be a positive integer, got 0/));
  assert.throws(() => new SpawnController({ workerTypes: { custom: { maxConcurrency: 1 } } }), bad(/custom worker type "custom" needs a script/));
  assert.throws(() => new SpawnController({ workerTypes: { constructor: { maxConcurrency: 1 } } }), bad(/custom worker type "constructor" needs a script/));
  assert.throws(() => new SpawnController({ workerTypes: { discovery: { memoryLimit: 'lots' } } }), bad(/workerTypes.discovery.memoryLimit must look like '512MB' or '1GB', got "lots"/));
  assert.throws(() => new SpawnController({ workerTypes: { 'Bad Name': { script: 'x.js' } } }), bad(/worker type name "Bad Name"/));
  assert.throws(() => new SpawnController({ workerTypes: { ingestion: { youngGenerationMb: 0 } } }), bad(/workerTypes.ingestion.youngGenerationMb must be a positive integer, got 0/));
  assert.throws(() => new SpawnController({ workerTypes: { processing: { maxConcurrency: 1.5 } } }), bad(/workerTypes.processing.maxConcurrency must be a positive integer, got 1.5/));
  assert.throws(() => new SpawnController({ heartbeatInterval: -5 }), bad(/heartbeatInterval must be a positive integer, got -5/));
  assert.throws(() => new SpawnController({ pollInterval: 'often' as never }), bad(/pollInterval must be a positive integer, got "often"/));
  assert.throws(() => new SpawnController({ retryPolicy: { maxRetries: -1 } }), bad(/retryPolicy.maxRetries must be a non-negative integer, got -1/));
  assert.throws(() => new SpawnController({ schema: 'Robert; DROP' }), bad(/schema must be a lower-case SQL identifier, got "Robert; DROP"/));
  assert.throws(() => new SpawnController({ databaseUrl: 'mysql://x' }), bad(/databaseUrl must be a postgres:\/\/ or postgresql:\/\/ URL/));
  assert.throws(() => new SpawnController({ providers: { yelp: { ratePerSecond: 0 } } }), bad(/providers.yelp.ratePerSecond must be a positive number, got 0/));
  assert.throws(() => new SpawnController({ logLevel: 'loud' }), bad(/logLevel must be one of trace, debug, info, warn, error, fatal, silent, got "loud"/));
});

test('configuration: defaults come from the environment when the controller is constructed', () => {
  const saved = process.env.SPAWN_MAX_WORKERS;
  try {
    process.env.SPAWN_MAX_WORKERS = '7';
    assert.equal(new SpawnController().config.maxWorkers, 7);
    assert.equal(new SpawnController({ maxWorkers: 3 }).config.maxWorkers, 3, 'an option wins over the environment');
    process.env.SPAWN_MAX_WORKERS = 'many';
    assert.throws(() => new SpawnController(), { name: 'ConfigError', message: /SPAWN_MAX_WORKERS="many"/ });
  } finally {
    if (saved === undefined) delete process.env.SPAWN_MAX_WORKERS;
    else process.env.SPAWN_MAX_WORKERS = saved;
  }
});

test('with Redis, a worker spends the provider budget the controller reports, whatever the schema', async (t) => {
  const r = await connectRedis();
  if ('skip' in r) return t.skip(r.skip);
  const feeds = await new DocumentMockServer('ics').start();
  const schema = uniqueSchema('lim');
  const c = await startController(pgliteBackend, {
    schema,
    redisUrl: REDIS_URL,
    workerTypes: { discovery: { initialWorkers: 1 } },
    // The feeds are served on 127.0.0.1 (SCENESCOUT_ALLOW_PRIVATE_URLS, passed as config).
    providers: { ics: { allowPrivateUrls: true } },
  });
  try {
    feeds.seed({ valid: 2 });
    const done = waitFor<Done>(c, 'task:completed', (e) => e.taskId === 'lim-1');
    await c.distributeTask({
      id: 'lim-1', type: 'discovery', priority: 0,
      parameters: { source: 'ics', location: { latitude: 52.5, longitude: 13.4, radius: 5000 }, feeds: feeds.documentUrls(), dateRange: SEED_RANGE },
    });
    await done;
    const ics = (await c.getSystemStatus()).providers.find((p) => p.source === 'ics')!;
    assert.equal(ics.used, feeds.requests.length);
  } finally {
    await stopController(c);
    await feeds.close();
    await deleteKeys(r.redis, `scenescout:${schema}`);
    r.redis.disconnect();
  }
});
