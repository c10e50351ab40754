/** Issue 12 finding 13: dead letters an operator can manage (retry once, dismiss, leave the list). */
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import { ProviderError } from '../../../src/lib/errors.js';
import { IcsClient } from '../../../src/lib/api/ics-client.js';
import { serializeError } from '../../../src/lib/spawn/protocol.js';
import { backends, closeTestDatabases } from '../../helpers/db.js';
import { assertNoneRunning, startController, stopController, waitFor } from '../../helpers/controller.js';
import { holdChannel } from '../../fixtures/workers/hold.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

type Done = { taskId: string; outcome?: string; jobId: string };

after(closeTestDatabases);
afterEach(assertNoneRunning);

for (const backend of backends()) {
  describe(`dead letters on ${backend.name}`, () => {
    test('retrying twice queues once; retried and dismissed entries leave the list', async () => {
      const c = await startController(backend, { retryPolicy: { maxRetries: 0 } });
      try {
        await c.spawnWorker('behave');
        for (const id of ['dl-retry', 'dl-dismiss']) {
          const dead = waitFor<Done>(c, 'task:failed', (e) => e.taskId === id && e.outcome === 'dead');
          await c.distributeTask({ id, type: 'behave', priority: 0, parameters: { mode: 'throw' } });
          await dead;
        }
        const letters = await c.queue.listDeadLetters(c.workerTypeNames, 10);
        const original = letters.find((l) => l.taskId === 'dl-retry')!;
        assert.ok(original);

        // The one worker is kept busy while the clicks land, so the retried job waits in the
        // queue. Were it to run, it would fail at once and be dead-lettered again, and a click
        // that reached the database only then would rightly retry that new entry.
        const hold = holdChannel();
        try {
          await c.distributeTask({ id: 'dl-busy', type: 'behave', priority: 0, parameters: { mode: 'hold' } });
          await hold.holding('dl-busy');

          // Two clicks at once: one new job in all.
          const [a, b] = await Promise.all([c.retryTask('dl-retry'), c.retryTask('dl-retry')]);
          const jobs = (await c.getTaskQueue({ state: 'all', limit: 100 })).filter((t) => t.taskId === 'dl-retry' && t.type === 'behave');
          assert.equal(jobs.length, 2, `the failed original and one retry, got ${jobs.map((j) => j.state).join(', ')}`);
          assert.equal(a.jobId, b.jobId, 'the second retry answers with the job the first queued');
          assert.deepEqual(jobs.map((j) => j.state).sort(), ['failed', 'queued'], 'the retry waits for the busy worker');
        } finally {
          hold.release('dl-busy');
          hold.close();
        }

        const after = await c.queue.listDeadLetters(c.workerTypeNames, 10);
        assert.ok(!after.some((l) => l.jobId === original.jobId), 'the retried entry left the list');

        await c.dismissDeadLetter('dl-dismiss');
        const left = await c.queue.listDeadLetters(c.workerTypeNames, 10);
        assert.ok(!left.some((l) => l.taskId === 'dl-dismiss'), 'the dismissed entry left the list');
        await assert.rejects(c.dismissDeadLetter('dl-dismiss'), /no dead-lettered task with id "dl-dismiss"/);
        await assert.rejects(c.retryTask('dl-dismiss'), /no dead-lettered task/);
      } finally {
        await stopController(c);
      }
    });
  });
}

describe('errors that retrying cannot help are not retried', () => {
  const nowhere = { location: { latitude: 0, longitude: 0, radius: 1000 }, dateRange: { start: '2027-01-01', end: '2027-02-01' } };

  const failureOf = async (feeds: string[]) => {
    try {
      await new IcsClient({ allowPrivateUrls: true, maxRetries: 0 }).searchEvents({ ...nowhere, feeds });
    } catch (err) {
      assert.ok(err instanceof ProviderError || err instanceof Error);
      return serializeError(err);
    }
    assert.fail('expected the search to fail');
  };

  test('a missing file, a document that is not a calendar, a 404, a refused address', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/page.ics') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Please sign in</body></html>');
      } else {
        res.writeHead(404).end('gone');
      }
    });
    try {
      for (const [what, feeds] of [
        ['missing file', ['/nonexistent/feed.ics']],
        ['not a calendar', [`${server.url}/page.ics`]],
        ['404', [`${server.url}/gone.ics`]],
      ] as const) {
        const s = await failureOf([...feeds]);
        assert.equal(s.retryable, false, `${what}: ${s.message}`);
      }
      const blocked = await new IcsClient({ maxRetries: 0 }).searchEvents({ ...nowhere, feeds: [`${server.url}/page.ics`] }).catch((e: unknown) => e);
      assert.equal(serializeError(blocked).retryable, false);
      assert.equal((blocked as ProviderError).code, 'ERR_URL_BLOCKED');
    } finally {
      await server.close();
    }
  });
});
