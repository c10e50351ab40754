/**
 * npm run bench:http — GET /api/events over HTTP at a paced rate, the search shapes of
 * bench:query mixed (issue 14: p99 ≤ 25 ms at 500 req/s on 1M events, Postgres).
 *
 * Runs the real service (createService, the Hono app, the HTTP server) on a catalogue that
 * `npm run bench:query -- --keep` seeded, and drives it with wrk. wrk has no fixed-rate mode, so
 * its Lua `delay()` keeps a schedule per wrk thread: request k of a thread is due at
 * k × threads / rate seconds from its start, and a connection whose answer came back waits for
 * the next slot not yet taken, or goes at once when that slot has passed (behind schedule, up to
 * every connection is in flight). The rate offered is the target whatever the answers' latency
 * (a fixed wait per connection offered only connections / (wait + latency), 15–20 % under 500
 * req/s at 7–9 ms); the achieved req/s is reported. Latency is wrk's, from each request's send.
 * Each request is the next of a list mixing the shapes (near a
 * point 5 km and 25 km this week, near + text, text only, city + category + 30 days, page 20 of a
 * keyset walk, one event by id) in equal parts. In the same run, at the same rate, the baseline:
 * GET /healthz (the HTTP stack alone); each figure's ratio to it is printed. The mix is measured
 * in steady state: after 15 s of it at the same rate, unmeasured (a pool's new connections plan
 * every statement again, and a new process compiles its code as it runs: see main() and
 * WARM_SECONDS).
 * Beside wrk's figures, the mix reports each shape's time inside the service (from the app's
 * call to its Response: waiting for a connection and for Postgres included, the write of the
 * body not), the event loop's delay and the collector's pauses over the run, and the buffer
 * reads (Postgres's from outside its shared_buffers, the machine's from disk): which shapes make
 * the tail, whether the loop was held, and whether searches waited for storage.
 *
 *   DATABASE_URL=postgres://… npm run bench:http -- --reuse <schema> [--rate 500] [--seconds 30] [--connections 20] [--pool-size 4] [--warm-seconds 15]
 *     [--cpu | --cpu-only] [--cpu-seconds 8] [--accept-encoding 'gzip, br']
 * --cpu: before the paced runs, each shape alone (and /healthz), unpaced on two connections for
 * --cpu-seconds: the CPU time this process (the server) and Postgres spent per request, which,
 * unlike latency, a busy shared machine does not move much: Postgres both as every postgres
 * process and as this process's own backends (by client port; other work on the same server
 * moves the first). --cpu-only: those alone.
 * The schema is left as it was (drop it by hand when done); pg-boss's schema the service
 * creates beside it (<schema>_boss) is dropped. The last line is one JSON object.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { constants as perfConstants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { promisify } from 'node:util';
import pg from 'pg';
import { renderedEventStats } from '../src/lib/catalogue/event-cache.js';
import { queryEvents } from '../src/lib/catalogue/query.js';
import { silentLogger } from '../src/lib/logger.js';
import { createService } from '../src/service.js';
import { createApp } from '../src/server/app.js';
import { startHttpServer } from '../src/server/server.js';
import { arg, cpuSince, cpuSnapshot, diskReadKb, ownConnectionPorts, percentile, processCpuMs, round } from './lib/stats.js';
import { parseWrk } from './lib/wrk.js';

const RATE = arg('rate', 500);
const SECONDS = arg('seconds', 30);
const CONNS = arg('connections', 20);
/**
 * --pool-size: the service's Postgres connections (SCENESCOUT_PG_POOL_SIZE). Default 4: Postgres,
 * the service and wrk share this machine's 2 cores, where fewer backends at once gave a lower p99
 * than the service's default of 10 (docs/tuning.md).
 */
