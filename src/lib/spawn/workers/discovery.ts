/**
 * DiscoveryWorker: one task is one (city, source) pair. It pages through the provider for the
 * coming days and upserts what it finds into `raw_events`.
 */
import { Redis } from 'ioredis';
import { createClient, createProviderLimiter, isSourceId, type ProviderClient, type ProviderLimiter, type SourceId } from '../../api/index.js';
import { storeRawEvents, type RejectedRawRecord } from '../../db/queries/raw-events.js';
import { NonRetryableError } from '../../errors.js';
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
  private clients = new Map<SourceId, ProviderClient>();
  private limiter!: ProviderLimiter;
  private redis: Redis | undefined;

  protected async initialize(): Promise<void> {
    if (this.boot.redisUrl) {
      // With Redis the limits are shared by every thread and replica directly.
      this.redis = new Redis(this.boot.redisUrl, { maxRetriesPerRequest: 2 });
      this.redis.on('error', () => {});
      this.limiter = createProviderLimiter({ providers: this.boot.providers, redis: this.redis, keyPrefix: this.boot.limiterKeyPrefix, db: this.db });
    } else {
      // Without Redis the limits live in the controller's process, shared by its threads.
      this.limiter = this.requests.limiter();
    }
  }

  private client(source: SourceId): ProviderClient {
    let client = this.clients.get(source);
    if (!client) {
      const logger = {
        warn: (obj: Record<string, unknown>, msg?: string) => this.log('warn', msg ?? 'provider warning', obj),
        info: (obj: Record<string, unknown>, msg?: string) => this.log('info', msg ?? 'provider info', obj),
        debug: (obj: Record<string, unknown>, msg?: string) => this.log('debug', msg ?? 'provider debug', obj),
      };
      client = createClient(source, {
        ...this.boot.providers[source],
        limiter: this.limiter,
        logger,
        onCall: (call) => this.report({ kind: 'provider-call', ...call }),
      });
      this.clients.set(source, client);
    }
    return client;
  }

  protected async processTask(assignment: TaskAssignment): Promise<DiscoveryTaskResult> {
    const p = assignment.parameters as unknown as DiscoveryParameters;
    if (!isSourceId(p.source)) throw new NonRetryableError(`Unknown source: ${JSON.stringify(p.source)}`);
    const loc = p.location;
    if (!loc || typeof loc.latitude !== 'number' || typeof loc.longitude !== 'number') {
      throw new NonRetryableError('discovery task needs parameters.location { latitude, longitude, radius }');
    }
    const start = p.dateRange?.start ? new Date(p.dateRange.start) : new Date();
    const end = p.dateRange?.end ? new Date(p.dateRange.end) : new Date(start.getTime() + 90 * DAY);
    const client = this.client(p.source);
    client.resetStats();
    const events = await client.searchEvents({
      location: { latitude: loc.latitude, longitude: loc.longitude, radius: loc.radius ?? 50_000 },
      dateRange: { start, end },
      ...(p.limit ? { limit: p.limit } : {}),
      organizationIds: p.organizationIds,
      venueIds: p.venueIds,
      feeds: p.feeds,
      pages: p.pages,
    });
    const counts = { new: 0, changed: 0, unchanged: 0 };
    const seen = new Set<string>();
    const records: Array<{ externalId: string; data: unknown }> = [];
    for (const event of events) {
      const externalId = client.externalId(event);
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

  protected async shutdown(): Promise<void> {
    for (const client of this.clients.values()) if (client.cleanup) await client.cleanup();
    this.redis?.disconnect();
  }
}

if (BaseWorker.isEntry(import.meta.url)) new DiscoveryWorker();
