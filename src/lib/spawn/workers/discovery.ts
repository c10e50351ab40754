/**
 * DiscoveryWorker: one task is one (city, source) pair. It pages through the provider for the
 * coming days and upserts what it finds into `raw_events`.
 *
 * A provider's client (and its parser: ical.js, htmlparser2, zod schemas) is loaded by the first
 * task that needs it, and Redis only when configured; even zod (through the source contract)
 * waits for the first task. An idle thread holds little more than Node's own
 * (`npm run bench:memory`).
 */
import type { Redis } from 'ioredis';
import { loadClient } from '../../api/load-client.js';
import type { ProviderLimiter } from '../../api/rate-limit.js';
import type { ProviderClient, SearchParams, SourceId } from '../../api/types.js';
import { storeRawEvents, type RejectedRawRecord } from '../../db/queries/raw-events.js';
import { confirmEvents, recordSourceFailure, recordSourceSuccess, type SourceKey } from '../../db/queries/source-health.js';
import { BudgetExhaustedError, coerceError, NonRetryableError } from '../../errors.js';
import { BaseWorker, type TaskAssignment } from './base.js';

export interface DiscoveryParameters {
  source: SourceId;
  cityId?: string;
  location: { latitude: number; longitude: number; radius?: number };
  dateRange?: { start: string | Date; end: string | Date };
  organizationIds?: string[];
  venueIds?: string[];
  feeds?: string[];
  pages?: string[];
  limit?: number;
}

/** The result of one discovery task (one city and source): what it found and how much of it was new. */
export interface DiscoveryTaskResult {
  source: SourceId;
  cityId: string | null;
  location: DiscoveryParameters['location'];
  eventsDiscovered: number;
  new: number;
  changed: number;
  unchanged: number;
  apiCalls: number;
  skipped: number;
  skippedSample: Array<{ reason: string; id?: string }>;
  /** records kept after cleaning (NULs, lone surrogates, nesting too deep) */
  repaired: number;
  repairedSample: Array<{ reason: string; id?: string }>;
  /** records the database still refused; every other record of their batch was stored */
  rejected: number;
  rejectedSample: RejectedRawRecord[];
}

const DAY = 24 * 60 * 60 * 1000;
const BATCH = 500;

export class DiscoveryWorker extends BaseWorker {
  private clients = new Map<SourceId, Promise<ProviderClient>>();
  private sourceTypes: Promise<typeof import('../../api/types.js')> | undefined;
  private limiter!: ProviderLimiter;
  private redis: Redis | undefined;

  protected async initialize(): Promise<void> {
    if (this.boot.redisUrl) {
      // With Redis the limits are shared by every thread and replica directly.
      const [{ Redis }, { createProviderLimiter }] = await Promise.all([import('ioredis'), import('../../api/rate-limit.js')]);
      this.redis = new Redis(this.boot.redisUrl, { maxRetriesPerRequest: 2 });
      this.redis.on('error', () => {});
      this.limiter = createProviderLimiter({ providers: this.boot.providers, redis: this.redis, keyPrefix: this.boot.limiterKeyPrefix, db: this.db });
    } else {
      // Without Redis the limits live in the controller's process, shared by its threads.
      this.limiter = this.requests.limiter();
    }
  }

  private client(source: SourceId): Promise<ProviderClient> {
    let client = this.clients.get(source);
    if (!client) {
      const logger = {
        warn: (obj: Record<string, unknown>, msg?: string) => this.log('warn', msg ?? 'provider warning', obj),
        info: (obj: Record<string, unknown>, msg?: string) => this.log('info', msg ?? 'provider info', obj),
        debug: (obj: Record<string, unknown>, msg?: string) => this.log('debug', msg ?? 'provider debug', obj),
      };
      client = this.load(() => loadClient(source, {
        ...this.boot.providers[source],
        limiter: this.limiter,
        logger,
        onCall: (call) => this.report({ kind: 'provider-call', ...call }),
      }));
      // A client that cannot be made (no key) is asked for again by the next task.
      client.catch(() => this.clients.delete(source));
      this.clients.set(source, client);
    }
    return client;
  }

