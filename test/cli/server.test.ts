/** The read and change commands against a real server (embedded database, worker threads). */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { City } from '../../src/contracts/cities.js';
import type { DeadLetter, SystemStatus, TaskSummary, WorkerSnapshot } from '../../src/contracts/status.js';
import type { DiscoverySummary } from '../../src/cli/discover/summary.js';
import { closeTestDatabases } from '../helpers/db.js';
import type { SourceHealth } from '../../src/contracts/source-health.js';
import { recordSourceFailure, recordSourceSuccess } from '../../src/lib/db/queries/source-health.js';
import { eventually, PACKAGE_ROOT, parseJson, runCli, runInProcess, TOKEN } from './helpers.js';
import { startTestServer, type TestServer } from './live-server.js';

describe('scenescout against a running server', () => {
  let server: TestServer;
  // The server has a token, so reads need it too (SCENESCOUT_API_TOKEN; --token wins over it).
  // Most runs are the CLI's program in this process: what each command asks of the server, what
  // it prints and the exit code it chooses do not depend on being a process of its own, and a
  // `scenescout` process costs a few tenths of a second of CPU to start. A few runs are
  // `scenescout` as a process, for what only a process shows (index.ts, alike for every command):
  // its exit status, and stdout and stderr as pipes: a --json document (cities list, which must
  // equal the program's), a text result with progress beside it on stderr (discover) and a
  // refusal (retry without the token, exit 5). usage.test.ts and local.test.ts run others.
  const here = (...args: string[]) => runInProcess(['--url', server.url, ...args], { ...process.env, SCENESCOUT_API_TOKEN: TOKEN });
  const hereWithoutToken = (...args: string[]) => runInProcess(['--url', server.url, ...args], { ...process.env, SCENESCOUT_API_TOKEN: '' });
  const cli = (...args: string[]) => runCli(['--url', server.url, ...args], { ...process.env, SCENESCOUT_API_TOKEN: TOKEN });
  const cliWithoutToken = (...args: string[]) => runCli(['--url', server.url, ...args], { ...process.env, SCENESCOUT_API_TOKEN: '' });

  before(async () => {
    server = await startTestServer();
    // One task that fails for good, so there is a dead letter to list and retry.
    await server.service.distributeTask({ id: 'cli-bad-task', type: 'discovery', priority: 0, parameters: { source: 'nope' } });
    await eventually(async () => (await server.service.listDeadLetters()).find((d) => d.taskId === 'cli-bad-task'), 'the dead letter');
  });

  after(async () => {
    await server?.close();
    await closeTestDatabases();
  });

  test('status --json is the API document; the text has headings', async () => {
    const [json, text] = await Promise.all([here('status', '--json'), here('status')]);
    assert.equal(json.code, 0, json.stderr);
    const s = parseJson<SystemStatus>(json);
    assert.equal(s.database, 'pglite');
    assert.equal(s.workers.total, 3);
    assert.deepEqual(Object.keys(s.workers.byType).sort(), ['discovery', 'ingestion', 'processing']);
    assert.ok(s.tasks.failed >= 1);
    assert.ok(s.providers.some((p) => p.source === 'ics' && p.enabled));
    assert.equal(text.code, 0, text.stderr);
    for (const heading of ['Workers: 3', 'Tasks:', 'Rates (last hour):', 'Provider budgets (today):', 'SOURCE', 'REMAINING']) {
      assert.ok(text.stdout.includes(heading), `missing ${heading} in\n${text.stdout}`);
    }
    assert.match(text.stdout, /^SceneScout at http:\/\/127\.0\.0\.1:\d+ \(replica .+, pglite\)/);
  });

  test('workers --json lists snapshots; the text is a table', async () => {
    const [json, text] = await Promise.all([here('workers', '--json'), here('workers')]);
    const workers = parseJson<WorkerSnapshot[]>(json);
    assert.equal(workers.length, 3);
    for (const w of workers) {
      assert.match(w.workerId, /^worker-/);
      assert.ok(['idle', 'busy'].includes(w.status));
      assert.equal(typeof w.tasksCompleted, 'number');
    }
    const lines = text.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^ID\s+TYPE\s+STATUS\s+CURRENT TASK\s+DONE\s+AVG\s+ERROR RATE\s+LAST HEARTBEAT$/);
    assert.equal(lines.length, 4);
    assert.ok(lines.some((l) => /worker-discovery-\d+\s+discovery\s+(idle|busy)/.test(l)));
  });

  test('tasks and tasks --failed', async () => {
    const [all, failed, failedText, text] = await Promise.all([
      here('tasks', '--json', '--limit', '10'),
      here('tasks', '--failed', '--json'),
      here('tasks', '--failed'),
      here('tasks'),
    ]);
    const tasks = parseJson<TaskSummary[]>(all);
    const bad = tasks.find((t) => t.taskId === 'cli-bad-task');
    assert.equal(bad?.state, 'failed');
    const dead = parseJson<DeadLetter[]>(failed);
    const letter = dead.find((d) => d.taskId === 'cli-bad-task');
    assert.match(letter?.error ?? '', /Unknown source/);
    assert.match(failedText.stdout, /^TASK\s+TYPE\s+RETRIES\s+FAILED\s+ERROR/);
    assert.match(failedText.stdout, /cli-bad-task\s+discovery\s+\d+\s+(just now|.+ ago)\s+ERR_NON_RETRYABLE: Unknown source/);
    assert.match(text.stdout, /^TASK\s+TYPE\s+STATE\s+PRIO\s+RETRIES\s+CREATED\s+TOOK\s+ERROR/);
  });

  test('changes need the token: missing is exit 5 with a hint, a wrong one is refused', async () => {
    const [missing, wrong] = await Promise.all([
      // As a process: exit status 5, the one line on stderr.
      cliWithoutToken('retry', 'cli-bad-task'),
      hereWithoutToken('retry', 'cli-bad-task', '--token', 'wrong-token-that-is-secret'),
    ]);
    assert.equal(missing.code, 5);
    assert.match(missing.stderr, /^scenescout: this change needs the API token: pass --token or set SCENESCOUT_API_TOKEN/);
    assert.equal(wrong.code, 5);
    assert.match(wrong.stderr, /refused the API token/);
    assert.ok(!wrong.stderr.includes('wrong-token-that-is-secret'), 'the token is never printed');
    const read = await hereWithoutToken('status');
    assert.equal(read.code, 5);
    assert.match(read.stderr, /^scenescout: this request needs the API token/);
  });

  test('retry: an unknown task is exit 4; a dead-lettered one is requeued', async () => {
    const unknown = await here('retry', 'no-such-task', '--token', TOKEN);
    assert.equal(unknown.code, 4);
    assert.match(unknown.stderr, /^scenescout: no dead-lettered task with id "no-such-task"; "scenescout tasks --failed" lists/);
    const ok = await here('retry', 'cli-bad-task', '--token', TOKEN, '--json');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(parseJson<{ taskId: string }>(ok).taskId, 'cli-bad-task');
  });

  test('cities add (token from the environment) and cities list', async () => {
    const env = { ...process.env, SCENESCOUT_API_TOKEN: TOKEN };
    const args = ['--url', server.url, 'cities', 'add', '--id', 'cli-town', '--name', 'CLI Town', '--lat', '52.5', '--lng', '-13.4',
      '--timezone', 'Europe/Berlin', '--radius-m', '20000', '--priority', '7'];
    // A local file is the operator's, from the cities file only: through the API it is a 400.
    const local = await runInProcess([...args, '--ics', join(PACKAGE_ROOT, 'examples', 'demo-city.ics'), '--json'], env);
    assert.equal(local.code, 2);
    assert.match(local.stderr, /sources\.ics\.feeds\.0: must be an http\(s\) URL \(local files are allowed only in the cities file\)/);
    const add = await runInProcess([...args, '--eventbrite-org', 'org-1', 'org-2', '--json'], env);
    assert.equal(add.code, 0, add.stderr);
    const city = parseJson<City>(add);
    assert.equal(city.id, 'cli-town');
    assert.equal(city.longitude, -13.4);
    assert.deepEqual(city.sources, { eventbrite: { organizationIds: ['org-1', 'org-2'] } });
    // As the cities file would: the operator's own path.
    await server.service.updateCity('cli-town', {
      sources: { ics: { feeds: [join(PACKAGE_ROOT, 'examples', 'demo-city.ics')] }, eventbrite: { organizationIds: ['org-1', 'org-2'] } },
    });

    const text = await runInProcess(['--url', server.url, 'cities', 'add', '--id', 'cli-village', '--name', 'Village', '--lat', '1', '--lng', '2', '--timezone', 'UTC'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^saved city cli-village \(Village\), UTC, sources: none\n$/);

    const [list, listText, listAsProcess] = await Promise.all([here('cities', 'list', '--json'), here('cities', 'list'), cli('cities', 'list', '--json')]);
    // The process exits 0 with the document the program wrote here on stdout, and nothing on stderr.
    assert.deepEqual(listAsProcess, list);
    assert.deepEqual(parseJson<City[]>(list).map((c) => c.id).sort(), ['cli-town', 'cli-village']);
    assert.match(listText.stdout, /^ID\s+NAME\s+LAT\s+LNG\s+RADIUS\s+TIMEZONE\s+PRIO\s+ENABLED\s+SOURCES\n/);
    assert.match(listText.stdout, /cli-town\s+CLI Town\s+52\.5000\s+-13\.4000\s+20 km\s+Europe\/Berlin\s+7\s+yes\s+ics, eventbrite/);
  });

  test('discover through the server waits for its tasks', async () => {
    const r = await here('discover', '--city', 'cli-town', '--source', 'ics', 'ticketmaster', '--token', TOKEN, '--json', '--timeout', '60');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', '--json adds nothing on stderr');
    const s = parseJson<DiscoverySummary>(r);
    assert.equal(s.mode, 'server');
    assert.equal(s.ok, true);
    assert.deepEqual(s.pairs.map((p) => [p.cityId, p.source, p.status]), [['cli-town', 'ics', 'completed']]);
    assert.deepEqual(s.skipped.map((p) => p.source), ['ticketmaster']);
    const events = await server.service.controller.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM raw_events WHERE city_id = 'cli-town'`);
    assert.ok(events.rows[0]!.n > 0, 'the server discovered events');
  });

  test('discover through the server: text output, progress on stderr, bad city is exit 2', async () => {
    const [text, bad] = await Promise.all([
      // As a process: exit status 0, the result on stdout and the progress on stderr.
      cli('discover', '--city', 'cli-town', '--source', 'ics', '--token', TOKEN),
      here('discover', '--city', 'atlantis', '--token', TOKEN),
    ]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Discovery finished in .+, by the server at http/);
    assert.match(text.stdout, /CITY\s+SOURCE\s+STATUS\s+FOUND\s+NEW\s+CHANGED\s+UNCHANGED\s+TOOK\s+ERROR\ncli-town\s+ics\s+completed/);
    assert.match(text.stderr, /discovering through the server at/);
    assert.match(text.stderr, /discover: discovery 1\/1 tasks done, 0 failed/);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown or disabled city id\(s\): atlantis/);
  });

  test('sources lists source health worst first; sources unquarantine lifts a quarantine', async () => {
    const db = server.service.controller.db;
    const policy = { quarantineAfter: 1, backoffMs: 60_000, maxBackoffMs: 60_000 };
    const bad = await recordSourceFailure(db, { cityId: 'cli-health', source: 'ics', feed: 'https://feeds.example/cal.ics?token=hush' }, 'HTTP 404', policy);
    await recordSourceSuccess(db, { cityId: 'cli-health', source: 'jsonld', feed: 'https://venue.example/events' }, 12);
    const [text, json, anonymous] = await Promise.all([here('sources'), here('sources', '--json'), hereWithoutToken('sources')]);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^ID\s+CITY\s+SOURCE\s+FEED\s+STATE\s+FAILURES\s+EVENTS\s+LAST SUCCESS\s+LAST ERROR$/);
    assert.match(lines[1]!, new RegExp(`^${bad.id}\\s+cli-health\\s+ics\\s+\\S+token=REDACTED\\s+quarantined until \\S+\\s+1\\s+-\\s+-\\s+HTTP 404$`));
    assert.doesNotMatch(text.stdout, /hush/);
    assert.ok(parseJson<SourceHealth[]>(json).some((h) => h.id === bad.id && h.quarantined));
    assert.equal(anonymous.code, 5, anonymous.stderr);

    const [missing, lifted] = [await here('sources', 'unquarantine', '0000000000000000'), await here('sources', 'unquarantine', bad.id)];
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /"scenescout sources" lists the ids/);
    assert.equal(lifted.code, 0, lifted.stderr);
    assert.match(lifted.stdout, /^un-quarantined ics for cli-health \(https:\/\/feeds\.example\/cal\.ics\?token=REDACTED\)/);
    const after = parseJson<SourceHealth[]>(await here('sources', '--json')).find((h) => h.id === bad.id)!;
    assert.deepEqual([after.quarantined, after.consecutiveFailures], [false, 0]);
  });
});
