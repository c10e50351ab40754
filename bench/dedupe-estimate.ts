/**
 * npm run dedupe:estimate — re-estimates the dedupe model (config/dedupe-weights.json) from the
 * labeled set in test/fixtures/dedupe/, and reports how well it does on cities it was NOT
 * estimated on.
 *
 * 1. Cross-validation: the set's cities are split in two folds (alternating by id). For each
 *    fold, m/u and the prior are estimated on the other fold's listings, the match threshold is
 *    chosen there (best F1 with no trap merged), and precision / recall / F1 / traps are measured
 *    on the held-out fold. These are the honest figures.
 * 2. The model written to the file is estimated on every city, threshold chosen the same way;
 *    its figures on the set are in-sample (what `npm run bench:dedupe` then shows).
 *
 * The file's level names and bounds are kept (edit them there); m, u, prior and thresholds are
 * replaced. The review threshold sits REVIEW_BITS below the match threshold in log2 odds.
 *
 *   --dry-run  report only, don't write the file   --version V  version string (default: today's date)
 *
 * The last line is one JSON object.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { estimateWeights, type LabeledEvent } from '../src/lib/catalogue/dedupe/estimate.js';
import { findDuplicates } from '../src/lib/catalogue/dedupe/index.js';
import { DEFAULT_WEIGHTS_PATH, modelFromWeights, probabilityOf, weightsFileSchema, type WeightsFile } from '../src/lib/catalogue/dedupe/model.js';
import { goalShortfalls, type DedupeQuality } from './lib/dedupe-eval.js';
import { loadLabeledSet, normalizeListings, runOnLabeledSet, type LabeledSet } from './lib/dedupe-set.js';
import { round } from './lib/stats.js';

const DRY_RUN = process.argv.includes('--dry-run');
const versionArg = process.argv.indexOf('--version');
const VERSION = versionArg > 0 ? process.argv[versionArg + 1]! : new Date().toISOString().slice(0, 10);
/** The review band: from this many bits (log2 odds) below the match threshold up to it. */
const REVIEW_BITS = 4;
/** Match thresholds tried, as probabilities, highest first: of equally good thresholds the most cautious wins. None below 0.5: a merge must be likelier than not. */
const GRID = [0.998, 0.995, 0.99, 0.98, 0.97, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5];

function log(msg = ''): void {
  process.stdout.write(`${msg}\n`);
}

function subset(set: LabeledSet, cityIds: ReadonlySet<string>): LabeledSet {
  const listings = set.listings.filter((l) => cityIds.has(l.city.id));
  const present = new Set(listings.map((l) => l.cluster));
  return {
    cities: set.cities.filter((c) => cityIds.has(c.id)),
    listings,
    clusters: set.clusters,
    traps: set.traps.filter((t) => present.has(t.a) && present.has(t.b)),
  };
}

function labeledEvents(set: LabeledSet): LabeledEvent[] {
  return normalizeListings(set).normalized.map(({ listing, event }) => ({ ...event, cityId: listing.city.id, label: listing.cluster }));
}

function quality(set: LabeledSet, weights: WeightsFile): DedupeQuality {
  const model = modelFromWeights(weights);
  return runOnLabeledSet(set, (events) => findDuplicates(events, { model }).clusters).quality;
}

const logit2 = (p: number) => Math.log2(p / (1 - p));

function withThreshold(weights: WeightsFile, match: number): WeightsFile {
  const review = probabilityOf(logit2(match) - REVIEW_BITS);
  return { ...weights, thresholds: { match, review: Number(review.toPrecision(4)) } };
}

/** Estimates on `train` and picks the match threshold with the best F1 there among those merging no trap (else fewest traps). */
function fit(train: LabeledSet, template: WeightsFile, meta: Record<string, unknown>): { weights: WeightsFile; train: DedupeQuality } {
  const { weights } = estimateWeights(labeledEvents(train), template, { version: VERSION, estimatedFrom: meta });
  let best: { weights: WeightsFile; train: DedupeQuality } | null = null;
  const rank = (q: DedupeQuality) => [-q.traps.merged.length, q.overall.f1];
  for (const t of GRID) {
    const w = withThreshold(weights, t);
    const q = quality(train, w);
    if (!best) { best = { weights: w, train: q }; continue; }
    const [a0, a1] = rank(q);
    const [b0, b1] = rank(best.train);
    if (a0! > b0! || (a0 === b0 && a1! > b1!)) best = { weights: w, train: q };
  }
  return best!;
}

