/**
 * Every error the project raises on purpose: one family, each class with a stable `code`, so
 * callers (the controller's retry policy, the HTTP error mapper in src/server/http.ts, the
 * CLI's exit codes in src/cli/errors.ts) branch on the code rather than on message text. A
 * `code` never changes once released; a new kind of failure gets a new class and code.
 *
 *   code                   class                  HTTP  meaning
 *   ERR_VALIDATION         ValidationError         400  bad input from a caller
 *   ERR_CONFIG             ConfigError              -   bad configuration (environment, options, cities file)
 *   ERR_NOT_FOUND          NotFoundError           404  a lookup found nothing
 *   ERR_CAPACITY           CapacityError           409  a capacity limit refused the request
 *   ERR_HTTP               HttpError          its status  an HTTP answer that is none of the above
 *   ERR_UNREACHABLE        UnreachableError         -   no server answered (CLI)
 *   ERR_TASK_FAILED        TaskFailedError          -   a task someone waited for failed or did not finish
 *   ERR_NON_RETRYABLE      NonRetryableError        -   the task must not be retried
 *   ERR_RATE_LIMITED       RateLimitedError        429  a provider or our limiter refused a call for now
 *   ERR_TASK_TIMEOUT       TaskTimeoutError         -   an attempt ran past its deadline
 *   ERR_WORKER_CRASH       WorkerCrashError         -   a worker thread died or stopped answering
 *   ERR_WORKER_START       WorkerStartError         -   a worker thread could not start
 *   ERR_SHUTDOWN           ShutdownError            -   the replica shut down before the attempt finished (not counted as a retry)
 *   ERR_REPLICA_LOST       ReplicaLostError         -   the replica running the attempt stopped heartbeating
 *   ERR_BUDGET_EXHAUSTED   BudgetExhaustedError    429  a source's daily budget is used up
 *   ERR_PROVIDER_*         ProviderError            -   a provider failed in a way a later attempt may not
 *                                                      (`retryable: false` when no attempt can help)
 *   ERR_URL_BLOCKED        ProviderError            -   a feed or page (or a redirect) leads to a refused address; not retried
 *   ERR_PROVIDER_REQUEST   ProviderRequestError     -   a provider refused our request (4xx); not retried
 *   ERR_PROVIDER_TOO_LARGE ResponseTooLargeError    -   a response body is over the source's size cap; not retried
 *   ERR_NOT_ICALENDAR      NotICalendarError        -   a feed is not an iCalendar document
 *   ERR_NORMALIZE          NormalizationError       -   a raw record cannot become an event
 *   ERR_UNSTORABLE_RECORD  UnstorableRecordError    -   a normalized record cannot be stored
 *   ERR_DATA_DIR_IN_USE    DataDirInUseError        -   another process has the embedded database open
 *   ERR_DB_UNAVAILABLE     DatabaseUnavailableError 503  the database cannot be reached right now
 *
 * Messages are written for the person who reads them and never hold secrets: provider errors
 * are built from redacted URLs and scrubbed text (src/lib/redact.ts).
 */
import type { SourceId } from '../contracts/sources.js';

export class SceneScoutError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

// ---- callers and setup ----------------------------------------------------------------

/** Bad input from a caller: unknown worker type, malformed task, bad query. */
export class ValidationError extends SceneScoutError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_VALIDATION', message, options);
  }
}

/** Bad configuration: an environment variable, a controller option, the cities file. */
export class ConfigError extends SceneScoutError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CONFIG', message, options);
  }
}

/** A lookup that found nothing. */
export class NotFoundError extends SceneScoutError {
  constructor(message: string) {
    super('ERR_NOT_FOUND', message);
  }
}

/** A capacity limit (SPAWN_MAX_WORKERS, a type's maxConcurrency, shutdown) refused the request. */
export class CapacityError extends SceneScoutError {
  constructor(message: string) {
    super('ERR_CAPACITY', message);
  }
}

/**
 * An HTTP answer with its status, for failures that are about HTTP itself rather than one of
 * the classes above: our server's 401 (no token) and 413 (body too large), and in the CLI a
 * server's answer that was not a success.
 */
