/** errorToResponse: one mapper from every error to a response. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BudgetExhaustedError,
  CapacityError,
  ConfigError,
  HttpError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from '../../src/lib/errors.js';
import { errorToResponse } from '../../src/server/http.js';
import { memoryLogger } from './helpers.js';

async function answer(err: unknown) {
  const log = memoryLogger();
  const res = errorToResponse(err, log.logger, new Request('http://127.0.0.1/api/x'));
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown>, log };
}

describe('errorToResponse', () => {
  for (const [err, status, code] of [
    [new ValidationError('invalid query: lat: must be at most 90'), 400, 'ERR_VALIDATION'],
    [new NotFoundError("no task 'x'"), 404, 'ERR_NOT_FOUND'],
    [new CapacityError('SPAWN_MAX_WORKERS (8) reached'), 409, 'ERR_CAPACITY'],
    [new HttpError(413, 'request body exceeds 1024 bytes'), 413, 'ERR_HTTP'],
  ] as const) {
    it(`answers ${status} for ${err.name}`, async () => {
      const r = await answer(err);
      assert.equal(r.status, status);
      assert.deepEqual(r.body, { error: err.message, code });
      assert.equal(r.log.lines.length, 0, 'a caller error is not logged as a failure');
    });
  }

  it('asks for the bearer token with a 401', async () => {
    const r = await answer(new HttpError(401, 'missing or wrong bearer token'));
    assert.equal(r.status, 401);
    assert.equal(r.headers.get('www-authenticate'), 'Bearer');
  });

  it('says when to come back with a 429', async () => {
    for (const err of [new RateLimitedError('slow down', 2500), new BudgetExhaustedError('yelp', 'daily budget used up', 60_000)]) {
      const r = await answer(err);
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), String(Math.ceil(err.retryAfterMs! / 1000)));
    }
  });

  it('answers anything else, configuration errors included, with a bare logged 500', async () => {
    for (const err of [new Error('SELECT * FROM secrets failed'), new ConfigError('SPAWN_MAX_WORKERS="0"'), 'a string', new HttpError(503, 'x')]) {
      const r = await answer(err);
      assert.equal(r.status, 500);
      assert.deepEqual(r.body, { error: 'internal error' });
      assert.ok(r.log.lines.some((l) => l.msg === 'request failed'));
    }
  });
});
