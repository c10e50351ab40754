/**
 * Hostile provider servers (issue 12, findings 1, 2, 3 and 8): a replica (a SpawnController on
 * embedded PGlite, in this process, with real discovery threads) against local servers speaking
 * iCalendar, HTML + JSON-LD and the Ticketmaster Discovery API, at the default timings
 * (heartbeats, task timeout, body caps) unless a scenario says otherwise.
 * Peak RSS is the process's high-water mark (VmHWM), reset at the start of each scenario.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpawnController, type SpawnControllerOptions } from '../../src/lib/spawn/controller.js';
import type { DiscoveryTaskResult } from '../../src/lib/spawn/workers/discovery.js';
import { htmlPage, icsCalendar, icsVevent, largeIcsFeed, largeJsonLdPage, ldEvent } from '../lib/api/servers/documents.js';
import { tmEvent } from '../lib/api/servers/ticketmaster.js';
import { dropSchemas } from '../helpers/db.js';
import type { FaultScenario, Figures } from './scenario.js';

const MB = 1024 * 1024;
const TM_KEY = 'fault-suite-tm-key';
const location = { latitude: 52.52, longitude: 13.405, radius: 10_000 };
const dateRange = { start: '2030-01-01T00:00:00Z', end: '2030-12-31T23:59:59Z' };
const day = (n: number) => new Date(Date.UTC(2030, 0, 1 + n, 18));

// ---- measuring ---------------------------------------------------------------------------

/** Resets the process's peak RSS (Linux: clear_refs 5); false where that is not possible. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** Peak RSS since the last reset, MB: VmHWM, or sampled when /proc is not there. */
function peakRssMb(sampled: number): number {
  try {
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
    if (Number.isFinite(kb) && kb > 0) return Math.round(kb / 1024);
  } catch {
    // fall through
  }
  return Math.round(sampled / MB);
}

async function measured<T>(run: () => Promise<T>): Promise<{ value: T; peakRssMb: number }> {
  resetPeakRss();
  let sampled = process.memoryUsage.rss();
  const timer = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage.rss())), 50);
  try {
    const value = await run();
    return { value, peakRssMb: peakRssMb(sampled) };
  } finally {
    clearInterval(timer);
  }
}

// ---- servers and the replica -------------------------------------------------------------

interface Hostile {
  url: string;
  requests(): number;
  close(): Promise<void>;
}

async function serve(handler: (n: number, ...args: Parameters<RequestListener>) => void): Promise<Hostile> {
  let n = 0;
  const server = createServer((req, res) => handler(n++, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => n,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Serves fixed documents by path. */
function documents(files: Record<string, { type: string; body: string }>) {
  return serve((_n, req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://x').pathname];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.type });
    res.end(file.body);
  });
}

/**
 * Postgres (its own schema, dropped afterwards) when SCENESCOUT_TEST_DATABASE_URL or DATABASE_URL
 * names one, as a replica runs in production; else embedded PGlite, whose own memory (about
 * 900 MB RSS in memory mode) leaves no room under 1 GB, so there only the growth is bounded.
 */
const DATABASE_URL = process.env.SCENESCOUT_TEST_DATABASE_URL || process.env.DATABASE_URL || '';
const schemas: string[] = [];

async function replica(options: SpawnControllerOptions = {}): Promise<SpawnController> {
  const schema = DATABASE_URL ? `fault_hostile_${Date.now().toString(36)}_${process.pid}` : 'public';
  if (DATABASE_URL) schemas.push(schema);
  const c = new SpawnController({
    databaseUrl: DATABASE_URL,
    schema,
    dataDir: 'memory',
    autoscale: false,
    pollInterval: 100,
    schedules: { enabled: false },
    logLevel: 'error',
    ...options,
    // The hostile servers listen on 127.0.0.1 (SCENESCOUT_ALLOW_PRIVATE_URLS for tests).
    providers: { ics: { allowPrivateUrls: true }, jsonld: { allowPrivateUrls: true }, ...options.providers },
    workerTypes: { discovery: { initialWorkers: 3 }, ingestion: { initialWorkers: 0 }, processing: { initialWorkers: 0 }, ...options.workerTypes },
  });
  await c.initialize();
  return c;
}

type Outcome = { ok: true; result: DiscoveryTaskResult } | { ok: false; error: string };

/** Runs discovery tasks at once; resolves when each has completed or was dead-lettered. */
async function discover(c: SpawnController, tasks: Array<{ id: string; parameters: Record<string, unknown> }>, timeoutMs = 900_000): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`discovery did not finish in ${timeoutMs} ms: ${tasks.length - outcomes.size} left`)), timeoutMs);
    const check = () => {
      if (outcomes.size < tasks.length) return;
      clearTimeout(timer);
      c.off('task:completed', completed);
      c.off('task:failed', failed);
      resolve();
    };
    const completed = (e: { taskId: string; result: unknown }) => {
      if (!tasks.some((t) => t.id === e.taskId)) return;
      outcomes.set(e.taskId, { ok: true, result: e.result as DiscoveryTaskResult });
      check();
    };
    const failed = (e: { taskId: string; error: string; outcome: string }) => {
      if (e.outcome !== 'dead' || !tasks.some((t) => t.id === e.taskId)) return;
      outcomes.set(e.taskId, { ok: false, error: e.error });
      check();
    };
    c.on('task:completed', completed);
    c.on('task:failed', failed);
  });
  for (const t of tasks) await c.distributeTask({ id: t.id, type: 'discovery', priority: 5, parameters: { location, dateRange, ...t.parameters } });
  await done;
  return outcomes;
}

