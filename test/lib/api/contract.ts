/**
 * The contract every provider client keeps, run against each client and its mock server
 * (Hono's `runTest({ newRouter })` pattern). Provider-specific behaviour lives in each
 * provider's own test file.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { NonRetryableError, RateLimitedError } from '../../../src/lib/errors.js';
import { BudgetExhaustedError, ProviderError } from '../../../src/lib/errors.js';
import type { ProviderLimiter } from '../../../src/lib/api/rate-limit.js';
import type { ClientOptions, ProviderClient, SearchParams } from '../../../src/lib/api/types.js';
import { captureLogger, everyRendering } from './helpers.js';
import { SEED_RANGE, type MockServer } from './servers/common.js';

export interface ContractOptions<S extends MockServer> {
  name: string;
  /** the secret the client holds (API key, token, or a private feed URL's token) */
  secret: string;
  /** a started mock server that expects `secret` */
  server(): Promise<S>;
  newClient(server: S, options: ClientOptions & { pageSize?: number }): ProviderClient;
  /** params that reach every seeded record */
  params(server: S): SearchParams;
  /** a malformed 200 answer: 'throws' for JSON APIs and feeds, 'skips' where only one JSON-LD script breaks */
  malformed: 'throws' | 'skips';
  /** reads the unknown field seeded with `extraField` back from a returned event */
  extraOf(event: unknown): unknown;
}

const FAST = { retryBaseMs: 5, retryMaxMs: 20, timeoutMs: 2000, maxRetries: 3 } as const;

