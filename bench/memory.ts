/**
 * npm run bench:memory — where a replica's memory goes on the embedded database.
 *
 * Starts the built service (build/src/main.js, as `npm start` runs dist/main.js) as a child
 * process in a temporary data folder, waits for /readyz and for the demo's startup work
 * (discovery, ingestion, dedupe) to settle, and samples the child's VmRSS and VmHWM from
 * /proc/<pid>/status. Then:
 *   - the same folder started again (no initdb: what every later `npm start` costs);
 *   - idle worker threads: the service with no workers and no startup work, then N idle
 *     workers of each type spawned through the API; the RSS added per worker, by type;
 *   - the baseline: a bare Node process that only opens PGlite with the service's options,
 *     on a fresh folder and on the existing one, so the ratio shows what is ours.
 * Prints a table; the last line is one JSON object.
 *
 *   --workers N (default 3): idle workers of each type measured
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, percentile, round } from './lib/stats.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = path.join(ROOT, 'build/src/main.js');
const BARE = fileURLToPath(new URL('./lib/bare-pglite.js', import.meta.url));
const WORKERS = arg('workers', 3);
const TYPES = ['discovery', 'ingestion', 'processing'] as const;
const SETTLE_TIMEOUT_MS = 300_000;

interface Mem {
  rssMb: number;
  hwmMb: number;
}

function readMem(pid: number): Mem {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** RSS of a process and its descendants, MB (a first start creates the database in a child process). */
function treeRssMb(pid: number): number {
  let total = 0;
  try {
    const own = readMem(pid).rssMb;
    total = Number.isFinite(own) ? own : 0; // a zombie has no VmRSS
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean)) total += treeRssMb(Number(child));
    }
  } catch {
    // gone meanwhile
  }
  return total;
}

/** Median RSS over `count` samples `everyMs` apart, and the high-water mark at the end. */
async function measure(pid: number, count = 6, everyMs = 500): Promise<Mem> {
  const rss: number[] = [];
  for (let i = 0; i < count; i++) {
    rss.push(readMem(pid).rssMb);
    if (i < count - 1) await sleep(everyMs);
  }
  return { rssMb: percentile(rss, 50), hwmMb: readMem(pid).hwmMb };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

interface Child {
  proc: ChildProcess;
  pid: number;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

async function startService(dataDir: string, extraEnv: Record<string, string> = {}): Promise<Child> {
  const port = await freePort();
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_URL: '',
    SCENESCOUT_API_TOKEN: '',
    HOST: '',
    SPAWN_WORKER_TYPES: '',
    SCENESCOUT_DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const proc = spawn(process.execPath, [MAIN], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, pid: proc.pid!, url: `http://127.0.0.1:${port}`, stderr: () => err, exited };
}

async function stop(child: Child): Promise<void> {
  if (child.proc.exitCode !== null) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), 45_000);
  await child.exited;
  clearTimeout(timer);
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

async function until(child: Child, what: string, check: () => Promise<boolean>, timeoutMs = SETTLE_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.proc.exitCode !== null) throw new Error(`the service exited (${child.proc.exitCode}) while waiting for ${what}: ${child.stderr()}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

const ready = (child: Child) => until(child, '/readyz', async () => (await fetch(`${child.url}/readyz`)).ok);

interface Status {
  activeTasks: number;
  queuedTasks: number;
  workers: { total: number; byStatus: Record<string, number> };
  tasks: { completed: number; failed: number };
}

/** The startup work is done when tasks have finished, none is queued or running, and that held for 5 s. */
async function settled(child: Child): Promise<void> {
  let quietSince = 0;
  let lastDone = -1;
  await until(child, 'the startup work to settle', async () => {
    const s = (await getJson(`${child.url}/api/spawn?action=status`)) as Status;
    const done = s.tasks.completed + s.tasks.failed;
    const busy = (s.workers.byStatus.busy ?? 0) + (s.workers.byStatus.starting ?? 0);
    const quiet = done > 0 && done === lastDone && s.activeTasks === 0 && s.queuedTasks === 0 && busy === 0;
    lastDone = done;
    if (!quiet) quietSince = 0;
    else quietSince ||= Date.now();
    return quiet && Date.now() - quietSince >= 5_000;
  });
}

/** Samples RSS every 500 ms until stopped; the timeline of a start. */
function sampler(pid: number): { stop: () => Array<{ s: number; rssMb: number }>; peakTreeMb: () => number } {
  const t0 = Date.now();
  const samples: Array<{ s: number; rssMb: number }> = [];
  let peakTree = 0;
  const timer = setInterval(() => {
    try {
      samples.push({ s: (Date.now() - t0) / 1000, rssMb: readMem(pid).rssMb });
      peakTree = Math.max(peakTree, treeRssMb(pid));
    } catch {
      // the process is gone
    }
  }, 500);
  return {
    stop: () => {
      clearInterval(timer);
      return samples;
    },
    peakTreeMb: () => peakTree,
  };
}

/** The demo as `npm start` runs it: ready, startup work settled, then RSS over 5 s. */
async function demoStart(dataDir: string): Promise<Mem & { seconds: number; timeline: string; peakTreeMb: number }> {
  const t0 = Date.now();
  const child = await startService(dataDir);
  const timeline = sampler(child.pid);
  try {
    await ready(child);
    await settled(child);
    const mem = await measure(child.pid, 10);
    const samples = timeline.stop();
    const every5 = samples.filter((_, i) => i % 10 === 9).map((x) => `${Math.round(x.s)}s:${Math.round(x.rssMb)}`);
    return { ...mem, seconds: (Date.now() - t0) / 1000, timeline: every5.join(' '), peakTreeMb: Math.max(timeline.peakTreeMb(), mem.hwmMb) };
  } finally {
    timeline.stop();
    await stop(child);
  }
}

async function spawnWorker(child: Child, type: string): Promise<void> {
  const res = await fetch(`${child.url}/api/spawn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-requested-with': 'bench' },
    body: JSON.stringify({ action: 'spawn', params: { type } }),
  });
  if (!res.ok) throw new Error(`spawning a ${type} worker: HTTP ${res.status} ${await res.text()}`);
}

