/**
 * Issue 12 finding 4, DNS rebinding: the address the guard checks is the address connected to.
 * A resolver passed to the client's guard answers for made-up `.test` names; the servers listen
 * on 127.0.0.1, so a request that reaches them went to an address our resolver gave.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { ProviderError } from '../../../src/lib/errors.js';
import { guardedLookup } from '../../../src/lib/api/url-guard.js';
import { guardedClient } from './helpers.js';
import { FEED_TEST_CERT, FEED_TEST_KEY } from './servers/tls.js';

/** A server on 127.0.0.1 that records each request's Host header and path. */
async function local() {
  const requests: Array<{ host: string | undefined; url: string | undefined }> = [];
  const server = createServer((req: IncomingMessage, res) => {
    requests.push({ host: req.headers.host, url: req.url });
    res.end('local answer');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A resolver that answers `answers[i]` to its i-th question (the last one after that), and records the questions. */
function scripted(answers: string[][]) {
  const asked: string[] = [];
  const resolve = async (host: string) => {
    asked.push(host);
    return answers[Math.min(asked.length - 1, answers.length - 1)]!;
  };
  return { resolve, asked };
}

const client = (resolve: (host: string) => Promise<string[]>, allowPrivate = false) => guardedClient('ics', { allowPrivate, resolve });

function isBlocked(err: unknown): true {
  assert.ok(err instanceof ProviderError, String(err));
  assert.equal(err.code, 'ERR_URL_BLOCKED');
  assert.equal(err.retryable, false);
  assert.match(err.message, /^ics: could not fetch http:\/\/[a-z.]+\.test:\d+\/feed\.ics: address not allowed$/);
  return true;
}

describe('URL guard: the checked address is the connected address', () => {
  it('refuses a name that answers a public address to the check and 127.0.0.1 to the connect', async () => {
    const server = await local();
    const dns = scripted([['93.184.216.34'], ['127.0.0.1']]);
    try {
      await assert.rejects(client(dns.resolve).getText(`http://rebind.test:${server.port}/feed.ics`), isBlocked);
      assert.deepEqual(dns.asked, ['rebind.test', 'rebind.test'], 'resolved for the check, then for the connection');
      assert.equal(server.requests.length, 0, 'the local server got no request');
    } finally {
      await server.close();
    }
  });

  it('refuses a redirect hop whose name rebinds between the check and the connect', async () => {
    const target = await local();
    const first = createServer((_req, res) => res.writeHead(302, { location: `http://rebind.test:${target.port}/feed.ics` }).end());
    await new Promise<void>((resolve) => first.listen(0, '127.0.0.1', resolve));
    // public.test is the first hop, a trusted origin (as a configured provider base URL is), so
    // it is not checked; its redirect to rebind.test is, and rebind.test answers public, then loopback.
    const answers: Record<string, string[][]> = { 'public.test': [['127.0.0.1']], 'rebind.test': [['93.184.216.34'], ['127.0.0.1']] };
    const asked: string[] = [];
    const resolve = async (host: string) => {
      const n = asked.filter((h) => h === host).length;
      asked.push(host);
      const list = answers[host]!;
      return list[Math.min(n, list.length - 1)]!;
    };
    const http = guardedClient('ics', { allowPrivate: false, resolve, trustedOrigin: `http://public.test:${(first.address() as AddressInfo).port}` });
    try {
      await assert.rejects(http.getText(`http://public.test:${(first.address() as AddressInfo).port}/start`), (err: unknown) => {
        assert.ok(err instanceof ProviderError && err.code === 'ERR_URL_BLOCKED', String(err));
        assert.match(err.message, /address not allowed$/);
        return true;
      });
      assert.deepEqual(asked, ['public.test', 'rebind.test', 'rebind.test']);
      assert.equal(target.requests.length, 0);
    } finally {
      first.closeAllConnections();
      await new Promise<void>((resolve) => first.close(() => resolve()));
      await target.close();
    }
  });

  it('refuses a name whose only answers are private, before connecting', async () => {
    const server = await local();
    const dns = scripted([['10.0.0.7', '127.0.0.1']]);
    try {
      await assert.rejects(client(dns.resolve).getText(`http://internal.test:${server.port}/feed.ics`), isBlocked);
      assert.equal(server.requests.length, 0);
    } finally {
      await server.close();
    }
  });

  it('connects to exactly the resolved address, with the URL host in Host (allowPrivateUrls lifts the address rule)', async () => {
    const server = await local();
    const dns = scripted([['127.0.0.1']]);
    try {
      const res = await client(dns.resolve, true).getText(`http://feed.test:${server.port}/feed.ics`);
      assert.equal(res.body, 'local answer');
      assert.deepEqual(server.requests, [{ host: `feed.test:${server.port}`, url: '/feed.ics' }]);
      assert.ok(dns.asked.length >= 1 && dns.asked.every((h) => h === 'feed.test'), dns.asked.join());
    } finally {
      await server.close();
    }
  });

  it('TLS to a pinned address still names (and so verifies) the URL host', async () => {
    const seen: string[] = [];
    let requests = 0;
    const server = createTlsServer(
      {
        cert: FEED_TEST_CERT,
        key: FEED_TEST_KEY,
        SNICallback: (name, cb) => {
          seen.push(name);
          cb(null);
        },
      },
      (_req, res) => {
        requests++;
        res.end('tls answer');
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      // The certificate is self-signed, so the handshake fails verification: no request is sent.
      await assert.rejects(client(scripted([['127.0.0.1']]).resolve, true).getText(`https://feed.test:${port}/`), (err: unknown) => {
        assert.ok(err instanceof ProviderError && err.code === 'ERR_PROVIDER_NETWORK', String(err));
        return true;
      });
      assert.deepEqual([...new Set(seen)], ['feed.test'], 'SNI carries the host name, not the address');
      assert.equal(requests, 0);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('guardedLookup', () => {
  const ask = (lookup: ReturnType<typeof guardedLookup>, host: string, options: { all?: boolean; family?: number }) =>
    new Promise<{ err: Error | null; address: unknown; family?: number }>((resolve) =>
      (lookup as unknown as (h: string, o: object, cb: (err: Error | null, address: unknown, family?: number) => void) => void)(host, options, (err, address, family) =>
        resolve({ err, address, family }),
      ),
    );

  it('answers net.connect in both shapes, only with checked addresses of the asked family', async () => {
    const lookup = guardedLookup({ resolve: async () => ['93.184.216.34', '2606:2800:220:1::1'] });
    assert.deepEqual(await ask(lookup, 'www.test', { all: true }), {
      err: null,
      address: [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::1', family: 6 }],
      family: undefined,
    });
    assert.deepEqual(await ask(lookup, 'www.test', { family: 6 }), { err: null, address: '2606:2800:220:1::1', family: 6 });
  });

  it('refuses a mixed answer, a localhost name, and lets the address rule be lifted', async () => {
    const mixed = async () => ['93.184.216.34', '169.254.169.254'];
    assert.match(String((await ask(guardedLookup({ resolve: mixed }), 'meta.test', { all: true })).err), /meta\.test: address not allowed/);
    assert.match(String((await ask(guardedLookup({ resolve: async () => ['93.184.216.34'] }), 'db.localhost', {})).err), /address not allowed/);
    assert.equal((await ask(guardedLookup({ resolve: mixed, allowPrivate: true }), 'meta.test', {})).address, '93.184.216.34');
  });
});