export class HttpError extends SceneScoutError {
  readonly status: number;
  constructor(status: number, message: string) {
    super('ERR_HTTP', message);
    this.status = status;
  }
}

/** No server answered at a URL (the CLI talking to `scenescout start`). */
export class UnreachableError extends SceneScoutError {
  readonly url: string;
  constructor(url: string, message: string) {
    super('ERR_UNREACHABLE', message);
    this.url = url;
  }
}

/** Tasks someone waited for (e.g. `scenescout discover`) failed, or did not finish in time. */
export class TaskFailedError extends SceneScoutError {
  constructor(message: string) {
    super('ERR_TASK_FAILED', message);
  }
}

// ---- tasks and workers ----------------------------------------------------------------

/** The task must not be retried (bad credentials, malformed parameters): it is dead-lettered at once. */
export class NonRetryableError extends SceneScoutError {
  constructor(message: string, options?: { cause?: unknown }, code = 'ERR_NON_RETRYABLE') {
    super(code, message, options);
  }
}

/** A provider answered 429 or our own limiter refused the call. */
export class RateLimitedError extends SceneScoutError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryAfterMs?: number) {
    super('ERR_RATE_LIMITED', message);
    this.retryAfterMs = retryAfterMs;
  }
}

/** A task ran past its deadline. */
export class TaskTimeoutError extends SceneScoutError {
  constructor(message: string) {
    super('ERR_TASK_TIMEOUT', message);
  }
}

/** A worker thread died, stopped answering heartbeats, or ran out of memory. */
export class WorkerCrashError extends SceneScoutError {
  constructor(message: string) {
    super('ERR_WORKER_CRASH', message);
  }
}

/** A worker thread could not start: its script did not load, or its initialize() failed. */
export class WorkerStartError extends SceneScoutError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_WORKER_START', message, options);
  }
}

// ---- providers ------------------------------------------------------------------------

/** Our daily budget for a source (or the provider's own daily quota) is used up. */
export class BudgetExhaustedError extends SceneScoutError {
  readonly source: SourceId;
  /** ms until the budget resets, when known */
  readonly retryAfterMs: number | undefined;
  constructor(source: SourceId, message: string, retryAfterMs?: number) {
    super('ERR_BUDGET_EXHAUSTED', message);
    this.source = source;
    this.retryAfterMs = retryAfterMs;
  }
}

export type ProviderErrorCode =
  /** 5xx (or 408) still failing after retries */
  | 'ERR_PROVIDER_HTTP'
  /** no answer within timeoutMs, after retries */
  | 'ERR_PROVIDER_TIMEOUT'
  /** connection refused, reset, DNS failure, after retries */
  | 'ERR_PROVIDER_NETWORK'
  /** the answer was not JSON, not iCalendar, or not the shape we expect */
  | 'ERR_PROVIDER_RESPONSE'
  /** a feed, page or redirect target is not http(s), or resolves to a refused address (url-guard.ts) */
  | 'ERR_URL_BLOCKED';

export interface ProviderErrorDetails {
  source: SourceId;
  /** redacted */
  url?: string;
  status?: number;
  /** the provider's own error code, e.g. 'policies.ratelimit.SpikeArrestViolation' */
  providerCode?: string;
  cause?: unknown;
  /** false when no later attempt can help (a missing file, a document that is not a calendar) */
  retryable?: boolean;
}

/** A provider failed in a way a later attempt may not (retried at the task level). */
export class ProviderError extends SceneScoutError {
  readonly source: SourceId;
  readonly url: string | undefined;
  readonly status: number | undefined;
  readonly providerCode: string | undefined;
  /** read by the worker protocol's serializeError: false dead-letters the task at once */
  readonly retryable: boolean;
  constructor(code: ProviderErrorCode, message: string, details: ProviderErrorDetails) {
    super(code, message, { cause: details.cause });
    this.source = details.source;
    this.url = details.url;
    this.status = details.status;
    this.providerCode = details.providerCode;
    this.retryable = details.retryable ?? code !== 'ERR_URL_BLOCKED';
  }
}