function result(outcomes: Map<string, Outcome>, id: string): DiscoveryTaskResult {
  const o = outcomes.get(id)!;
  if (!o.ok) throw new Error(`${id} was dead-lettered: ${o.error}`);
  return o.result;
}

async function count(c: SpawnController, source: string): Promise<number> {
  const { rows } = await c.db.query<{ n: number }>('SELECT count(*)::int AS n FROM raw_events WHERE source = $1', [source]);
  return Number(rows[0]!.n);
}

/** Starts what `setup` needs, runs `body`, and stops the replica and servers whatever happens. */
async function withReplica(servers: Hostile[], options: SpawnControllerOptions, body: (c: SpawnController) => Promise<Figures>): Promise<Figures> {
  let c: SpawnController | undefined;
  try {
    c = await replica(options);
    return await body(c);
  } finally {
    await c?.shutdown(1000);
    for (const s of servers) await s.close();
    if (DATABASE_URL) await dropSchemas(DATABASE_URL, schemas.splice(0));
  }
}

// ---- scenarios ---------------------------------------------------------------------------

const DEEP = (depth: number) => `${'['.repeat(depth)}"bottom"${']'.repeat(depth)}`;

const nulRecords: FaultScenario = {
  name: 'hostile-nul-records',
  async run() {
    const badIcs = icsVevent('nul@demo.test', day(3)).replace('SUMMARY:Open mic', 'SUMMARY:Open\u0000 mic');
    const ld = (n: string) => `https://venue.demo.test/events/${n}`;
    const page = htmlPage([{ '@context': 'https://schema.org', '@graph': [
      ldEvent(ld('a'), day(0)), ldEvent(ld('b'), day(1)), { ...ldEvent(ld('nul'), day(2)), name: 'Jazz\u0000' },
      ldEvent(ld('c'), day(3)), { ...ldEvent(ld('surrogate'), day(4)), description: '\ud83d' }, { ...ldEvent(ld('deep'), day(5)), description: '@DEEP@' },
    ] }]).replace('"@DEEP@"', DEEP(20_000));
    const docs = await documents({
      '/feed.ics': { type: 'text/calendar', body: icsCalendar([icsVevent('a@demo.test', day(0)), icsVevent('b@demo.test', day(1)), badIcs, icsVevent('c@demo.test', day(2))]) },
      '/page.html': { type: 'text/html', body: page },
    });
    const tmEvents = [tmEvent('tm-a', day(0)), { ...tmEvent('tm-nul', day(1)), name: 'x\u0000' }, tmEvent('tm-b', day(2)), { ...tmEvent('tm-deep', day(3)), info: '@DEEP@' }];
    const tm = await serve((_n, _req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ _embedded: { events: tmEvents }, page: { size: 200, totalElements: 4, totalPages: 1, number: 0 } }).replace('"@DEEP@"', DEEP(20_000)));
    });
    return withReplica([docs, tm], { providers: { ticketmaster: { apiKey: TM_KEY, baseUrl: tm.url } } }, async (c) => {
      const outcomes = await discover(c, [
        { id: 'nul-ics', parameters: { source: 'ics', feeds: [`${docs.url}/feed.ics`] } },
        { id: 'nul-jsonld', parameters: { source: 'jsonld', pages: [`${docs.url}/page.html`] } },
        { id: 'nul-tm', parameters: { source: 'ticketmaster' } },
      ]);
      const results = ['nul-ics', 'nul-jsonld', 'nul-tm'].map((id) => result(outcomes, id));
      const stored = (await count(c, 'ics')) + (await count(c, 'jsonld')) + (await count(c, 'ticketmaster'));
      const valid = 4 + 6 + 4;
      assert.equal(stored, valid, 'every valid record of every batch is stored');
      return {
        valid,
        stored,
        repaired: results.reduce((n, r) => n + r.repaired, 0),
        rejected: results.reduce((n, r) => n + r.rejected, 0),
      };
    });
  },
};

