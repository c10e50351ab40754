/**
 * Source health on /metrics, read from the database on scrape (so every replica reports the
 * same): per (city, source, feed), failures in a row, whether it is quarantined, and the last
 * success. The `feed` label is the record's id (a hash, as GET /api/sources lists it), never the
 * feed's URL, which may carry a token; an API source's record is labelled by its id too.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { SpawnService } from '../contracts/service.js';
import type { SourceHealth } from '../contracts/source-health.js';
import { rowGauge, sharedRead } from './scrape.js';

export interface SourceMetricsOptions {
  /** how long one read of the database serves scrapes, ms; default 1000 */
  ttlMs?: number;
  logger?: Logger;
}

export function registerSourceMetrics(registry: Registry, service: SpawnService, options: SourceMetricsOptions = {}): void {
  const read = sharedRead(async () => (service.sourceHealth ? service.sourceHealth.list() : null), 'source health', options.ttlMs ?? 1000, options.logger);
  const gauge = (name: string, help: string, value: (h: SourceHealth) => number | null) =>
    rowGauge(registry, { name, help, labelNames: ['city', 'source', 'feed'], rows: read, labels: (h) => ({ city: h.cityId, source: h.source, feed: h.id }), value });
  gauge('scenescout_source_consecutive_failures', 'Failed discoveries in a row of a (city, source, feed); feed is the record id of GET /api/sources', (h) => h.consecutiveFailures);
  gauge('scenescout_source_quarantined', '1 while discovery skips the (city, source, feed) after repeated failures', (h) => (h.quarantined ? 1 : 0));
  gauge('scenescout_source_last_success_timestamp_seconds', 'When discovery last read the (city, source, feed) successfully (unix time)', (h) =>
    h.lastSuccessAt ? Date.parse(h.lastSuccessAt) / 1000 : null);
}
