/**
 * Issue 12 finding 9: during a database outage every route answers 503 with Retry-After, never
 * a 500. A scratch Postgres cluster (initdb into a temp folder, a free port, 127.0.0.1 only) is
 * stopped by its pid under a running service; the machine's shared server is never touched.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { silentLogger } from '../../src/lib/logger.js';
import { createService, type RunningService } from '../../src/service.js';
import { createApp } from '../../src/server/app.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/server.js';
import { fakeDashboardDir, TOKEN } from './helpers.js';

const INITDB = ['/usr/local/bin/initdb', 'initdb'].find((bin) => spawnSync(bin, ['--version']).status === 0);

/**
 * Postgres refuses to run as root: as root, run it as the `postgres` user through setpriv,
 * which execs in place, so the pid we hold is the server's own.
 */
function asPostgresUser(dir: string): string[] {
  if (process.getuid?.() !== 0) return [];
  const entry = spawnSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).stdout.split(':');
  const [uid, gid] = [Number(entry[2]), Number(entry[3])];
  chownSync(dir, uid, gid);
  return ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPostgres(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`scratch Postgres at ${url} did not start`);
}

describe('a database outage', { skip: INITDB ? false : 'initdb is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'scenescout-outage-'));
  let postgres: ChildProcess | undefined;
  let service: RunningService | undefined;
  let http: RunningHttpServer | undefined;

  before(async () => {
    const prefix = asPostgresUser(dir);
    const run = (cmd: string[]) => [...prefix, ...cmd];
    const [initBin, ...initArgs] = run([INITDB!, '-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync']);
    const init = spawnSync(initBin!, initArgs, { encoding: 'utf8' });
    assert.equal(init.status, 0, init.stderr);
    const port = await freePort();
    const [bin, ...args] = run(['postgres', '-D', join(dir, 'data'), '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off']);
    postgres = spawn(bin!, args, { stdio: 'ignore' });
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    await waitForPostgres(url);
    service = await createService({
      citiesFile: false,
      config: {
        databaseUrl: url,
        schema: 'outage',
        autoscale: false,
        schedules: { enabled: false },
        workerTypes: { discovery: { initialWorkers: 0 }, ingestion: { initialWorkers: 0 }, processing: { initialWorkers: 0 } },
      },
    });
    await service.start();
    const app = createApp({ service, apiToken: TOKEN, logger: silentLogger, staticDir: fakeDashboardDir() });
    http = await startHttpServer({ app, port: 0, host: '127.0.0.1', apiToken: TOKEN, logger: silentLogger });
  });

  after(async () => {
    await http?.close();
    if (postgres && postgres.exitCode === null) postgres.kill('SIGKILL');
    // The service's pool cannot reach its database any more: give stop() a bounded time.
    await Promise.race([service?.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 5000).unref())]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After on every database route once Postgres is gone', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const requests: Array<[string, RequestInit]> = [
      ['/api/cities', { headers: auth }],
      ['/api/events?lat=52.5&lng=13.4', {}],
      ['/api/spawn?action=status', { headers: auth }],
      ['/api/spawn?action=tasks', { headers: auth }],
      ['/api/spawn?action=workers', { headers: auth }],
      ['/api/dead-letters', { headers: auth }],
      ['/api/dead-letters/x/retry', { method: 'POST', headers: { ...auth, 'x-requested-with': 't' } }],
      ['/api/dead-letters/x', { method: 'DELETE', headers: { ...auth, 'x-requested-with': 't' } }],
      ['/api/cities', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ id: 'x', name: 'X', latitude: 1, longitude: 2, timezone: 'UTC' }) }],
      ['/api/spawn', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ action: 'discovery', params: {} }) }],
    ];
    assert.equal((await fetch(`${http!.url}/api/cities`, { headers: auth })).status, 200);
    // Ready, with no task ever sent (so no worker type's queue made yet): the queue is its tables.
    const ready = await fetch(`${http!.url}/readyz`);
    assert.equal(ready.status, 200);
    const readyBody = (await ready.json()) as Record<string, unknown>;
    assert.deepEqual([readyBody.ok, readyBody.database, readyBody.queue, readyBody.down], [true, true, true, []]);

    // Stop the scratch cluster by its pid (fast shutdown) and wait for it to exit.
    const exited = new Promise((resolve) => postgres!.once('exit', resolve));
    postgres!.kill('SIGINT');
    await exited;

    for (const [path, init] of requests) {
      const res = await fetch(`${http!.url}${path}`, init);
      const text = await res.text();
      assert.equal(res.status, 503, `${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
      assert.equal(res.headers.get('retry-after'), '5', path);
      assert.doesNotMatch(text, /ECONNREFUSED|127\.0\.0\.1|terminat/i, path);
    }
    const notReady = await fetch(`${http!.url}/readyz`);
    assert.equal(notReady.status, 503);
    const notReadyBody = (await notReady.json()) as Record<string, unknown>;
    assert.deepEqual([notReadyBody.database, notReadyBody.queue, notReadyBody.down], [false, false, ['database', 'queue']]);
    assert.equal((await fetch(`${http!.url}/healthz`)).status, 200);
  });
});
