/** startHttpServer over a real socket: host binding rules, keep-alive close, 413 on the wire. */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { after, afterEach, describe, it } from 'node:test';
import { startHttpServer } from '../../src/server/server.js';
import { closeTestDatabases } from '../helpers/db.js';
import { makeApp, memoryLogger, TOKEN } from './helpers.js';
import { stopObservedServices } from './observed-service.js';

afterEach(stopObservedServices);
after(closeTestDatabases);

describe('startHttpServer', () => {
  it('binds to 127.0.0.1 without a token, whatever host was asked for, and says so once', async () => {
    const { app } = makeApp({ apiToken: undefined });
    const log = memoryLogger();
    const server = await startHttpServer({ app, port: 0, host: '0.0.0.0', logger: log.logger });
    try {
      assert.equal(server.host, '127.0.0.1');
      assert.ok(server.port > 0);
      const lines = log.lines.filter((l) => l.msg === 'no SCENESCOUT_API_TOKEN set: listening on 127.0.0.1 only');
      assert.equal(lines.length, 1);
      const res = await fetch(`${server.url}/healthz`);
      assert.equal(res.status, 200);
    } finally {
      await server.close();
    }
  });

  it('binds to all interfaces by default with a token', async () => {
    const { app } = makeApp({ apiToken: TOKEN });
    const log = memoryLogger();
    const server = await startHttpServer({ app, port: 0, apiToken: TOKEN, logger: log.logger });
    try {
      assert.equal(server.host, '0.0.0.0');
      assert.ok(!log.text().includes('127.0.0.1 only'));
      const res = await fetch(`http://127.0.0.1:${server.port}/api/spawn?action=status`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(res.status, 200);
    } finally {
      await server.close();
      await server.close(); // idempotent
    }
  });

  it('refuses an oversized chunked upload with 413', async () => {
    const { app } = makeApp({ bodyLimitBytes: 2048 });
    const server = await startHttpServer({ app, port: 0, host: '127.0.0.1', apiToken: TOKEN, logger: memoryLogger().logger });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          `${server.url}/api/spawn`,
          { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        // No Content-Length: Node sends it chunked.
        for (let i = 0; i < 10; i++) req.write('x'.repeat(1000));
        req.end();
      });
      assert.equal(status, 413);
    } finally {
      await server.close();
    }
  });

  it('answers a URL with raw non-ASCII bytes (?q=café, not encoded) with a JSON 400 saying how to send it', async () => {
    const { app, service } = makeApp({ apiToken: undefined });
    const log = memoryLogger();
    const server = await startHttpServer({ app, port: 0, logger: log.logger });
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(server.port, '127.0.0.1', () => {
          socket.write(Buffer.concat([
            Buffer.from('GET /api/events?q='), Buffer.from('café', 'utf8'), Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
          ]));
        });
        let text = '';
        socket.on('data', (d) => (text += d.toString('utf8')));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/);
      assert.match(answer, /content-type: application\/json/i);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: string; code: string };
      assert.match(body.error, /^url: characters outside ASCII must be percent-encoded .*q=caf%C3%A9/);
      assert.equal(body.code, 'ERR_VALIDATION');
      assert.equal(service.eventQueries.length, 0);
      // Encoded, the same query goes through.
      const ok = await fetch(`${server.url}/api/events?q=${encodeURIComponent('café')}`);
      assert.equal(ok.status, 200);
      assert.equal(service.eventQueries[0]?.q, 'café');
    } finally {
      await server.close();
    }
  });
});
