/**
 * What every client shares: options with defaults, stats, the HTTP helper, record validation
 * and skip reporting. Provider files hold only what is specific to their wire format.
 */
import type { z } from 'zod';
import { ConfigError, ValidationError } from '../errors.js';
import { HttpClient, type ProviderErrorInfo, type FailedResponse } from './http.js';
import { cleanRecord } from './sanitize.js';
import type { ClientOptions, ClientStats, Logger, ProviderClient, SearchParams, SourceId } from './types.js';

export const DEFAULTS = {
  timeoutMs: 15_000,
  maxRetries: 3,
  retryBaseMs: 500,
  retryMaxMs: 30_000,
  maxRetryWaitMs: 60_000,
  /** an API page; feeds and pages (ics, jsonld) default to DOCUMENT_MAX_BODY_BYTES */
  maxBodyBytes: 10 * 1024 * 1024,
} as const;

/** Default body cap of a document source (an iCalendar feed, a web page). */
export const DOCUMENT_MAX_BODY_BYTES = 50 * 1024 * 1024;

export interface BaseClientSetup {
  source: SourceId;
  defaultBaseUrl?: string;
  /** the constructor throws ConfigError when no key/token is given */
  requiresKey?: boolean;
  /** how to name the credential in the ConfigError, e.g. 'TICKETMASTER_API_KEY' */
  keyName?: string;
  describeError?: (res: FailedResponse) => ProviderErrorInfo;
  /** body cap when options.maxBodyBytes is not given; default DEFAULTS.maxBodyBytes */
  defaultMaxBodyBytes?: number;
}

export abstract class BaseClient<E> implements ProviderClient<E> {
  readonly source: SourceId;
  readonly stats: ClientStats = { apiCalls: 0, skipped: [], repaired: [], retries: 0 };
  protected readonly http: HttpClient;
  protected readonly logger: Logger | undefined;
  protected readonly baseUrl: string;
  protected readonly key: string | undefined;