export function runProviderContract<S extends MockServer>(o: ContractOptions<S>): void {
  // One test at a time: they share the server beforeEach starts (the contracts run side by side).
  describe(`${o.name} provider contract`, { concurrency: 1 }, () => {
    let server: S;
    beforeEach(async () => {
      server = await o.server();
    });
    afterEach(async () => {
      await server.close();
    });

    const client = (extra: ClientOptions & { pageSize?: number } = {}) => o.newClient(server, { ...FAST, pageSize: 3, ...extra });
    const search = (c: ProviderClient, extra: Partial<SearchParams> = {}) => c.searchEvents({ ...o.params(server), ...extra });

    it('returns every event across pages, each once', async () => {
      server.seed({ valid: 7 });
      const c = client();
      const events = await search(c);
      assert.equal(events.length, 7);
      assert.equal(new Set(events.map((e) => c.externalId(e))).size, 7);
      assert.equal(c.stats.apiCalls, 3, 'three pages of three');
      assert.equal(c.stats.retries, 0);
      assert.deepEqual(c.stats.skipped, []);
    });

    it('stops at params.limit', async () => {
      server.seed({ valid: 7 });
      const events = await search(client(), { limit: 4 });
      assert.equal(events.length, 4);
    });

    it('resetStats() zeroes the counters', async () => {
      server.seed({ valid: 2, invalid: 1 });
      const c = client();
      await search(c);
      c.resetStats();
      assert.deepEqual({ ...c.stats }, { apiCalls: 0, skipped: [], repaired: [], retries: 0 });
    });

    it('waits out a 429 with Retry-After, then succeeds', async () => {
      server.seed({ valid: 2 });
      server.fail({ kind: 'rate-limit', retryAfter: '1' });
      const c = client();
      const started = Date.now();
      const events = await search(c);
      assert.equal(events.length, 2);
      assert.ok(Date.now() - started >= 900, 'Retry-After: 1 is honoured');
      assert.equal(c.stats.retries, 1);
      assert.equal(c.stats.apiCalls, 2);
    });

    it('backs off after a 429 without Retry-After, then succeeds', async () => {
      server.seed({ valid: 2 });
      server.fail({ kind: 'rate-limit' }, { kind: 'rate-limit' });
      const c = client();
      assert.equal((await search(c)).length, 2);
      assert.equal(c.stats.retries, 2);
    });

    it('throws RateLimitedError when every attempt is a 429', async () => {
      server.seed({ valid: 2 });
      server.failAlways({ kind: 'rate-limit' });
      const c = client({ maxRetries: 2 });
      await assert.rejects(search(c), (err: unknown) => err instanceof RateLimitedError && (err as RateLimitedError).code === 'ERR_RATE_LIMITED');
      assert.equal(c.stats.apiCalls, 3);
    });

    it('retries 5xx, then succeeds', async () => {
      server.seed({ valid: 2 });
      server.fail({ kind: 'server-error', status: 503 }, { kind: 'server-error', status: 500 });
      const c = client();
      assert.equal((await search(c)).length, 2);
      assert.equal(c.stats.retries, 2);
      assert.equal(c.stats.apiCalls, 3);
    });

    it('throws ERR_PROVIDER_HTTP when 5xx persists', async () => {
      server.seed({ valid: 2 });
      server.failAlways({ kind: 'server-error', status: 502 });
      const c = client({ maxRetries: 1 });
      await assert.rejects(search(c), (err: unknown) => err instanceof ProviderError && err.code === 'ERR_PROVIDER_HTTP' && err.status === 502);
      assert.equal(c.stats.apiCalls, 2);
    });

    it('times out a hung request and retries it', async () => {
      server.seed({ valid: 2 });
      server.fail({ kind: 'hang' });
      // Long enough that the retried request (not hung) never times out on a loaded machine.
      const c = client({ timeoutMs: 1000 });
      assert.equal((await search(c)).length, 2);
      assert.equal(c.stats.retries, 1);
    });

    it('throws ERR_PROVIDER_TIMEOUT when every attempt hangs', async () => {
      server.seed({ valid: 2 });
      server.failAlways({ kind: 'hang' });
      const c = client({ timeoutMs: 100, maxRetries: 1 });
      await assert.rejects(search(c), (err: unknown) => err instanceof ProviderError && err.code === 'ERR_PROVIDER_TIMEOUT');
      assert.equal(c.stats.apiCalls, 2);
    });

    it("stops at once when the caller's signal aborts", async () => {
      server.seed({ valid: 2 });
      server.failAlways({ kind: 'hang' });
      const c = client({ timeoutMs: 5000 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      await assert.rejects(search(c, { signal: controller.signal }), (err: unknown) => (err as Error).name === 'AbortError');
      assert.equal(c.stats.apiCalls, 1);
      assert.equal(c.stats.retries, 0);
    });

    it('handles a malformed body clearly', async () => {
      server.seed({ valid: 2 });
      server.fail({ kind: 'malformed' });
      const c = client();
      if (o.malformed === 'throws') {
        await assert.rejects(search(c), (err: unknown) => {
          assert.ok(err instanceof ProviderError, String(err));
          assert.equal(err.code, 'ERR_PROVIDER_RESPONSE');
          assert.match(err.message, new RegExp(`^${o.name}\\b`), 'names the provider');
          assert.match(err.message, /http:\/\/127\.0\.0\.1:\d+\//, 'names the URL');
          return true;
        });
        assert.equal(c.stats.apiCalls, 1, 'malformed bodies are not retried');
      } else {
        const events = await search(c);
        assert.equal(events.length, 0);
        assert.equal(c.stats.skipped.length, 1);
        assert.match(c.stats.skipped[0].reason, /invalid JSON/);
      }
    });

    it('does not retry 401', async () => {
      server.seed({ valid: 2 });
      server.fail({ kind: 'unauthorized' });
      const c = client();
      await assert.rejects(search(c), (err: unknown) => err instanceof NonRetryableError && /401/.test(err.message));
      assert.equal(c.stats.apiCalls, 1);
      assert.equal(c.stats.retries, 0);
    });

    it('skips and reports records with missing fields, keeps unknown fields', async () => {
      server.seed({ valid: 5, invalid: 2, extraField: true });
      const log = captureLogger();
      const c = client({ logger: log.logger });
      const events = await search(c);
      assert.equal(events.length, 5);
      for (const e of events) assert.equal(o.extraOf(e), 'kept');
      assert.equal(c.stats.skipped.length, 2, JSON.stringify(c.stats.skipped));
      for (const s of c.stats.skipped) assert.ok(s.reason.length > 0);
      assert.ok(log.lines.filter((l) => l.level === 'warn').length >= 2);
    });

    it('keeps the secret out of errors, stats and logs', async () => {
      server.seed({ valid: 2, invalid: 1 });
      const log = captureLogger();
      const faults = [{ kind: 'unauthorized' }, { kind: 'server-error' }, { kind: 'malformed' }, { kind: 'rate-limit' }, { kind: 'hang' }] as const;
      const renderings: string[] = [];
      for (const fault of faults) {
        server.failAlways(fault);
        const c = client({ logger: log.logger, maxRetries: 1, timeoutMs: 100 });
        try {
          await search(c);
        } catch (err) {
          renderings.push(everyRendering(err));
        }
        renderings.push(JSON.stringify(c.stats));
      }
      server.failAlways(null);
      const c = client({ logger: log.logger });
      await search(c);
      renderings.push(JSON.stringify(c.stats));
      assert.ok(renderings.length >= faults.length);
      for (const text of [...renderings, log.text()]) {
        assert.ok(!text.includes(o.secret), `secret leaked: ${text.slice(0, 400)}`);
      }
      assert.ok(server.requests.some((r) => r.target.includes(o.secret) || r.headers.authorization === `Bearer ${o.secret}`), 'the secret was sent');
    });

    it('acquires the limiter before every request, retries included', async () => {
      server.seed({ valid: 4 });
      server.fail({ kind: 'server-error' });
      const acquired: string[] = [];
      const limiter: ProviderLimiter = {
        acquire: async (source) => void acquired.push(source),
        budget: async () => ({ budget: 100, used: acquired.length, remaining: 100 - acquired.length }),
      };
      const c = client({ limiter });
      await search(c);
      assert.equal(acquired.length, c.stats.apiCalls);
      assert.equal(c.stats.apiCalls, 3, 'two pages plus one retry');
      assert.ok(acquired.every((s) => s === c.source));
    });

    it('sends nothing once the daily budget is used up', async () => {
      server.seed({ valid: 2 });
      const limiter: ProviderLimiter = {
        acquire: async (source) => {
          throw new BudgetExhaustedError(source, `${source}: daily budget used up`, 1000);
        },
        budget: async () => ({ budget: 1, used: 1, remaining: 0 }),
      };
      const c = client({ limiter });
      await assert.rejects(search(c), (err: unknown) => err instanceof BudgetExhaustedError && err.code === 'ERR_BUDGET_EXHAUSTED');
      assert.equal(c.stats.apiCalls, 0);
      assert.equal(server.requests.length, 0);
    });
  });
}

export { SEED_RANGE };
