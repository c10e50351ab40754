/**
 * Coded errors used for control flow. Each has a stable `code` so callers
 * (the controller, the HTTP error mapper, the CLI) can branch without string matching.
 */
export class SceneScoutError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad input from a caller: unknown worker type, malformed task, bad query. Maps to HTTP 400. */
export class ValidationError extends SceneScoutError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_VALIDATION', message, options);
  }
}

/** Bad configuration found at start. */
export class ConfigError extends SceneScoutError {
  constructor(message: string) {
    super('ERR_CONFIG', message);
  }
}

/** A capacity limit (SPAWN_MAX_WORKERS, a type's maxConcurrency) refused the request. Maps to HTTP 409. */
export class CapacityError extends SceneScoutError {
  constructor(message: string) {
    super('ERR_CAPACITY', message);
  }
}

/** A lookup that found nothing. Maps to HTTP 404. */
export class NotFoundError extends SceneScoutError {
  constructor(message: string) {
    super('ERR_NOT_FOUND', message);
  }
}

/** The task must not be retried (bad credentials, malformed parameters). */
export class NonRetryableError extends SceneScoutError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_NON_RETRYABLE', message, options);
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

/** A worker thread could not start: its script did not load, or its initialize() failed. */
export class WorkerStartError extends SceneScoutError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_WORKER_START', message, options);
  }
}
