/**
 * The contract every provider client keeps. The words (source, client, raw event, external
 * id, skipped record) are defined in docs/glossary.md.
 */
import type { SourceId } from '../../contracts/sources.js';
import type { ProviderLimiter } from './rate-limit.js';

export { SOURCES, isSourceId, type SourceId } from '../../contracts/sources.js';

export interface SearchParams {
  location: { latitude: number; longitude: number; /** metres */ radius: number };
  dateRange: { start: Date | string; end: Date | string };
  /** max events to return overall (default: all) */
  limit?: number;
  /** eventbrite */
  organizationIds?: string[];
  /** eventbrite */
  venueIds?: string[];
  /** ics: URLs or file paths */
  feeds?: string[];
  /** jsonld: URLs or file paths */
  pages?: string[];
  signal?: AbortSignal;
}

export interface SkippedRecord {
  reason: string;
  id?: string;
}

/** Cumulative since construction or the last `resetStats()`. */
export interface ClientStats {
  /** HTTP requests sent, retries included */
  apiCalls: number;
  skipped: SkippedRecord[];
  /** records kept after cleaning (NULs, lone surrogates, nesting too deep: sanitize.ts) */
  repaired: SkippedRecord[];
  retries: number;
}

export interface ProviderClient<E = unknown> {
  readonly source: SourceId;
  /** The provider's own event objects, deduplicated by `externalId`. */
  searchEvents(params: SearchParams): Promise<E[]>;
  /** Stable id of `event` within the source. */
  externalId(event: E): string;
  readonly stats: ClientStats;
  resetStats(): void;
  cleanup?(): Promise<void>;
}

export type ProviderCallOutcome = 'ok' | 'error' | 'rate_limited';

/** One HTTP request to a provider as the HTTP layer saw it; each retry is a call of its own. */
export interface ProviderCall {
  source: SourceId;
  /** rate_limited: the provider answered 429 or said its quota is used up */
  outcome: ProviderCallOutcome;
  /** absent when no response came (network error, timeout) */
  status?: number;
  durationMs: number;
}

/** What we need of a pino logger; pino itself fits. */
export interface Logger {
  warn(obj: Record<string, unknown>, msg?: string): void;
  info(obj: Record<string, unknown>, msg?: string): void;
  debug(obj: Record<string, unknown>, msg?: string): void;
}

export interface ClientOptions {
  /** API key (ticketmaster, yelp) or token (eventbrite); `token` is an alias */
  apiKey?: string;
  token?: string;
  baseUrl?: string;
  /** per HTTP request, default 15000 */
  timeoutMs?: number;
  /** retries after the first attempt, default 3 */
  maxRetries?: number;
  /** first backoff delay, default 500 ms; doubles on each retry, with jitter */
  retryBaseMs?: number;
  /** longest backoff delay, default 30000 ms */
  retryMaxMs?: number;
  /**
   * Longest wait a provider may ask for (Retry-After, reset headers) that we sleep through,
   * default 60000 ms. A longer wait throws RateLimitedError with `retryAfterMs` at once, so
   * the task can be rescheduled instead of holding a worker.
   */
  maxRetryWaitMs?: number;
  /**
   * Largest response body (or local document) read, bytes: default 10 MB for an API page,
   * 50 MB for a feed or page (ics, jsonld). The download stops at the cap and the search fails
   * with ResponseTooLargeError, which is not retried.
   */
  maxBodyBytes?: number;
  limiter?: ProviderLimiter;
  logger?: Logger;
  /** Told of every HTTP request to the provider once it has an outcome (metrics). */
  onCall?: (call: ProviderCall) => void;
  /** Only to route through a proxy or instrument requests; defaults to undici's fetch (http.ts), which connects only to addresses the URL guard checked. */
  fetch?: typeof fetch;
  /**
   * Fetch feeds, pages and redirects on loopback, private and link-local addresses too
   * (SCENESCOUT_ALLOW_PRIVATE_URLS; tests and private deployments). Default false: those are
   * refused after DNS resolution (url-guard.ts). The configured `baseUrl` is always trusted.
   */
  allowPrivateUrls?: boolean;
}
