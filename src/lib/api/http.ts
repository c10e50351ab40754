/**
 * The one way provider clients speak HTTP: a timeout on every attempt (headers and body), the
 * shared limiter before every attempt, retries with exponential backoff and jitter on network
 * errors, 408, 429 and 5xx, and waits that honour `Retry-After` and provider reset headers.
 * Bodies are streamed and capped (`maxBodyBytes`): past the cap the download stops and
 * ResponseTooLargeError is thrown, never retried. Everything logged or thrown goes through
 * `redact.ts` first.
 */
import { BudgetExhaustedError, ProviderError, ProviderRequestError, RateLimitedError, ResponseTooLargeError } from '../errors.js';
import { sleep, type ProviderLimiter } from './rate-limit.js';
import { redactError, redactText, redactUrl } from '../redact.js';
import { readTextCapped, readTextPrefix } from '../read-capped.js';
import type { ClientStats, Logger, ProviderCall, SourceId } from './types.js';
import { fetch as undiciFetch } from 'undici';
import { checkFetchUrl, guardedDispatcher, refusalAtConnect, type HostResolver, type UrlRefusal } from './url-guard.js';

/** Redirects followed per request; each hop is checked by the URL guard before it is fetched. */
export const MAX_REDIRECTS = 5;

/** How the client checks where it connects (url-guard.ts). */
export interface HttpUrlGuard {
  /** lift the address rule (SCENESCOUT_ALLOW_PRIVATE_URLS) */
  allowPrivate: boolean;
  /** the operator-configured provider base URL's origin: trusted, not checked */
  trustedOrigin?: string;
  /** DNS resolution for the check and the connection alike; tests only (default: dns.lookup) */
  resolve?: HostResolver;
}

/** What a client may tell us about a failed response, from its provider's error format. */
export interface ProviderErrorInfo {
  /** provider error code, e.g. 'HIT_RATE_LIMIT' */
  code?: string;
  /** provider's human description */
  description?: string;
  /** provider-specific wait, e.g. from Ticketmaster's `Rate-Limit-Reset`; used when no Retry-After */
  retryAfterMs?: number;
  /** the provider's daily quota is gone: throw BudgetExhaustedError, do not retry */
  budgetExhausted?: boolean;
}

export interface FailedResponse {
  status: number;
  headers: Headers;
  /** parsed JSON when the body was JSON, else the text */
  body: unknown;
}

export interface HttpClientOptions {
  source: SourceId;
  /** shared with the client; apiCalls and retries are counted here */
  stats: ClientStats;
  timeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxRetryWaitMs: number;
  /** largest response body read, bytes; a larger one throws ResponseTooLargeError */
  maxBodyBytes: number;
  limiter?: ProviderLimiter;
  logger?: Logger;
  onCall?: (call: ProviderCall) => void;
  /**
   * Default: undici's fetch, with the URL guard's dispatcher (url-guard.ts) so that the
   * addresses checked are the ones connected to. A fetch that ignores `dispatcher` keeps only
   * the check made before each hop.
   */
  fetch?: typeof fetch;
  /** literal values (keys, tokens) to scrub from every message */
  secrets?: string[];
  describeError?: (res: FailedResponse) => ProviderErrorInfo;
  /** Check every URL (redirects included) outside `trustedOrigin`; none: no checks. */
  urlGuard?: HttpUrlGuard;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface HttpResponse<T> {
  status: number;
  headers: Headers;
  body: T;
  /** the request URL, redacted */
  url: string;
}

/** A failed attempt worth retrying: the error to throw if we give up, and the server's requested wait. */
class RetryableFailure {
  constructor(
    readonly error: Error,
    readonly reason: string,
    readonly serverWaitMs?: number,
  ) {}
}

export class HttpClient {
  readonly #o: HttpClientOptions;
  readonly #fetch: typeof fetch;
  readonly #secrets: string[];

  constructor(options: HttpClientOptions) {
    this.#o = options;
    // undici's own fetch, not the global one: the dispatcher below must come from the same
    // undici as the fetch that drives it, whatever version the Node runtime bundles.
    this.#fetch = options.fetch ?? (undiciFetch as unknown as typeof fetch);
    this.#secrets = (options.secrets ?? []).filter(Boolean);
  }

