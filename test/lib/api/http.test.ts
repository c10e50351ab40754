import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { NonRetryableError, RateLimitedError, ResponseTooLargeError } from '../../../src/lib/errors.js';
import { ProviderError, ProviderRequestError } from '../../../src/lib/errors.js';
import { HttpClient, parseRetryAfter, type HttpClientOptions } from '../../../src/lib/api/http.js';
import type { ClientStats } from '../../../src/lib/api/types.js';
import { captureLogger, everyRendering } from './helpers.js';

type Handler = (n: number, req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;

/** A server answering request n (0-based) with `handler`. */
async function serve(handler: Handler): Promise<{ url: string; count(): number; close(): Promise<void> }> {
  let n = 0;
  const server = createServer((req, res) => handler(n++, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => n,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function http(extra: Partial<HttpClientOptions> = {}): { client: HttpClient; stats: ClientStats } {
  const stats: ClientStats = { apiCalls: 0, skipped: [], repaired: [], retries: 0 };
  const client = new HttpClient({ source: 'yelp', stats, timeoutMs: 1000, maxRetries: 3, retryBaseMs: 5, retryMaxMs: 20, maxRetryWaitMs: 5000, maxBodyBytes: 1_000_000, ...extra });
  return { client, stats };
}

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter('Tue, 01 Jan 2030 00:00:05 GMT', now), 5000);
    assert.equal(parseRetryAfter('Mon, 31 Dec 2029 23:00:00 GMT', now), 0, 'a past date means now');
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });
});

