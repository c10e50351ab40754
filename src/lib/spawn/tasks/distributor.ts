/**
 * TaskDistributor: turns cities and unprocessed raw events into tasks.
 *
 * Schedules are pg-boss cron jobs, so with several replicas each run fires once; each
 * (city, source) discovery carries a singleton key, so one that is queued or running is
 * not queued again. When a provider's remaining daily budget cannot cover every city,
 * higher-priority cities go first and the rest wait for the next window.
 */
import type PgBoss from 'pg-boss';
import { z } from 'zod';
import { SOURCES, type SourceId } from '../../api/types.js';
import { contentHash, unprocessedBySource } from '../../db/queries/raw-events.js';
import { listCities } from '../../db/queries/cities.js';
import { quarantinedSources } from '../../db/queries/source-health.js';
import { coerceError, ValidationError } from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import { citySourcesSchema, type City } from '../../../contracts/cities.js';
import { parseWith } from '../../../contracts/parse.js';

/** A stored city's sources as the API and the cities file accept them (paths named from `sources`). */
const storedSourcesSchema = z.object({ sources: citySourcesSchema });
import type { DiscoveryRequest, ScheduleDiscoveryResult } from '../../../contracts/service.js';
import type { SpawnController } from '../controller.js';

const DAY = 24 * 60 * 60 * 1000;
const SOURCE_WEIGHT: Record<SourceId, number> = { ticketmaster: 4, eventbrite: 3, jsonld: 2, ics: 2, yelp: 1 };
const TICK = { discovery: 'scenescout-tick-discovery', ingestion: 'scenescout-tick-ingestion', processing: 'scenescout-tick-processing' } as const;

export interface DiscoveryConfig extends DiscoveryRequest {
  /** days ahead to discover, default 90 */
  days?: number;
}

export class TaskDistributor {
  private readonly controller: SpawnController;
  private readonly logger: Logger;
  private readonly scheduledTasks = new Map<string, string>();
  private readonly onTaskCompleted = (e: { type: string; result: unknown }) => void this.chain(e);

  constructor(controller: SpawnController, options: { logger?: Logger; chain?: boolean } = {}) {
    this.controller = controller;
    this.logger = options.logger ?? silentLogger;
    if (options.chain !== false) controller.on('task:completed', this.onTaskCompleted);
  }

  private get db() {
    return this.controller.db;
  }