  /** Scrubs secrets (known values and secret-looking patterns) from `text`. */
  redact(text: string): string {
    return redactText(text, this.#secrets);
  }

  redactUrl(url: string | URL): string {
    return this.redact(redactUrl(url));
  }

  /** The body cap, bytes (local documents are held to it too). */
  get maxBodyBytes(): number {
    return this.#o.maxBodyBytes;
  }

  /** The error for a body (or document) over the cap. */
  tooLarge(location: string, seenBytes: number, declared = false): ResponseTooLargeError {
    const limit = this.#o.maxBodyBytes;
    return new ResponseTooLargeError(
      `${this.#o.source}: ${location} is larger than the ${formatBytes(limit)} limit (${declared ? `Content-Length ${formatBytes(seenBytes)}` : `stopped reading at ${formatBytes(seenBytes)}`}); not retried. Raise the source's maxBodyBytes if the document is genuine`,
      { source: this.#o.source, url: location, limitBytes: limit },
    );
  }

  async getText(url: URL | string, options: RequestOptions = {}): Promise<HttpResponse<string>> {
    return this.#request(new URL(String(url)), options);
  }

  async getJson(url: URL | string, options: RequestOptions = {}): Promise<HttpResponse<unknown>> {
    const res = await this.getText(url, { ...options, headers: { accept: 'application/json', ...options.headers } });
    try {
      return { ...res, body: JSON.parse(res.body) as unknown };
    } catch (err) {
      throw new ProviderError(
        'ERR_PROVIDER_RESPONSE',
        // V8's SyntaxError quotes the start of the body, so it stays out of the message.
        `${this.#o.source}: malformed JSON from GET ${res.url} (status ${res.status})`,
        { source: this.#o.source, url: res.url, status: res.status, cause: redactError(err, this.#secrets) },
      );
    }
  }

  async #request(url: URL, options: RequestOptions): Promise<HttpResponse<string>> {
    const { source, stats, limiter, logger, maxRetries } = this.#o;
    const safeUrl = this.redactUrl(url);
    const signal = options.signal;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      if (limiter) await limiter.acquire(source, signal);
      stats.apiCalls++;
      const startedAt = Date.now();
      let failure: RetryableFailure;
      try {
        const res = await this.#attempt(url, safeUrl, options);
        logger?.debug({ source, url: safeUrl, status: res.status, ms: Date.now() - startedAt }, 'provider request');
        return res;
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        if (!(err instanceof RetryableFailure)) throw err;
        failure = err;
      }

      const backoff = this.#backoff(attempt);
      const waitMs = failure.serverWaitMs ?? backoff;
      if (failure.serverWaitMs !== undefined && failure.serverWaitMs > this.#o.maxRetryWaitMs) {
        // The provider wants a long pause (e.g. a quota reset hours away): hand it to the caller.
        throw failure.error;
      }
      if (attempt >= maxRetries) throw failure.error;
      stats.retries++;
      logger?.warn({ source, url: safeUrl, attempt: attempt + 1, maxRetries, waitMs, reason: failure.reason }, 'provider request failed; retrying');
      await sleep(waitMs, signal);
    }
  }

  /** One attempt. Resolves with the response; rejects with a final error or a RetryableFailure. */
  async #attempt(url: URL, safeUrl: string, options: RequestOptions): Promise<HttpResponse<string>> {
    const { source, timeoutMs } = this.#o;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let res: Response;
    let text: string;
    const startedAt = performance.now();
    try {
      res = await this.#fetchFollowing(url, safeUrl, options.headers, signal);
      // An error body is only read for its first words; a success body up to the cap.
      text = res.ok ? await this.#readBody(res, safeUrl) : await readTextPrefix(res.body, ERROR_BODY_BYTES);
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (err instanceof ResponseTooLargeError) {
        this.#report('error', undefined, startedAt);
        throw err;
      }
      if (err instanceof ProviderError && !err.retryable) throw err;
      this.#report('error', undefined, startedAt);
      const timedOut = timeout.aborted;
      // One generic category: the socket error's code would tell a prober which internal
      // ports are open (ECONNREFUSED vs a reset), and the text is stored with the task.
      const error = new ProviderError(
        timedOut ? 'ERR_PROVIDER_TIMEOUT' : 'ERR_PROVIDER_NETWORK',
        `${source}: could not fetch ${safeUrl}: ${timedOut ? `timed out after ${timeoutMs} ms` : 'network error'}`,
        { source, url: safeUrl, cause: redactError(err, this.#secrets) },
      );
      this.#o.logger?.debug({ source, url: safeUrl, err: this.redact(describeNetworkError(err)) }, 'provider request failed');
      throw new RetryableFailure(error, timedOut ? 'timeout' : 'network error');
    }
    if (res.ok) {
      this.#report('ok', res.status, startedAt);
      return { status: res.status, headers: res.headers, body: text, url: safeUrl };
    }
    const failure = this.#classify(res, text, safeUrl);
    const limited = res.status === 429 || failure instanceof BudgetExhaustedError;
    this.#report(limited ? 'rate_limited' : 'error', res.status, startedAt);
    throw failure;
  }

  /**
   * GET with redirects followed by hand (at most MAX_REDIRECTS), so that the URL guard sees
   * every hop before we connect to it: a public feed must not bounce us to an internal port.
   */
  async #fetchFollowing(url: URL, safeUrl: string, headers: Record<string, string> | undefined, signal: AbortSignal): Promise<Response> {
    let current = url;
    for (let hop = 0; ; hop++) {
      const checked = await this.#guard(current, safeUrl);
      const guard = this.#o.urlGuard;
      // The dispatcher resolves the host again when it connects, and checks that answer too.
      const dispatcher = guardedDispatcher({ allowPrivate: !checked || guard?.allowPrivate, resolve: guard?.resolve });
      let res: Response;
      try {
        res = await this.#fetch(current, { headers, signal, redirect: 'manual', dispatcher } as unknown as RequestInit);
      } catch (err) {
        const refusal = refusalAtConnect(err);
        throw refusal ? this.#refused(current, safeUrl, refusal) : err;
      }
      const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
      if (location === null) return res;
      await res.body?.cancel().catch(() => undefined);
      if (hop >= MAX_REDIRECTS) {
        throw new ProviderError('ERR_PROVIDER_RESPONSE', `${this.#o.source}: could not fetch ${safeUrl}: more than ${MAX_REDIRECTS} redirects`, {
          source: this.#o.source,
          url: safeUrl,
          retryable: false,
        });
      }
      current = new URL(location, current);
    }
  }

  /** Throws ERR_URL_BLOCKED when `url` is refused; false when it is not checked at all (trusted). */
  async #guard(url: URL, safeUrl: string): Promise<boolean> {
    const guard = this.#o.urlGuard;
    if (!guard || url.origin === guard.trustedOrigin) return false;
    const refusal = await checkFetchUrl(url, { allowPrivate: guard.allowPrivate, resolve: guard.resolve });
    if (refusal === null) return true;
    throw this.#refused(url, safeUrl, refusal);
  }

