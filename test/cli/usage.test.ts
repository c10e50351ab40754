/**
 * Help, usage errors, local validation and an unreachable server: no server needed. Most run the
 * CLI's program in this process (runInProcess); one of each kind runs `scenescout` as a process,
 * and its output must be what the program wrote here.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cleanEnv, closedPort, runCli, runInProcess } from './helpers.js';

const COMMANDS = [[], ['start'], ['migrate'], ['discover'], ['status'], ['workers'], ['tasks'], ['retry'], ['cities'], ['cities', 'list'], ['cities', 'add']];

describe('scenescout usage', () => {
  test('--help works for every command and documents the exit codes', async () => {
    const results = await Promise.all(COMMANDS.map((c) => runInProcess([...c, '--help'])));
    // The process writes what the program wrote here, on stdout, and exits 0.
    const asProcess = await runCli(['discover', '--help']);
    assert.deepEqual(asProcess, results[3]);
    results.forEach((r, i) => {
      const name = ['scenescout', ...COMMANDS[i]!].join(' ');
      assert.equal(r.code, 0, `${name} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: ${name}`), name);
      assert.match(r.stdout, /Exit codes:\n\s+0\s+success/, name);
      assert.match(r.stdout, /--json/, `${name} shows the global options`);
      assert.equal(r.stderr, '', name);
    });
    const [top, , , discover] = results;
    for (const cmd of ['start', 'migrate', 'discover', 'status', 'workers', 'tasks', 'retry', 'cities']) assert.match(top!.stdout, new RegExp(`\\n\\s+${cmd}\\b`));
    assert.match(discover!.stdout, /--city <id\.\.\.>/);
    assert.match(discover!.stdout, /--no-wait/);
  });

  test('unknown commands and options are usage errors (exit 2), one line on stderr', async () => {
    const [cmd, opt, arg, missing, none, asProcess] = await Promise.all([
      runInProcess(['frobnicate']),
      runInProcess(['status', '--frob']),
      runInProcess(['tasks', '--limit', 'lots']),
      runInProcess(['retry']),
      runInProcess([]),
      runCli(['status', '--frob']),
    ]);
    assert.deepEqual(asProcess, opt, 'the process exits 2 with the same one line on stderr');
    assert.equal(cmd.code, 2);
    assert.match(cmd.stderr, /^scenescout: unknown command 'frobnicate'\n$/);
    assert.equal(opt.code, 2);
    assert.match(opt.stderr, /^scenescout: unknown option '--frob'/);
    assert.equal(opt.stderr.trim().split('\n').length, 1);
    assert.equal(arg.code, 2);
    assert.match(arg.stderr, /--limit/);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing required argument 'task'/);
    assert.equal(none.code, 2, 'no command: help on stderr, usage error');
    assert.equal(cmd.stdout + opt.stdout + arg.stdout, '');
  });

  test('cities add validates locally before contacting any server (exit 2)', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const base = ['cities', 'add', '--url', url, '--id', 'ok-town', '--name', 'OK Town', '--lat', '10', '--lng', '-20.5'];
    const [zone, lat, missing, badId] = await Promise.all([
      runInProcess([...base, '--timezone', 'Mars/Olympus_Mons']),
      runInProcess([...base.slice(0, -4), '--lat', 'north', '--lng', '1', '--timezone', 'UTC']),
      runInProcess(['cities', 'add', '--url', url, '--id', 'x']),
      runInProcess([...base.map((a) => (a === 'ok-town' ? 'Bad Town!' : a)), '--timezone', 'UTC']),
    ]);
    assert.equal(zone.code, 2, zone.stderr);
    assert.match(zone.stderr, /^scenescout: invalid city: timezone: must be an IANA time zone/);
    assert.equal(lat.code, 2);
    assert.match(lat.stderr, /--lat.*must be a number/);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /required option/);
    assert.equal(badId.code, 2);
    assert.match(badId.stderr, /invalid city: id:/);
  });

  test('an unreachable server is exit 3 with a hint', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const [status, viaEnv, viaPort, discover] = await Promise.all([
      runInProcess(['status', '--url', url]),
      // As a process: the URL comes from the process's environment.
      runCli(['workers', '--json'], cleanEnv({ SCENESCOUT_URL: url })),
      runInProcess(['tasks'], cleanEnv({ PORT: String(port) })),
      // An explicit URL that does not answer is not silently replaced by an in-process run.
      runInProcess(['discover', '--url', url, '--json']),
    ]);
    for (const r of [status, viaEnv, viaPort, discover]) {
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.stderr, `scenescout: no SceneScout server at ${url}: start one with "scenescout start" or pass --url\n`);
      assert.equal(r.stdout, '');
    }
  });

  test('a malformed --url is a usage error', async () => {
    const r = await runInProcess(['status', '--url', 'not a url']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid API URL/);
  });
});
