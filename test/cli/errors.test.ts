/** Exit codes come from error codes (src/cli/errors.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXIT, exitCodeOf, unreachable } from '../../src/cli/errors.js';
import { ConfigError, HttpError, NotFoundError, TaskFailedError, ValidationError, WorkerCrashError } from '../../src/lib/errors.js';

test('each kind of failure has its exit code', () => {
  assert.equal(exitCodeOf(new ValidationError('bad')), EXIT.USAGE);
  assert.equal(exitCodeOf(new ConfigError('bad')), EXIT.USAGE);
  assert.equal(exitCodeOf(new NotFoundError('none')), EXIT.NOT_FOUND);
  assert.equal(exitCodeOf(unreachable('http://127.0.0.1:1')), EXIT.UNREACHABLE);
  assert.equal(exitCodeOf(new TaskFailedError('1 of 2 discovery tasks failed')), EXIT.FAILED);
  assert.equal(exitCodeOf(new WorkerCrashError('x')), EXIT.FAILED);
  assert.equal(exitCodeOf(new Error('x')), EXIT.FAILED);
  assert.equal(exitCodeOf(undefined), EXIT.FAILED);
});

test("a server's answer maps by its status", () => {
  for (const [status, exit] of [
    [400, EXIT.USAGE], [413, EXIT.USAGE], [401, EXIT.UNAUTHORIZED], [403, EXIT.UNAUTHORIZED], [404, EXIT.NOT_FOUND],
    [409, EXIT.FAILED], [429, EXIT.FAILED], [500, EXIT.FAILED], [200, EXIT.FAILED],
  ] as const) {
    assert.equal(exitCodeOf(new HttpError(status, 'x')), exit, `HTTP ${status}`);
  }
});