  #refused(url: URL, safeUrl: string, refusal: UrlRefusal): ProviderError {
    this.#o.logger?.warn({ source: this.#o.source, url: safeUrl, hop: this.redactUrl(url), refusal }, 'refused to fetch a URL');
    return new ProviderError('ERR_URL_BLOCKED', `${this.#o.source}: could not fetch ${safeUrl}: ${refusal}`, {
      source: this.#o.source,
      url: safeUrl,
      retryable: false,
    });
  }

  /** The body as UTF-8 text, refusing more than the cap (a declared length over it before reading). */
  async #readBody(res: Response, safeUrl: string): Promise<string> {
    const limit = this.#o.maxBodyBytes;
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > limit) {
      await res.body?.cancel().catch(() => {});
      throw this.tooLarge(`GET ${safeUrl}`, declared, true);
    }
    return readTextCapped(res.body, limit, (size) => this.tooLarge(`GET ${safeUrl}`, size));
  }

  #report(outcome: ProviderCall['outcome'], status: number | undefined, startedAt: number): void {
    const onCall = this.#o.onCall;
    if (!onCall) return;
    const call: ProviderCall = { source: this.#o.source, outcome, durationMs: performance.now() - startedAt };
    if (status !== undefined) call.status = status;
    try {
      onCall(call);
    } catch {
      // A metrics listener must never fail a request.
    }
  }

  #classify(res: Response, text: string, safeUrl: string): Error | RetryableFailure {
    const { source } = this.#o;
    const status = res.status;
    const body = parseMaybeJson(text);
    const info = this.#o.describeError?.({ status, headers: res.headers, body }) ?? {};
    // Only the provider's own error code goes into the message: the message is stored with
    // the task and served by the API, and a body may hold anything the server chose to send.
    const detail = this.redact(info.code ?? '');
    const message = `${source}: could not fetch ${safeUrl}: HTTP ${status}${detail ? ` (${detail})` : ''}`;
    if (info.description ?? typeof body === 'string') {
      this.#o.logger?.debug({ source, url: safeUrl, status, description: this.redact(info.description ?? textSnippet(String(body))) }, 'provider error body');
    }
    const details = { source, url: safeUrl, status, providerCode: info.code };
    const retryAfter = parseRetryAfter(res.headers.get('retry-after'));

    if (info.budgetExhausted) {
      return new BudgetExhaustedError(source, `${message}; the provider's daily quota is used up`, info.retryAfterMs ?? retryAfter);
    }
    if (status === 429) {
      const serverWaitMs = retryAfter ?? info.retryAfterMs;
      return new RetryableFailure(new RateLimitedError(message, serverWaitMs), `429 ${info.code ?? ''}`.trim(), serverWaitMs);
    }
    if (status >= 500 || status === 408) {
      return new RetryableFailure(new ProviderError('ERR_PROVIDER_HTTP', message, details), String(status), retryAfter);
    }
    return new ProviderRequestError(message, details);
  }

  /** Exponential backoff with "equal jitter": half fixed, half random. */
  #backoff(attempt: number): number {
    const ceiling = Math.min(this.#o.retryMaxMs, this.#o.retryBaseMs * 2 ** attempt);
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }
}

/** What is read of an error response: enough for the provider's error object. */
const ERROR_BODY_BYTES = 64 * 1024;

/** At most `limit` bytes of the body as text; the rest is not downloaded. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KB`;
  return `${n} bytes`;
}

/** `Retry-After` as ms from now: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The start of an error body as one line, HTML tags dropped. */
function textSnippet(body: string): string {
  return body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
}

function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function describeNetworkError(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  return [e?.message ?? String(err), cause].filter(Boolean).join(': ');
}