describe('HttpClient', () => {
  it('honours Retry-After as an HTTP date', async () => {
    const server = await serve((n, _req, res) => {
      if (n === 0) {
        res.writeHead(429, { 'retry-after': new Date(Date.now() + 1500).toUTCString() });
        return res.end('{}');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    try {
      const { client, stats } = http();
      const started = Date.now();
      const res = await client.getJson(`${server.url}/v3/events`);
      assert.deepEqual(res.body, { ok: true });
      assert.ok(Date.now() - started >= 400, 'waited for the date (second resolution)');
      assert.equal(stats.retries, 1);
    } finally {
      await server.close();
    }
  });

  it('hands a wait longer than maxRetryWaitMs to the caller at once', async () => {
    const server = await serve((_n, _req, res) => {
      res.writeHead(429, { 'retry-after': '120' });
      res.end('{}');
    });
    try {
      const { client, stats } = http({ maxRetryWaitMs: 10_000 });
      await assert.rejects(client.getJson(server.url), (err: unknown) => err instanceof RateLimitedError && err.retryAfterMs === 120_000);
      assert.equal(stats.apiCalls, 1);
    } finally {
      await server.close();
    }
  });

  it('retries 408, does not retry 404 or 403', async () => {
    for (const [status, calls, check] of [
      [408, 2, (e: unknown) => e instanceof ProviderError && e.status === 408],
      [404, 1, (e: unknown) => e instanceof ProviderRequestError && e.status === 404 && e instanceof NonRetryableError],
      [403, 1, (e: unknown) => e instanceof ProviderRequestError && e.status === 403],
    ] as const) {
      const server = await serve((_n, _req, res) => {
        res.writeHead(status);
        res.end('nope');
      });
      try {
        const { client, stats } = http({ maxRetries: 1 });
        await assert.rejects(client.getText(server.url), check);
        assert.equal(stats.apiCalls, calls, `status ${status}`);
      } finally {
        await server.close();
      }
    }
  });

  it('retries connection errors and reports ERR_PROVIDER_NETWORK without the key', async () => {
    const server = await serve(() => undefined);
    const url = `${server.url}/events?apikey=very-secret-key`;
    await server.close();
    const log = captureLogger();
    const { client, stats } = http({ maxRetries: 2, logger: log.logger, secrets: ['very-secret-key'] });
    await assert.rejects(client.getJson(url), (err: unknown) => {
      assert.ok(err instanceof ProviderError);
      assert.equal(err.code, 'ERR_PROVIDER_NETWORK');
      // One category, whatever the socket said: the text is stored with the task.
      assert.match(err.message, /could not fetch http:\/\/127\.0\.0\.1:\d+\/events\?apikey=REDACTED: network error$/);
      assert.doesNotMatch(err.message, /ECONNREFUSED/);
      assert.ok(!everyRendering(err).includes('very-secret-key'));
      return true;
    });
    assert.equal(stats.apiCalls, 3);
    assert.equal(stats.retries, 2);
    assert.equal(log.lines.filter((l) => l.level === 'warn').length, 2);
    assert.ok(!log.text().includes('very-secret-key'));
  });

  it('sends the Authorization header but never logs it', async () => {
    let seen: string | undefined;
    const server = await serve((_n, req, res) => {
      seen = req.headers.authorization;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('[]');
    });
    try {
      const log = captureLogger();
      const { client } = http({ logger: log.logger, secrets: ['tok-123456'] });
      await client.getJson(server.url, { headers: { authorization: 'Bearer tok-123456' } });
      assert.equal(seen, 'Bearer tok-123456');
      assert.ok(log.lines.length > 0);
      assert.ok(!log.text().includes('tok-123456'));
    } finally {
      await server.close();
    }
  });

  describe('body cap', () => {
    const MB = 1024 * 1024;
    /** Streams `total` bytes in 64 KB chunks, honouring backpressure; counts what it managed to write. */
    async function streaming(total: number, headers: Record<string, string> = {}) {
      let written = 0;
      const server = await serve((_n, _req, res) => {
        res.writeHead(200, { 'content-type': 'text/calendar', ...headers });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = () => {
          while (written < total) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => res.removeAllListeners('drain'));
        pump();
      });
      return { ...server, written: () => written };
    }

    it('stops reading a body at the cap and fails at once with a non-retryable error', async () => {
      const server = await streaming(200 * MB);
      try {
        const { client, stats } = http({ maxBodyBytes: 2 * MB, secrets: ['s3cret-feed-token'] });
        await assert.rejects(client.getText(`${server.url}/feed.ics?token=s3cret-feed-token`), (err: ResponseTooLargeError) => {
          assert.ok(err instanceof ResponseTooLargeError);
          assert.ok(err instanceof NonRetryableError, 'the queue dead-letters it without retrying');
          assert.equal(err.code, 'ERR_PROVIDER_TOO_LARGE');
          assert.equal(err.limitBytes, 2 * MB);
          assert.match(err.message, /is larger than the 2 MB limit \(stopped reading at 2(\.\d)? MB\); not retried/);
          assert.ok(!everyRendering(err).includes('s3cret-feed-token'));
          return true;
        });
        assert.equal(stats.apiCalls, 1, 'no retry');
        assert.equal(server.count(), 1);
        // What the server could write: the cap, plus what the sockets buffer on the way; nowhere near 200 MB.
        await new Promise((r) => setTimeout(r, 200));
        assert.ok(server.written() < 2 * MB + 16 * MB, `server wrote ${server.written()} bytes`);
      } finally {
        await server.close();
      }
    });

    it('refuses a declared Content-Length over the cap before reading the body', async () => {
      const server = await streaming(50 * MB, { 'content-length': String(50 * MB) });
      try {
        const { client } = http({ maxBodyBytes: 1 * MB });
        await assert.rejects(client.getText(server.url), /larger than the 1 MB limit \(Content-Length 50 MB\)/);
      } finally {
        await server.close();
      }
    });

    it('reads a body at the cap in full, as UTF-8 without its BOM', async () => {
      const text = '\ufeff' + 'é'.repeat(1000);
      const server = await serve((_n, _req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        // Split inside a two-byte character.
        const bytes = Buffer.from(text, 'utf8');
        res.write(bytes.subarray(0, 4));
        res.end(bytes.subarray(4));
      });
      try {
        const { client } = http({ maxBodyBytes: Buffer.byteLength(text) });
        assert.equal((await client.getText(server.url)).body, 'é'.repeat(1000));
      } finally {
        await server.close();
      }
    });
  });
});