function line(name: string, q: DedupeQuality): string {
  const o = q.overall;
  const minPair = Math.min(...Object.values(q.bySourcePair).map((f) => f.f1));
  return `${name.padEnd(34)} P ${o.precision.toFixed(4)} R ${o.recall.toFixed(4)} F1 ${o.f1.toFixed(4)}  min source pair F1 ${minPair.toFixed(4)}  traps merged ${q.traps.merged.length}/${q.traps.cases}`;
}

/** The weights file as people read it: one line per level, per neverMerge combination, and for the word list. */
function formatWeights(w: WeightsFile): string {
  const { fields, neverMerge, genericTitleWords, ...rest } = w;
  const top = JSON.stringify({ ...rest, genericTitleWords: '\u0000g', neverMerge: '\u0000n', fields: '\u0000f' }, null, 2);
  const list = (items: unknown[], indent: string) => `[\n${items.map((x) => `${indent}  ${JSON.stringify(x)}`).join(',\n')}\n${indent}]`;
  const fieldText = `{\n${Object.entries(fields).map(([k, levels]) => `    ${JSON.stringify(k)}: ${list(levels, '    ')}`).join(',\n')}\n  }`;
  return `${top
    .replace('"\\u0000g"', JSON.stringify(genericTitleWords ?? []))
    .replace('"\\u0000n"', list(neverMerge ?? [], '  '))
    .replace('"\\u0000f"', fieldText)}\n`;
}

function main(): void {
  const set = loadLabeledSet();
  const template = weightsFileSchema.parse(JSON.parse(readFileSync(DEFAULT_WEIGHTS_PATH, 'utf8')));
  const ids = set.cities.map((c) => c.id).sort();
  const folds = [ids.filter((_, i) => i % 2 === 0), ids.filter((_, i) => i % 2 === 1)];
  log(`labeled set: ${set.listings.length} listings, ${set.cities.length} cities; folds: [${folds[0]!.join(', ')}] / [${folds[1]!.join(', ')}]`);

  const cv: Array<Record<string, unknown>> = [];
  for (const [k, heldOut] of folds.entries()) {
    const trainIds = new Set(folds[1 - k]!);
    const train = subset(set, trainIds);
    const test = subset(set, new Set(heldOut));
    const fitted = fit(train, template, { cities: [...trainIds] });
    const held = quality(test, fitted.weights);
    log(`fold ${k + 1}: estimated on [${[...trainIds].join(', ')}], match threshold ${fitted.weights.thresholds.match}`);
    log(`  ${line('on its own cities (in-sample)', fitted.train)}`);
    log(`  ${line(`on [${heldOut.join(', ')}] (held out)`, held)}`);
    for (const t of held.traps.merged) log(`    trap merged: [${t.kind}] ${t.a} / ${t.b}`);
    cv.push({
      held_out: heldOut, threshold: fitted.weights.thresholds.match,
      train_f1: round(fitted.train.overall.f1, 4),
      precision: round(held.overall.precision, 4), recall: round(held.overall.recall, 4), f1: round(held.overall.f1, 4),
      min_source_pair_f1: round(Math.min(...Object.values(held.bySourcePair).map((f) => f.f1)), 4),
      traps_merged: held.traps.merged.length, trap_cases: held.traps.cases,
    });
  }

  const all = fit(set, template, { cities: ids, listings: set.listings.length, labeledSet: 'test/fixtures/dedupe' });
  log(`all cities: match threshold ${all.weights.thresholds.match}, review from ${all.weights.thresholds.review}, prior ${all.weights.prior}`);
  log(`  ${line('on the whole set (in-sample)', all.train)}`);
  const shortfalls = goalShortfalls(all.train);
  log(shortfalls.length === 0 ? '  goals met (in-sample)' : `  goals not met (in-sample):\n    ${shortfalls.join('\n    ')}`);
  const model = modelFromWeights(all.weights);
  log('weights (log2 m/u):');
  for (const [field, levels] of Object.entries(model.levels)) {
    log(`  ${field.padEnd(8)} ${levels.map((l) => `${l.level} ${l.weight >= 0 ? '+' : ''}${l.weight.toFixed(2)}`).join(', ')}`);
  }
  if (!DRY_RUN) {
    writeFileSync(DEFAULT_WEIGHTS_PATH, formatWeights(all.weights));
    log(`wrote ${DEFAULT_WEIGHTS_PATH} (version ${VERSION})`);
  }
  log(JSON.stringify({
    version: VERSION, written: !DRY_RUN, threshold: all.weights.thresholds.match, review: all.weights.thresholds.review,
    in_sample_f1: round(all.train.overall.f1, 4), in_sample_traps_merged: all.train.traps.merged.length, cross_validation: cv,
  }));
}

main();
