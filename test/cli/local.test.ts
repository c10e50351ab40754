/** The commands that run without a server: migrate, and discover in this process. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { DiscoverySummary } from '../../src/cli/discover/summary.js';
import { lockDataDir } from '../../src/lib/db/data-dir-lock.js';
import type { MigrateReport } from '../../src/cli/commands/migrate.js';
import { cleanEnv, closedPort, parseJson, runCli, runInProcess } from './helpers.js';

// The tests share nothing (each command gets its own data folder or in-memory database), and
// their time goes to opening embedded databases and to the CLI processes they start: they run
// at the same time. Most runs are the CLI's program in this process (runInProcess), which opens
// PGlite here without a process of its own to start; a process (runCli) is kept where being
// one is the point: a second process refused a data folder, and one let in after it is freed.
describe('scenescout without a server', { concurrency: true }, () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('migrate applies the migrations once; another process gets the data folder only once it is free', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenescout-cli-migrate-'));
    dirs.push(dir);
    const dataDir = join(dir, 'data');
    const env = cleanEnv({ SCENESCOUT_DATA_DIR: dataDir });
    // A first start on a data folder that does not exist yet.
    const first = await runInProcess(['migrate', '--json'], env);
    assert.equal(first.code, 0, first.stderr);
    const report = parseJson<MigrateReport>(first);
    assert.ok(report.applied.includes('0001_init.sql'), JSON.stringify(report));
    assert.ok(report.version >= 1);
    assert.equal(report.database, `embedded PGlite in ${dataDir}`);

    // Held as openDatabase holds it (test/lib/db/data-dir-lock.test.ts opens it in another
    // process), without opening PGlite in this one: a second of CPU the CLI never sees. The
    // migrate above released it, or this would throw.
    const release = lockDataDir(dataDir);
    try {
      // Another process: this one's own lock would be refused with another message.
      const refused = await runCli(['migrate'], env);
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(refused.stderr, new RegExp(`scenescout: the embedded database in ${dataDir} is in use by process ${process.pid}: stop that process first, or reach its server instead \\(the CLI's --url\\)`));
    } finally {
      release();
    }
    // Released, the folder is another process's to open (a lock left behind names this
    // process, which still runs); it finds every migration applied, the refused run changed nothing.
    const again = await runCli(['migrate'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /migrations: already up to date/);
  });

  test('discover --json with no server runs in this process and reports every city/source pair', async (t) => {
    const env = cleanEnv({ PORT: String(await closedPort()) });
    const r = await runInProcess(['discover', '--city', 'demo-city', '--json', '--timeout', '120'], env);
    const s = parseJson<DiscoverySummary>(r);
    assert.equal(s.mode, 'in-process');
    assert.equal(s.where, 'embedded PGlite in memory');
    assert.equal(s.timedOut, false);
    const bySource = new Map(s.pairs.map((p) => [p.source, p]));
    assert.deepEqual([...bySource.keys()].sort(), ['ics', 'jsonld']);
    for (const p of s.pairs) {
      assert.equal(p.cityId, 'demo-city');
      assert.equal(p.status, 'completed', p.error ?? '');
      assert.ok((p.discovered ?? 0) > 0, `${p.source} discovered events`);
      assert.equal(p.new, p.discovered, 'a fresh database: every event is new');
      assert.equal(p.unchanged, 0);
    }
    assert.deepEqual(s.skipped.map((p) => p.source).sort(), ['eventbrite', 'ticketmaster', 'yelp']);
    assert.ok(s.skipped.every((p) => p.reason.length > 0));
    // It waits for the ingestion and processing the discovery chains, and their outcome counts.
    assert.ok(s.followUp, 'in-process runs wait for the chained tasks');
    assert.ok(s.followUp.completed >= 1, 'at least the ingestion of the new raw events ran');
    assert.equal(s.followUp.pending, 0);
    assert.equal(s.followUp.errors.length, s.followUp.failed);
    if (s.followUp.failed === 0) {
      assert.equal(s.ok, true);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '', '--json adds nothing on stderr');
    } else {
      // A failing pipeline step fails the command, with the summary still on stdout.
      t.diagnostic(`chained tasks failed: ${s.followUp.errors.join(' | ')}`);
      assert.equal(s.ok, false);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, `scenescout: ${s.followUp.failed} ingestion/processing task(s) failed\n`);
    }
  });

  test('discover in text mode prints a summary and plain progress lines', async () => {
    const r = await runInProcess(['discover', '--in-process', '--city', 'demo-city', '--source', 'ics'], cleanEnv());
    assert.match(r.stderr, /^discovering in this process \(embedded PGlite in memory\)\n/);
    assert.match(r.stderr, /discover: discovery 1\/1 tasks done, 0 failed/);
    assert.match(r.stdout, /^Discovery (finished|finished with failures) in .+, in this process \(embedded PGlite in memory\)\.\n/);
    assert.match(r.stdout, /\nCITY\s+SOURCE\s+STATUS\s+FOUND\s+NEW\s+CHANGED\s+UNCHANGED\s+TOOK\s+ERROR\ndemo-city\s+ics\s+completed\s+\d+\s+\d+\s+0\s+0/);
    const followUp = /Ingestion\/processing after discovery: (\d+) completed, (\d+) failed\./.exec(r.stdout);
    assert.ok(followUp, r.stdout);
    assert.equal(r.code, followUp[2] === '0' ? 0 : 1, r.stderr);
  });
});
