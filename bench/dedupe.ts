/**
 * npm run bench:dedupe — dedupe quality on the hand-labeled set (test/fixtures/dedupe/) and
 * dedupe speed on 100k synthetic events.
 *
 * (a) Quality: every listing of the set goes through the production normalizer with the context
 *     of the city it was discovered for, then findDuplicates runs over all of them at once.
 *     Printed: pairwise precision, recall and F1 over same-event pairs, overall and per source
 *     pair; recall per labeled pattern; the trap cases merged; the pairs missed and the pairs
 *     wrongly joined; listings the normalizer refused. The baseline, run on the same events, is
 *     the simplest matcher one could ship: same normalized title, same local day, same city.
 *     The committed weights were estimated on this set, so those figures are in-sample; a
 *     two-fold cross-validation by city (bench/lib/dedupe-fit.ts) is printed as well.
 * (b) Speed: findDuplicates over --dedupe-n synthetic events (bench/lib/synthetic.ts, the
 *     generator bench:ingest uses), timed, against grouping the same events by the baseline's
 *     exact key; the time is also given per 100k events.
 *
 * The last line is one JSON object.
 *
 *   --dedupe-n N (default 100000)  --runs R (default 3)  --show S (missed/wrong pairs listed, default 40)
 */
import { DateTime } from 'luxon';
import { recordBenchmarkFigures } from '../src/lib/catalogue/dedupe/benchmark-file.js';
import { findDuplicates, loadModel } from '../src/lib/catalogue/dedupe/index.js';
import type { NormalizedEvent } from '../src/lib/normalize/types.js';
import { goalShortfalls, type DedupeQuality } from './lib/dedupe-eval.js';
import { crossValidate, foldSummary } from './lib/dedupe-fit.js';
import { loadLabeledSet, runOnLabeledSet } from './lib/dedupe-set.js';
import { arg, now, round } from './lib/stats.js';
import { evaluate, generateSyntheticEvents } from './lib/synthetic.js';

const DEDUPE_N = arg('dedupe-n', 100_000);
const RUNS = arg('runs', 3);
const SHOW = arg('show', 40);

function log(msg = ''): void {
  process.stdout.write(`${msg}\n`);
}

