/** What `discover` reports, the same whether a server or this process ran the tasks. */
import type { ScheduleDiscoveryResult } from '../../contracts/service.js';
import { duration, plural, table } from '../format.js';

export type PairStatus = 'queued' | 'completed' | 'failed' | 'timed out';

/** One (city, source) discovery task. The counts are known only when it ran in this process. */
export interface PairOutcome {
  taskId: string;
  cityId: string;
  source: string;
  status: PairStatus;
  discovered: number | null;
  new: number | null;
  changed: number | null;
  unchanged: number | null;
  durationMs: number | null;
  error: string | null;
}

export interface DiscoverySummary {
  /** who ran the tasks */
  mode: 'server' | 'in-process';
  /** the server's URL, or the database this process used */
  where: string;
  waited: boolean;
  timedOut: boolean;
  elapsedMs: number;
  pairs: PairOutcome[];
  skipped: ScheduleDiscoveryResult['skipped'];
  /** ingestion and processing tasks chained after discovery (in-process only; null otherwise) */
  followUp: { completed: number; failed: number; pending: number; errors: string[] } | null;
  /** every queued task succeeded (or, without --wait, was queued) */
  ok: boolean;
}

export function queuedPairs(result: ScheduleDiscoveryResult): PairOutcome[] {
  return result.queued.map((q) => ({
    taskId: q.taskId,
    cityId: q.cityId,
    source: q.source,
    status: 'queued',
    discovered: null,
    new: null,
    changed: null,
    unchanged: null,
    durationMs: null,
    error: null,
  }));
}

export function isOk(pairs: PairOutcome[], followUp: DiscoverySummary['followUp'], waited: boolean): boolean {
  if (!waited) return true;
  return pairs.every((p) => p.status === 'completed') && (followUp === null || (followUp.failed === 0 && followUp.pending === 0));
}

export function renderSummary(s: DiscoverySummary): string {
  const out: string[] = [];
  const where = s.mode === 'server' ? `by the server at ${s.where}` : `in this process (${s.where})`;
  if (!s.waited) out.push(`Queued ${plural(s.pairs.length, 'discovery task')} ${where}; not waiting for them.`);
  else if (s.pairs.length === 0) out.push(`Nothing to discover ${where}.`);
  else out.push(`Discovery ${s.ok ? 'finished' : s.timedOut ? 'timed out' : 'finished with failures'} in ${duration(s.elapsedMs)}, ${where}.`);
  if (s.pairs.length) {
    out.push('');
    out.push(
      table(s.pairs, [
        { header: 'city', value: (p) => p.cityId },
        { header: 'source', value: (p) => p.source },
        { header: 'status', value: (p) => p.status },
        { header: 'found', value: (p) => p.discovered, align: 'right' },
        { header: 'new', value: (p) => p.new, align: 'right' },
        { header: 'changed', value: (p) => p.changed, align: 'right' },
        { header: 'unchanged', value: (p) => p.unchanged, align: 'right' },
        { header: 'took', value: (p) => duration(p.durationMs), align: 'right' },
        { header: 'error', value: (p) => p.error, max: 80 },
      ]),
    );
  }
  if (s.followUp) {
    const f = s.followUp;
    out.push('');
    out.push(`Ingestion/processing after discovery: ${f.completed} completed, ${f.failed} failed${f.pending ? `, ${f.pending} still pending` : ''}.`);
    for (const e of f.errors.slice(0, 5)) out.push(`  error: ${e}`);
  }
  if (s.skipped.length) {
    out.push('');
    out.push(`Skipped ${plural(s.skipped.length, 'city/source pair')}:`);
    out.push(
      table(s.skipped, [
        { header: 'city', value: (p) => p.cityId },
        { header: 'source', value: (p) => p.source },
        { header: 'reason', value: (p) => p.reason, max: 100 },
      ])
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
  }
  return out.join('\n');
}
