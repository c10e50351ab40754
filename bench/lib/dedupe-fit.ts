/**
 * Fitting the dedupe model to the labeled set and measuring it honestly: estimation
 * (src/lib/catalogue/dedupe/estimate.ts) on some cities, threshold choice there, quality on the
 * others. Used by `npm run dedupe:estimate` (bench/dedupe-estimate.ts) and `npm run bench:dedupe`.
 */
import { estimateWeights, type LabeledEvent } from '../../src/lib/catalogue/dedupe/estimate.js';
import { findDuplicates } from '../../src/lib/catalogue/dedupe/index.js';
import { modelFromWeights, probabilityOf, type WeightsFile } from '../../src/lib/catalogue/dedupe/model.js';
import type { DedupeQuality } from './dedupe-eval.js';
import { normalizeListings, runOnLabeledSet, type LabeledSet } from './dedupe-set.js';
import { round } from './stats.js';

/** The review band: from this many bits (log2 odds) below the match threshold up to it. */
export const REVIEW_BITS = 4;
/** Match thresholds tried, as probabilities, highest first: of equally good thresholds the most cautious wins. None below 0.5: a merge must be likelier than not. */
const GRID = [0.998, 0.995, 0.99, 0.98, 0.97, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5];

export function subset(set: LabeledSet, cityIds: ReadonlySet<string>): LabeledSet {
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

/** The set's quality under a weights file. */
export function quality(set: LabeledSet, weights: WeightsFile): DedupeQuality {
  const model = modelFromWeights(weights);
  return runOnLabeledSet(set, (events) => findDuplicates(events, { model }).clusters).quality;
}

const logit2 = (p: number) => Math.log2(p / (1 - p));

function withThreshold(weights: WeightsFile, match: number): WeightsFile {
  const review = probabilityOf(logit2(match) - REVIEW_BITS);
  return { ...weights, thresholds: { match, review: Number(review.toPrecision(4)) } };
}

/** Estimates on `train` and picks the match threshold with the best F1 there among those merging no trap (else fewest traps). */
export function fit(train: LabeledSet, template: WeightsFile, version: string, meta: Record<string, unknown> = {}): { weights: WeightsFile; train: DedupeQuality } {
  const { weights } = estimateWeights(labeledEvents(train), template, { version, estimatedFrom: meta });
  let best: { weights: WeightsFile; train: DedupeQuality } | null = null;
  const rank = (q: DedupeQuality) => [-q.traps.merged.length, q.overall.f1] as const;
  for (const t of GRID) {
    const w = withThreshold(weights, t);
    const q = quality(train, w);
    if (!best) { best = { weights: w, train: q }; continue; }
    const [a0, a1] = rank(q);
    const [b0, b1] = rank(best.train);
    if (a0 > b0 || (a0 === b0 && a1 > b1)) best = { weights: w, train: q };
  }
  return best!;
}

/** The set's cities in two folds, alternating by id. */
export function cityFolds(set: LabeledSet): [string[], string[]] {
  const ids = set.cities.map((c) => c.id).sort();
  return [ids.filter((_, i) => i % 2 === 0), ids.filter((_, i) => i % 2 === 1)];
}

export interface Fold {
  trainedOn: string[];
  heldOut: string[];
  weights: WeightsFile;
  train: DedupeQuality;
  test: DedupeQuality;
}

/** Two-fold cross-validation by city: each fold's model is estimated on the other fold and measured on the held-out one. */
export function crossValidate(set: LabeledSet, template: WeightsFile, version: string): Fold[] {
  const folds = cityFolds(set);
  return folds.map((heldOut, k) => {
    const trainedOn = folds[1 - k]!;
    const fitted = fit(subset(set, new Set(trainedOn)), template, version, { cities: trainedOn });
    return { trainedOn, heldOut, weights: fitted.weights, train: fitted.train, test: quality(subset(set, new Set(heldOut)), fitted.weights) };
  });
}

export function foldSummary(f: Fold): Record<string, unknown> {
  return {
    held_out: f.heldOut, threshold: f.weights.thresholds.match,
    train_f1: round(f.train.overall.f1, 4),
    precision: round(f.test.overall.precision, 4), recall: round(f.test.overall.recall, 4), f1: round(f.test.overall.f1, 4),
    min_source_pair_f1: round(Math.min(...Object.values(f.test.bySourcePair).map((p) => p.f1)), 4),
    traps_merged: f.test.traps.merged.length, trap_cases: f.test.traps.cases,
  };
}
