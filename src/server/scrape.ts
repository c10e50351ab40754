/**
 * The pieces of /metrics that are read on scrape: one read shared by every metric of a scrape,
 * and gauges with a series for each row of what was read.
 */
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { keptRead } from '../lib/kept-read.js';

/**
 * prom-client collects every metric of a scrape concurrently; this makes them share one call of
 * `read`, whose answer serves scrapes for `ttlMs`. A failed read is logged ("metrics scrape could
 * not read <what>") and yields null, so the metrics keep their last values rather than failing
 * the whole scrape.
 */
export function sharedRead<T>(read: () => Promise<T>, what: string, ttlMs: number, logger?: Logger): () => Promise<T | null> {
  const kept = keptRead(
    () => read().catch((err: unknown) => {
      logger?.warn({ err }, `metrics scrape could not read ${what}`);
      return null;
    }),
    ttlMs,
  );
  const key = {};
  return () => kept.get(key);
}

export interface RowGauge<R, L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  /** what to show, read on scrape; null (a failed read) keeps the series of the last scrape */
  rows: () => Promise<readonly R[] | null> | readonly R[] | null;
  labels: (row: R) => Record<L, string>;
  /** null: no series for this row */
  value: (row: R) => number | null;
}

/** A gauge whose series are, at each scrape, one for each row `rows` reads. */
export function rowGauge<R, L extends string>(registry: Registry, spec: RowGauge<R, L>): Gauge<L> {
  const gauge: Gauge<L> = new Gauge<L>({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames,
    registers: [registry],
    async collect() {
      const rows = await spec.rows();
      if (!rows) return;
      gauge.reset();
      for (const row of rows) {
        const v = spec.value(row);
        if (v !== null) gauge.set(spec.labels(row), v);
      }
    },
  });
  return gauge;
}