/** 4xx other than 429: bad credentials (401/403) or parameters the provider refuses. Not retried. */
export class ProviderRequestError extends NonRetryableError {
  readonly source: SourceId;
  readonly url: string | undefined;
  readonly status: number;
  readonly providerCode: string | undefined;
  constructor(message: string, details: ProviderErrorDetails & { status: number }) {
    super(message, { cause: details.cause }, 'ERR_PROVIDER_REQUEST');
    this.source = details.source;
    this.url = details.url;
    this.status = details.status;
    this.providerCode = details.providerCode;
  }
}

/**
 * A response body (or local document) is larger than the source's cap (`maxBodyBytes`): the
 * download stops at the cap and the task is not retried, since the next attempt would download
 * the same. Raise the cap (README, SCENESCOUT_FEED_MAX_MB / SCENESCOUT_API_MAX_MB) if it is real.
 */
export class ResponseTooLargeError extends NonRetryableError {
  readonly source: SourceId;
  readonly url: string | undefined;
  readonly limitBytes: number;
  constructor(message: string, details: { source: SourceId; url?: string; limitBytes: number }) {
    super(message, undefined, 'ERR_PROVIDER_TOO_LARGE');
    this.source = details.source;
    this.url = details.url;
    this.limitBytes = details.limitBytes;
  }
}

/** A document fetched as an iCalendar feed has no VCALENDAR: reported as a skipped feed. */
export class NotICalendarError extends SceneScoutError {
  constructor(message: string) {
    super('ERR_NOT_ICALENDAR', message);
  }
}

/** The replica shut down before the attempt finished; the task is requeued without using a retry. */
export class ShutdownError extends SceneScoutError {
  constructor(message: string) {
    super('ERR_SHUTDOWN', message);
  }
}

/** The replica running an attempt stopped heartbeating; another replica closed the attempt as lost. */
export class ReplicaLostError extends SceneScoutError {
  constructor(message: string) {
    super('ERR_REPLICA_LOST', message);
  }
}

// ---- catalogue ------------------------------------------------------------------------

/**
 * A raw record that cannot become a catalogue event. The message names the source, the record
 * id (when the record has one) and the field, so a row in `raw_events.error` explains itself.
 */
export class NormalizationError extends SceneScoutError {
  readonly source: string;
  readonly recordId: string | null;
  /** Dotted path of the missing or invalid field in the provider's object, e.g. `dates.start`. */
  readonly field: string;

  constructor(source: string, recordId: string | null, field: string, problem: string) {
    const record = recordId === null ? `${source} record (no id)` : `${source} record "${recordId}"`;
    super('ERR_NORMALIZE', `${record}: ${problem}`);
    this.source = source;
    this.recordId = recordId;
    this.field = field;
  }
}

/** A record that normalized but cannot be stored (e.g. a start in the year 20260). */
export class UnstorableRecordError extends SceneScoutError {
  constructor(message: string) {
    super('ERR_UNSTORABLE_RECORD', message);
  }
}

// ---- storage --------------------------------------------------------------------------

/** The embedded database's folder is open in another process (or already in this one). */
export class DataDirInUseError extends SceneScoutError {
  constructor(message: string) {
    super('ERR_DATA_DIR_IN_USE', message);
  }
}

/**
 * The database did not answer (connection refused, reset, terminated by an administrator).
 * The HTTP mapper answers 503 with Retry-After; src/server/http.ts also recognises the raw
 * driver errors, so callers need not wrap every query.
 */
export class DatabaseUnavailableError extends SceneScoutError {
  constructor(message = 'the database is unavailable', options?: { cause?: unknown }) {
    super('ERR_DB_UNAVAILABLE', message, options);
  }
}

/** Normalize anything thrown into an Error. */
export function coerceError(err: unknown): Error {
  if (err instanceof Error) return err;
  if (typeof err === 'string') return new Error(err);
  if (err && typeof err === 'object' && 'message' in err && typeof (err as { message: unknown }).message === 'string') {
    const e = new Error((err as { message: string }).message);
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') (e as Error & { code?: string }).code = code;
    return e;
  }
  return new Error(String(err));
}
