/** Issue 12 finding 4: which URLs we fetch for a user, checked on every redirect hop. */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { ProviderError } from '../../../src/lib/errors.js';
import { MAX_REDIRECTS } from '../../../src/lib/api/http.js';
import { checkFetchUrl, isPublicAddress } from '../../../src/lib/api/url-guard.js';
import { JsonLdClient } from '../../../src/lib/api/jsonld-client.js';
import { guardedClient } from './helpers.js';

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('isPublicAddress', () => {
  const refused = [
    '127.0.0.1', '127.255.0.1', '10.0.0.1', '172.16.5.4', '192.168.0.1', '169.254.169.254', '100.64.0.1', '100.100.100.200',
    '0.0.0.0', '255.255.255.255', '224.0.0.1', '::1', '::', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:169.254.169.254',
    'fd00:ec2::254', 'fc00::1', 'fe80::1', 'ff02::1', '64:ff9b::7f00:1', '2002:7f00:1::', 'not-an-ip',
  ];
  const allowed = ['8.8.8.8', '93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'];
  for (const a of refused) it(`refuses ${a}`, () => assert.equal(isPublicAddress(a), false));
  for (const a of allowed) it(`allows ${a}`, () => assert.equal(isPublicAddress(a), true));
});

describe('checkFetchUrl', () => {
  it('refuses schemes other than http(s), even with private addresses allowed', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.org/', 'gopher://127.0.0.1:6379/_INFO', 'data:text/calendar,BEGIN']) {
      assert.equal(await checkFetchUrl(url, { allowPrivate: true }), 'not an http(s) URL', url);
    }
    assert.equal(await checkFetchUrl('/etc/passwd'), 'not a valid URL');
  });

  it('refuses a host when any of its DNS addresses is private', async () => {
    const resolve = async (host: string) => (host === 'rebind.example' ? ['93.184.216.34', '127.0.0.1'] : ['93.184.216.34']);
    assert.equal(await checkFetchUrl('https://rebind.example/feed.ics', { resolve }), 'address not allowed');
    assert.equal(await checkFetchUrl('https://calendar.example/feed.ics', { resolve }), null);
    assert.equal(await checkFetchUrl('http://localhost:5432/'), 'address not allowed');
    assert.equal(await checkFetchUrl('http://db.localhost/'), 'address not allowed');
    assert.equal(await checkFetchUrl('http://127.0.0.1:5432/', { allowPrivate: true }), null);
  });
});

describe('HttpClient with a URL guard', () => {
  const http = (trustedOrigin?: string, allowPrivate = false) => guardedClient('jsonld', { allowPrivate, trustedOrigin });

  it('refuses a private address before connecting', async () => {
    const internal = await serve((_req, res) => res.end('SECRET internal data'));
    try {
      await assert.rejects(http().getText(`${internal.url}/`), (err: unknown) => {
        assert.ok(err instanceof ProviderError);
        assert.equal(err.code, 'ERR_URL_BLOCKED');
        assert.equal(err.retryable, false);
        assert.match(err.message, /could not fetch http:\/\/127\.0\.0\.1:\d+\/: address not allowed$/);
        return true;
      });
      assert.equal(internal.requests.length, 0);
    } finally {
      await internal.close();
    }
  });

  it('checks every redirect hop: a trusted server cannot bounce us to an internal port', async () => {
    const internal = await serve((_req, res) => res.end('SECRET internal data'));
    const trusted = await serve((req, res) => {
      const to = req.url === '/meta' ? 'http://169.254.169.254/latest/meta-data/' : `${internal.url}/admin`;
      res.writeHead(302, { location: to }).end();
    });
    try {
      for (const path of ['/internal', '/meta']) {
        await assert.rejects(http(trusted.url).getText(`${trusted.url}${path}`), (err: unknown) => {
          assert.ok(err instanceof ProviderError && err.code === 'ERR_URL_BLOCKED', String(err));
          assert.doesNotMatch(err.message, /SECRET/);
          return true;
        });
      }
      assert.equal(internal.requests.length, 0, 'the internal server was never contacted');
      assert.equal(trusted.requests.length, 2);
    } finally {
      await internal.close();
      await trusted.close();
    }
  });

  it(`follows at most ${MAX_REDIRECTS} redirects`, async () => {
    const loop = await serve((req, res) => res.writeHead(302, { location: `/r${req.url}` }).end());
    const ok = await serve((req, res) => (req.url === '/0' ? res.writeHead(301, { location: '/1' }).end() : res.end('done')));
    try {
      await assert.rejects(http(undefined, true).getText(`${loop.url}/x`), /more than 5 redirects/);
      assert.equal(loop.requests.length, MAX_REDIRECTS + 1);
      assert.equal((await http(undefined, true).getText(`${ok.url}/0`)).body, 'done');
    } finally {
      await loop.close();
      await ok.close();
    }
  });

  it('a page client refuses a page on a private address, and names no body or socket detail', async () => {
    const where = { location: { latitude: 0, longitude: 0, radius: 1 }, dateRange: { start: '2027-01-01', end: '2027-02-01' } };
    const internal = await serve((_req, res) => res.writeHead(500).end('<html>SECRET stack trace</html>'));
    try {
      const blocked = await new JsonLdClient({ maxRetries: 0 }).searchEvents({ ...where, pages: [`${internal.url}/`] }).catch((e: unknown) => e);
      assert.equal((blocked as ProviderError).code, 'ERR_URL_BLOCKED');
      const fetched = await new JsonLdClient({ maxRetries: 0, allowPrivateUrls: true })
        .searchEvents({ ...where, pages: [`${internal.url}/`] })
        .catch((e: unknown) => e);
      assert.match((fetched as Error).message, /could not fetch http:\/\/127\.0\.0\.1:\d+\/: HTTP 500$/);
      await internal.close();
      const refused = await new JsonLdClient({ maxRetries: 0, allowPrivateUrls: true })
        .searchEvents({ ...where, pages: [`${internal.url}/`] })
        .catch((e: unknown) => e);
      assert.match((refused as Error).message, /could not fetch http:\/\/127\.0\.0\.1:\d+\/: network error$/);
    } finally {
      await internal.close().catch(() => undefined);
    }
  });
});