const hugeBody: FaultScenario = {
  name: 'hostile-700mb-body',
  async run() {
    const total = 700 * MB;
    let sent = 0;
    const chunk = Buffer.from(`${icsVevent('huge@demo.test', day(1))}\r\n`.repeat(400));
    const server = await serve((_n, _req, res) => {
      res.writeHead(200, { 'content-type': 'text/calendar' });
      res.write('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n');
      let mine = 0;
      const pump = () => {
        while (mine < total) {
          mine += chunk.length;
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end('END:VCALENDAR\r\n');
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    });
    return withReplica([server], {}, async (c) => {
      const tasks = [1, 2, 3].map((i) => ({ id: `huge-${i}`, parameters: { source: 'ics', feeds: [`${server.url}/huge-${i}.ics`] } }));
      const baselineRssMb = Math.round(process.memoryUsage.rss() / MB);
      const { value: outcomes, peakRssMb } = await measured(() => discover(c, tasks));
      const errors = [...outcomes.values()].map((o) => (o.ok ? 'completed' : o.error));
      for (const e of errors) assert.match(e, /ERR_PROVIDER_TOO_LARGE/);
      assert.equal(server.requests(), 3, 'not retried');
      if (DATABASE_URL) assert.ok(peakRssMb < 1024, `peak RSS ${peakRssMb} MB`);
      else assert.ok(peakRssMb - baselineRssMb < 400, `peak RSS ${peakRssMb} MB from ${baselineRssMb} MB`);
      return {
        database: DATABASE_URL ? 'postgres' : 'pglite',
        concurrent: 3,
        bodyMb: 700,
        requests: server.requests(),
        servedMb: Math.round(sent / MB),
        deadLettered: errors.length,
        baselineRssMb,
        peakRssMb,
      };
    });
  },
};

const largeIcs: FaultScenario = {
  name: 'hostile-50mb-ics',
  async run() {
    // 50,000 VEVENTs of about 1 KB: a 50 MB feed (more than 50,000,000 bytes, within the default 50 MiB cap).
    const body = largeIcsFeed(50_000, 1110);
    assert.ok(Buffer.byteLength(body) > 50_000_000 && Buffer.byteLength(body) < 50 * MB, `the feed is ${Buffer.byteLength(body)} bytes`);
    const docs = await documents({ '/large.ics': { type: 'text/calendar', body } });
    return withReplica([docs], { workerTypes: { discovery: { initialWorkers: 1 } } }, async (c) => {
      let failedAttempts = 0;
      c.on('task:failed', () => failedAttempts++);
      const { value: outcomes, peakRssMb } = await measured(() => discover(c, [{ id: 'large-ics', parameters: { source: 'ics', feeds: [`${docs.url}/large.ics`] } }]));
      const r = result(outcomes, 'large-ics');
      // 50,000 VEVENTs, every 50th a weekly series of 10.
      assert.equal(r.eventsDiscovered, 49_000 + 1000 * 10);
      assert.equal(failedAttempts, 0, 'no attempt failed (heartbeats answered, within the task timeout)');
      return { feedBytes: Buffer.byteLength(body), vevents: 50_000, stored: await count(c, 'ics'), failedAttempts, peakRssMb };
    });
  },
};

const largeJsonLd: FaultScenario = {
  name: 'hostile-100k-jsonld',
  async run() {
    const body = largeJsonLdPage(100_000);
    const docs = await documents({ '/large.html': { type: 'text/html', body } });
    return withReplica([docs], { workerTypes: { discovery: { initialWorkers: 1 } } }, async (c) => {
      let failedAttempts = 0;
      c.on('task:failed', () => failedAttempts++);
      const { value: outcomes, peakRssMb } = await measured(() => discover(c, [{ id: 'large-jsonld', parameters: { source: 'jsonld', pages: [`${docs.url}/large.html`] } }]));
      const r = result(outcomes, 'large-jsonld');
      assert.equal(r.eventsDiscovered, 100_000);
      assert.equal(failedAttempts, 0, 'no attempt failed (heartbeats answered, heap within the cap)');
      return { pageMb: Math.round(Buffer.byteLength(body) / MB), stored: await count(c, 'jsonld'), failedAttempts, peakRssMb };
    });
  },
};

const inconsistentTotals: FaultScenario = {
  name: 'hostile-inconsistent-totals',
  async run() {
    const tm = await serve((_n, _req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ page: { size: 200, totalElements: 100_000, totalPages: 500, number: 0 } }));
    });
    return withReplica([tm], { providers: { ticketmaster: { apiKey: TM_KEY, baseUrl: tm.url } } }, async (c) => {
      const outcomes = await discover(c, [{ id: 'liar', parameters: { source: 'ticketmaster', dateRange: { start: '2030-01-01T00:00:00Z', end: '2030-03-31T23:59:59Z' } } }], 120_000);
      const r = result(outcomes, 'liar');
      assert.ok(tm.requests() <= 100, `${tm.requests()} requests`);
      assert.match(r.skippedSample[0]?.reason ?? '', /inconsistent totals/);
      return { requests: tm.requests(), stored: r.eventsDiscovered, report: r.skippedSample[0]!.reason.slice(0, 80) };
    });
  },
};

