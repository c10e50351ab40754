/** `node dist/main.js` started wrong: one line on stderr that names what to change. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
const dataDir = mkdtempSync(path.join(tmpdir(), 'scenescout-main-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  // The node flags of this test process (npm test's --liftoff-only) go on to main, as to the CLI.
  const child = spawn(process.execPath, [...process.execArgv, MAIN], {
    env: { ...process.env, DATABASE_URL: '', SCENESCOUT_DATA_DIR: dataDir, SCENESCOUT_DISCOVER_ON_START: 'false', SCENESCOUT_SCHEDULES: 'false', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => child.once('exit', (code) => {
    clearTimeout(timer);
    resolve({ code, stderr });
  }));
}

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

test('a bad SCENESCOUT_DISCOVERY_CRON is named before the database is opened', async () => {
  const { port } = await listen().then(({ server, port }) => new Promise<{ port: number }>((r) => server.close(() => r({ port }))));
  // A database that does not answer: the cron error must come first.
  const r = await runMain({ SCENESCOUT_DISCOVERY_CRON: 'every day', DATABASE_URL: `postgres://scout:hunter22@127.0.0.1:${port}/scenescout` });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^scenescout: Invalid configuration: SCENESCOUT_DISCOVERY_CRON="every day": must be a cron expression/);
});

test('a DATABASE_URL that reaches nothing names the server (without the password) and what to check', async () => {
  const { port } = await listen().then(({ server, port }) => new Promise<{ port: number }>((r) => server.close(() => r({ port }))));
  const r = await runMain({ DATABASE_URL: `postgres://scout:hunter22@127.0.0.1:${port}/scenescout` });
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`cannot reach the database at postgres://REDACTED@127\\.0\\.0\\.1:${port}/scenescout \\(DATABASE_URL\\): .*ECONNREFUSED.*; check that Postgres is running`));
  assert.doesNotMatch(r.stderr, /hunter22/);
});

test('a busy port says EADDRINUSE and to set PORT', async () => {
  const { server, port } = await listen();
  try {
    // In memory: the service starts (and then fails to listen) without making a data folder first.
    const r = await runMain({ PORT: String(port), SCENESCOUT_DATA_DIR: 'memory' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^scenescout: cannot listen on 127\\.0\\.0\\.1:${port}: the port is already in use \\(EADDRINUSE\\); .*set PORT \\(and HOST\\)`));
  } finally {
    server.close();
  }
});
