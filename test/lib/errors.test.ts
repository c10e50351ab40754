/** The error family: every class has its own stable code and its name. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as errors from '../../src/lib/errors.js';

const SAMPLES: Array<[errors.SceneScoutError, string]> = [
  [new errors.ValidationError('bad'), 'ERR_VALIDATION'],
  [new errors.ConfigError('bad'), 'ERR_CONFIG'],
  [new errors.NotFoundError('none'), 'ERR_NOT_FOUND'],
  [new errors.CapacityError('full'), 'ERR_CAPACITY'],
  [new errors.HttpError(413, 'too large'), 'ERR_HTTP'],
  [new errors.UnreachableError('http://127.0.0.1:1', 'no server'), 'ERR_UNREACHABLE'],
  [new errors.TaskFailedError('failed'), 'ERR_TASK_FAILED'],
  [new errors.NonRetryableError('no'), 'ERR_NON_RETRYABLE'],
  [new errors.RateLimitedError('slow down', 1000), 'ERR_RATE_LIMITED'],
  [new errors.TaskTimeoutError('late'), 'ERR_TASK_TIMEOUT'],
  [new errors.WorkerCrashError('crashed'), 'ERR_WORKER_CRASH'],
  [new errors.WorkerStartError('no script'), 'ERR_WORKER_START'],
  [new errors.ShutdownError('shut down'), 'ERR_SHUTDOWN'],
  [new errors.ReplicaLostError('replica gone'), 'ERR_REPLICA_LOST'],
  [new errors.BudgetExhaustedError('yelp', 'spent'), 'ERR_BUDGET_EXHAUSTED'],
  [new errors.ProviderError('ERR_PROVIDER_HTTP', '502', { source: 'yelp', status: 502 }), 'ERR_PROVIDER_HTTP'],
  [new errors.ProviderRequestError('401', { source: 'yelp', status: 401 }), 'ERR_PROVIDER_REQUEST'],
  [new errors.ResponseTooLargeError('over 10 MB', { source: 'yelp', limitBytes: 10_000_000 }), 'ERR_PROVIDER_TOO_LARGE'],
  [new errors.NotICalendarError('no VCALENDAR'), 'ERR_NOT_ICALENDAR'],
  [new errors.NormalizationError('ics', 'x', 'start', 'missing'), 'ERR_NORMALIZE'],
  [new errors.UnstorableRecordError('year 20260'), 'ERR_UNSTORABLE_RECORD'],
  [new errors.DataDirInUseError('in use'), 'ERR_DATA_DIR_IN_USE'],
  [new errors.DatabaseUnavailableError(), 'ERR_DB_UNAVAILABLE'],
];

describe('coded errors', () => {
  it('covers every class the module exports', () => {
    const classes = Object.entries(errors).filter(([name, v]) => typeof v === 'function' && name !== 'coerceError' && name !== 'SceneScoutError');
    const sampled = new Set(SAMPLES.map(([e]) => e.constructor));
    assert.deepEqual(classes.filter(([, c]) => !sampled.has(c as never)).map(([name]) => name), [], 'add a sample for each new class');
  });

  for (const [err, code] of SAMPLES) {
    it(`${err.name} has code ${code}`, () => {
      assert.ok(err instanceof errors.SceneScoutError);
      assert.equal(err.code, code);
      assert.equal(err.name, err.constructor.name);
    });
  }

  it('a provider refusal is a NonRetryableError with a code of its own', () => {
    const err = new errors.ProviderRequestError('403', { source: 'ticketmaster', status: 403 });
    assert.ok(err instanceof errors.NonRetryableError);
    assert.notEqual(err.code, new errors.NonRetryableError('x').code);
  });

  it('coerceError keeps Errors and turns anything else into one', () => {
    const e = new Error('x');
    assert.equal(errors.coerceError(e), e);
    assert.equal(errors.coerceError('text').message, 'text');
    const fromObject = errors.coerceError({ message: 'm', code: 'ECONNRESET' }) as Error & { code?: string };
    assert.equal(fromObject.message, 'm');
    assert.equal(fromObject.code, 'ECONNRESET');
    assert.equal(errors.coerceError(42).message, '42');
  });
});
