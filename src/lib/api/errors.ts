/**
 * Errors raised by provider clients. They extend the coded errors of `src/lib/errors.ts`,
 * so callers branch on `code` or `instanceof NonRetryableError` / `RateLimitedError`.
 * Messages never hold secrets: every message is built from redacted URLs and scrubbed text.
 */
import { NonRetryableError, SceneScoutError } from '../errors.js';
import type { SourceId } from './types.js';

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
  | 'ERR_PROVIDER_RESPONSE';

export interface ProviderErrorDetails {
  source: SourceId;
  /** redacted */
  url?: string;
  status?: number;
  /** the provider's own error code, e.g. 'policies.ratelimit.SpikeArrestViolation' */
  providerCode?: string;
  cause?: unknown;
}

/** A provider failed in a way a later attempt may not (retry at the task level). */
export class ProviderError extends SceneScoutError {
  readonly source: SourceId;
  readonly url: string | undefined;
  readonly status: number | undefined;
  readonly providerCode: string | undefined;
  constructor(code: ProviderErrorCode, message: string, details: ProviderErrorDetails) {
    super(code, message, { cause: details.cause });
    this.source = details.source;
    this.url = details.url;
    this.status = details.status;
    this.providerCode = details.providerCode;
  }
}

/** 4xx other than 429: bad credentials (401/403) or parameters the provider refuses. */
export class ProviderRequestError extends NonRetryableError {
  readonly source: SourceId;
  readonly url: string | undefined;
  readonly status: number;
  readonly providerCode: string | undefined;
  constructor(message: string, details: ProviderErrorDetails & { status: number }) {
    super(message, { cause: details.cause });
    this.source = details.source;
    this.url = details.url;
    this.status = details.status;
    this.providerCode = details.providerCode;
  }
}