const POOL_SIZE = arg('pool-size', 4);
const DATABASE_URL = process.env.DATABASE_URL || undefined;
/** --cpu: each shape alone, unpaced, for --cpu-seconds, and the CPU time this process and Postgres spent per request. */
const CPU = process.argv.includes('--cpu');
const CPU_SECONDS = arg('cpu-seconds', 8);
/** --cpu-only: the per-shape CPU figures without the paced runs. */
const CPU_ONLY = process.argv.includes('--cpu-only');
/** --accept-encoding <value>: sent with every wrk request (default none: identity bodies). */
const ACCEPT_ENCODING = (() => {
  const i = process.argv.indexOf('--accept-encoding');
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : null;
})();
const REUSE = (() => {
  const i = process.argv.indexOf('--reuse');
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : null;
})();
/** Goal of issue 14 for /api/events over HTTP at 500 req/s, mixed shapes, 1M events. */
const GOAL_P99_MS = 25;
const NOUNS = ['jazz', 'market', 'quiz', 'festival', 'brunch', 'salsa', 'poetry', 'cinema', 'derby', 'workshop'];
const ADJECTIVES = ['late', 'open', 'sunday', 'acoustic', 'midnight', 'summer', 'winter', 'grand', 'little', 'secret'];
const CATEGORIES = ['music', 'sports', 'comedy', 'film', 'food-drink', 'nightlife', 'family'];

/**
 * --warm-seconds: the mix at the target rate before the measured run, unmeasured: every
 * connection opened and its statements planned, and the service's code compiled. A new
 * process under this load spent 766, 606, 423, 363 and 350 ms of CPU a second in its first
 * 15 s, then 310–340 ms from there on (V8 optimizing the hot paths as they run): measured
 * after 5 s, a third of the run was a process still warming up. The CPU a second of the
 * warm-up is printed, to show it settled.
 */
const WARM_SECONDS = arg('warm-seconds', 15);
/** Seconds of each step of the warm-up's CPU trace. */
const WARM_STEP_S = 3;

/** wrk threads of the paced runs; each keeps its own schedule of RATE / THREADS requests a second. */
const THREADS = 2;

/**
 * A wrk script: requests taken in turn from `paths` (each thread from its own offset), paced on
 * the schedule above unless `paced` is false. The clock is gettimeofday through LuaJIT's FFI
 * (wrk's Lua has no clock finer than a second).
 */
function luaScript(paths: readonly string[], paced = true): string {
  const list = paths.map((p) => `  ${JSON.stringify(p)},`).join('\n');
  const schedule = `local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_usec; } scenescout_timeval; int gettimeofday(scenescout_timeval *tv, void *tz); ]]
local tv = ffi.new("scenescout_timeval")
local function now_ms() ffi.C.gettimeofday(tv, nil); return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000 end
local interval = ${(THREADS * 1000) / RATE}
local due = nil
function delay()
  local t = now_ms()
  if due == nil then due = t end
  due = due + interval
  if due <= t then return 0 end
  return math.floor(due - t)
end
`;
  return `local paths = {\n${list}\n}
local i = 0
function setup(thread) thread:set("offset", math.random(#paths)) end
function init(args) i = tonumber(wrk.thread:get("offset")) or 0 end
function request() i = i + 1; return wrk.format("GET", paths[(i % #paths) + 1]) end
${paced ? schedule : ''}`;
}

/**
 * The buffer reads of this database so far: `read`, blocks Postgres had to ask the OS for (not in
 * its shared_buffers: from the OS page cache, or from disk when that does not hold them either),
 * and `hit`, blocks found in shared_buffers (counted by the server, so other work on the same
 * database counts too); and `diskKb`, the machine's reads from disk (diskReadKb). Taken before and
 * after the mix, they say whether its searches waited for storage: a 128 MB shared_buffers holds
 * a tenth of the 1M catalogue and its indexes, and a host that reclaims page cache left cold for
 * a minute sends the rest to disk.
 */
async function bufferReads(): Promise<{ read: number; hit: number; diskKb: number | null }> {
  const [row] = await queryOnce<{ read: string; hit: string }>('SELECT blks_read AS read, blks_hit AS hit FROM pg_stat_database WHERE datname = current_database()');
  return { read: Number(row!.read), hit: Number(row!.hit), diskKb: diskReadKb() };
}

