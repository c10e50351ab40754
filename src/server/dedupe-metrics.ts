/**
 * Dedupe on /metrics, read on scrape:
 * - from the database (so every replica and worker thread counts): merges, unmerges (by dedupe
 *   when a record stopped matching, by operators), review decisions, review queue size;
 * - from the file `npm run bench:dedupe` writes: the labeled set's last precision, recall and
 *   F1, overall and per source pair. Those are benchmark figures on hand-labeled listings, not
 *   production truth; their help text says so.
 */
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { SpawnService } from '../contracts/service.js';
import { defaultBenchmarkFile, readBenchmarkFigures } from '../lib/catalogue/dedupe/benchmark-file.js';
import { rowGauge, sharedRead } from './scrape.js';

export interface DedupeMetricsOptions {
  /** the benchmark figures file; default `.scenescout/dedupe-benchmark.json`; false: none */
  benchmarkFile?: string | false;
  /** how long one read of the database counts serves scrapes, ms; default 1000 */
  ttlMs?: number;
  logger?: Logger;
}

export function registerDedupeMetrics(registry: Registry, service: SpawnService, options: DedupeMetricsOptions = {}): void {
  const registers = [registry];
  const readStats = sharedRead(async () => (service.dedupe ? service.dedupe.stats() : null), 'the dedupe counts', options.ttlMs ?? 1000, options.logger);
  const merges: Counter = new Counter({
    name: 'scenescout_dedupe_merges_total',
    help: 'Source records whose event was absorbed into another event by dedupe (lineage)',
    registers,
    async collect() {
      const s = await readStats();
      if (!s) return;
      // The total lives in the database: the counter shows it as of this scrape.
      merges.reset();
      merges.inc(s.merges);
    },
  });
  const unmerges: Counter<'by'> = new Counter({
    name: 'scenescout_dedupe_unmerges_total',
    help: "Events restored from a merge: by='dedupe' when a record stopped matching, by='operator' for POST /api/events/:id/unmerge",
    labelNames: ['by'] as const,
    registers,
    async collect() {
      const s = await readStats();
      if (!s) return;
      unmerges.reset();
      unmerges.inc({ by: 'dedupe' }, s.unmerges.dedupe);
      unmerges.inc({ by: 'operator' }, s.unmerges.operator);
    },
  });
  const decisions: Counter<'decision'> = new Counter({
    name: 'scenescout_dedupe_review_decisions_total',
    help: 'Review queue pairs an operator decided, by decision (same, different)',
    labelNames: ['decision'] as const,
    registers,
    async collect() {
      const s = await readStats();
      if (!s) return;
      decisions.reset();
      decisions.inc({ decision: 'same' }, s.reviewDecisions.same);
      decisions.inc({ decision: 'different' }, s.reviewDecisions.different);
    },
  });
  const queue = new Gauge({
    name: 'scenescout_dedupe_review_queue',
    help: 'Pairs waiting in the dedupe review queue',
    registers,
    async collect() {
      const s = await readStats();
      if (s) queue.set(s.reviewPending);
    },
  });

  // ---- the labeled set's benchmark --------------------------------------------------------
  const file = options.benchmarkFile === undefined ? defaultBenchmarkFile() : options.benchmarkFile;
  if (file === false) return;
  const note = 'on the hand-labeled set as last measured by npm run bench:dedupe (a benchmark figure, not production truth)';
  type Benchmark = NonNullable<ReturnType<typeof readBenchmarkFigures>>;
  const figure = (name: string, what: string, value: (f: { precision: number; recall: number; f1: number }) => number) =>
    rowGauge(registry, {
      name,
      help: `Dedupe ${what} ${note}; source_pair="all" is overall`,
      labelNames: ['source_pair'],
      // No file (any more): no series.
      rows: () => {
        const b = readBenchmarkFigures(file);
        return b ? [{ pair: 'all', ...b.overall }, ...b.sourcePairs] : [];
      },
      labels: (r) => ({ source_pair: r.pair }),
      value,
    });
  figure('scenescout_dedupe_benchmark_precision', 'pairwise precision', (f) => f.precision);
  figure('scenescout_dedupe_benchmark_recall', 'pairwise recall', (f) => f.recall);
  figure('scenescout_dedupe_benchmark_f1', 'pairwise F1', (f) => f.f1);
  const single = (name: string, help: string, pick: (b: Benchmark) => number) => {
    const gauge: Gauge = new Gauge({
      name,
      help,
      registers,
      collect() {
        gauge.reset();
        const b = readBenchmarkFigures(file);
        if (b) gauge.set(pick(b));
      },
    });
  };
  single('scenescout_dedupe_benchmark_traps_merged', `Trap cases merged ${note}`, (b) => b.trapsMerged);
  single('scenescout_dedupe_benchmark_timestamp_seconds', 'When bench:dedupe last measured the labeled set (unix time)', (b) => Date.parse(b.measuredAt) / 1000);
}