  async getTargetCities(ids?: string[]): Promise<City[]> {
    const cities = await listCities(this.db, { enabledOnly: true });
    if (!ids || ids.length === 0) return cities;
    const known = new Set(cities.map((c) => c.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length) throw new ValidationError(`unknown or disabled city id(s): ${unknown.join(', ')}`);
    return cities.filter((c) => ids.includes(c.id));
  }

  /** Why a source cannot run for a city, or null when it can. */
  sourceUnavailable(city: City, source: SourceId): string | null {
    const s = city.sources as Record<string, Record<string, unknown> | undefined>;
    const keyed = this.controller.config.providers[source].apiKey;
    switch (source) {
      case 'ticketmaster':
      case 'yelp':
        if (s[source]?.enabled === false) return `${source} is disabled for this city`;
        return keyed ? null : `no ${source === 'yelp' ? 'YELP_API_KEY' : 'TICKETMASTER_API_KEY'} configured`;
      case 'eventbrite': {
        if (!keyed) return 'no EVENTBRITE_TOKEN configured';
        const ids = [...((s.eventbrite?.organizationIds as string[]) ?? []), ...((s.eventbrite?.venueIds as string[]) ?? [])];
        return ids.length ? null : 'no Eventbrite organization or venue ids for this city (public search was removed in 2020)';
      }
      case 'ics':
        return ((s.ics?.feeds as string[]) ?? []).length ? null : 'no iCalendar feeds for this city';
      case 'jsonld':
        return ((s.jsonld?.pages as string[]) ?? []).length ? null : 'no JSON-LD pages for this city';
    }
  }

  calculatePriority(city: City, source: SourceId): number {
    return city.priority * 10 + SOURCE_WEIGHT[source];
  }

  /** Rough API calls one discovery of this (city, source) costs, for quota planning. */
  estimateCalls(city: City, source: SourceId): number {
    const s = city.sources as Record<string, Record<string, string[] | undefined> | undefined>;
    switch (source) {
      case 'ticketmaster':
        return 5;
      case 'yelp':
        return 4;
      case 'eventbrite':
        return 2 * ((s.eventbrite?.organizationIds?.length ?? 0) + (s.eventbrite?.venueIds?.length ?? 0));
      case 'ics':
        return s.ics?.feeds?.length ?? 1;
      case 'jsonld':
        return s.jsonld?.pages?.length ?? 1;
    }
  }

  async scheduleDiscovery(config: DiscoveryConfig = {}): Promise<ScheduleDiscoveryResult> {
    const sources = config.sources?.length ? config.sources : [...SOURCES];
    const bad = sources.filter((s) => !(SOURCES as readonly string[]).includes(s));
    if (bad.length) throw new ValidationError(`unknown source(s): ${bad.join(', ')}; known: ${SOURCES.join(', ')}`);
    const cities = await this.getTargetCities(config.cityIds);
    const result: ScheduleDiscoveryResult = { queued: [], skipped: [] };
    const remaining = new Map<SourceId, number>();
    for (const source of sources as SourceId[]) {
      const b = await this.controller.providerLimiter.budget(source);
      remaining.set(source, b.remaining);
    }
    const now = Date.now();
    const days = config.days ?? 90;
    // Quarantined (city, source, feed)s sit out until their backoff ends; nothing else waits.
    const quarantined = new Set((await quarantinedSources(this.db)).map((k) => `${k.cityId}\n${k.source}\n${k.feed}`));
    // Cities arrive by priority, highest first, so the budget goes to them first.
    for (const city of cities) {
      try {
        await this.scheduleCity(city, sources as SourceId[], remaining, result, now, days, quarantined);
      } catch (err) {
        // A city whose stored settings still break discovery (saved before validation, edited
        // in the database) is skipped and named; the other cities go on.
        const reason = `city skipped: ${coerceError(err).message}`;
        this.logger.error({ cityId: city.id, err: coerceError(err).message }, 'discovery skipped a city');
        result.skipped.push({ cityId: city.id, source: '*', reason });
      }
    }
    this.logger.info({ queued: result.queued.length, skipped: result.skipped.length }, 'discovery scheduled');
    return result;
  }

  private async scheduleCity(
    city: City,
    sources: SourceId[],
    remaining: Map<SourceId, number>,
    result: ScheduleDiscoveryResult,
    now: number,
    days: number,
    quarantined: ReadonlySet<string>,
  ): Promise<void> {
    // Stored settings may predate validation or be edited in the database: check them again.
    parseWith(storedSourcesSchema, { sources: city.sources ?? {} }, `settings of city ${city.id}`);
    {
      for (const source of sources) {
        const why = this.sourceUnavailable(city, source);
        if (why) {
          result.skipped.push({ cityId: city.id, source, reason: why });
          continue;
        }
        const isQuarantined = (feed: string) => quarantined.has(`${city.id}\n${source}\n${feed}`);
        const s = city.sources as Record<string, Record<string, unknown> | undefined>;
        const documentsKey = source === 'ics' ? 'feeds' : source === 'jsonld' ? 'pages' : null;
        let documents: string[] | undefined;
        if (documentsKey) {
          const all = (s[source]?.[documentsKey] as string[] | undefined) ?? [];
          documents = all.filter((d) => !isQuarantined(d));
          if (documents.length === 0) {
            result.skipped.push({ cityId: city.id, source, reason: `quarantined: every ${documentsKey === 'feeds' ? 'feed' : 'page'} failed repeatedly (GET /api/sources)` });
            continue;
          }
        } else if (isQuarantined('')) {
          result.skipped.push({ cityId: city.id, source, reason: 'quarantined: failed repeatedly (GET /api/sources)' });
          continue;
        }
        const cost = this.estimateCalls(city, source);
        const left = remaining.get(source)!;
        if (left < cost) {
          result.skipped.push({ cityId: city.id, source, reason: `daily budget: ${left} calls left, needs ~${cost}; deferred to the next window` });
          continue;
        }
        const priority = this.calculatePriority(city, source);
        const taskId = `discovery-${source}-${city.id}-${now}`;
        const { jobId } = await this.controller.distributeTask({
          id: taskId,
          type: 'discovery',
          priority,
          singletonKey: `discovery:${city.id}:${source}`,
          parameters: {
            source,
            cityId: city.id,
            location: { latitude: city.latitude, longitude: city.longitude, radius: city.radiusM || 50_000 },
            dateRange: { start: new Date(now).toISOString(), end: new Date(now + days * DAY).toISOString() },
            ...(source === 'eventbrite' ? { organizationIds: s.eventbrite?.organizationIds ?? [], venueIds: s.eventbrite?.venueIds ?? [] } : {}),
            ...(source === 'ics' ? { feeds: documents } : {}),
            ...(source === 'jsonld' ? { pages: documents } : {}),
          },
        });
        if (jobId) {
          remaining.set(source, left - cost);
          result.queued.push({ taskId, cityId: city.id, source, priority });
        } else {
          result.skipped.push({ cityId: city.id, source, reason: 'already queued or running' });
        }
      }
    }
  }

  /** Queues unprocessed raw events, grouped by source, in batches. */
  async scheduleIngestion(options: { source?: string; maxBatches?: number } = {}): Promise<string[]> {
    const batchSize = this.controller.config.ingestionBatchSize;
    const maxBatches = options.maxBatches ?? 50;
    const groups = await unprocessedBySource(this.db, batchSize * maxBatches, options.source);
    const taskIds: string[] = [];
    for (const [source, ids] of groups) {
      for (let i = 0; i < ids.length; i += batchSize) {
        const eventIds = ids.slice(i, i + batchSize);
        // The same batch queued twice (two triggers before it ran) is one task.
        const key = `ingestion:${source}:${contentHash(eventIds).slice(0, 24)}`;
        const taskId = `ingestion-${source}-${Date.now()}-${i / batchSize}`;
        const { jobId } = await this.controller.distributeTask({
          id: taskId, type: 'ingestion', priority: 5, singletonKey: key,
          parameters: { source, eventIds, batchSize: eventIds.length },
        });
        if (jobId) taskIds.push(taskId);
      }
    }
    return taskIds;
  }

  /** Queues cross-source deduplication for cities (all enabled cities by default). */
  async scheduleProcessing(cityIds?: string[]): Promise<string[]> {
    const ids = cityIds?.length ? cityIds : (await this.getTargetCities()).map((c) => c.id);
    const out: string[] = [];
    for (const cityId of ids) {
      const taskId = `processing-${cityId}-${Date.now()}`;
      const { jobId } = await this.controller.distributeTask({
        id: taskId, type: 'processing', priority: 3, singletonKey: `processing:${cityId}`, queueWhileRunning: true, parameters: { cityId },
      });
      if (jobId) out.push(taskId);
    }
    return out;
  }

  /** Keeps the pipeline moving: new raw events are ingested, ingested cities are deduplicated. */
  private async chain(e: { type: string; result: unknown }): Promise<void> {
    try {
      const r = (e.result ?? {}) as { new?: number; changed?: number; source?: string; cityIds?: string[]; inserted?: number; updated?: number };
      if (e.type === 'discovery' && (r.new ?? 0) + (r.changed ?? 0) > 0) await this.scheduleIngestion({ source: r.source });
      if (e.type === 'ingestion' && (r.inserted ?? 0) + (r.updated ?? 0) > 0 && r.cityIds?.length) await this.scheduleProcessing(r.cityIds);
    } catch (err) {
      this.logger.warn({ err: coerceError(err).message }, 'could not chain the next pipeline step');
    }
  }

  /** Discovery every 6 h and ingestion every 30 min by default, as pg-boss cron schedules. */
  async startScheduledTasks(): Promise<void> {
    const boss: PgBoss = this.controller.queue.boss;
    const s = this.controller.config.schedules;
    const plan: Array<[keyof typeof TICK, string, () => Promise<unknown>]> = [
      ['discovery', s.discovery, () => this.scheduleDiscovery({})],
      ['ingestion', s.ingestion, () => this.scheduleIngestion()],
      ['processing', s.processing, () => this.scheduleProcessing()],
    ];
    for (const [name, cron, run] of plan) {
      const queue = TICK[name];
      if (!(await boss.getQueue(queue))) await boss.createQueue(queue, { name: queue, retryLimit: 1 } as PgBoss.Queue).catch(() => {});
      try {
        await boss.schedule(queue, cron, {}, { tz: 'UTC' });
      } catch (err) {
        throw new ValidationError(`invalid cron expression for the ${name} schedule: ${JSON.stringify(cron)} (${coerceError(err).message})`);
      }
      const workId = await boss.work(queue, { pollingIntervalSeconds: 5 }, async () => {
        try {
          await run();
        } catch (err) {
          // pg-boss would retry the tick quietly; an operator must see that a schedule failed.
          this.logger.error({ schedule: name, err: coerceError(err).message }, `the ${name} schedule's tick failed`);
          throw err;
        }
      });
      this.scheduledTasks.set(name, workId);
    }
  }

  async stop(): Promise<void> {
    this.controller.off('task:completed', this.onTaskCompleted);
    const boss = this.controller.queue.boss;
    for (const id of this.scheduledTasks.values()) await boss.offWork({ id } as never).catch(() => {});
    this.scheduledTasks.clear();
  }
}
