/**
 * `npm run test:container`: builds deploy/Dockerfile's image and runs it as a user would, on the
 * embedded database in a named volume. Checks, in order:
 *   - the image: non-root USER, HOST=0.0.0.0, SCENESCOUT_DATA_DIR=/data, VOLUME /data;
 *   - without SCENESCOUT_API_TOKEN it refuses to start, naming HOST and SCENESCOUT_API_TOKEN;
 *   - with a token, on a read-only root filesystem: /healthz answers, the server process runs as
 *     a uid other than 0, a change without the token gets 401 and with it is accepted, and the
 *     demo city's events are discovered (worker threads, the embedded database in /data);
 *   - SIGTERM (`docker stop`): exit code 0 within a few seconds, and the log says it shut down;
 *   - a new container on the same volume still has what the first one wrote (a city, events).
 * Prints a line per check and ends with one JSON line of figures (seconds, megabytes).
 *
 * deploy/container-engine.sh first makes sure an engine and the base image are there. Builds
 * here cannot reach a registry, so the image is built with `--target prebuilt` from a staged
 * context: this checkout's `npm run build` output and `npm ci --omit=dev` in the stage.
 * Containers run with --network host (the engine has no bridge), so the server listens on a
 * free port of 127.0.0.1 (PORT, HOST); the image's own HOST=0.0.0.0 is checked in its config
 * and by the refusal above, which stops before it listens.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/lib/paths.js';

const IMAGE = 'scenescout/spawn:container-test';
const TOKEN = `container-test-token-${process.pid}`;
const tag = `scenescout-container-test-${process.pid}`;
const VOLUME = `${tag}-data`;
const root = packageRoot();

const figures: Record<string, number | string | boolean> = {};
const containers = new Set<string>();

function step(message: string): void {
  process.stdout.write(`== ${message}\n`);
}
function ok(message: string): void {
  process.stdout.write(`   ok ${message}\n`);
}
function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
  ok(message);
}
function seconds(since: number): number {
  return Math.round((performance.now() - since) / 100) / 10;
}

/** Runs a command; throws with its output's tail unless it exits 0 (or `allowFail`). */
function run(cmd: string, args: string[], options: { cwd?: string; allowFail?: boolean; inherit?: boolean } = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, {
    cwd: options.cwd ?? root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: options.inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
  });
  if (r.error) throw r.error;
  if (r.status !== 0 && !options.allowFail) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${out}`);
  }
  return r;
}
const docker = (...args: string[]) => run('docker', args).stdout.trim();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function get(url: string, init: RequestInit = {}): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text() };
}

/** Waits until `url` answers 200; fails early when the container has exited. */
async function waitFor(url: string, container: string, limitMs = 180_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    try {
      if ((await get(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (docker('inspect', '-f', '{{.State.Running}}', container) !== 'true') {
      throw new Error(`container exited before ${url} answered:\n${logsOf(container).split('\n').slice(-20).join('\n')}`);
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${limitMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function eventCount(body: string): number {
  return (JSON.parse(body) as { events: unknown[] }).events.length;
}

/** Waits until the catalogue has an event: discovery on start read the demo city's files. */
async function waitForEvents(base: string, container: string, limitMs = 180_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const res = await get(`${base}/api/events?limit=1`);
    if (res.status === 200 && eventCount(res.body) > 0) return;
    if (docker('inspect', '-f', '{{.State.Running}}', container) !== 'true') throw new Error('container exited while discovering');
    if (Date.now() > deadline) throw new Error(`no events in the catalogue ${limitMs / 1000} s after the start`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function logsOf(container: string): string {
  const r = run('docker', ['logs', container], { allowFail: true });
  return `${r.stdout}${r.stderr}`;
}

/** Starts the service detached on the volume, with a token, on 127.0.0.1:port. */
function startContainer(name: string, port: number, extraEnv: string[] = []): void {
  const env = [`PORT=${port}`, 'HOST=127.0.0.1', `SCENESCOUT_API_TOKEN=${TOKEN}`, 'SPAWN_MAX_WORKERS=2', ...extraEnv];
  // --read-only: the service may write to its volume only.
  docker('run', '-d', '--name', name, '--network', 'host', '--read-only', '-v', `${VOLUME}:/data`, ...env.flatMap((e) => ['-e', e]), IMAGE);
  containers.add(name);
}

/**
 * The context `--target prebuilt` expects: what the runtime stage copies, and in deploy/prebuilt/
 * this checkout's build and its production dependencies.
 */
function stageContext(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scenescout-image-'));
  for (const path of ['package.json', 'package-lock.json', 'sql', 'config', 'examples', 'deploy/Dockerfile']) {
    cpSync(join(root, path), join(dir, path), { recursive: true });
  }
  const prebuilt = join(dir, 'deploy/prebuilt');
  for (const path of ['dist', 'web/dist']) cpSync(join(root, path), join(prebuilt, path), { recursive: true });
  run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: dir });
  renameSync(join(dir, 'node_modules'), join(prebuilt, 'node_modules'));
  return dir;
}

async function main(): Promise<void> {
  step('engine and base image (deploy/container-engine.sh)');
  run('bash', [join(root, 'deploy/container-engine.sh')], { inherit: true });

  step('image');
  let started = performance.now();
  run('npm', ['run', 'build', '--silent']);
  const context = stageContext();
  figures.stageSeconds = seconds(started);
  started = performance.now();
  try {
    run('docker', ['build', '--network', 'host', '--target', 'prebuilt', '-f', join(context, 'deploy/Dockerfile'), '-t', IMAGE, context]);
    figures.buildSeconds = seconds(started);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  figures.imageMb = Math.round(Number(docker('image', 'inspect', '-f', '{{.Size}}', IMAGE)) / 1e5) / 10;
  ok(`built ${IMAGE} in ${figures.buildSeconds} s (staging ${figures.stageSeconds} s), ${figures.imageMb} MB`);
  const config = JSON.parse(docker('image', 'inspect', '-f', '{{json .Config}}', IMAGE)) as { User: string; Env: string[]; Volumes: Record<string, unknown> | null };
  check(config.User !== '' && config.User !== 'root' && config.User !== '0', `image runs as user "${config.User}"`);
  check(config.Env.includes('HOST=0.0.0.0'), 'image listens on all interfaces by default (HOST=0.0.0.0)');
  check(config.Env.includes('SCENESCOUT_DATA_DIR=/data') && config.Volumes !== null && '/data' in config.Volumes, 'embedded data in the /data volume');

  step('no token: refuses to start');
  const port = await freePort();
  const refused = run('docker', ['run', '--rm', '--network', 'host', '-e', `PORT=${port}`, IMAGE], { allowFail: true });
  check(refused.status === 1, `exits 1 without SCENESCOUT_API_TOKEN (got ${refused.status})`);
  check(/HOST="0\.0\.0\.0" needs SCENESCOUT_API_TOKEN/.test(refused.stderr), `says why: ${refused.stderr.trim().slice(0, 160)}`);

  step('first start on an empty volume');
  docker('volume', 'create', VOLUME);
  const base = `http://127.0.0.1:${port}`;
  const first = `${tag}-1`;
  started = performance.now();
  startContainer(first, port);
  await waitFor(`${base}/healthz`, first);
  figures.startToHealthySeconds = seconds(started);
  ok(`/healthz answered 200 after ${figures.startToHealthySeconds} s`);
  await waitFor(`${base}/readyz`, first);
  figures.startToReadySeconds = seconds(started);

  const pid = docker('inspect', '-f', '{{.State.Pid}}', first);
  const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  check(Number.isInteger(uid) && uid !== 0, `the server process runs as uid ${uid}`);

  const city = { id: `container-${process.pid}`, name: 'Container Town', latitude: 48.2, longitude: 16.37, timezone: 'Europe/Vienna' };
  const post = (headers: Record<string, string>) =>
    get(`${base}/api/cities`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(city) });
  const denied = await post({});
  check(denied.status === 401, `a change without the token: ${denied.status}`);
  const wrong = await post({ authorization: 'Bearer wrong-token-of-some-length' });
  check(wrong.status === 401, `a change with a wrong token: ${wrong.status}`);
  const accepted = await post({ authorization: `Bearer ${TOKEN}` });
  check(accepted.status >= 200 && accepted.status < 300, `a change with the token: ${accepted.status}`);
  await waitForEvents(base, first);
  figures.startToEventsSeconds = seconds(started);
  ok(`the demo city's events were discovered ${figures.startToEventsSeconds} s after the start`);

  step('SIGTERM');
  started = performance.now();
  docker('stop', '--time', '30', first);
  figures.stopSeconds = seconds(started);
  const exitCode = Number(docker('inspect', '-f', '{{.State.ExitCode}}', first));
  check(exitCode === 0, `exit code ${exitCode} after ${figures.stopSeconds} s`);
  check(figures.stopSeconds < 10, `stopped within 10 s (docker stop would have killed it at 30 s)`);
  const lines = logsOf(first).split('\n');
  check(lines.some((l) => l.includes('"msg":"shutting down"') && l.includes('SIGTERM')), 'log: shutting down on SIGTERM');
  check(lines.some((l) => l.includes('"msg":"shut down"')), 'log: shut down');

  step('a new container on the same volume');
  const second = `${tag}-2`;
  started = performance.now();
  startContainer(second, port, ['SCENESCOUT_DISCOVER_ON_START=false']);
  await waitFor(`${base}/healthz`, second);
  figures.restartToHealthySeconds = seconds(started);
  const cities = await get(`${base}/api/cities`, { headers: { authorization: `Bearer ${TOKEN}` } });
  check(cities.status === 200 && cities.body.includes(`"${city.id}"`), `the city created before the restart is there (${cities.status})`);
  const events = await get(`${base}/api/events?limit=1`);
  check(events.status === 200 && eventCount(events.body) > 0, 'the events discovered before the restart are there');
  docker('stop', '--time', '30', second);
  check(docker('inspect', '-f', '{{.State.ExitCode}}', second) === '0', 'second container stopped with exit code 0');
}

let failed: string | undefined;
try {
  await main();
} catch (err) {
  failed = err instanceof Error ? err.message : String(err);
  process.stdout.write(`   FAILED ${failed}\n`);
  for (const name of containers) process.stdout.write(`-- logs of ${name}:\n${logsOf(name).split('\n').slice(-25).join('\n')}\n`);
} finally {
  for (const name of containers) run('docker', ['rm', '-f', name], { allowFail: true });
  if (spawnSync('docker', ['volume', 'inspect', VOLUME], { stdio: 'ignore' }).status === 0) {
    execFileSync('docker', ['volume', 'rm', '-f', VOLUME], { stdio: 'ignore' });
  }
}
console.log(JSON.stringify({ ok: failed === undefined, ...figures, ...(failed ? { error: failed.split('\n')[0] } : {}) }));
process.exit(failed === undefined ? 0 : 1);