const slowDrip: FaultScenario = {
  name: 'hostile-slow-drip',
  async run() {
    let dripped = 0;
    const timers = new Set<NodeJS.Timeout>();
    const server = await serve((_n, _req, res) => {
      res.writeHead(200, { 'content-type': 'text/calendar' });
      const t = setInterval(() => {
        dripped++;
        res.write('B');
      }, 1000);
      timers.add(t);
      res.on('close', () => {
        clearInterval(t);
        timers.delete(t);
      });
    });
    // One attempt, a 20 s task deadline: the provider timeout (15 s) ends the request first.
    return withReplica([server], { workerTimeout: 20_000, retryPolicy: { maxRetries: 0 }, workerTypes: { discovery: { initialWorkers: 1 } } }, async (c) => {
      const started = performance.now();
      const outcomes = await discover(c, [{ id: 'drip', parameters: { source: 'ics', feeds: [`${server.url}/drip.ics`] } }], 120_000);
      const seconds = Math.round((performance.now() - started) / 1000);
      for (const t of timers) clearInterval(t);
      const o = outcomes.get('drip')!;
      assert.ok(!o.ok, 'the drip cannot complete');
      assert.match(o.error, /ERR_PROVIDER_TIMEOUT|ERR_TASK_TIMEOUT/);
      return { requests: server.requests(), bytesDripped: dripped, secondsToEnd: seconds, error: o.error.slice(0, 60) };
    });
  },
};

/**
 * Issue 12 finding 4: a provider that redirects to an internal address. The address rule is ON
 * for Ticketmaster here (only ics and jsonld have it lifted above); the provider itself is on
 * 127.0.0.1 and reached because it is the configured `baseUrl`, the one origin the client
 * trusts unchecked (as an operator's API base is in production). Every hop it redirects to is
 * checked: one answer points at an internal canary server, the other at the cloud metadata
 * address. Both tasks must end with ERR_URL_BLOCKED on their first attempt, the canary untouched.
 */
const redirectToPrivate: FaultScenario = {
  name: 'hostile-redirect-to-private',
  async run() {
    const canary = await serve((_n, _req, res) => res.end('SECRET internal data'));
    const targets = [`${canary.url}/admin`, 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'];
    const redirected: string[] = [];
    const tm = await serve((n, _req, res) => {
      redirected.push(targets[n % 2]!);
      res.writeHead(302, { location: targets[n % 2] }).end();
    });
    return withReplica([canary, tm], { providers: { ticketmaster: { apiKey: TM_KEY, baseUrl: tm.url } } }, async (c) => {
      const attempts: string[] = [];
      c.on('task:failed', (e: { taskId: string; outcome: string }) => attempts.push(`${e.taskId}:${e.outcome}`));
      const ids = ['redirect-canary', 'redirect-metadata'];
      const outcomes = await discover(c, ids.map((id) => ({ id, parameters: { source: 'ticketmaster' } })), 120_000);
      const errors = ids.map((id) => {
        const o = outcomes.get(id)!;
        assert.ok(!o.ok, `${id} completed`);
        return o.error;
      });
      for (const e of errors) assert.match(e, /ERR_URL_BLOCKED.*address not allowed/s);
      for (const e of errors) assert.doesNotMatch(e, /SECRET/);
      assert.deepEqual(attempts.sort(), ids.map((id) => `${id}:dead`).sort(), 'each task failed once and was dead-lettered, not retried');
      assert.equal(tm.requests(), 2, 'one provider request per task: no HTTP retry');
      assert.deepEqual([...redirected].sort(), [...targets].sort(), 'both redirects were served');
      assert.equal(canary.requests(), 0, 'the internal canary was never contacted');
      return {
        tasks: ids.length,
        deadLettered: errors.length,
        failedAttempts: attempts.length,
        providerRequests: tm.requests(),
        canaryRequests: canary.requests(),
        code: /^[A-Z_]+/.exec(errors[0]!)?.[0] ?? '',
        refusal: /could not fetch \S+: (.+?) \(task/.exec(errors[0]!)?.[1] ?? '',
      };
    });
  },
};

export default [nulRecords, inconsistentTotals, slowDrip, redirectToPrivate, hugeBody, largeIcs, largeJsonLd];