  protected constructor(options: ClientOptions, setup: BaseClientSetup) {
    this.source = setup.source;
    this.logger = options.logger;
    const key = options.apiKey ?? options.token;
    if (setup.requiresKey && (typeof key !== 'string' || key.trim() === '')) {
      throw new ConfigError(
        `${setup.source}: an API key is required (options.apiKey${setup.keyName ? `, usually from ${setup.keyName}` : ''}); the source is disabled without one`,
      );
    }
    this.key = key;
    this.baseUrl = (options.baseUrl ?? setup.defaultBaseUrl ?? '').replace(/\/+$/, '');
    if (setup.defaultBaseUrl !== undefined) assertUrl(`${setup.source}: options.baseUrl`, this.baseUrl);
    for (const name of ['timeoutMs', 'retryBaseMs', 'retryMaxMs', 'maxRetryWaitMs'] as const) {
      const v = options[name];
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
        throw new ConfigError(`${setup.source}: options.${name} must be a non-negative number, got ${String(v)}`);
      }
    }
    if (options.maxBodyBytes !== undefined && !(Number.isInteger(options.maxBodyBytes) && options.maxBodyBytes > 0)) {
      throw new ConfigError(`${setup.source}: options.maxBodyBytes must be a positive integer, got ${String(options.maxBodyBytes)}`);
    }
    if (options.maxRetries !== undefined && !(Number.isInteger(options.maxRetries) && options.maxRetries >= 0)) {
      throw new ConfigError(`${setup.source}: options.maxRetries must be a non-negative integer, got ${String(options.maxRetries)}`);
    }
    this.http = new HttpClient({
      source: setup.source,
      stats: this.stats,
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      maxRetries: options.maxRetries ?? DEFAULTS.maxRetries,
      retryBaseMs: options.retryBaseMs ?? DEFAULTS.retryBaseMs,
      retryMaxMs: options.retryMaxMs ?? DEFAULTS.retryMaxMs,
      maxRetryWaitMs: options.maxRetryWaitMs ?? DEFAULTS.maxRetryWaitMs,
      maxBodyBytes: options.maxBodyBytes ?? setup.defaultMaxBodyBytes ?? DEFAULTS.maxBodyBytes,
      limiter: options.limiter,
      logger: options.logger,
      onCall: options.onCall,
      fetch: options.fetch,
      secrets: key ? [key] : [],
      describeError: setup.describeError,
      urlGuard: {
        allowPrivate: options.allowPrivateUrls === true,
        trustedOrigin: this.baseUrl ? new URL(this.baseUrl).origin : undefined,
      },
    });
  }

  abstract searchEvents(params: SearchParams): Promise<E[]>;
  abstract externalId(event: E): string;

  resetStats(): void {
    this.stats.apiCalls = 0;
    this.stats.retries = 0;
    this.stats.skipped = [];
    this.stats.repaired = [];
  }

  /** Records something we could not use; never throws. */
  protected skip(reason: string, id?: string): void {
    const safeReason = this.http.redact(reason);
    const safeId = id === undefined ? undefined : this.http.redact(id);
    this.stats.skipped.push(safeId === undefined ? { reason: safeReason } : { reason: safeReason, id: safeId });
    this.logger?.warn({ source: this.source, id: safeId, reason: safeReason }, 'skipped provider record');
  }

  /** Records something we had to change to keep a record (sanitize.ts); never throws. */
  protected repair(reason: string, id?: string): void {
    const safeReason = this.http.redact(reason);
    const safeId = id === undefined ? undefined : this.http.redact(id);
    this.stats.repaired.push(safeId === undefined ? { reason: safeReason } : { reason: safeReason, id: safeId });
    this.logger?.warn({ source: this.source, id: safeId, reason: safeReason }, 'repaired provider record');
  }

  /**
   * Keeps the records that fit `schema` (unknown fields and all) and reports the rest as
   * skipped. Every record is cleaned first (sanitize.ts: NULs, lone surrogates, nesting depth);
   * a record that needed it is kept in its cleaned form and reported in `stats.repaired`.
   * `where` names the page or document for the report.
   */
  protected validRecords(schema: z.ZodType, records: readonly unknown[], where: string): E[] {
    const kept: E[] = [];
    for (const raw of records) {
      const { value: record, notes } = cleanRecord(raw);
      const parsed = schema.safeParse(record);
      if (notes.length > 0) this.repair(`record in ${where}: ${notes.join('; ')}`, recordId(record));
      if (parsed.success) {
        kept.push(record as E);
        continue;
      }
      const issues = parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.length ? i.path.join('.') : '(record)'}: ${i.message}`)
        .join('; ');
      this.skip(`invalid record in ${where}: ${issues}`, recordId(record));
    }
    return kept;
  }
}

function recordId(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const r = record as Record<string, unknown>;
  const id = r.id ?? r.uid ?? r['@id'] ?? r.url;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

function assertUrl(name: string, value: string): void {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
}

/** Validated date range; strings go through `Date`. */
export function resolveDateRange(source: SourceId, range: SearchParams['dateRange']): { start: Date; end: Date } {
  const start = toDate(source, 'dateRange.start', range.start);
  const end = toDate(source, 'dateRange.end', range.end);
  if (end.getTime() < start.getTime()) {
    throw new ValidationError(`${source}: dateRange.end (${end.toISOString()}) is before dateRange.start (${start.toISOString()})`);
  }
  return { start, end };
}

function toDate(source: SourceId, name: string, value: Date | string): Date {
  const d = value instanceof Date ? new Date(value.getTime()) : new Date(value);
  if (Number.isNaN(d.getTime())) throw new ValidationError(`${source}: ${name} is not a valid date: ${JSON.stringify(String(value))}`);
  return d;
}

export function resolveLimit(source: SourceId, limit: number | undefined): number {
  if (limit === undefined) return Infinity;
  if (!Number.isInteger(limit) || limit < 0) throw new ValidationError(`${source}: limit must be a non-negative integer, got ${String(limit)}`);
  return limit;
}

export function assertLocation(source: SourceId, location: SearchParams['location']): void {
  const { latitude, longitude, radius } = location ?? ({} as SearchParams['location']);
  if (!(Number.isFinite(latitude) && latitude >= -90 && latitude <= 90)) {
    throw new ValidationError(`${source}: location.latitude must be within -90..90, got ${String(latitude)}`);
  }
  if (!(Number.isFinite(longitude) && longitude >= -180 && longitude <= 180)) {
    throw new ValidationError(`${source}: location.longitude must be within -180..180, got ${String(longitude)}`);
  }
  if (!(Number.isFinite(radius) && radius > 0)) {
    throw new ValidationError(`${source}: location.radius must be a positive number of metres, got ${String(radius)}`);
  }
}