/** shared_buffers, and the size of the catalogue the searches read (the events table with its indexes), in MB. */
async function bufferFit(): Promise<{ shared_buffers_mb: number; catalogue_mb: number }> {
  const [row] = await queryOnce<{ sb: string; size: string }>(
    `SELECT (SELECT setting::bigint * current_setting('block_size')::bigint FROM pg_settings WHERE name = 'shared_buffers') AS sb,
            pg_total_relation_size(format('%I.events', $1::text)::regclass) AS size`, [REUSE]);
  return { shared_buffers_mb: Math.round(Number(row!.sb) / 2 ** 20), catalogue_mb: Math.round(Number(row!.size) / 2 ** 20) };
}

/** One statement on a connection of its own, apart from the service's pools (whose backends the CPU figures count). */
async function queryOnce<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  try {
    return (await c.query<R>(text, values)).rows;
  } finally {
    await c.end();
  }
}

/** The pauses of V8's collector over a run, by kind: how often, how long in all, the longest. */
function gcSummary(entries: readonly PerformanceEntry[]): Record<string, { count: number; total_ms: number; max_ms: number }> {
  const kinds: Record<number, string> = {
    [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
  };
  const out: Record<string, { count: number; total_ms: number; max_ms: number }> = {};
  for (const e of entries) {
    const kind = kinds[((e as { detail?: { kind?: number } }).detail)?.kind ?? -1] ?? 'other';
    const g = (out[kind] ??= { count: 0, total_ms: 0, max_ms: 0 });
    g.count += 1;
    g.total_ms += e.duration;
    g.max_ms = Math.max(g.max_ms, e.duration);
  }
  for (const g of Object.values(out)) {
    g.total_ms = round(g.total_ms, 1);
    g.max_ms = round(g.max_ms, 2);
  }
  return out;
}

async function main(): Promise<void> {
  if (spawnSync('wrk', ['--version']).error) throw new Error('wrk is not installed: apt-get install -y wrk');
  if (!DATABASE_URL || !REUSE) throw new Error('set DATABASE_URL and pass --reuse <schema> (seed one with npm run bench:query -- --keep)');
  const svc = await createService({
    config: {
      databaseUrl: DATABASE_URL, schema: REUSE, dataDir: 'memory', autoscale: false, schedules: { enabled: false }, poolSize: POOL_SIZE,
      workerTypes: { discovery: { initialWorkers: 0 }, ingestion: { initialWorkers: 0 }, processing: { initialWorkers: 0 } },
    },
    citiesFile: false,
  });
  await svc.start();
  const db = svc.controller.db;
  const events = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0]!.n;
  const cities = (await db.query<{ id: string; latitude: number; longitude: number }>('SELECT id, latitude, longitude FROM cities ORDER BY id')).rows;
  const ids = (await db.query<{ id: string }>('SELECT id FROM events TABLESAMPLE SYSTEM (1) LIMIT 500')).rows.map((r) => r.id);
  let cursor: string | null = null;
  for (let page = 1; page < 20; page++) cursor = (await queryEvents(db, { limit: 50, ...(cursor ? { cursor } : {}) })).nextCursor;

  const day = 86_400_000;
  const today = new Date();
  const week = `from=${today.toISOString()}&to=${new Date(today.getTime() + 7 * day).toISOString()}`;
  const month = `from=${today.toISOString()}&to=${new Date(today.getTime() + 30 * day).toISOString()}`;
  const paths: string[] = [];
  const SHAPES = ['near 5 km, this week', 'near 25 km, this week', 'near 25 km + text, this week', 'text only (two words)',
    'city + category + next 30 days', 'page 20 of a keyset walk', 'one event by id'];
  for (let k = 0; k < 60; k++) {
    const c = cities[k % cities.length]!;
    const at = `lat=${round(Number(c.latitude) + ((k % 7) - 3) * 0.02, 5)}&lng=${round(Number(c.longitude) + ((k % 5) - 2) * 0.025, 5)}`;
    const q = (s: string) => encodeURIComponent(s);
    paths.push(
      `/api/events?${at}&radius_km=5&${week}`,
      `/api/events?${at}&radius_km=25&${week}`,
      `/api/events?${at}&radius_km=25&q=${q(NOUNS[(k + 3) % NOUNS.length]!)}&${week}`,
      `/api/events?q=${q(`${NOUNS[k % NOUNS.length]} ${ADJECTIVES[(k * 3 + 1) % ADJECTIVES.length]}`)}`,
      `/api/events?city=${c.id}&category=${CATEGORIES[k % CATEGORIES.length]}&${month}`,
      `/api/events?limit=50&cursor=${encodeURIComponent(cursor ?? '')}`,
      `/api/events/${ids[k % ids.length]}`,
    );
  }

  const app = createApp({ service: svc, logger: silentLogger, apiToken: 'bench-token-0123456789' });
  // The server's own time for each request of the measured mix, by shape (from the app's call
  // to its Response, before the body is written): which shapes make the tail, and how much of
  // wrk's latency is queueing outside the app.
  const shapeOf = new Map(paths.map((p, i) => [p, SHAPES[i % SHAPES.length]!]));
  const serverTimes = new Map<string, number[]>();
  let timing = false;
  const appFetch = app.fetch;
  app.fetch = async (request, ...rest) => {
    const t0 = performance.now();
    const res = await appFetch(request, ...rest);
    if (timing) {
      const u = new URL(request.url);
      const name = shapeOf.get(u.pathname + u.search) ?? u.pathname;
      let times = serverTimes.get(name);
      if (!times) serverTimes.set(name, (times = []));
      times.push(performance.now() - t0);
    }
    return res;
  };
  const http = await startHttpServer({ app, port: 0, host: '127.0.0.1', apiToken: 'bench-token-0123456789', logger: silentLogger });
  const dir = mkdtempSync(path.join(tmpdir(), 'scenescout-wrk-'));
  const mixed = path.join(dir, 'mixed.lua');
  const baseline = path.join(dir, 'baseline.lua');
  writeFileSync(mixed, luaScript(paths));
  writeFileSync(baseline, luaScript(['/healthz']));
  const header = ACCEPT_ENCODING ? ['-H', `Accept-Encoding: ${ACCEPT_ENCODING}`] : [];
  const run = async (script: string, options: { threads: number; connections: number; seconds: number } = { threads: THREADS, connections: CONNS, seconds: SECONDS }) => {
    // async: the server under test runs in this process and must keep answering
    const { stdout } = await promisify(execFile)('wrk', ['-t', String(options.threads), '-c', String(options.connections), '-d', `${options.seconds}s`,
      '--latency', ...header, '-s', script, http.url], { encoding: 'utf8' });
    return parseWrk(stdout);
  };
  const cpuPerRequest: Record<string, { node_ms: number; postgres_ms: number | null; own_backends_ms: number; requests: number }> = {};
  // The backends of this process's connections (the service's pools), found by their client port.
  const pgPort = Number(new URL(DATABASE_URL!).port || 5432);
  const ownBackends = async (): Promise<number[]> =>
    (await queryOnce<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[]) AND pid <> pg_backend_pid()', [ownConnectionPorts(pgPort)])).map((r) => r.pid);
  const sequential: Record<string, number> = {};
  const serverShapes: Record<string, { p50_ms: number; p99_ms: number; max_ms: number; requests: number }> = {};
  let eventLoop: { p99_ms: number; max_ms: number } | null = null;
  let gc: ReturnType<typeof gcSummary> | null = null;
  const warmCpu: number[] = [];
  let eventCache: { hits: number; misses: number; kept: number } | null = null;
  let reads: { postgres_blocks_per_s: number; buffer_hit_share: number; disk_kb_per_s: number | null; shared_buffers_mb: number; catalogue_mb: number } | null = null;
  let results: { healthz: ReturnType<typeof parseWrk> | null; mixed: ReturnType<typeof parseWrk> | null };
  try {
    process.stdout.write(`bench:http on postgres (schema ${REUSE}, ${events.toLocaleString('en')} events): ${RATE} req/s target, ${CONNS} connections, ${SECONDS} s each, ${POOL_SIZE} Postgres connections\n`);
    // The baseline first; then every path once, one request at a time (each shape's time over
    // HTTP without queueing); then the mix, after WARM_SECONDS of it unmeasured. A pool closes
    // connections idle for 10 s, and a new connection plans every statement again: run after the
    // baseline's idle 20 s, the mix's first seconds paid that on every connection at once (server
    // times of 170-370 ms), and their backlog took 5 s to drain.
    const healthz = CPU_ONLY ? null : await run(baseline);
    const byShape = new Map<string, number[]>(SHAPES.map((name) => [name, []]));
    for (const [i, p] of paths.entries()) {
      const t0 = performance.now();
      await fetch(`${http.url}${p}`).then((r) => r.arrayBuffer());
      byShape.get(SHAPES[i % SHAPES.length]!)!.push(performance.now() - t0);
    }
    for (const [name, times] of byShape) {
      sequential[name] = round(percentile(times, 50), 2);
      process.stdout.write(`  one at a time: ${name.padEnd(32)} p50 ${sequential[name]} ms\n`);
    }
    if (CPU || CPU_ONLY) {
      // Each shape alone, as fast as two connections go: CPU per request, whatever the rate.
      for (const [k, name] of ['healthz', ...SHAPES].entries()) {
        const script = path.join(dir, `shape-${k}.lua`);
        writeFileSync(script, luaScript(k === 0 ? ['/healthz'] : paths.filter((_, i) => i % SHAPES.length === k - 1), false));
        const before = processCpuMs(await ownBackends());
        const start = cpuSnapshot();
        const r = await run(script, { threads: 1, connections: 2, seconds: CPU_SECONDS });
        const used = cpuSince(start);
        // Our own backends only (other work on a shared server moves the sum over all of them);
        // a connection opened during the run counts from zero.
        const after = processCpuMs(await ownBackends());
        let ours = 0;
        for (const [pid, ms] of after) ours += ms - (before.get(pid) ?? 0);
        cpuPerRequest[name] = {
          node_ms: round(used.node / r.requests, 3),
          postgres_ms: used.postgres === null ? null : round(used.postgres / r.requests, 3),
          own_backends_ms: round(ours / r.requests, 3),
          requests: r.requests,
        };
        process.stdout.write(`  CPU per request: ${name.padEnd(32)} node ${cpuPerRequest[name].node_ms.toFixed(3)} ms, postgres ${cpuPerRequest[name].postgres_ms ?? '?'} ms (our backends ${cpuPerRequest[name].own_backends_ms} ms) (${r.requests} requests${r.non2xx ? `, non-2xx ${r.non2xx}` : ''})\n`);
      }
    }
    if (!CPU_ONLY) {
      let last = process.cpuUsage();
      const trace = setInterval(() => {
        const used = process.cpuUsage(last);
        last = process.cpuUsage();
        warmCpu.push(Math.round((used.user + used.system) / 1000 / WARM_STEP_S));
      }, WARM_STEP_S * 1000);
      await run(mixed, { threads: THREADS, connections: CONNS, seconds: WARM_SECONDS });
      clearInterval(trace);
      process.stdout.write(`  warm-up, ${WARM_SECONDS} s of the mix: the service's CPU ms a second, by ${WARM_STEP_S} s: ${warmCpu.join(', ')}\n`);
    }
    const kept0 = renderedEventStats(db);
    const reads0 = CPU_ONLY ? null : await bufferReads();
    const mixStart = performance.now();
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const gcPauses: PerformanceEntry[] = [];
    const gcWatch = new PerformanceObserver((list) => gcPauses.push(...list.getEntries()));
    gcWatch.observe({ entryTypes: ['gc'] });
    timing = true;
    const mix = CPU_ONLY ? null : await run(mixed);
    timing = false;
    gcWatch.disconnect();
    loopDelay.disable();
    const mixSeconds = (performance.now() - mixStart) / 1000;
    const kept1 = renderedEventStats(db);
    if (mix && reads0) {
      const reads1 = await bufferReads();
      for (const name of SHAPES) {
        const times = serverTimes.get(name) ?? [];
        serverShapes[name] = { p50_ms: round(percentile(times, 50), 2), p99_ms: round(percentile(times, 99), 2), max_ms: round(Math.max(...times), 1), requests: times.length };
        process.stdout.write(`  in the app, mixed: ${name.padEnd(32)} p50 ${serverShapes[name].p50_ms} ms, p99 ${serverShapes[name].p99_ms} ms, max ${serverShapes[name].max_ms} ms\n`);
      }
      eventLoop = { p99_ms: round(loopDelay.percentile(99) / 1e6, 2), max_ms: round(loopDelay.max / 1e6, 1) };
      process.stdout.write(`  event loop delay, mixed: p99 ${eventLoop.p99_ms} ms, max ${eventLoop.max_ms} ms\n`);
      gc = gcSummary(gcPauses);
      process.stdout.write(`  garbage collection, mixed: ${Object.entries(gc).map(([kind, g]) => `${kind} ${g.count}× (${g.total_ms} ms in all, max ${g.max_ms} ms)`).join(', ') || 'none'}\n`);
      const read = reads1.read - reads0.read;
      const hit = reads1.hit - reads0.hit;
      reads = {
        postgres_blocks_per_s: Math.round(read / mixSeconds),
        buffer_hit_share: round(hit / Math.max(1, hit + read), 3),
        disk_kb_per_s: reads0.diskKb === null || reads1.diskKb === null ? null : Math.round((reads1.diskKb - reads0.diskKb) / mixSeconds),
        ...await bufferFit(),
      };
      process.stdout.write(`  buffers, mixed: Postgres read ${reads.postgres_blocks_per_s} blocks/s from outside shared_buffers (hit share ${reads.buffer_hit_share}), the machine ${reads.disk_kb_per_s ?? '?'} KiB/s from disk; shared_buffers ${reads.shared_buffers_mb} MB for a catalogue of ${reads.catalogue_mb} MB\n`);
    }
    // Every path was asked once before (the warm-up), so the mix finds its events kept unless
    // they changed: the figures are for a catalogue whose asked events fit the cache.
    eventCache = { hits: kept1.hits - kept0.hits, misses: kept1.misses - kept0.misses, kept: kept1.size };
    results = { healthz, mixed: mix };
  } finally {
    await http.close();
    await svc.stop();
    await queryOnce(`DROP SCHEMA IF EXISTS ${REUSE}_boss CASCADE`);
  }
  const { healthz, mixed: mix } = results;
  if (!healthz || !mix) {
    process.stdout.write(`${JSON.stringify({ bench: 'http', database: 'postgres', events, accept_encoding: ACCEPT_ENCODING, cpu_per_request: cpuPerRequest })}\n`);
    return;
  }
  for (const [name, r] of Object.entries({ healthz, mixed: mix })) {
    process.stdout.write(`${name.padEnd(8)} ${round(r.rps, 0)} req/s (${r.requests} requests), p50 ${r.p50} ms, p99 ${r.p99} ms, non-2xx ${r.non2xx}${r.errors ? `, ${r.errors}` : ''}\n`);
  }
  if (eventCache) process.stdout.write(`events of the mix's pages: ${eventCache.hits} from the kept text, ${eventCache.misses} read by id (${eventCache.kept} kept)\n`);
  process.stdout.write(`mixed / healthz: p50 ${round(mix.p50 / healthz.p50, 1)}×, p99 ${round(mix.p99 / healthz.p99, 1)}×; goal p99 ≤ ${GOAL_P99_MS} ms at 500 req/s\n`);
  process.stdout.write(`${JSON.stringify({
    bench: 'http', database: 'postgres', events, target_rps: RATE, connections: CONNS, seconds: SECONDS, pool_size: POOL_SIZE, goal_p99_ms: GOAL_P99_MS,
    healthz: { rps: round(healthz.rps, 1), p50_ms: healthz.p50, p99_ms: healthz.p99, non2xx: healthz.non2xx },
    mixed: { rps: round(mix.rps, 1), p50_ms: mix.p50, p99_ms: mix.p99, non2xx: mix.non2xx },
    one_at_a_time_p50_ms: sequential, warm_seconds: WARM_SECONDS, warm_up_cpu_ms_per_s: warmCpu, in_app_mixed: serverShapes, event_loop_delay: eventLoop, gc, buffer_reads: reads, event_cache: eventCache, accept_encoding: ACCEPT_ENCODING, ...(CPU ? { cpu_per_request: cpuPerRequest } : {}), ratio_p50: round(mix.p50 / healthz.p50, 1), ratio_p99: round(mix.p99 / healthz.p99, 1), met: mix.p99 <= GOAL_P99_MS && mix.non2xx === 0,
  })}\n`);
}

await main();