  protected async processTask(assignment: TaskAssignment): Promise<DiscoveryTaskResult> {
    const p = assignment.parameters as unknown as DiscoveryParameters;
    const { isSourceId } = await (this.sourceTypes ??= this.load(() => import('../../api/types.js')));
    if (!isSourceId(p.source)) throw new NonRetryableError(`Unknown source: ${JSON.stringify(p.source)}`);
    const loc = p.location;
    if (!loc || typeof loc.latitude !== 'number' || typeof loc.longitude !== 'number') {
      throw new NonRetryableError('discovery task needs parameters.location { latitude, longitude, radius }');
    }
    const start = p.dateRange?.start ? new Date(p.dateRange.start) : new Date();
    const end = p.dateRange?.end ? new Date(p.dateRange.end) : new Date(start.getTime() + 90 * DAY);
    const client = await this.client(p.source);
    client.resetStats();
    const base = {
      location: { latitude: loc.latitude, longitude: loc.longitude, radius: loc.radius ?? 50_000 },
      dateRange: { start, end },
      ...(p.limit ? { limit: p.limit } : {}),
      organizationIds: p.organizationIds,
      venueIds: p.venueIds,
    };
    const documents = p.source === 'ics' ? p.feeds : p.source === 'jsonld' ? p.pages : undefined;
    let events: unknown[];
    if (documents === undefined) {
      // An API source is one health record: the whole search succeeds or fails.
      const key = p.cityId ? { cityId: p.cityId, source: p.source, feed: '' } : null;
      try {
        events = await client.searchEvents({ ...base, feeds: p.feeds, pages: p.pages });
      } catch (err) {
        if (key && !(err instanceof BudgetExhaustedError)) await this.recordFailure(key, err);
        throw err;
      }
      if (key) await this.recordSuccess(key, events.length);
    } else {
      events = await this.searchDocuments(client, p, documents, base);
    }
    const counts = { new: 0, changed: 0, unchanged: 0 };
    const seen = new Set<string>();
    const records: Array<{ externalId: string; data: unknown }> = [];
    for (const event of events) {
      const externalId = client.externalId(event as never);
      if (seen.has(externalId)) continue;
      seen.add(externalId);
      records.push({ externalId, data: event });
    }
    const rejected: RejectedRawRecord[] = [];
    for (let i = 0; i < records.length; i += BATCH) {
      const c = await storeRawEvents(this.db, p.source, p.cityId ?? null, records.slice(i, i + BATCH));
      counts.new += c.new;
      counts.changed += c.changed;
      counts.unchanged += c.unchanged;
      for (const r of c.rejected) {
        rejected.push(r);
        this.log('warn', 'raw record rejected by storage', { source: p.source, cityId: p.cityId ?? null, externalId: r.externalId, reason: r.reason });
      }
    }
    // Every record seen confirms its event, changed or not (unchanged ones are not ingested again).
    for (let i = 0; i < records.length; i += BATCH) {
      await confirmEvents(this.db, p.source, records.slice(i, i + BATCH).map((r) => r.externalId));
    }
    const stored = records.length - rejected.length;
    this.report({ kind: 'events-discovered', source: p.source, count: stored });
    const { apiCalls, skipped, repaired } = client.stats;
    return {
      source: p.source,
      cityId: p.cityId ?? null,
      location: loc,
      eventsDiscovered: stored,
      ...counts,
      apiCalls,
      skipped: skipped.length,
      skippedSample: skipped.slice(0, 10),
      repaired: repaired.length,
      repairedSample: repaired.slice(0, 10),
      rejected: rejected.length,
      rejectedSample: rejected.slice(0, 10),
    };
  }

  /**
   * Reads each feed (or page) on its own, so each has its own health: a failing feed is recorded
   * and the others go on. Only when every feed failed does the task fail (and is retried), with
   * the first error. A failure of the whole source (budget spent, shutdown) is no feed's fault.
   */
  private async searchDocuments(
    client: ProviderClient,
    p: DiscoveryParameters,
    documents: string[],
    base: Omit<SearchParams, 'feeds' | 'pages'>,
  ): Promise<unknown[]> {
    if (documents.length === 0) return client.searchEvents({ ...base, feeds: [], pages: [] });
    const out: unknown[] = [];
    let firstError: unknown;
    let failures = 0;
    for (const document of documents) {
      const key = p.cityId ? { cityId: p.cityId, source: p.source, feed: document } : null;
      let found: unknown[];
      try {
        found = await client.searchEvents({ ...base, ...(p.source === 'ics' ? { feeds: [document] } : { pages: [document] }) });
      } catch (err) {
        if (err instanceof BudgetExhaustedError) throw err;
        failures += 1;
        firstError ??= err;
        if (key) await this.recordFailure(key, err);
        continue;
      }
      if (key) await this.recordSuccess(key, found.length);
      out.push(...found);
    }
    if (failures === documents.length) throw firstError;
    return p.limit ? out.slice(0, p.limit) : out;
  }

  private async recordSuccess(key: SourceKey, events: number): Promise<void> {
    try {
      await recordSourceSuccess(this.db, key, events);
    } catch (err) {
      this.log('warn', 'could not record source health', { cityId: key.cityId, source: key.source, err: coerceError(err).message });
    }
  }

  private async recordFailure(key: SourceKey, failure: unknown): Promise<void> {
    try {
      const health = await recordSourceFailure(this.db, key, coerceError(failure).message, this.boot.sourceHealth);
      if (health.quarantined) {
        this.log('warn', 'source quarantined after failing repeatedly', {
          id: health.id, cityId: key.cityId, source: key.source, failures: health.consecutiveFailures, until: health.quarantinedUntil,
        });
      }
    } catch (err) {
      this.log('warn', 'could not record source health', { cityId: key.cityId, source: key.source, err: coerceError(err).message });
    }
  }

  protected async shutdown(): Promise<void> {
    for (const loading of this.clients.values()) {
      const client = await loading.catch(() => undefined);
      if (client?.cleanup) await client.cleanup();
    }
    this.redis?.disconnect();
  }
}

if (BaseWorker.isEntry(import.meta.url)) new DiscoveryWorker();