/**
 * RSS added per idle worker of `type`: the service with no workers and no startup work, then
 * `n` workers of the type spawned through the API. Each type in a process of its own, and the
 * least of 10 samples over 5 s on each side, so the main thread's garbage collection (its heap
 * saw-tooth) does not land on one side only.
 */
async function idleWorkers(dataDir: string, type: string, n: number): Promise<{ base: Mem; mb: number }> {
  // No workers at start; room for `n` of the measured type whatever its maxConcurrency.
  const none = Object.fromEntries(TYPES.map((t) => [t, t === type ? { initialWorkers: 0, maxConcurrency: n } : { initialWorkers: 0 }]));
  const child = await startService(dataDir, {
    SPAWN_WORKER_TYPES: JSON.stringify(none),
    SCENESCOUT_DISCOVER_ON_START: 'false',
    SCENESCOUT_SCHEDULES: 'false',
  });
  try {
    await ready(child);
    await sleep(5_000);
    const base = await floor(child.pid);
    for (let i = 0; i < n; i++) await spawnWorker(child, type);
    await sleep(5_000);
    const after = await floor(child.pid);
    return { base, mb: (after.rssMb - base.rssMb) / n };
  } finally {
    await stop(child);
  }
}

/** The least RSS of 10 samples over 5 s: what the process holds between its collections. */
async function floor(pid: number): Promise<Mem> {
  const rss: number[] = [];
  for (let i = 0; i < 10; i++) {
    rss.push(readMem(pid).rssMb);
    await sleep(500);
  }
  return { rssMb: Math.min(...rss), hwmMb: readMem(pid).hwmMb };
}

/** A process that only opens PGlite (bench/lib/bare-pglite.ts) on `dataDir`. */
async function barePglite(dataDir: string): Promise<Mem> {
  const proc = spawn(process.execPath, [BARE, dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      proc.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      void exited.then((code) => reject(new Error(`bare PGlite exited with ${code}`)));
    });
    await sleep(2_000);
    return await measure(proc.pid!);
  } finally {
    proc.kill('SIGTERM');
    await exited;
  }
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'scenescout-memory-'));
  const dataDir = path.join(dir, 'data');
  try {
    const first = await demoStart(dataDir);
    const again = await demoStart(dataDir);
    const perType: Record<string, { n: number; mb: number }> = {};
    let idleBase: Mem | undefined;
    for (const type of TYPES) {
      const n = WORKERS;
      const r = await idleWorkers(dataDir, type, n);
      perType[type] = { n, mb: r.mb };
      idleBase ??= r.base;
    }
    const idle = { base: idleBase!, perType };
    const bareFresh = await barePglite(path.join(dir, 'bare'));
    const bareReopen = await barePglite(dataDir);

    const mb = (n: number) => String(Math.round(n)).padStart(6);
    const rows: Array<[string, Mem]> = [
      ['bare PGlite, fresh folder (initdb)', bareFresh],
      ['bare PGlite, existing folder', bareReopen],
      ['npm start + demo, fresh folder', first],
      ['npm start + demo, existing folder', again],
      ['service, no workers, no startup work', idle.base],
    ];
    console.log(`\n${'what'.padEnd(40)} ${'rss MB'.padStart(6)} ${'peak MB'.padStart(7)}`);
    for (const [what, m] of rows) console.log(`${what.padEnd(40)} ${mb(m.rssMb)} ${mb(m.hwmMb).padStart(7)}`);
    console.log(`\nper idle worker thread (RSS added by ${WORKERS} of a type, divided by ${WORKERS}):`);
    for (const [type, w] of Object.entries(idle.perType)) console.log(`  ${type.padEnd(12)} ${round(w.mb, 1)} MB (n=${w.n})`);
    console.log(`\nfirst start, RSS every 5 s: ${first.timeline}`);
    console.log(`peak RSS of the service with its child processes (sampled every 500 ms): ${Math.round(first.peakTreeMb)} MB (fresh folder: initdb runs in a child)`);
    console.log(`settled after ${Math.round(first.seconds)} s (fresh folder), ${Math.round(again.seconds)} s (existing folder)`);
    console.log(
      JSON.stringify({
        rssMb: round(first.rssMb, 1),
        peakRssMb: round(first.hwmMb, 1),
        peakWithChildrenMb: round(first.peakTreeMb, 1),
        restartRssMb: round(again.rssMb, 1),
        restartPeakRssMb: round(again.hwmMb, 1),
        idleServiceRssMb: round(idle.base.rssMb, 1),
        perIdleWorkerMb: Object.fromEntries(Object.entries(idle.perType).map(([t, w]) => [t, round(w.mb, 1)])),
        baseline: { barePgliteFreshRssMb: round(bareFresh.rssMb, 1), barePgliteRssMb: round(bareReopen.rssMb, 1) },
        ratioToBarePglite: round(again.rssMb / bareReopen.rssMb, 2),
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