type Keyed = Pick<NormalizedEvent, 'title' | 'startsAt' | 'timezone'> & { id: string; venue: { city: string | null } };

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** YYYY-MM-DD of an instant in a zone (en-CA formats dates that way). */
function localDay(at: Date, zone: string): string {
  let format = dayFormats.get(zone);
  if (!format) dayFormats.set(zone, (format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return format.format(at);
}

/** The baseline matcher: events sharing lower-cased alphanumeric title, local day and city. */
function exactKeyClusters(events: readonly Keyed[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const e of events) {
    const title = e.title.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
    const day = localDay(e.startsAt, e.timezone);
    const key = `${title}|${day}|${(e.venue.city ?? '').toLowerCase()}`;
    const group = groups.get(key);
    if (group) group.push(e.id);
    else groups.set(key, [e.id]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const pct = (n: number) => round(n, 4).toFixed(4);

function printQuality(q: DedupeQuality, base: DedupeQuality, describe: (id: string) => string): void {
  const o = q.overall;
  log(`overall: P ${pct(o.precision)} R ${pct(o.recall)} F1 ${pct(o.f1)} (${o.correctPairs}/${o.truePairs} true pairs found, ${o.predictedPairs} claimed)`
    + `; baseline (exact title+day+city) F1 ${pct(base.overall.f1)}`);
  log('per source pair:              true  claimed  found      P       R       F1');
  for (const [pair, f] of Object.entries(q.bySourcePair)) {
    log(`  ${pair.padEnd(26)} ${String(f.truePairs).padStart(5)} ${String(f.predictedPairs).padStart(8)} ${String(f.correctPairs).padStart(6)}  ${pct(f.precision)}  ${pct(f.recall)}  ${pct(f.f1)}`);
  }
  log('recall per pattern:');
  for (const [pattern, p] of Object.entries(q.byPattern).sort((a, b) => a[1].recall - b[1].recall)) {
    log(`  ${pattern.padEnd(22)} ${pct(p.recall)}  (${p.correctPairs}/${p.truePairs})`);
  }
  log(`trap cases merged: ${q.traps.merged.length} of ${q.traps.cases}`);
  for (const t of q.traps.merged) log(`  [${t.kind}] ${t.a} / ${t.b}: ${t.why}; via ${t.listings.map((p) => p.join('+')).join(', ')}`);
  log(`missed true pairs: ${q.missed.length}${q.missed.length > SHOW ? ` (first ${SHOW})` : ''}`);
  for (const [a, b] of q.missed.slice(0, SHOW)) log(`  ${describe(a)}\n    ${describe(b)}`);
  log(`wrongly joined pairs: ${q.spurious.length}${q.spurious.length > SHOW ? ` (first ${SHOW})` : ''}`);
  for (const [a, b] of q.spurious.slice(0, SHOW)) log(`  ${describe(a)}\n    ${describe(b)}`);
}

async function main(): Promise<void> {
  // ---- (a) quality on the labeled set -------------------------------------------------------
  const set = loadLabeledSet();
  log(`labeled set: ${set.listings.length} listings, ${set.clusters.size} events, ${set.cities.length} cities `
    + `(${new Set(set.cities.map((c) => c.timezone)).size} time zones), ${set.traps.length} trap cases`);
  const run = runOnLabeledSet(set, (events) => findDuplicates(events).clusters);
  const baseline = runOnLabeledSet(set, exactKeyClusters).quality;
  const quality = run.quality;
  log(`normalizer refused ${run.failures.length} listing(s)`);
  for (const f of run.failures) log(`  ${f.listing.id} (${f.listing.source}): ${f.error}`);
  const byId = new Map(run.normalized.map((n) => [n.listing.id, n]));
  const describe = (id: string) => {
    const n = byId.get(id)!;
    const local = DateTime.fromJSDate(n.event.startsAt, { zone: n.event.timezone }).toFormat('yyyy-MM-dd HH:mm');
    return `${id} [${n.listing.cluster}] "${n.event.title}" @ ${n.event.venue.name ?? n.event.venue.address ?? '?'} ${local}${n.event.allDay ? ' (all day)' : ''} ${n.event.timezone}`;
  };
  log(`findDuplicates over the set: ${run.predicted.length} clusters in ${round(run.ms)} ms`);
  printQuality(quality, baseline, describe);
  const shortfalls = goalShortfalls(quality);
  log(shortfalls.length === 0 ? 'goals met' : `goals not met:\n  ${shortfalls.join('\n  ')}`);
  const figuresFile = recordBenchmarkFigures({ labeledSet: 'test/fixtures/dedupe', overall: quality.overall, sourcePairs: quality.bySourcePair, trapsMerged: quality.traps.merged.length });
  log(`labeled-set figures for /metrics (scenescout_dedupe_benchmark_*) written to ${figuresFile}`);
  // The committed weights were estimated on this very set: the figures above are in-sample.
  // Cross-validation by city says how the same recipe does on cities it never saw.
  const model = loadModel();
  log(`weights ${model.version} (config/dedupe-weights.json) were estimated on the whole set: the figures above are in-sample`);
  const folds = crossValidate(set, model.file, `${model.version}-cv`);
  for (const f of folds) {
    const t = f.test.overall;
    log(`cross-validation: estimated on [${f.trainedOn.join(', ')}], on held-out [${f.heldOut.join(', ')}]: P ${pct(t.precision)} R ${pct(t.recall)} F1 ${pct(t.f1)}, `
      + `min source pair F1 ${pct(Math.min(...Object.values(f.test.bySourcePair).map((x) => x.f1)))}, traps merged ${f.test.traps.merged.length}/${f.test.traps.cases}`);
  }

  // ---- (b) speed on synthetic events --------------------------------------------------------
  const big = generateSyntheticEvents({ count: DEDUPE_N, seed: 7 });
  const dedupeTimes: number[] = [];
  const baselineTimes: number[] = [];
  let syntheticF1 = 0;
  for (let r = 0; r < RUNS; r++) {
    let t = now();
    const result = findDuplicates(big.events);
    dedupeTimes.push(now() - t);
    syntheticF1 = evaluate(result.clusters, big.truth).f1;
    t = now();
    exactKeyClusters(big.events);
    baselineTimes.push(now() - t);
    log(`run ${r + 1}: findDuplicates over ${DEDUPE_N} synthetic events ${round(dedupeTimes[r]!)} ms, exact-key grouping ${round(baselineTimes[r]!)} ms`);
  }
  const dedupeMs = median(dedupeTimes);
  const baselineMs = median(baselineTimes);
  const per100k = dedupeMs * (100_000 / DEDUPE_N);
  log(`synthetic: ${round(per100k, 0)} ms per 100k events (median of ${RUNS}), ${round(dedupeMs / baselineMs, 1)}x the exact-key grouping; synthetic F1 ${pct(syntheticF1)}`);

  const bySourcePair: Record<string, { precision: number; recall: number; f1: number; true_pairs: number; predicted_pairs: number }> = {};
  for (const [pair, f] of Object.entries(quality.bySourcePair)) {
    bySourcePair[pair] = { precision: round(f.precision, 4), recall: round(f.recall, 4), f1: round(f.f1, 4), true_pairs: f.truePairs, predicted_pairs: f.predictedPairs };
  }
  log(JSON.stringify({
    listings: set.listings.length,
    events: set.clusters.size,
    cities: set.cities.length,
    normalize_failures: run.failures.length,
    normalize_failed_ids: run.failures.map((f) => f.listing.id),
    true_pairs: quality.overall.truePairs,
    predicted_pairs: quality.overall.predictedPairs,
    precision: round(quality.overall.precision, 4),
    recall: round(quality.overall.recall, 4),
    f1: round(quality.overall.f1, 4),
    baseline_f1: round(baseline.overall.f1, 4),
    f1_vs_baseline: baseline.overall.f1 === 0 ? null : round(quality.overall.f1 / baseline.overall.f1, 3),
    min_source_pair_f1: round(Math.min(...Object.values(quality.bySourcePair).map((f) => f.f1)), 4),
    by_source_pair: bySourcePair,
    trap_cases: quality.traps.cases,
    traps_merged: quality.traps.merged.length,
    traps_merged_list: quality.traps.merged.map((t) => ({ kind: t.kind, a: t.a, b: t.b })),
    goals_met: shortfalls.length === 0,
    weights_version: model.version,
    cross_validation: folds.map(foldSummary),
    dedupe_n: DEDUPE_N,
    dedupe_ms: round(dedupeMs, 0),
    dedupe_ms_per_100k: round(per100k, 0),
    baseline_ms: round(baselineMs, 0),
    dedupe_vs_baseline: round(dedupeMs / baselineMs, 2),
    synthetic_f1: round(syntheticF1, 4),
  }));
}

await main();
